/* gen-type-limits.c - writes components that test the component validator's bounds on
 * types (the effective type size limit of 1000000 and the nesting limit), for
 * tests/cli/validate_rules.sh. Standalone C11; the binary encoding is written directly.
 *
 *   gen-type-limits instances N   an instance type with one abstract resource, then N
 *                                 instance types each exporting the previous one twice
 *                                 ("a", "b"), and an import of the last: effective size
 *                                 3 * 2^N - 1 (N = 18 is valid, about 786000; N = 19 is not)
 *   gen-type-limits bulk BYTES    about BYTES of instance types, each declaring a chain of
 *                                 90 nested record types inside it and exporting the last,
 *                                 each imported once: valid
 *   gen-type-limits bulk-over BYTES   the same followed by a chain of tuples that doubles
 *                                 the effective size at each step: invalid at the end
 *   gen-type-limits depth N       a chain of N list types (list u8, list of that, ...)
 *                                 exported: the last list is N + 1 deep, the component's
 *                                 type N + 2 (valid up to N = 98)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->n + n) cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            fprintf(stderr, "gen-type-limits: out of memory\n");
            exit(2);
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}
static void byte(buf *b, uint8_t v) { put(b, &v, 1); }
static void u32(buf *b, uint32_t v)
{
    do {
        uint8_t c = v & 0x7f;
        v >>= 7;
        byte(b, c | (v ? 0x80 : 0));
    } while (v);
}
/* a type index as a value type: a non-negative s33 */
static void tyidx(buf *b, uint32_t v)
{
    uint64_t x = v;
    for (;;) {
        uint8_t c = x & 0x7f;
        x >>= 7;
        if (x == 0 && !(c & 0x40)) {
            byte(b, c);
            return;
        }
        byte(b, c | 0x80);
    }
}
static void name(buf *b, const char *s)
{
    u32(b, (uint32_t)strlen(s));
    put(b, s, strlen(s));
}
static void section(buf *out, uint8_t id, uint32_t count, const buf *body)
{
    buf tmp = {0};
    u32(&tmp, count);
    put(&tmp, body->p, body->n);
    byte(out, id);
    u32(out, (uint32_t)tmp.n);
    put(out, tmp.p, tmp.n);
    free(tmp.p);
}

enum { SEC_TYPE = 7, SEC_IMPORT = 10, SEC_EXPORT = 11, U8 = 0x7d, U32 = 0x79 };

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: gen-type-limits instances|bulk|bulk-over|depth N > out.wasm\n");
        return 2;
    }
    const char *mode = argv[1];
    unsigned long n = strtoul(argv[2], NULL, 10);
    buf out = {0}, types = {0}, imports = {0}, exports = {0};
    uint32_t ntypes = 0, nimports = 0, nexports = 0;
    static const uint8_t header[] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
    put(&out, header, sizeof header);
    if (!strcmp(mode, "instances")) {
        /* (type (instance (export "r" (type (sub resource))))) */
        byte(&types, 0x42), u32(&types, 1);
        byte(&types, 0x04), byte(&types, 0x00), name(&types, "r"), byte(&types, 0x03), byte(&types, 0x01);
        ntypes++;
        for (unsigned long i = 1; i <= n; i++) {
            /* (type (instance (alias outer 1 PREV (type)) (export "a" (instance 0))
             *                 (export "b" (instance 0)))) */
            byte(&types, 0x42), u32(&types, 3);
            byte(&types, 0x02), byte(&types, 0x03), byte(&types, 0x02), u32(&types, 1), u32(&types, ntypes - 1);
            byte(&types, 0x04), byte(&types, 0x00), name(&types, "a"), byte(&types, 0x05), u32(&types, 0);
            byte(&types, 0x04), byte(&types, 0x00), name(&types, "b"), byte(&types, 0x05), u32(&types, 0);
            ntypes++;
        }
        byte(&imports, 0x00), name(&imports, "x"), byte(&imports, 0x05), u32(&imports, ntypes - 1);
        nimports++;
    } else if (!strcmp(mode, "bulk") || !strcmp(mode, "bulk-over")) {
        char nm[32];
        while (types.n + imports.n < n) {
            /* (type (instance (type (tuple u8 u32)) (type (tuple 0 u32)) ... 90 deep ...
             *   (export "t" (type (eq 89))))) */
            byte(&types, 0x42), u32(&types, 91);
            for (uint32_t k = 0; k < 90; k++) {
                byte(&types, 0x01), byte(&types, 0x6f), u32(&types, 2);
                if (k) tyidx(&types, k - 1);
                else byte(&types, U8);
                byte(&types, U32);
            }
            byte(&types, 0x04), byte(&types, 0x00), name(&types, "t"), byte(&types, 0x03), byte(&types, 0x00),
                u32(&types, 89);
            snprintf(nm, sizeof nm, "i%u", nimports);
            byte(&imports, 0x00), name(&imports, nm), byte(&imports, 0x05), u32(&imports, ntypes);
            ntypes++, nimports++;
        }
        if (!strcmp(mode, "bulk-over")) {
            /* (type (tuple u8 u8)) then (type (tuple PREV PREV)) ... until far past the limit */
            byte(&types, 0x6f), u32(&types, 2), byte(&types, U8), byte(&types, U8);
            ntypes++;
            for (int k = 0; k < 24; k++, ntypes++)
                byte(&types, 0x6f), u32(&types, 2), tyidx(&types, ntypes - 1), tyidx(&types, ntypes - 1);
            byte(&exports, 0x00), name(&exports, "big"), byte(&exports, 0x03), u32(&exports, ntypes - 1),
                byte(&exports, 0x00);
            nexports++;
        }
    } else if (!strcmp(mode, "depth")) {
        byte(&types, 0x70), byte(&types, U8);
        ntypes++;
        for (unsigned long i = 1; i < n; i++, ntypes++) byte(&types, 0x70), tyidx(&types, ntypes - 1);
        byte(&exports, 0x00), name(&exports, "t"), byte(&exports, 0x03), u32(&exports, ntypes - 1),
            byte(&exports, 0x00);
        nexports++;
    } else {
        fprintf(stderr, "gen-type-limits: unknown mode %s\n", mode);
        return 2;
    }
    section(&out, SEC_TYPE, ntypes, &types);
    if (nimports) section(&out, SEC_IMPORT, nimports, &imports);
    if (nexports) section(&out, SEC_EXPORT, nexports, &exports);
    fwrite(out.p, 1, out.n, stdout);
    free(out.p), free(types.p), free(imports.p), free(exports.p);
    return ferror(stdout) ? 1 : 0;
}
