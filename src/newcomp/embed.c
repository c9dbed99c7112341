/* embed.c - the `component-type` custom section: a WIT world encoded as wit-component
 * encodes it (a component type wrapping the world's type, exported under the world's
 * name, after a `wit-component-encoding` section holding the format version and the
 * string encoding). */
#include "base/base.h"
#include "newcomp/newcomp_int.h"
#include "weld/component.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static weld_str arena_str(weld_arena *a, const char *s)
{
    weld_str w = {NULL, 0};
    size_t n = strlen(s);
    w.ptr = weld_arena_strndup(a, s, n);
    w.len = w.ptr ? (uint32_t)n : 0;
    return w;
}

weld_status weld_embed_payload(const weld_wit_resolve *r, uint32_t world, weld_strenc enc, uint8_t **out,
                               size_t *out_len, weld_diag *d)
{
    *out = NULL;
    *out_len = 0;
    if (world >= r->nworlds) return weld_diag_set(d, WELD_ERR_USAGE, WELD_NO_OFFSET, "no world %u to embed", world);
    weld_arena *a = weld_arena_new();
    if (!a) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while embedding");
    const weld_ctype *wt = NULL;
    weld_status st = weld_wit_world_ctype(r, world, a, &wt, d);
    if (st != WELD_OK) goto done;
    const weld_wit_world *w = &r->worlds[world];
    char full[512];
    if (w->package < r->npackages) {
        const weld_wit_package *p = &r->packages[w->package];
        snprintf(full, sizeof full, "%s:%s/%s%s%s", p->ns, p->name, w->name, p->version ? "@" : "",
                 p->version ? p->version : "");
    } else {
        snprintf(full, sizeof full, "root:component/%s", w->name);
    }
    weld_cdecl *decls = weld_arena_alloc(a, sizeof *decls * 2);
    weld_ctype *wrap = weld_arena_alloc(a, sizeof *wrap);
    weld_csection *secs = weld_arena_alloc(a, sizeof *secs * 3);
    weld_custom *cu = weld_arena_alloc(a, sizeof *cu);
    uint8_t *encb = weld_arena_alloc(a, 2);
    const weld_ctype **tv = weld_arena_alloc(a, sizeof *tv);
    weld_cexport *x = weld_arena_alloc(a, sizeof *x);
    if (!decls || !wrap || !secs || !cu || !encb || !tv || !x) {
        st = weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while embedding");
        goto done;
    }
    memset(decls, 0, sizeof *decls * 2);
    memset(wrap, 0, sizeof *wrap);
    memset(secs, 0, sizeof *secs * 3);
    memset(cu, 0, sizeof *cu);
    memset(x, 0, sizeof *x);
    decls[0].kind = WELD_DECL_TYPE;
    decls[0].u.type = wt;
    decls[1].kind = WELD_DECL_EXPORT;
    decls[1].u.ext.name.name = arena_str(a, full);
    decls[1].u.ext.type.kind = WELD_EXT_COMPONENT;
    decls[1].u.ext.type.index = 0;
    wrap->kind = WELD_CT_COMPONENT;
    wrap->u.decls.count = 2;
    wrap->u.decls.decls = decls;
    encb[0] = 4; /* wit-component's metadata version */
    encb[1] = (uint8_t)enc;
    cu->name = arena_str(a, "wit-component-encoding");
    cu->data = encb;
    cu->len = 2;
    secs[0].id = WELD_CSEC_CUSTOM;
    secs[0].count = 1;
    secs[0].u.custom = cu;
    tv[0] = wrap;
    secs[1].id = WELD_CSEC_TYPE;
    secs[1].count = 1;
    secs[1].u.types = tv;
    x->name.name = arena_str(a, w->name);
    x->item.sort.sort = WELD_SORT_TYPE;
    x->item.index = 0;
    secs[2].id = WELD_CSEC_EXPORT;
    secs[2].count = 1;
    secs[2].u.exports = x;
    weld_component c;
    memset(&c, 0, sizeof c);
    c.arena = a;
    c.nsections = 3;
    c.sections = secs;
    st = weld_component_write(&c, out, out_len, d);
done:
    weld_arena_free(a);
    return st;
}

bool nc_is_component_type_name(const char *name, uint32_t len)
{
    return len >= 14 && memcmp(name, "component-type", 14) == 0 && (len == 14 || name[14] == ':');
}

weld_status nc_sections(const uint8_t *core, size_t len, nc_section_fn fn, void *ud, weld_diag *d)
{
    if (!weld_is_core_module(core, len))
        return weld_diag_set(d, WELD_ERR_MALFORMED, 0, "not a core module (expected the preamble \\0asm 01 00 00 00)");
    const uint8_t *p = core + 8, *end = core + len;
    while (p < end) {
        const uint8_t *start = p;
        uint8_t id = *p++;
        uint32_t size;
        if (!weld_leb_u32(&p, end, &size) || size > (size_t)(end - p))
            return weld_diag_set(d, WELD_ERR_MALFORMED, (uint64_t)(start - core), "section runs past the end");
        const uint8_t *payload = p;
        p += size;
        const char *name = NULL;
        uint32_t nlen = 0;
        const uint8_t *body = payload;
        if (id == 0) {
            const uint8_t *q = payload;
            if (!weld_leb_u32(&q, p, &nlen) || nlen > (size_t)(p - q))
                return weld_diag_set(d, WELD_ERR_MALFORMED, (uint64_t)(start - core), "custom section name runs past its section");
            name = (const char *)q;
            body = q + nlen;
        }
        nc_section s = {id, start, (size_t)(p - start), name, nlen, body, (size_t)(p - body),
                        (uint64_t)(start - core)};
        weld_status st = fn(&s, ud, d);
        if (st != WELD_OK) return st;
    }
    return WELD_OK;
}

typedef struct embed_ctx {
    weld_buf *b;
} embed_ctx;

static weld_status keep_section(const nc_section *s, void *ud, weld_diag *d)
{
    embed_ctx *e = ud;
    if (s->id == 0 && nc_is_component_type_name(s->name, s->name_len)) return WELD_OK;
    weld_buf_append(e->b, s->raw, s->raw_len);
    return WELD_OK;
}

weld_status weld_embed(const uint8_t *core, size_t len, const weld_wit_resolve *r, uint32_t world, weld_strenc enc,
                       uint8_t **out, size_t *out_len, weld_diag *d)
{
    *out = NULL;
    *out_len = 0;
    uint8_t *payload = NULL;
    size_t plen = 0;
    weld_status st = weld_embed_payload(r, world, enc, &payload, &plen, d);
    if (st != WELD_OK) return st;
    weld_buf b;
    weld_buf_init(&b);
    embed_ctx e = {&b};
    if (len >= 8) weld_buf_append(&b, core, 8);
    st = nc_sections(core, len, keep_section, &e, d);
    if (st == WELD_OK) {
        static const char secname[] = "component-type";
        weld_buf_byte(&b, 0);
        size_t pos = weld_buf_size_begin(&b);
        weld_buf_name(&b, secname, sizeof secname - 1);
        weld_buf_append(&b, payload, plen);
        weld_buf_size_end(&b, pos);
        if (b.oom) st = weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while embedding");
    }
    free(payload);
    if (st != WELD_OK) {
        weld_buf_free(&b);
        return st;
    }
    *out = b.data;
    *out_len = b.len;
    return WELD_OK;
}
