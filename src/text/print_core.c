/* print_core.c - core modules in the text format, laid out as wasm-tools prints them.
 *
 * The layout model: items open groups "(" ... ")"; a group that spans several lines closes
 * on a new line at its own indentation. Function bodies are flat, one instruction per line,
 * indented by block depth, with ";; label = @N" after block openers and "(;@N;)" after
 * branch depths. Names come from the name section; a name that is not a valid identifier
 * prints as $"..." and a duplicate or empty one as $"#func5 name" (@name "name"). */
#include "print_core.h"
#include "binary/binary.h"
#include "weld/insn.h"
#include "weld/text.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- names ------------------------------------------------------------------------- */

enum { NAME_DOLLAR, NAME_QUOTED, NAME_SYNTHETIC };

typedef struct naming {
    uint32_t index;
    uint8_t kind;
    weld_str name;
    const char *group; /* "func", "local", ... for synthetic names */
} naming;

/* Names of one index space, sorted by index (the last entry wins for repeated indices). */
typedef struct naming_map {
    uint32_t n;
    naming *items;
} naming_map;

/* The local names of one function. */
typedef struct local_names {
    uint32_t func;
    naming_map map;
} local_names;

typedef struct names {
    bool has_module;
    naming module;
    naming_map funcs, types, tables, memories, globals, elems, datas, tags;
    uint32_t nlocals;
    local_names *locals; /* sorted by function index */
} names;

static bool is_idchar(uint8_t c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return c && strchr("!#$%&'*+-./:<=>?@\\^_`|~", c) != NULL;
}

/* A set of names already used in one namespace (open addressing over the naming array). */
typedef struct used_set {
    const weld_str **slots;
    size_t cap;
} used_set;

static uint64_t hash_str(weld_str s)
{
    uint64_t h = 1469598103934665603ull;
    for (uint32_t i = 0; i < s.len; i++) h = (h ^ (uint8_t)s.ptr[i]) * 1099511628211ull;
    return h;
}

/* Insert; returns false when the name was already there. */
static bool used_insert(used_set *u, const weld_str *s)
{
    size_t i = (size_t)hash_str(*s) & (u->cap - 1);
    while (u->slots[i]) {
        const weld_str *o = u->slots[i];
        if (o->len == s->len && memcmp(o->ptr, s->ptr, s->len) == 0) return false;
        i = (i + 1) & (u->cap - 1);
    }
    u->slots[i] = s;
    return true;
}

static void naming_init(naming *nm, uint32_t index, weld_str name, const char *group,
                        used_set *used)
{
    nm->index = index;
    nm->name = name;
    nm->group = group;
    nm->kind = NAME_DOLLAR;
    for (uint32_t i = 0; i < name.len; i++)
        if (!is_idchar((uint8_t)name.ptr[i])) {
            nm->kind = NAME_QUOTED;
            break;
        }
    if (name.len == 0 || name.ptr[0] == '#' || (used && !used_insert(used, &nm->name)))
        nm->kind = NAME_SYNTHETIC;
}

static int cmp_naming(const void *a, const void *b)
{
    const naming *x = a, *y = b;
    if (x->index != y->index) return x->index < y->index ? -1 : 1;
    return x < y ? -1 : 1; /* stable: keep input order among equal indices */
}

/* Build a sorted naming map from a decoded name map; `dedup` tracks used names. */
static void build_map(naming_map *out, const weld_name_map *in, const char *group, bool dedup)
{
    out->n = 0;
    out->items = NULL;
    if (!in->count) return;
    naming *items = malloc(in->count * sizeof *items);
    used_set u = {NULL, 0};
    if (dedup) {
        u.cap = 16;
        while (u.cap < (size_t)in->count * 2) u.cap *= 2;
        u.slots = calloc(u.cap, sizeof *u.slots);
    }
    if (!items || (dedup && !u.slots)) {
        free(items);
        free(u.slots);
        return;
    }
    for (uint32_t i = 0; i < in->count; i++)
        naming_init(&items[i], in->items[i].index, in->items[i].name, group, dedup ? &u : NULL);
    free(u.slots);
    qsort(items, in->count, sizeof *items, cmp_naming);
    /* keep the last of equal indices */
    uint32_t n = 0;
    for (uint32_t i = 0; i < in->count; i++) {
        if (n && items[n - 1].index == items[i].index) n--;
        items[n++] = items[i];
    }
    out->n = n;
    out->items = items;
}

static const naming *lookup(const naming_map *m, uint32_t index)
{
    uint32_t lo = 0, hi = m->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->items[mid].index == index) return &m->items[mid];
        if (m->items[mid].index < index) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

/* Decode a raw name map subsection (ids 4..9, 11) into a temporary weld_name_map. */
static bool decode_raw_map(const weld_name_subsection *s, weld_name_map *out, weld_name_assoc **buf)
{
    const uint8_t *p = s->data, *end = s->data + s->len;
    uint32_t n;
    if (!weld_leb_u32(&p, end, &n) || n > s->len) return false;
    weld_name_assoc *items = malloc((size_t)n * sizeof *items + 1);
    if (!items) return false;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len;
        if (!weld_leb_u32(&p, end, &items[i].index) || !weld_leb_u32(&p, end, &len) ||
            len > (size_t)(end - p) || !weld_utf8_valid(p, len)) {
            free(items);
            return false;
        }
        items[i].name.ptr = (const char *)p;
        items[i].name.len = len;
        p += len;
    }
    out->count = n;
    out->items = items;
    *buf = items;
    return true;
}

static int cmp_locals(const void *a, const void *b)
{
    const local_names *x = a, *y = b;
    if (x->func != y->func) return x->func < y->func ? -1 : 1;
    return x < y ? -1 : 1;
}

static void names_build(names *nm, const weld_module *m)
{
    memset(nm, 0, sizeof *nm);
    if (!m->has_names) return;
    const weld_names *n = &m->names;
    if (n->has_module) {
        nm->has_module = true;
        naming_init(&nm->module, 0, n->module, "module", NULL);
    }
    build_map(&nm->funcs, &n->funcs, "func", true);
    if (n->locals.count) {
        nm->locals = malloc(n->locals.count * sizeof *nm->locals);
        if (nm->locals) {
            for (uint32_t i = 0; i < n->locals.count; i++) {
                nm->locals[i].func = n->locals.indices[i];
                build_map(&nm->locals[i].map, &n->locals.maps[i], "local", true);
            }
            nm->nlocals = n->locals.count;
            qsort(nm->locals, nm->nlocals, sizeof *nm->locals, cmp_locals);
        }
    }
    for (uint32_t i = 0; i < n->nsubsections; i++) {
        const weld_name_subsection *s = &n->subsections[i];
        naming_map *dst = NULL;
        const char *group = NULL;
        switch (s->id) {
        case 4: dst = &nm->types, group = "type"; break;
        case 5: dst = &nm->tables, group = "table"; break;
        case 6: dst = &nm->memories, group = "memory"; break;
        case 7: dst = &nm->globals, group = "global"; break;
        case 8: dst = &nm->elems, group = "elem"; break;
        case 9: dst = &nm->datas, group = "data"; break;
        case 11: dst = &nm->tags, group = "tag"; break;
        default: continue;
        }
        weld_name_map map;
        weld_name_assoc *buf = NULL;
        if (!decode_raw_map(s, &map, &buf)) continue;
        free(dst->items);
        build_map(dst, &map, group, true);
        free(buf);
    }
}

static void names_free(names *nm)
{
    naming_map *maps[] = {&nm->funcs, &nm->types, &nm->tables, &nm->memories,
                          &nm->globals, &nm->elems, &nm->datas, &nm->tags};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) free(maps[i]->items);
    for (uint32_t i = 0; i < nm->nlocals; i++) free(nm->locals[i].map.items);
    free(nm->locals);
}

static const naming_map *locals_of(const names *nm, uint32_t func)
{
    uint32_t lo = 0, hi = nm->nlocals;
    const naming_map *found = NULL;
    while (lo < hi) { /* the last map for a function wins */
        uint32_t mid = lo + (hi - lo) / 2;
        if (nm->locals[mid].func <= func) {
            if (nm->locals[mid].func == func) found = &nm->locals[mid].map;
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return found;
}

/* ---- the printer's layout state ------------------------------------------------------ */

typedef struct pr {
    weld_buf *b;
    const weld_module *m;
    names nm;
    unsigned nesting;
    size_t line;
    size_t *group_lines; /* line on which each open group started */
    size_t ngroups, capgroups;
    const char *place;   /* custom section placement: "before first", "after type", ... */
    /* per-function state */
    uint32_t func;       /* index of the function being printed */
    unsigned nesting_start;
    bool space_sep;      /* constant expressions: instructions separated by spaces */
    bool first_op;
} pr;

static void puts_(pr *p, const char *s)
{
    weld_buf_puts(p->b, s);
}

static void newline(pr *p)
{
    weld_buf_byte(p->b, '\n');
    p->line++;
    static const char spaces[] = "                                                  "
                                 "                                                  ";
    unsigned n = p->nesting < 50 ? p->nesting : 50;
    weld_buf_append(p->b, spaces, 2 * n);
}

static void start_group(pr *p, const char *name)
{
    weld_buf_byte(p->b, '(');
    puts_(p, name);
    p->nesting++;
    if (p->ngroups == p->capgroups) {
        size_t cap = p->capgroups ? p->capgroups * 2 : 16;
        size_t *g = realloc(p->group_lines, cap * sizeof *g);
        if (!g) {
            p->b->oom = true;
            return;
        }
        p->group_lines = g;
        p->capgroups = cap;
    }
    p->group_lines[p->ngroups++] = p->line;
}

static void end_group(pr *p)
{
    p->nesting--;
    if (p->ngroups) {
        size_t line = p->group_lines[--p->ngroups];
        if (line != p->line) newline(p);
    }
    weld_buf_byte(p->b, ')');
}

/* ---- literals ---------------------------------------------------------------------- */

/* Decode one UTF-8 scalar from valid input. */
static uint32_t utf8_next(const uint8_t **s)
{
    const uint8_t *p = *s;
    uint32_t c = *p++;
    if (c >= 0xF0) c = (c & 0x07) << 18 | (uint32_t)(p[0] & 0x3F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F), p += 3;
    else if (c >= 0xE0) c = (c & 0x0F) << 12 | (uint32_t)(p[0] & 0x3F) << 6 | (p[1] & 0x3F), p += 2;
    else if (c >= 0xC0) c = (c & 0x1F) << 6 | (p[0] & 0x3F), p += 1;
    *s = p;
    return c;
}

static void str_contents(weld_buf *b, const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s, *end = p + n;
    while (p < end) {
        uint32_t c = utf8_next(&p);
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') weld_buf_byte(b, (uint8_t)c);
        else weld_buf_printf(b, "\\u{%x}", c);
    }
}

void weld_print_string(weld_buf *b, const char *s, size_t n)
{
    weld_buf_byte(b, '"');
    str_contents(b, s, n);
    weld_buf_byte(b, '"');
}

static void print_bytes(weld_buf *b, const uint8_t *d, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    weld_buf_reserve(b, n + 2);
    weld_buf_byte(b, '"');
    for (size_t i = 0; i < n; i++) {
        uint8_t c = d[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            weld_buf_byte(b, c);
        } else {
            char e[3] = {'\\', hex[c >> 4], hex[c & 15]};
            weld_buf_append(b, e, 3);
        }
    }
    weld_buf_byte(b, '"');
}

static void write_name_id(pr *p, const naming *n)
{
    switch (n->kind) {
    case NAME_DOLLAR:
        weld_buf_byte(p->b, '$');
        weld_buf_append(p->b, n->name.ptr, n->name.len);
        break;
    case NAME_QUOTED:
        puts_(p, "$\"");
        str_contents(p->b, n->name.ptr, n->name.len);
        weld_buf_byte(p->b, '"');
        break;
    default:
        weld_buf_printf(p->b, "$\"#%s%u ", n->group, n->index);
        str_contents(p->b, n->name.ptr, n->name.len);
        weld_buf_byte(p->b, '"');
        break;
    }
}

/* A name where an item is defined: the identifier, plus (@name "...") if synthetic. */
static void write_name_def(pr *p, const naming *n)
{
    write_name_id(p, n);
    if (n->kind == NAME_SYNTHETIC) {
        weld_buf_byte(p->b, ' ');
        start_group(p, "@name \"");
        str_contents(p->b, n->name.ptr, n->name.len);
        weld_buf_byte(p->b, '"');
        end_group(p);
    }
}

/* "$name (;N;)" or "(;N;)" */
static void print_name(pr *p, const naming_map *m, uint32_t index)
{
    const naming *n = lookup(m, index);
    if (n) {
        write_name_def(p, n);
        weld_buf_byte(p->b, ' ');
    }
    weld_buf_printf(p->b, "(;%u;)", index);
}

static void print_idx(pr *p, const naming_map *m, uint32_t index)
{
    const naming *n = lookup(m, index);
    if (n) write_name_id(p, n);
    else weld_buf_printf(p->b, "%u", index);
}

/* Does the decimal d.ddd x 10^exp10 (nd digits) read back as v? */
static bool digits_roundtrip(const char *digits, int nd, int exp10, double v, bool f32)
{
    char s[48];
    int n = 0;
    s[n++] = digits[0];
    s[n++] = '.';
    for (int i = 1; i < nd; i++) s[n++] = digits[i];
    snprintf(s + n, sizeof s - (size_t)n, "e%d", exp10);
    return f32 ? strtof(s, NULL) == (float)v : strtod(s, NULL) == v;
}

/* Step the last of nd digits by +1 or -1 with carry; false if the result is not usable. */
static bool digits_step(char *digits, int nd, int *exp10, int step)
{
    int i = nd - 1;
    if (step > 0) {
        while (i >= 0 && digits[i] == '9') digits[i--] = '0';
        if (i < 0) { /* 9.99 -> 10.0: one more decimal place */
            digits[0] = '1';
            for (int k = 1; k < nd; k++) digits[k] = '0';
            (*exp10)++;
            return true;
        }
        digits[i]++;
        return true;
    }
    while (i >= 0 && digits[i] == '0') digits[i--] = '9';
    if (i < 0) return false;
    digits[i]--;
    return digits[0] != '0';
}

/* Rust's Display for floats: the shortest digits that read back to the same value,
 * written positionally (no exponent). */
static void print_decimal(weld_buf *b, double v, bool f32)
{
    if (v == 0) {
        weld_buf_puts(b, signbit(v) ? "-0" : "0");
        return;
    }
    if (v < 0) {
        weld_buf_byte(b, '-');
        v = -v;
    }
    char e[64], digits[32];
    int nd = 0, exp10 = 0;
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, v); /* d.ddde[+-]xx */
        nd = 0;
        const char *q = e;
        for (; *q && *q != 'e'; q++)
            if (*q >= '0' && *q <= '9') digits[nd++] = *q;
        exp10 = atoi(q + 1);
        if (digits_roundtrip(digits, nd, exp10, v, f32)) break;
        /* the correctly rounded digits may miss where a neighbour fits (asymmetric gaps
         * around powers of two, ties): try one unit up and down in the last place */
        char alt[32];
        int aexp = exp10;
        memcpy(alt, digits, (size_t)nd);
        if (digits_step(alt, nd, &aexp, +1) && digits_roundtrip(alt, nd, aexp, v, f32)) {
            memcpy(digits, alt, (size_t)nd);
            exp10 = aexp;
            break;
        }
        aexp = exp10;
        memcpy(alt, digits, (size_t)nd);
        if (digits_step(alt, nd, &aexp, -1) && digits_roundtrip(alt, nd, aexp, v, f32)) {
            memcpy(digits, alt, (size_t)nd);
            exp10 = aexp;
            break;
        }
    }
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    int point = exp10 + 1; /* digits before the decimal point */
    if (point <= 0) {
        weld_buf_append(b, "0.", 2);
        for (int i = 0; i < -point; i++) weld_buf_byte(b, '0');
        weld_buf_append(b, digits, (size_t)nd);
    } else if (point >= nd) {
        weld_buf_append(b, digits, (size_t)nd);
        for (int i = nd; i < point; i++) weld_buf_byte(b, '0');
    } else {
        weld_buf_append(b, digits, (size_t)point);
        weld_buf_byte(b, '.');
        weld_buf_append(b, digits + point, (size_t)(nd - point));
    }
}

/* A float constant as a hex float with its decimal value in a comment. */
static void print_float(weld_buf *b, uint64_t bits, bool f32)
{
    int width = f32 ? 32 : 64, expw = f32 ? 8 : 11, mantw = width - 1 - expw;
    int64_t bias = (1 << (expw - 1)) - 1;
    uint64_t signbit_ = (uint64_t)1 << (width - 1);
    uint64_t mmask = ((uint64_t)1 << mantw) - 1;
    uint64_t emask = ((uint64_t)1 << expw) - 1;
    double value;
    if (f32) {
        uint32_t u = (uint32_t)bits;
        float f;
        memcpy(&f, &u, 4);
        value = f;
    } else {
        memcpy(&value, &bits, 8);
    }
    if (bits & signbit_) {
        weld_buf_byte(b, '-');
        bits ^= signbit_;
    }
    uint64_t expbits = (bits >> mantw) & emask, frac = bits & mmask;
    if (expbits == emask) {
        if (frac == 0) {
            weld_buf_printf(b, "inf (;=%sinf;)", value < 0 ? "-" : "");
        } else if (frac == (uint64_t)1 << (mantw - 1)) {
            weld_buf_puts(b, "nan (;=NaN;)");
        } else {
            weld_buf_printf(b, "nan:0x%llx (;=NaN;)", (unsigned long long)frac);
        }
        return;
    }
    weld_buf_puts(b, "0x");
    if (bits == 0) {
        weld_buf_puts(b, "0p+0");
    } else {
        int64_t exponent = (int64_t)expbits - bias;
        weld_buf_byte(b, '1');
        if (frac > 0) {
            uint64_t f = frac << (64 - mantw); /* left-align the fraction in 64 bits */
            if (expbits == 0) {                /* subnormal: normalise */
                int leading = 0;
                while (!(f & ((uint64_t)1 << 63))) f <<= 1, leading++;
                f <<= 1;
                exponent -= leading;
            }
            weld_buf_byte(b, '.');
            while (f) {
                weld_buf_byte(b, "0123456789abcdef"[f >> 60]);
                f <<= 4;
            }
        }
        weld_buf_printf(b, "p%+lld", (long long)exponent);
    }
    weld_buf_append(b, " (;=", 4);
    print_decimal(b, value, f32);
    weld_buf_append(b, ";)", 2);
}

/* ---- types --------------------------------------------------------------------------- */

static const char *valtype_name(weld_valtype t)
{
    return weld_valtype_name(t);
}

void weld_print_valtype(weld_buf *b, weld_valtype t)
{
    weld_buf_puts(b, valtype_name(t));
}

static const char *heaptype_name(uint8_t t)
{
    switch (t) {
    case 0x70: return "func";
    case 0x6F: return "extern";
    case 0x69: return "exn";
    case 0x74: return "noexn";
    case 0x73: return "nofunc";
    case 0x72: return "noextern";
    case 0x71: return "none";
    case 0x6E: return "any";
    case 0x6D: return "eq";
    case 0x6C: return "i31";
    case 0x6B: return "struct";
    case 0x6A: return "array";
    default: return "<unknown heap type>";
    }
}

/* " (param ...) (result ...)" with parameter names of function `func` (or none). */
static void print_functype_named(pr *p, const weld_functype *t, const naming_map *locals)
{
    if (t->nparams) weld_buf_byte(p->b, ' ');
    bool in_group = false, first = true;
    for (uint32_t i = 0; i < t->nparams; i++) {
        const naming *n = locals ? lookup(locals, i) : NULL;
        if (n && in_group) {
            end_group(p);
            in_group = false;
        }
        if (!first) weld_buf_byte(p->b, ' ');
        first = false;
        if (!in_group) {
            start_group(p, "param ");
            in_group = true;
        }
        if (n) {
            write_name_def(p, n);
            weld_buf_byte(p->b, ' ');
        }
        puts_(p, valtype_name(t->params[i]));
        if (n) {
            end_group(p);
            in_group = false;
        }
    }
    if (in_group) end_group(p);
    if (t->nresults) {
        weld_buf_byte(p->b, ' ');
        start_group(p, "result");
        for (uint32_t i = 0; i < t->nresults; i++) {
            weld_buf_byte(p->b, ' ');
            puts_(p, valtype_name(t->results[i]));
        }
        end_group(p);
    }
}

void weld_print_functype(weld_buf *b, const weld_functype *t)
{
    pr p;
    memset(&p, 0, sizeof p);
    p.b = b;
    print_functype_named(&p, t, NULL);
    free(p.group_lines);
}

static void print_type_ref(pr *p, uint32_t idx)
{
    start_group(p, "type ");
    print_idx(p, &p->nm.types, idx);
    end_group(p);
}

/* "(type N)" followed by the type's params and results when N is a known type. */
static void print_functype_idx(pr *p, uint32_t idx, const naming_map *locals)
{
    print_type_ref(p, idx);
    if (idx < p->m->ntypes) print_functype_named(p, &p->m->types[idx], locals);
}

static void print_limits(pr *p, const weld_limits *l)
{
    weld_buf_printf(p->b, "%llu", (unsigned long long)l->min);
    if (l->flags & WELD_LIMITS_HAS_MAX) weld_buf_printf(p->b, " %llu", (unsigned long long)l->max);
}

/* The opening of a table/memory/global/tag group with an optional "$name (;N;) ". */
static void print_table_type(pr *p, const weld_tabletype *t, const uint32_t *index)
{
    start_group(p, "table ");
    if (index) {
        print_name(p, &p->nm.tables, *index);
        weld_buf_byte(p->b, ' ');
    }
    if (t->limits.flags & WELD_LIMITS_64) puts_(p, "i64 ");
    print_limits(p, &t->limits);
    weld_buf_byte(p->b, ' ');
    puts_(p, valtype_name(t->elem));
}

static void print_memory_type(pr *p, const weld_limits *l, const uint32_t *index)
{
    start_group(p, "memory ");
    if (index) {
        print_name(p, &p->nm.memories, *index);
        weld_buf_byte(p->b, ' ');
    }
    if (l->flags & WELD_LIMITS_64) puts_(p, "i64 ");
    print_limits(p, l);
    if (l->flags & WELD_LIMITS_SHARED) puts_(p, " shared");
}

static void print_global_type(pr *p, const weld_globaltype *g, const uint32_t *index)
{
    start_group(p, "global ");
    if (index) {
        print_name(p, &p->nm.globals, *index);
        weld_buf_byte(p->b, ' ');
    }
    if (g->mut) weld_buf_printf(p->b, "(mut %s)", valtype_name(g->type));
    else puts_(p, valtype_name(g->type));
}

static void print_tag_type(pr *p, uint32_t type, const uint32_t *index)
{
    start_group(p, "tag ");
    if (index) {
        print_name(p, &p->nm.tags, *index);
        weld_buf_byte(p->b, ' ');
    }
    print_functype_idx(p, type, NULL);
}

/* An import's type; `index` is the item's index in its space (NULL: print no index). */
static void print_import_type(pr *p, const weld_externtype *t, const uint32_t *index)
{
    switch (t->kind) {
    case WELD_EXTERN_FUNC:
        start_group(p, "func ");
        if (index) {
            print_name(p, &p->nm.funcs, *index);
            weld_buf_byte(p->b, ' ');
        }
        print_type_ref(p, t->u.func);
        break;
    case WELD_EXTERN_TABLE: print_table_type(p, &t->u.table, index); break;
    case WELD_EXTERN_MEMORY: print_memory_type(p, &t->u.memory, index); break;
    case WELD_EXTERN_GLOBAL: print_global_type(p, &t->u.global, index); break;
    case WELD_EXTERN_TAG: print_tag_type(p, t->u.tag, index); break;
    default: start_group(p, "unknown"); break;
    }
    end_group(p);
}

void weld_print_core_externtype(weld_buf *b, const weld_externtype *t)
{
    static const weld_module empty;
    pr p;
    memset(&p, 0, sizeof p);
    p.b = b;
    p.m = &empty;
    print_import_type(&p, t, NULL);
    free(p.group_lines);
}

/* ---- instructions ---------------------------------------------------------------------- */

static void separator(pr *p)
{
    if (!p->space_sep) newline(p);
    else if (p->first_op) p->first_op = false;
    else weld_buf_byte(p->b, ' ');
}

static unsigned cur_depth(const pr *p)
{
    return p->nesting - p->nesting_start;
}

static void relative_depth(pr *p, uint32_t depth)
{
    weld_buf_byte(p->b, ' ');
    unsigned d = cur_depth(p);
    if (depth > d) {
        weld_buf_printf(p->b, "%u (; INVALID ;)", depth);
        return;
    }
    unsigned i = d - depth;
    weld_buf_printf(p->b, "%u", depth);
    if (i > 0) weld_buf_printf(p->b, " (;@%u;)", i);
}

static void blocktype(pr *p, const weld_blocktype *bt)
{
    if (bt->kind == WELD_BLOCK_VALUE) {
        weld_buf_byte(p->b, ' ');
        start_group(p, "result ");
        puts_(p, valtype_name(bt->value));
        end_group(p);
    } else if (bt->kind == WELD_BLOCK_TYPEIDX) {
        weld_buf_byte(p->b, ' ');
        print_functype_idx(p, bt->index, NULL);
    }
}

static void label_comment(pr *p)
{
    if (p->space_sep) weld_buf_printf(p->b, " (; label = @%u ;)", cur_depth(p));
    else weld_buf_printf(p->b, " ;; label = @%u", cur_depth(p));
}

static void print_memarg(pr *p, const weld_insn *in, const weld_opinfo *oi)
{
    const weld_memarg *ma = &in->u.memarg;
    if (ma->memory) {
        weld_buf_byte(p->b, ' ');
        print_idx(p, &p->nm.memories, ma->memory);
    }
    if (ma->offset) weld_buf_printf(p->b, " offset=%llu", (unsigned long long)ma->offset);
    if (ma->align != oi->arg) weld_buf_printf(p->b, " align=%llu", 1ull << (ma->align & 63));
}

static void local_idx(pr *p, uint32_t idx)
{
    weld_buf_byte(p->b, ' ');
    const naming_map *locals = p->space_sep ? NULL : locals_of(&p->nm, p->func);
    const naming *n = locals ? lookup(locals, idx) : NULL;
    if (n) write_name_id(p, n);
    else weld_buf_printf(p->b, "%u", idx);
}

static void space_idx(pr *p, const naming_map *m, uint32_t idx)
{
    weld_buf_byte(p->b, ' ');
    print_idx(p, m, idx);
}

/* Print one instruction (not a function's final `end`). */
static void print_insn(pr *p, const weld_insn *in)
{
    const weld_opinfo *oi = &weld_opinfos[in->op];
    switch (in->op) {
    case WELD_OP_BLOCK:
    case WELD_OP_LOOP:
    case WELD_OP_IF:
    case WELD_OP_TRY:
    case WELD_OP_TRY_TABLE:
        separator(p);
        p->nesting++;
        break;
    case WELD_OP_ELSE:
    case WELD_OP_CATCH:
    case WELD_OP_CATCH_ALL:
        p->nesting--;
        separator(p);
        p->nesting++;
        break;
    case WELD_OP_END:
    case WELD_OP_DELEGATE:
        if (p->nesting > p->nesting_start) p->nesting--;
        separator(p);
        break;
    default:
        separator(p);
        break;
    }
    puts_(p, oi->name);
    switch ((weld_imm_kind)oi->imm) {
    case WELD_IMM_NONE:
    case WELD_IMM_FENCE:
        break;
    case WELD_IMM_BLOCK:
        blocktype(p, &in->u.block);
        label_comment(p);
        break;
    case WELD_IMM_LABEL:
        relative_depth(p, in->u.index);
        break;
    case WELD_IMM_BR_TABLE: {
        const uint8_t *t = in->u.br_table.targets;
        for (uint32_t i = 0; i < in->u.br_table.count; i++) relative_depth(p, weld_insn_label_next(&t));
        relative_depth(p, in->u.br_table.default_label);
        break;
    }
    case WELD_IMM_FUNC: space_idx(p, &p->nm.funcs, in->u.index); break;
    case WELD_IMM_CALL_INDIRECT:
        if (in->u.pair.b) space_idx(p, &p->nm.tables, in->u.pair.b);
        weld_buf_byte(p->b, ' ');
        print_type_ref(p, in->u.pair.a);
        break;
    case WELD_IMM_LOCAL: local_idx(p, in->u.index); break;
    case WELD_IMM_GLOBAL: space_idx(p, &p->nm.globals, in->u.index); break;
    case WELD_IMM_TABLE: space_idx(p, &p->nm.tables, in->u.index); break;
    case WELD_IMM_MEMARG: print_memarg(p, in, oi); break;
    case WELD_IMM_MEMARG_LANE:
        print_memarg(p, in, oi);
        weld_buf_printf(p->b, " %u", in->lane);
        break;
    case WELD_IMM_MEMORY:
        if (in->u.index) space_idx(p, &p->nm.memories, in->u.index);
        break;
    case WELD_IMM_I32: weld_buf_printf(p->b, " %d", in->u.i32); break;
    case WELD_IMM_I64: weld_buf_printf(p->b, " %lld", (long long)in->u.i64); break;
    case WELD_IMM_F32:
        weld_buf_byte(p->b, ' ');
        print_float(p->b, in->u.f32, true);
        break;
    case WELD_IMM_F64:
        weld_buf_byte(p->b, ' ');
        print_float(p->b, in->u.f64, false);
        break;
    case WELD_IMM_V128: {
        const uint8_t *v = in->u.v128;
        puts_(p, " i32x4");
        for (int i = 0; i < 16; i += 4)
            weld_buf_printf(p->b, " 0x%02x%02x%02x%02x", v[i + 3], v[i + 2], v[i + 1], v[i]);
        break;
    }
    case WELD_IMM_LANE: weld_buf_printf(p->b, " %u", in->lane); break;
    case WELD_IMM_SHUFFLE:
        for (int i = 0; i < 16; i++) weld_buf_printf(p->b, " %u", in->u.v128[i]);
        break;
    case WELD_IMM_SELECT_T:
        weld_buf_byte(p->b, ' ');
        start_group(p, in->u.select.count == 1 ? "result " : "result");
        for (uint32_t i = 0; i < in->u.select.count; i++) {
            if (i || in->u.select.count != 1) weld_buf_byte(p->b, ' ');
            puts_(p, valtype_name(in->u.select.types[i]));
        }
        end_group(p);
        break;
    case WELD_IMM_HEAPTYPE:
        weld_buf_byte(p->b, ' ');
        if (in->u.heap.abstract) puts_(p, heaptype_name(in->u.heap.abstract));
        else print_idx(p, &p->nm.types, in->u.heap.index);
        break;
    case WELD_IMM_DATA: space_idx(p, &p->nm.datas, in->u.index); break;
    case WELD_IMM_ELEM: space_idx(p, &p->nm.elems, in->u.index); break;
    case WELD_IMM_MEMORY_INIT:
        if (in->u.pair.b) space_idx(p, &p->nm.memories, in->u.pair.b);
        space_idx(p, &p->nm.datas, in->u.pair.a);
        break;
    case WELD_IMM_MEMORY_COPY:
        if (in->u.pair.a || in->u.pair.b) {
            space_idx(p, &p->nm.memories, in->u.pair.a);
            space_idx(p, &p->nm.memories, in->u.pair.b);
        }
        break;
    case WELD_IMM_TABLE_INIT:
        if (in->u.pair.b) space_idx(p, &p->nm.tables, in->u.pair.b);
        space_idx(p, &p->nm.elems, in->u.pair.a);
        break;
    case WELD_IMM_TABLE_COPY:
        if (in->u.pair.a || in->u.pair.b) {
            space_idx(p, &p->nm.tables, in->u.pair.a);
            space_idx(p, &p->nm.tables, in->u.pair.b);
        }
        break;
    case WELD_IMM_TAG: space_idx(p, &p->nm.tags, in->u.index); break;
    case WELD_IMM_TRY_TABLE: {
        blocktype(p, &in->u.try_table.block);
        p->nesting -= 2;
        const uint8_t *c = in->u.try_table.catches;
        static const char *const kinds[] = {"catch", "catch_ref", "catch_all", "catch_all_ref"};
        for (uint32_t i = 0; i < in->u.try_table.count; i++) {
            weld_catch k = weld_insn_catch_next(&c);
            weld_buf_byte(p->b, ' ');
            start_group(p, kinds[k.kind & 3]);
            if (k.kind < WELD_CATCH_ALL) space_idx(p, &p->nm.tags, k.tag);
            relative_depth(p, k.label);
            end_group(p);
        }
        p->nesting += 2;
        label_comment(p);
        break;
    }
    }
}

/* Print an instruction sequence; a function body's final `end` is not printed. */
static void print_code(pr *p, const weld_expr *e)
{
    weld_insn_reader r;
    weld_insn in;
    weld_insn_reader_init(&r, e->code, e->len, e->offset);
    weld_insn_reader_use_module(&r, p->m);
    p->nesting_start = p->nesting;
    while (!weld_insn_reader_done(&r)) {
        if (weld_insn_read(&r, &in, NULL) != WELD_OK) {
            newline(p);
            puts_(p, ";; malformed instruction");
            break;
        }
        if (in.op == WELD_OP_END && weld_insn_reader_done(&r)) break;
        print_insn(p, &in);
    }
    p->nesting = p->nesting_start;
}

/* A constant expression on one line, instructions separated by spaces. */
static void print_const_expr(pr *p, const weld_expr *e)
{
    bool saved = p->space_sep;
    p->space_sep = true;
    p->first_op = true;
    print_code(p, e);
    p->space_sep = saved;
}

/* "(i32.const 0)" for one instruction, else "(offset i32.const 0 i32.const 1 i32.add)". */
static void print_const_expr_sugar(pr *p, const weld_expr *e, const char *explicit_)
{
    start_group(p, "");
    weld_insn_reader r;
    weld_insn in;
    weld_insn_reader_init(&r, e->code, e->len, 0);
    bool single = weld_insn_read(&r, &in, NULL) == WELD_OK && r.end - r.p == 1 && *r.p == 0x0B;
    if (!single) weld_buf_printf(p->b, "%s ", explicit_);
    print_const_expr(p, e);
    end_group(p);
}

/* ---- sections ------------------------------------------------------------------------- */

static void print_func(pr *p, uint32_t defined)
{
    const weld_module *m = p->m;
    uint32_t idx = m->nimported_funcs + defined;
    const weld_func_body *body = &m->code[defined];
    newline(p);
    start_group(p, "func ");
    print_name(p, &p->nm.funcs, idx);
    weld_buf_byte(p->b, ' ');
    const naming_map *locals = locals_of(&p->nm, idx);
    uint32_t nparams = 0;
    if (defined < m->nfuncs) {
        uint32_t t = m->func_types[defined];
        print_functype_idx(p, t, locals);
        if (t < m->ntypes) nparams = m->types[t].nparams;
    }
    /* locals: unnamed ones grouped, named ones alone */
    bool in_group = false, first = true;
    uint64_t local = 0;
    for (uint32_t g = 0; g < body->nlocal_groups && local < 50000; g++) {
        for (uint32_t k = 0; k < body->locals[g].count && local < 50000; k++, local++) {
            if (first) newline(p);
            const naming *n = locals ? lookup(locals, nparams + (uint32_t)local) : NULL;
            if (n && in_group) {
                end_group(p);
                in_group = false;
            }
            if (!first) weld_buf_byte(p->b, ' ');
            first = false;
            if (!in_group) {
                start_group(p, "local ");
                in_group = true;
            }
            if (n) {
                write_name_def(p, n);
                weld_buf_byte(p->b, ' ');
            }
            puts_(p, valtype_name(body->locals[g].type));
            if (n) {
                end_group(p);
                in_group = false;
            }
        }
    }
    if (in_group) end_group(p);
    p->func = idx;
    print_code(p, &body->code);
    end_group(p);
}

static void print_elem(pr *p, uint32_t i)
{
    const weld_elem *e = &p->m->elems[i];
    newline(p);
    start_group(p, "elem ");
    print_name(p, &p->nm.elems, i);
    if (e->mode == WELD_SEG_DECLARATIVE) {
        puts_(p, " declare");
    } else if (e->mode == WELD_SEG_ACTIVE) {
        if (e->flags & 2) {
            weld_buf_byte(p->b, ' ');
            start_group(p, "table ");
            print_idx(p, &p->nm.tables, e->table);
            end_group(p);
        }
        weld_buf_byte(p->b, ' ');
        print_const_expr_sugar(p, &e->offset, "offset");
    }
    weld_buf_byte(p->b, ' ');
    if (e->uses_exprs) {
        puts_(p, valtype_name(e->type));
        for (uint32_t k = 0; k < e->count; k++) {
            weld_buf_byte(p->b, ' ');
            print_const_expr_sugar(p, &e->exprs[k], "item");
        }
    } else {
        puts_(p, "func");
        for (uint32_t k = 0; k < e->count; k++) space_idx(p, &p->nm.funcs, e->funcs[k]);
    }
    end_group(p);
}

static void print_data(pr *p, uint32_t i)
{
    const weld_data *s = &p->m->datas[i];
    newline(p);
    start_group(p, "data ");
    print_name(p, &p->nm.datas, i);
    weld_buf_byte(p->b, ' ');
    if (s->mode == WELD_SEG_ACTIVE) {
        if (s->memory) {
            start_group(p, "memory ");
            print_idx(p, &p->nm.memories, s->memory);
            end_group(p);
            weld_buf_byte(p->b, ' ');
        }
        print_const_expr_sugar(p, &s->offset, "offset");
        weld_buf_byte(p->b, ' ');
    }
    print_bytes(p->b, s->bytes, s->len);
    end_group(p);
}

/* The producers section as (@producers (language "Rust" "") ...); false if malformed. */
static bool print_producers(pr *p, const weld_custom *c)
{
    const uint8_t *q = c->data, *end = c->data + c->len;
    uint32_t nfields;
    /* validate first so nothing is printed for a malformed section */
    const uint8_t *v = q;
    if (!weld_leb_u32(&v, end, &nfields)) return false;
    for (uint32_t f = 0; f < nfields; f++) {
        uint32_t len, nvals;
        if (!weld_leb_u32(&v, end, &len) || len > (size_t)(end - v) || !weld_utf8_valid(v, len)) return false;
        v += len;
        if (!weld_leb_u32(&v, end, &nvals)) return false;
        for (uint32_t k = 0; k < 2 * nvals; k++) {
            if (!weld_leb_u32(&v, end, &len) || len > (size_t)(end - v) || !weld_utf8_valid(v, len)) return false;
            v += len;
        }
    }
    if (v != end) return false;
    newline(p);
    start_group(p, "@producers");
    weld_leb_u32(&q, end, &nfields);
    for (uint32_t f = 0; f < nfields; f++) {
        uint32_t len = 0, nvals = 0;
        weld_leb_u32(&q, end, &len);
        char field[64];
        size_t fl = len < sizeof field - 1 ? len : sizeof field - 1;
        memcpy(field, q, fl);
        field[fl] = 0;
        q += len;
        weld_leb_u32(&q, end, &nvals);
        for (uint32_t k = 0; k < nvals; k++) {
            newline(p);
            start_group(p, field);
            for (int s = 0; s < 2; s++) {
                len = 0;
                weld_leb_u32(&q, end, &len);
                weld_buf_byte(p->b, ' ');
                weld_print_string(p->b, (const char *)q, len);
                q += len;
            }
            end_group(p);
        }
    }
    end_group(p);
    return true;
}

/* The dylink.0 section as (@dylink.0 (mem-info (memory SIZE ALIGN) (table SIZE ALIGN))
 * (needed "lib"...)); false (print it raw) if malformed or if it holds a subsection other
 * than mem-info (1) and needed (2). */
static bool print_dylink0(pr *p, const weld_custom *c)
{
    const uint8_t *end = c->data + c->len;
    /* validate first so nothing is printed for a section printed raw */
    for (const uint8_t *v = c->data; v < end;) {
        uint8_t id = *v++;
        uint32_t size, x, n, len;
        if (!weld_leb_u32(&v, end, &size) || size > (size_t)(end - v)) return false;
        const uint8_t *sub = v, *subend = v + size;
        if (id == 1) {
            for (int k = 0; k < 4; k++)
                if (!weld_leb_u32(&sub, subend, &x)) return false;
        } else if (id == 2) {
            if (!weld_leb_u32(&sub, subend, &n)) return false;
            for (uint32_t k = 0; k < n; k++) {
                if (!weld_leb_u32(&sub, subend, &len) || len > (size_t)(subend - sub) ||
                    !weld_utf8_valid(sub, len))
                    return false;
                sub += len;
            }
        } else {
            return false;
        }
        if (sub != subend) return false;
        v = subend;
    }
    newline(p);
    start_group(p, "@dylink.0");
    for (const uint8_t *q = c->data; q < end;) {
        uint8_t id = *q++;
        uint32_t size = 0;
        weld_leb_u32(&q, end, &size);
        const uint8_t *sub = q;
        newline(p);
        if (id == 1) {
            uint32_t v[4] = {0};
            for (int k = 0; k < 4; k++) weld_leb_u32(&sub, q + size, &v[k]);
            start_group(p, "mem-info");
            if (v[0] || v[1]) weld_buf_printf(p->b, " (memory %u %u)", v[0], v[1]);
            if (v[2] || v[3]) weld_buf_printf(p->b, " (table %u %u)", v[2], v[3]);
            end_group(p);
        } else {
            uint32_t n = 0, len = 0;
            weld_leb_u32(&sub, q + size, &n);
            start_group(p, "needed");
            for (uint32_t k = 0; k < n; k++) {
                weld_leb_u32(&sub, q + size, &len);
                weld_buf_byte(p->b, ' ');
                weld_print_string(p->b, (const char *)sub, len);
                sub += len;
            }
            end_group(p);
        }
        q += size;
    }
    end_group(p);
    return true;
}

static void print_custom(pr *p, const weld_custom *c)
{
    if (c->name.len == 4 && memcmp(c->name.ptr, "name", 4) == 0) return;
    if (c->name.len == 9 && memcmp(c->name.ptr, "producers", 9) == 0 && print_producers(p, c)) return;
    if (c->name.len == 8 && memcmp(c->name.ptr, "dylink.0", 8) == 0 && print_dylink0(p, c)) return;
    newline(p);
    start_group(p, "@custom ");
    weld_print_string(p->b, c->name.ptr, c->name.len);
    weld_buf_printf(p->b, " (%s) ", p->place);
    print_bytes(p->b, c->data, c->len);
    end_group(p);
}

static void print_section(pr *p, const weld_section_ref *s)
{
    const weld_module *m = p->m;
    switch (s->id) {
    case WELD_SEC_CUSTOM:
        if (s->index < m->ncustoms) print_custom(p, &m->customs[s->index]);
        break;
    case WELD_SEC_TYPE:
        for (uint32_t i = 0; i < m->ntypes; i++) {
            newline(p);
            start_group(p, "type ");
            print_name(p, &p->nm.types, i);
            weld_buf_byte(p->b, ' ');
            start_group(p, "func");
            print_functype_named(p, &m->types[i], NULL);
            end_group(p);
            end_group(p);
        }
        if (m->ntypes) p->place = "after type";
        break;
    case WELD_SEC_IMPORT: {
        uint32_t counts[5] = {0};
        for (uint32_t i = 0; i < m->nimports; i++) {
            const weld_import *im = &m->imports[i];
            newline(p);
            start_group(p, "import ");
            weld_print_string(p->b, im->module.ptr, im->module.len);
            weld_buf_byte(p->b, ' ');
            weld_print_string(p->b, im->name.ptr, im->name.len);
            weld_buf_byte(p->b, ' ');
            uint32_t idx = im->type.kind < 5 ? counts[im->type.kind]++ : 0;
            print_import_type(p, &im->type, &idx);
            end_group(p);
        }
        if (m->nimports) p->place = "after import";
        break;
    }
    case WELD_SEC_FUNCTION:
        if (m->nfuncs) p->place = "after func";
        break;
    case WELD_SEC_TABLE:
        for (uint32_t i = 0; i < m->ntables; i++) {
            uint32_t idx = m->nimported_tables + i;
            newline(p);
            print_table_type(p, &m->tables[i], &idx);
            end_group(p);
        }
        if (m->ntables) p->place = "after table";
        break;
    case WELD_SEC_MEMORY:
        for (uint32_t i = 0; i < m->nmemories; i++) {
            uint32_t idx = m->nimported_memories + i;
            newline(p);
            print_memory_type(p, &m->memories[i], &idx);
            end_group(p);
        }
        if (m->nmemories) p->place = "after memory";
        break;
    case WELD_SEC_TAG:
        for (uint32_t i = 0; i < m->ntags; i++) {
            uint32_t idx = m->nimported_tags + i;
            newline(p);
            print_tag_type(p, m->tags[i], &idx);
            end_group(p);
        }
        if (m->ntags) p->place = "after tag";
        break;
    case WELD_SEC_GLOBAL:
        for (uint32_t i = 0; i < m->nglobals; i++) {
            uint32_t idx = m->nimported_globals + i;
            newline(p);
            print_global_type(p, &m->globals[i].type, &idx);
            weld_buf_byte(p->b, ' ');
            print_const_expr(p, &m->globals[i].init);
            end_group(p);
        }
        if (m->nglobals) p->place = "after global";
        break;
    case WELD_SEC_EXPORT:
        for (uint32_t i = 0; i < m->nexports; i++) {
            const weld_export *e = &m->exports[i];
            static const char *const kinds[] = {"func ", "table ", "memory ", "global ", "tag "};
            const naming_map *maps[] = {&p->nm.funcs, &p->nm.tables, &p->nm.memories, &p->nm.globals, NULL};
            newline(p);
            start_group(p, "export ");
            weld_print_string(p->b, e->name.ptr, e->name.len);
            weld_buf_byte(p->b, ' ');
            start_group(p, kinds[e->kind < 5 ? e->kind : 0]);
            if (e->kind == WELD_EXTERN_TAG) weld_buf_printf(p->b, "%u", e->index);
            else print_idx(p, maps[e->kind], e->index);
            end_group(p);
            end_group(p);
        }
        if (m->nexports) p->place = "after export";
        break;
    case WELD_SEC_START:
        newline(p);
        start_group(p, "start ");
        print_idx(p, &p->nm.funcs, m->start);
        end_group(p);
        p->place = "after start";
        break;
    case WELD_SEC_ELEMENT:
        for (uint32_t i = 0; i < m->nelems; i++) print_elem(p, i);
        if (m->nelems) p->place = "after elem";
        break;
    case WELD_SEC_CODE:
        for (uint32_t i = 0; i < m->ncode; i++) {
            print_func(p, i);
            p->place = "after code";
        }
        break;
    case WELD_SEC_DATA:
        for (uint32_t i = 0; i < m->ndatas; i++) print_data(p, i);
        if (m->ndatas) p->place = "after data";
        break;
    default:
        break;
    }
}

void weld_print_core_module(weld_buf *b, const weld_module *m, unsigned nesting, const char *head)
{
    pr p;
    memset(&p, 0, sizeof p);
    p.b = b;
    p.m = m;
    p.nesting = nesting;
    p.place = "before first";
    names_build(&p.nm, m);
    start_group(&p, head ? head : "module");
    if (!head && p.nm.has_module) {
        weld_buf_byte(b, ' ');
        write_name_def(&p, &p.nm.module);
    }
    for (uint32_t i = 0; i < m->nsections; i++) print_section(&p, &m->sections[i]);
    end_group(&p);
    names_free(&p.nm);
    free(p.group_lines);
}

weld_status weld_print_module(const weld_module *m, char **out, size_t *out_len, weld_diag *d)
{
    weld_buf b;
    weld_buf_init(&b);
    /* text is typically 15-25 times the binary: avoid repeated regrowth */
    weld_buf_reserve(&b, m->input_len * 20 + 4096);
    weld_print_core_module(&b, m, 0, NULL);
    weld_buf_byte(&b, '\n');
    weld_buf_byte(&b, 0);
    if (b.oom) {
        weld_buf_free(&b);
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory printing a module");
    }
    *out = (char *)b.data;
    if (out_len) *out_len = b.len - 1;
    return WELD_OK;
}
