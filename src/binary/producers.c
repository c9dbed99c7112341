/* producers.c - decoding the `producers` custom section. */
#include "weld/producers.h"
#include "base/base.h"

static bool get_str(const uint8_t **q, const uint8_t *end, weld_str *s)
{
    uint32_t n;
    if (!weld_leb_u32(q, end, &n) || n > (size_t)(end - *q)) return false;
    s->ptr = (const char *)*q;
    s->len = n;
    *q += n;
    return true;
}

weld_status weld_producers_read(weld_arena *arena, const uint8_t *data, size_t len, weld_producers *out,
                                weld_diag *d)
{
    const uint8_t *q = data, *end = data + len;
    uint32_t n;
    memset(out, 0, sizeof *out);
    if (!weld_leb_u32(&q, end, &n) || n > len)
        return weld_diag_set(d, WELD_ERR_MALFORMED, 0, "producers section: bad field count");
    weld_producers_field *f = weld_arena_alloc(arena, sizeof *f * (n ? n : 1));
    if (!f) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        uint32_t nv;
        if (!get_str(&q, end, &f[i].name) || !weld_leb_u32(&q, end, &nv) || nv > (size_t)(end - q))
            return weld_diag_set(d, WELD_ERR_MALFORMED, (uint64_t)(q - data), "producers section: truncated field");
        weld_producer *v = weld_arena_alloc(arena, sizeof *v * (nv ? nv : 1));
        if (!v) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
        for (uint32_t k = 0; k < nv; k++)
            if (!get_str(&q, end, &v[k].name) || !get_str(&q, end, &v[k].version))
                return weld_diag_set(d, WELD_ERR_MALFORMED, (uint64_t)(q - data), "producers section: truncated value");
        f[i].count = nv;
        f[i].values = v;
    }
    if (q != end) return weld_diag_set(d, WELD_ERR_MALFORMED, (uint64_t)(q - data), "producers section: trailing bytes");
    out->nfields = n;
    out->fields = f;
    return WELD_OK;
}
