/* abi.c - the Canonical ABI (CanonicalABI.md): lift and lower between core values /
 * linear memory and weld_cval trees (host calls), and the fused transfer from one
 * component's flat values and memory into another's (guest-to-guest calls).
 *
 * Memory ranges are checked where the spec checks them (a list's or string's range, a
 * spilled tuple, what realloc returns); the loads and stores inside a checked range are
 * then in bounds (memories never shrink). The base address of a memory is re-read after
 * every realloc, which may grow it. */
#include "canon/canon.h"
#include <stdio.h>
#include <stdlib.h>

#define UTF16_TAG (1u << 31)
#define MAX_STRING_BYTES ((1u << 31) - 1)

/* ---- flat values -------------------------------------------------------------------- */

typedef struct fin {
    const uint64_t *v;
    uint32_t i, n;
} fin;

typedef struct fout {
    uint64_t *v;
    uint32_t i, n;
} fout;

static uint64_t fin_next(fin *f)
{
    uint64_t x = f->i < f->n ? f->v[f->i] : 0;
    f->i++;
    return x;
}

static void fout_put(fout *f, uint64_t x)
{
    if (f->i < f->n) f->v[f->i] = x;
    f->i++;
}

/* ---- memory --------------------------------------------------------------------------- */

static uint64_t msize(const canon_cx *cx) { return cx->o->mem ? cx->o->mem->size : 0; }
static uint8_t *mdata(const canon_cx *cx) { return cx->o->mem->data; }

static uint64_t mld(const canon_cx *cx, uint32_t ptr, unsigned n)
{
    const uint8_t *p = mdata(cx) + ptr;
    uint64_t x = 0;
    for (unsigned i = 0; i < n; i++) x |= (uint64_t)p[i] << (8 * i);
    return x;
}

static void mst(const canon_cx *cx, uint32_t ptr, uint64_t x, unsigned n)
{
    uint8_t *p = mdata(cx) + ptr;
    for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(x >> (8 * i));
}

static weld_status need_mem(canon_cx *cx, const char *what)
{
    if (cx->o && cx->o->mem) return WELD_OK;
    return crt_trap(cx->rt, "canonical ABI: %s needs linear memory, and no memory option was given",
                    what);
}

/* The spec's trap_if(ptr != align_to(ptr, align)); trap_if(ptr + bytes > len(memory)). */
static weld_status check_range(canon_cx *cx, uint32_t ptr, uint64_t bytes, uint32_t align,
                               const char *what)
{
    weld_status st = need_mem(cx, what);
    if (st) return st;
    if (align > 1 && (ptr & (align - 1)))
        return crt_trap(cx->rt, "canonical ABI: %s pointer 0x%x not aligned to %u", what, ptr, align);
    if ((uint64_t)ptr + bytes > msize(cx))
        return crt_trap(cx->rt,
                        "canonical ABI: %s (ptr 0x%x, %llu bytes) out of bounds of memory "
                        "(%llu bytes)",
                        what, ptr, (unsigned long long)bytes, (unsigned long long)msize(cx));
    return WELD_OK;
}

/* realloc(old_ptr, old_size, align, new_size) -> ptr, with the spec's checks of what it
 * returns. */
static weld_status do_realloc(canon_cx *cx, uint32_t old_ptr, uint32_t old_size, uint32_t align,
                              uint32_t new_size, uint32_t *out)
{
    weld_status st = need_mem(cx, "an allocation");
    if (st) return st;
    if (!cx->o->realloc)
        return crt_trap(cx->rt,
                        "canonical ABI: %u bytes must be allocated, and no realloc option was "
                        "given",
                        new_size);
    uint64_t a[4] = {old_ptr, old_size, align, new_size}, r[1] = {0};
    crt_inst *in = cx->o->inst;
    bool may_leave = in ? in->may_leave : false;
    if (in) in->may_leave = false;
    rt_trap tr = rt_call_slots(crt_engine(cx->rt), cx->o->realloc, a, r);
    if (in) in->may_leave = may_leave;
    if (tr) {
        size_t used = strlen(cx->rt->backtrace);
        snprintf(cx->rt->backtrace + used, sizeof cx->rt->backtrace - used, "%s",
                 weld_rt_backtrace(crt_engine(cx->rt)));
        return crt_trap(cx->rt, "%s", rt_trap_text(crt_engine(cx->rt), tr));
    }
    uint32_t p = (uint32_t)r[0];
    if (align > 1 && (p & (align - 1)))
        return crt_trap(cx->rt, "canonical ABI: realloc returned 0x%x, not aligned to %u", p, align);
    if ((uint64_t)p + new_size > msize(cx))
        return crt_trap(cx->rt,
                        "canonical ABI: realloc returned 0x%x, and %u bytes there are out of "
                        "bounds of memory (%llu bytes)",
                        p, new_size, (unsigned long long)msize(cx));
    *out = p;
    return WELD_OK;
}

/* ---- types ----------------------------------------------------------------------------- */

static const canon_layout *layout(canon_cx *cx, const weld_tnode *t, weld_status *st)
{
    const canon_layout *l = canon_layout_of(crt_layouts(cx->rt), t);
    if (!l) *st = WELD_ERR_NOMEM;
    return l;
}

static uint32_t rec_count(const weld_tnode *t)
{
    switch (t->kind) {
    case WELD_TK_RECORD: return t->u.record.count;
    case WELD_TK_TUPLE: return t->u.tuple.count;
    case WELD_TK_FUNC: return t->u.func.nparams;
    default: return 0;
    }
}

static const weld_tnode *rec_field(const weld_tnode *t, uint32_t i)
{
    switch (t->kind) {
    case WELD_TK_RECORD: return t->u.record.fields[i].type;
    case WELD_TK_TUPLE: return t->u.tuple.types[i];
    default: return t->u.func.params[i].type;
    }
}

static uint32_t var_count(const weld_tnode *t)
{
    switch (t->kind) {
    case WELD_TK_VARIANT: return t->u.variant.count;
    case WELD_TK_ENUM: return t->u.labels.count;
    default: return 2; /* option, result */
    }
}

static const weld_tnode *var_case(const weld_tnode *t, uint32_t i)
{
    switch (t->kind) {
    case WELD_TK_VARIANT: return t->u.variant.cases[i].type;
    case WELD_TK_OPTION: return i == 1 ? t->u.option : NULL;
    case WELD_TK_RESULT: return i == 0 ? t->u.result.ok : t->u.result.err;
    default: return NULL;
    }
}

static const char *kind_desc(const weld_tnode *t)
{
    switch (t->kind) {
    case WELD_TK_VARIANT: return "variant";
    case WELD_TK_ENUM: return "enum";
    case WELD_TK_OPTION: return "option";
    default: return "result";
    }
}

static weld_status bad_disc(canon_cx *cx, const weld_tnode *t, uint64_t d)
{
    return crt_trap(cx->rt, "canonical ABI: invalid discriminant %llu for %s of %u cases",
                    (unsigned long long)d, kind_desc(t), var_count(t));
}

static weld_status unsupported(canon_cx *cx, const weld_tnode *t)
{
    return crt_trap(cx->rt, "canonical ABI: values of type %s are not supported",
                    weld_tkind_name(t->kind));
}

/* The bits of a flags value that name labels: CanonicalABI.md's unpack_flags_from_int
 * reads one bit per label and ignores the bits past them (no trap). */
static uint64_t known_flags(uint32_t nlabels, uint64_t bits)
{
    return bits & (nlabels >= 64 ? UINT64_MAX : (((uint64_t)1 << nlabels) - 1));
}

/* ---- scalars ------------------------------------------------------------------------ */

static weld_status check_char(canon_cx *cx, uint64_t c)
{
    if (c >= 0x110000 || (c >= 0xD800 && c <= 0xDFFF))
        return crt_trap(cx->rt, "canonical ABI: invalid char 0x%llx", (unsigned long long)c);
    return WELD_OK;
}

/* A scalar's core bits (an i32 type zero-extended) from a flat slot or the zero-extended
 * bytes of memory, normalized as lift then lower would: integers wrapped to their width,
 * bool 0 or 1, chars checked. */
static weld_status scalar_norm(canon_cx *cx, uint8_t prim, uint64_t x, uint64_t *out)
{
    uint32_t w = (uint32_t)x;
    switch (prim) {
    case WELD_CV_BOOL: *out = w != 0; break;
    case WELD_CV_U8: *out = w & 0xFF; break;
    case WELD_CV_S8: *out = (uint32_t)(int32_t)(int8_t)(uint8_t)w; break;
    case WELD_CV_U16: *out = w & 0xFFFF; break;
    case WELD_CV_S16: *out = (uint32_t)(int32_t)(int16_t)(uint16_t)w; break;
    case WELD_CV_U32:
    case WELD_CV_S32:
    case WELD_CV_F32: *out = w; break;
    case WELD_CV_U64:
    case WELD_CV_S64:
    case WELD_CV_F64: *out = x; break;
    case WELD_CV_CHAR: {
        weld_status st = check_char(cx, w);
        if (st) return st;
        *out = w;
        break;
    }
    default: return crt_trap(cx->rt, "canonical ABI: values of this primitive type are not supported");
    }
    return WELD_OK;
}

/* canonicalize_nan32 / canonicalize_nan64 on bits (other types unchanged) */
static uint64_t canon_nan(uint8_t prim, uint64_t x)
{
    if (prim == WELD_CV_F32) {
        uint32_t b = (uint32_t)x;
        if ((b & 0x7F800000u) == 0x7F800000u && (b & 0x007FFFFFu)) return 0x7FC00000u;
    } else if (prim == WELD_CV_F64) {
        if ((x & 0x7FF0000000000000ull) == 0x7FF0000000000000ull && (x & 0x000FFFFFFFFFFFFFull))
            return 0x7FF8000000000000ull;
    }
    return x;
}

/* Packed float elements lifted as bytes get their NaNs canonicalized too. */
static void canon_nans(uint8_t prim, uint8_t *b, uint32_t count)
{
    if (prim == WELD_CV_F32) {
        for (uint32_t i = 0; i < count; i++) {
            uint32_t x;
            memcpy(&x, b + 4 * (size_t)i, 4);
            if ((x & 0x7F800000u) == 0x7F800000u && (x & 0x007FFFFFu)) {
                x = 0x7FC00000u;
                memcpy(b + 4 * (size_t)i, &x, 4);
            }
        }
    } else if (prim == WELD_CV_F64) {
        for (uint32_t i = 0; i < count; i++) {
            uint64_t x;
            memcpy(&x, b + 8 * (size_t)i, 8);
            uint64_t y = canon_nan(prim, x);
            if (y != x) memcpy(b + 8 * (size_t)i, &y, 8);
        }
    }
}

/* Normalized bits -> a cval (NaNs canonicalized). */
static void scalar_to_cval(uint8_t prim, uint64_t x, weld_cval *out)
{
    switch (prim) {
    case WELD_CV_BOOL: out->u.b = x != 0; break;
    case WELD_CV_S8:
    case WELD_CV_S16:
    case WELD_CV_S32: out->u.s = (int32_t)(uint32_t)x; break;
    case WELD_CV_S64: out->u.s = (int64_t)x; break;
    case WELD_CV_F32: {
        uint32_t b = (uint32_t)canon_nan(prim, x);
        memcpy(&out->u.f32, &b, 4);
        break;
    }
    case WELD_CV_F64: {
        x = canon_nan(prim, x);
        memcpy(&out->u.f64, &x, 8);
        break;
    }
    case WELD_CV_CHAR: out->u.c = (uint32_t)x; break;
    default: out->u.u = x; break;
    }
}

/* A host cval -> normalized bits. */
static weld_status scalar_from_cval(canon_cx *cx, uint8_t prim, const weld_cval *v, uint64_t *out)
{
    switch (prim) {
    case WELD_CV_BOOL: *out = v->u.b ? 1 : 0; return WELD_OK;
    case WELD_CV_S8:
    case WELD_CV_S16:
    case WELD_CV_S32:
    case WELD_CV_U8:
    case WELD_CV_U16:
    case WELD_CV_U32:
    case WELD_CV_U64:
    case WELD_CV_S64: return scalar_norm(cx, prim, v->u.u, out);
    case WELD_CV_F32: {
        uint32_t b;
        memcpy(&b, &v->u.f32, 4);
        *out = b;
        return WELD_OK;
    }
    case WELD_CV_F64: memcpy(out, &v->u.f64, 8); return WELD_OK;
    case WELD_CV_CHAR: return scalar_norm(cx, prim, v->u.c, out);
    default: return crt_trap(cx->rt, "canonical ABI: values of this primitive type are not supported");
    }
}

/* ---- handles ------------------------------------------------------------------------ */

static const weld_crt_resource_type *res_of(canon_cx *cx, const weld_tnode *t, weld_status *st)
{
    const weld_tnode *r = weld_tnode_strip(t->u.handle);
    const weld_crt_resource_type *rt =
        (r && cx->o->inst) ? crt_inst_resource(cx->o->inst, r) : NULL;
    if (!rt) {
        const char *name = r && r->kind == WELD_TK_RESOURCE && r->u.resource.name.ptr
                               ? r->u.resource.name.ptr
                               : "?";
        *st = crt_trap(cx->rt, "canonical ABI: resource type `%s` is unknown in this instance", name);
    }
    return rt;
}

static const char *rt_name(const weld_crt_resource_type *rt) { return rt && rt->name ? rt->name : "?"; }

/* lift_own / lift_borrow: the handle at index idx of this side's table. */
static weld_status lift_handle(canon_cx *cx, const weld_tnode *t, uint32_t idx, uint32_t *rep,
                               const weld_crt_resource_type **rto)
{
    weld_status st = WELD_OK;
    const weld_crt_resource_type *rt = res_of(cx, t, &st);
    if (!rt) return st;
    crt_table *tab = crt_inst_table(cx->o->inst);
    crt_handle *h = crt_table_get(tab, idx);
    if (!h) return crt_trap(cx->rt, "canonical ABI: unknown handle index %u", idx);
    if (h->rt != rt)
        return crt_trap(cx->rt, "canonical ABI: handle index %u is a `%s` resource, expected `%s`",
                        idx, rt_name(h->rt), rt_name(rt));
    *rep = h->rep;
    *rto = rt;
    if (t->kind == WELD_TK_OWN) {
        if (!h->own)
            return crt_trap(cx->rt,
                            "canonical ABI: handle index %u is a borrow handle, expected an own "
                            "handle",
                            idx);
        if (h->lends)
            return crt_trap(cx->rt, "canonical ABI: own handle %u has outstanding borrows", idx);
        crt_table_remove(tab, idx);
    } else if (h->own && cx->scope) {
        if (!crt_scope_add_lender(cx->scope, tab, idx)) return WELD_ERR_NOMEM;
    }
    return WELD_OK;
}

/* lower_own / lower_borrow: a handle for rep in this side's table (a borrow into the
 * resource's implementation is its rep). `given` (may be NULL) is the value's type. */
static weld_status lower_handle(canon_cx *cx, const weld_tnode *t, uint32_t rep,
                                const weld_crt_resource_type *given, uint32_t *idx)
{
    weld_status st = WELD_OK;
    const weld_crt_resource_type *rt = res_of(cx, t, &st);
    if (!rt) return st;
    if (given && given != rt)
        return crt_trap(cx->rt, "canonical ABI: a `%s` resource given where a `%s` is expected",
                        rt_name(given), rt_name(rt));
    bool borrow = t->kind == WELD_TK_BORROW;
    if (borrow && cx->o->inst == rt->impl) {
        *idx = rep;
        return WELD_OK;
    }
    crt_handle h;
    memset(&h, 0, sizeof h);
    h.rt = rt;
    h.rep = rep;
    h.own = !borrow;
    if (borrow) h.scope = cx->scope;
    uint32_t i = crt_table_add(crt_inst_table(cx->o->inst), h);
    if (!i) return crt_trap(cx->rt, "canonical ABI: the handle table is full");
    if (borrow && cx->scope) {
        if (!crt_scope_add_borrow(cx->scope, crt_inst_table(cx->o->inst), i))
            return WELD_ERR_NOMEM;
        cx->scope->borrow_count++;
    }
    *idx = i;
    return WELD_OK;
}

/* ---- strings -------------------------------------------------------------------------- */

enum { SE_UTF8, SE_UTF16, SE_LATIN1 };

/* A source string: in a linear memory (mem, off) or a host buffer. */
typedef struct sstr {
    weld_rt_memory *mem;
    const uint8_t *host;
    uint32_t off;
    uint8_t enc;        /* SE_*: the code units */
    bool compact;       /* the source option is latin1+utf16 */
    uint32_t units;     /* code units */
    uint64_t utf8_len;  /* bytes once encoded in UTF-8 */
    uint64_t utf16_len; /* code units once encoded in UTF-16 */
    uint32_t max_cp;    /* the largest code point, or an upper bound of it below 0x100 */
} sstr;

static const uint8_t *sbase(const sstr *s) { return s->mem ? s->mem->data + s->off : s->host; }

static int32_t utf8_dec(const uint8_t *p, uint32_t n, uint32_t *i)
{
    uint32_t k = *i;
    uint8_t c = p[k];
    if (c < 0x80) {
        *i = k + 1;
        return c;
    }
    uint32_t need, cp, min;
    if ((c & 0xE0) == 0xC0) {
        need = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        need = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        need = 3, cp = c & 0x07, min = 0x10000;
    } else {
        *i = k + 1;
        return -1;
    }
    if (n - k - 1 < need) {
        *i = n;
        return -1;
    }
    for (uint32_t j = 1; j <= need; j++) {
        uint8_t b = p[k + j];
        if ((b & 0xC0) != 0x80) {
            *i = k + j;
            return -1;
        }
        cp = cp << 6 | (b & 0x3F);
    }
    *i = k + 1 + need;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
    return (int32_t)cp;
}

static int32_t utf16_dec(const uint8_t *p, uint32_t n, uint32_t *i)
{
    uint32_t k = *i;
    uint32_t u = p[2 * k] | (uint32_t)p[2 * k + 1] << 8;
    *i = k + 1;
    if (u < 0xD800 || u > 0xDFFF) return (int32_t)u;
    if (u >= 0xDC00 || k + 1 >= n) return -1;
    uint32_t u2 = p[2 * k + 2] | (uint32_t)p[2 * k + 3] << 8;
    if (u2 < 0xDC00 || u2 > 0xDFFF) return -1;
    *i = k + 2;
    return (int32_t)(0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00));
}

static int32_t sdec(const sstr *s, const uint8_t *b, uint32_t *i)
{
    switch (s->enc) {
    case SE_UTF8: return utf8_dec(b, s->units, i);
    case SE_UTF16: return utf16_dec(b, s->units, i);
    default: return b[(*i)++];
    }
}

static uint32_t enc_utf8(uint32_t c, uint8_t *o)
{
    if (c < 0x80) {
        o[0] = (uint8_t)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (uint8_t)(0xC0 | c >> 6);
        o[1] = (uint8_t)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (uint8_t)(0xE0 | c >> 12);
        o[1] = (uint8_t)(0x80 | (c >> 6 & 0x3F));
        o[2] = (uint8_t)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | c >> 18);
    o[1] = (uint8_t)(0x80 | (c >> 12 & 0x3F));
    o[2] = (uint8_t)(0x80 | (c >> 6 & 0x3F));
    o[3] = (uint8_t)(0x80 | (c & 0x3F));
    return 4;
}

static uint32_t enc_utf16(uint32_t c, uint8_t *o)
{
    if (c < 0x10000) {
        o[0] = (uint8_t)c;
        o[1] = (uint8_t)(c >> 8);
        return 2;
    }
    c -= 0x10000;
    uint32_t hi = 0xD800 + (c >> 10), lo = 0xDC00 + (c & 0x3FF);
    o[0] = (uint8_t)hi;
    o[1] = (uint8_t)(hi >> 8);
    o[2] = (uint8_t)lo;
    o[3] = (uint8_t)(lo >> 8);
    return 4;
}

/* Validate s (the decode of load_string_from_range) and measure it. */
static weld_status sstr_scan(canon_cx *cx, sstr *s)
{
    const uint8_t *b = sbase(s);
    uint64_t u8 = 0, u16 = 0;
    uint32_t max = 0;
    if (s->enc == SE_LATIN1) {
        for (uint32_t i = 0; i < s->units; i++) {
            u8 += b[i] < 0x80 ? 1 : 2;
            if (b[i] > max) max = b[i];
        }
        u16 = s->units;
    } else {
        uint32_t i = 0;
        if (s->enc == SE_UTF8) { /* the ASCII prefix, eight bytes at a time */
            uint64_t w;
            while (i + 8 <= s->units) {
                memcpy(&w, b + i, 8);
                if (w & 0x8080808080808080ull) break;
                i += 8;
            }
            while (i < s->units && b[i] < 0x80) i++;
            u8 = u16 = i;
            if (i) max = 0x7F; /* max_cp only tells latin1 from wider: a bound will do */
        }
        while (i < s->units) {
            int32_t c = sdec(s, b, &i);
            if (c < 0)
                return crt_trap(cx->rt, s->enc == SE_UTF8
                                            ? "canonical ABI: invalid UTF-8 in string"
                                            : "canonical ABI: invalid UTF-16 in string (unpaired "
                                              "surrogate)");
            uint32_t cp = (uint32_t)c;
            u8 += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            u16 += cp >= 0x10000 ? 2 : 1;
            if (cp > max) max = cp;
        }
    }
    s->utf8_len = u8;
    s->utf16_len = u16;
    s->max_cp = max;
    return WELD_OK;
}

/* load_string_from_range: the string at (ptr, tagged code units) of cx's memory. */
static weld_status load_sstr(canon_cx *cx, uint32_t ptr, uint32_t tagged, sstr *s)
{
    memset(s, 0, sizeof *s);
    uint32_t align = 1;
    uint64_t bytes;
    switch (cx->o ? cx->o->encoding : CANON_UTF8) {
    case CANON_UTF16:
        s->enc = SE_UTF16;
        s->units = tagged;
        bytes = 2 * (uint64_t)tagged;
        align = 2;
        break;
    case CANON_LATIN1_UTF16:
        s->compact = true;
        align = 2;
        if (tagged & UTF16_TAG) {
            s->enc = SE_UTF16;
            s->units = tagged ^ UTF16_TAG;
            bytes = 2 * (uint64_t)s->units;
        } else {
            s->enc = SE_LATIN1;
            s->units = tagged;
            bytes = tagged;
        }
        break;
    default:
        s->enc = SE_UTF8;
        s->units = tagged;
        bytes = tagged;
        break;
    }
    weld_status st = check_range(cx, ptr, bytes, align, "string");
    if (st) return st;
    s->mem = cx->o->mem;
    s->off = ptr;
    return sstr_scan(cx, s);
}

/* Encode s from code unit si to its end into dst (at most cap bytes) as UTF-8 or
 * UTF-16LE; the bytes written. */
static uint64_t emit(const sstr *s, uint32_t si, uint8_t *dst, uint64_t cap, bool utf16)
{
    const uint8_t *b = sbase(s);
    uint64_t o = 0;
    uint8_t tmp[4];
    while (si < s->units) {
        int32_t c = sdec(s, b, &si);
        if (c < 0) c = 0xFFFD;
        uint32_t k = utf16 ? enc_utf16((uint32_t)c, tmp) : enc_utf8((uint32_t)c, tmp);
        if (o + k > cap) break;
        memcpy(dst + o, tmp, k);
        o += k;
    }
    return o;
}

static weld_status too_long(canon_cx *cx, uint64_t bytes)
{
    return crt_trap(cx->rt, "canonical ABI: string of %llu bytes exceeds the maximum of %u bytes",
                    (unsigned long long)bytes, MAX_STRING_BYTES);
}

/* store_string_copy */
static weld_status str_copy(canon_cx *cx, const sstr *s, uint32_t cu, uint32_t align,
                            uint32_t *ptr, uint32_t *units)
{
    uint64_t bytes = (uint64_t)cu * s->units;
    if (bytes > MAX_STRING_BYTES) return too_long(cx, bytes);
    uint32_t p;
    weld_status st = do_realloc(cx, 0, 0, align, (uint32_t)bytes, &p);
    if (st) return st;
    uint8_t *d = mdata(cx) + p;
    const uint8_t *b = sbase(s);
    if (cu == 1 || s->enc == SE_UTF16) {
        if (bytes) memmove(d, b, bytes);
    } else { /* latin1 -> utf16 */
        for (uint32_t i = 0; i < s->units; i++) {
            d[2 * i] = b[i];
            d[2 * i + 1] = 0;
        }
    }
    *ptr = p;
    *units = s->units;
    return WELD_OK;
}

/* store_string_to_utf8 (from utf16 or latin1) */
static weld_status str_to_utf8(canon_cx *cx, const sstr *s, uint64_t worst, uint32_t *ptr,
                               uint32_t *units)
{
    uint32_t n = s->units, p;
    weld_status st = do_realloc(cx, 0, 0, 1, n, &p);
    if (st) return st;
    uint32_t si = 0, i = 0;
    while (si < n) {
        uint32_t at = si;
        int32_t c = sdec(s, sbase(s), &si);
        if (c >= 0 && c < 0x80) {
            mdata(cx)[p + i++] = (uint8_t)c;
            continue;
        }
        if (worst > MAX_STRING_BYTES) return too_long(cx, worst);
        if ((st = do_realloc(cx, p, n, 1, (uint32_t)worst, &p))) return st;
        uint64_t enc = s->utf8_len;
        emit(s, at, mdata(cx) + p + i, worst - i, false);
        if (worst > enc && (st = do_realloc(cx, p, (uint32_t)worst, 1, (uint32_t)enc, &p)))
            return st;
        *ptr = p;
        *units = (uint32_t)enc;
        return WELD_OK;
    }
    *ptr = p;
    *units = n;
    return WELD_OK;
}

/* store_utf8_to_utf16 */
static weld_status str_utf8_to_utf16(canon_cx *cx, const sstr *s, uint32_t *ptr, uint32_t *units)
{
    uint64_t worst = 2 * (uint64_t)s->units;
    if (worst > MAX_STRING_BYTES) return too_long(cx, worst);
    uint32_t p;
    weld_status st = do_realloc(cx, 0, 0, 2, (uint32_t)worst, &p);
    if (st) return st;
    uint64_t enc = 2 * s->utf16_len;
    emit(s, 0, mdata(cx) + p, worst, true);
    if (enc < worst && (st = do_realloc(cx, p, (uint32_t)worst, 2, (uint32_t)enc, &p))) return st;
    *ptr = p;
    *units = (uint32_t)(enc / 2);
    return WELD_OK;
}

/* store_string_to_latin1_or_utf16 (from utf8 or utf16) */
static weld_status str_to_latin1_or_utf16(canon_cx *cx, const sstr *s, uint32_t *ptr,
                                          uint32_t *units)
{
    uint32_t n = s->units, p;
    weld_status st = do_realloc(cx, 0, 0, 2, n, &p);
    if (st) return st;
    uint32_t si = 0, len = 0;
    while (si < n) {
        uint32_t at = si;
        int32_t c = sdec(s, sbase(s), &si);
        if (c >= 0 && c < 256) {
            mdata(cx)[p + len++] = (uint8_t)c;
            continue;
        }
        uint64_t worst = 2 * (uint64_t)n;
        if (worst > MAX_STRING_BYTES) return too_long(cx, worst);
        if ((st = do_realloc(cx, p, n, 2, (uint32_t)worst, &p))) return st;
        uint8_t *d = mdata(cx) + p;
        for (uint32_t j = len; j-- > 0;) {
            d[2 * j] = d[j];
            d[2 * j + 1] = 0;
        }
        uint64_t enc = 2 * s->utf16_len;
        emit(s, at, d + 2 * (uint64_t)len, worst - 2 * (uint64_t)len, true);
        if (worst > enc && (st = do_realloc(cx, p, (uint32_t)worst, 2, (uint32_t)enc, &p)))
            return st;
        *ptr = p;
        *units = (uint32_t)(enc / 2) | UTF16_TAG;
        return WELD_OK;
    }
    if (len < n && (st = do_realloc(cx, p, n, 2, len, &p))) return st;
    *ptr = p;
    *units = len;
    return WELD_OK;
}

/* store_probably_utf16_to_latin1_or_utf16 */
static weld_status str_probably_utf16(canon_cx *cx, const sstr *s, uint32_t *ptr, uint32_t *units)
{
    uint32_t n = s->units;
    uint64_t bytes = 2 * (uint64_t)n;
    if (bytes > MAX_STRING_BYTES) return too_long(cx, bytes);
    uint32_t p;
    weld_status st = do_realloc(cx, 0, 0, 2, (uint32_t)bytes, &p);
    if (st) return st;
    if (bytes) memmove(mdata(cx) + p, sbase(s), bytes);
    if (s->max_cp >= 256) {
        *ptr = p;
        *units = n | UTF16_TAG;
        return WELD_OK;
    }
    uint8_t *d = mdata(cx) + p;
    for (uint32_t i = 0; i < n; i++) d[i] = d[2 * i];
    if ((st = do_realloc(cx, p, (uint32_t)bytes, 1, n, &p))) return st;
    *ptr = p;
    *units = n;
    return WELD_OK;
}

/* store_string_into_range: s into cx's memory in cx's encoding. */
static weld_status store_sstr(canon_cx *cx, const sstr *s, uint32_t *ptr, uint32_t *units)
{
    switch (cx->o->encoding) {
    case CANON_UTF16:
        if (s->enc == SE_UTF8) return str_utf8_to_utf16(cx, s, ptr, units);
        return str_copy(cx, s, 2, 2, ptr, units);
    case CANON_LATIN1_UTF16:
        if (!s->compact) return str_to_latin1_or_utf16(cx, s, ptr, units);
        if (s->enc == SE_LATIN1) return str_copy(cx, s, 1, 2, ptr, units);
        return str_probably_utf16(cx, s, ptr, units);
    default:
        if (s->enc == SE_UTF8) return str_copy(cx, s, 1, 1, ptr, units);
        return str_to_utf8(cx, s, (s->enc == SE_UTF16 ? 3 : 2) * (uint64_t)s->units, ptr, units);
    }
}

/* A host string (UTF-8) into cx's memory. */
static weld_status lower_string(canon_cx *cx, const weld_cval *v, uint32_t *ptr, uint32_t *units)
{
    if (!v->u.str.ptr && v->u.str.len)
        return crt_trap(cx->rt, "canonical ABI: a string value without bytes");
    static const uint8_t empty[1] = {0};
    sstr s;
    memset(&s, 0, sizeof s);
    s.host = v->u.str.ptr ? (const uint8_t *)v->u.str.ptr : empty;
    s.enc = SE_UTF8;
    s.units = v->u.str.len;
    weld_status st = sstr_scan(cx, &s);
    if (st) return st;
    return store_sstr(cx, &s, ptr, units);
}

/* A string of cx's memory into a host cval (UTF-8, NUL-terminated). */
static weld_status lift_string(canon_cx *cx, uint32_t ptr, uint32_t tagged, weld_cval *out)
{
    sstr s;
    weld_status st = load_sstr(cx, ptr, tagged, &s);
    if (st) return st;
    if (s.utf8_len >= UINT32_MAX)
        return crt_trap(cx->rt, "canonical ABI: string of %llu UTF-8 bytes is too long for a value",
                        (unsigned long long)s.utf8_len);
    char *buf = malloc((size_t)s.utf8_len + 1);
    if (!buf) return WELD_ERR_NOMEM;
    if (s.enc == SE_UTF8)
        memcpy(buf, sbase(&s), s.units);
    else
        emit(&s, 0, (uint8_t *)buf, s.utf8_len, false);
    buf[s.utf8_len] = 0;
    out->u.str.ptr = buf;
    out->u.str.len = (uint32_t)s.utf8_len;
    return WELD_OK;
}

/* A string from one memory into another, transcoded once. */
static weld_status xfer_string(canon_cx *from, uint32_t ptr, uint32_t tagged, canon_cx *to,
                               uint32_t *dptr, uint32_t *dunits)
{
    sstr s;
    weld_status st = load_sstr(from, ptr, tagged, &s);
    if (st) return st;
    st = need_mem(to, "a string");
    if (st) return st;
    uint8_t *copy = NULL;
    if (from->o->mem == to->o->mem) { /* the destination's realloc could overwrite it */
        uint64_t bytes = s.enc == SE_UTF16 ? 2 * (uint64_t)s.units : s.units;
        copy = malloc(bytes ? bytes : 1);
        if (!copy) return WELD_ERR_NOMEM;
        if (bytes) memcpy(copy, sbase(&s), bytes);
        s.mem = NULL;
        s.host = copy;
    }
    st = store_sstr(to, &s, dptr, dunits);
    free(copy);
    return st;
}

/* ---- host values into memory / flat (lower) ----------------------------------------- */

static weld_status store_val(canon_cx *cx, const weld_cval *v, const weld_tnode *t0,
                             const canon_layout *l, uint32_t ptr);
static weld_status lower_flat(canon_cx *cx, const weld_cval *v, const weld_tnode *t0,
                              const canon_layout *l, fout *f);

static weld_status items_check(canon_cx *cx, const weld_cval *v, uint32_t want, const char *what)
{
    if (v->u.list.count != want || (want && !v->u.list.items))
        return crt_trap(cx->rt, "canonical ABI: a %s value of %u items where its type has %u", what,
                        v->u.list.items ? v->u.list.count : 0, want);
    return WELD_OK;
}

/* The elements of a list or fixed-length list value at ptr (count of them). */
static weld_status store_elems(canon_cx *cx, const weld_cval *v, const weld_tnode *elem,
                               const canon_layout *e, uint32_t ptr, uint32_t count)
{
    if (!count) return WELD_OK;
    if (weld_cval_list_packed(elem) && v->u.list.bytes) {
        memcpy(mdata(cx) + ptr, v->u.list.bytes, (size_t)count * e->size);
        return WELD_OK;
    }
    if (!v->u.list.items) return crt_trap(cx->rt, "canonical ABI: a list value without items");
    for (uint32_t i = 0; i < count; i++) {
        weld_status st = store_val(cx, &v->u.list.items[i], elem, e, ptr + i * e->size);
        if (st) return st;
    }
    return WELD_OK;
}

/* store_list_into_range */
static weld_status lower_list(canon_cx *cx, const weld_cval *v, const weld_tnode *t,
                              const canon_layout *l, uint32_t *ptr, uint32_t *len)
{
    const canon_layout *e = l->sub[0];
    uint64_t bytes = (uint64_t)v->u.list.count * e->size;
    if (bytes >= ((uint64_t)1 << 32))
        return crt_trap(cx->rt, "canonical ABI: list of %u elements of %u bytes is too large",
                        v->u.list.count, e->size);
    uint32_t p;
    weld_status st = do_realloc(cx, 0, 0, e->align, (uint32_t)bytes, &p);
    if (st) return st;
    st = store_elems(cx, v, t->u.list.elem, e, p, v->u.list.count);
    if (st) return st;
    *ptr = p;
    *len = v->u.list.count;
    return WELD_OK;
}

static weld_status var_tag(canon_cx *cx, const weld_cval *v, const weld_tnode *t,
                           const weld_tnode **ct)
{
    uint32_t tag = v->u.var.tag;
    if (tag >= var_count(t)) return bad_disc(cx, t, tag);
    *ct = var_case(t, tag);
    if (*ct && !v->u.var.payload)
        return crt_trap(cx->rt, "canonical ABI: case %u of the %s value has no payload", tag,
                        kind_desc(t));
    return WELD_OK;
}

static weld_status store_val(canon_cx *cx, const weld_cval *v, const weld_tnode *t0,
                             const canon_layout *l, uint32_t ptr)
{
    const weld_tnode *t = weld_tnode_strip(t0);
    weld_status st;
    switch (t->kind) {
    case WELD_TK_PRIM: {
        if (t->u.prim == WELD_CV_STRING) {
            uint32_t p, u;
            if ((st = lower_string(cx, v, &p, &u))) return st;
            mst(cx, ptr, p, 4);
            mst(cx, ptr + 4, u, 4);
            return WELD_OK;
        }
        uint64_t x;
        if ((st = scalar_from_cval(cx, t->u.prim, v, &x))) return st;
        mst(cx, ptr, x, l->size);
        return WELD_OK;
    }
    case WELD_TK_RECORD:
    case WELD_TK_TUPLE: {
        uint32_t n = rec_count(t);
        if ((st = items_check(cx, v, n, weld_tkind_name(t->kind)))) return st;
        for (uint32_t i = 0; i < n; i++)
            if ((st = store_val(cx, &v->u.list.items[i], rec_field(t, i), l->sub[i], ptr + l->offs[i])))
                return st;
        return WELD_OK;
    }
    case WELD_TK_LIST: {
        uint32_t p, n;
        if ((st = lower_list(cx, v, t, l, &p, &n))) return st;
        mst(cx, ptr, p, 4);
        mst(cx, ptr + 4, n, 4);
        return WELD_OK;
    }
    case WELD_TK_FIXED_LIST:
        if (v->u.list.count != t->u.list.len)
            return crt_trap(cx->rt, "canonical ABI: fixed-length list of %u elements given %u",
                            t->u.list.len, v->u.list.count);
        return store_elems(cx, v, t->u.list.elem, l->sub[0], ptr, t->u.list.len);
    case WELD_TK_FLAGS: {
        uint32_t n = t->u.labels.count;
        if (n > 32) return unsupported(cx, t);
        uint64_t mask = n == 32 ? 0xFFFFFFFFu : ((1u << n) - 1);
        mst(cx, ptr, v->u.flags & mask, l->size);
        return WELD_OK;
    }
    case WELD_TK_VARIANT:
    case WELD_TK_ENUM:
    case WELD_TK_OPTION:
    case WELD_TK_RESULT: {
        const weld_tnode *ct;
        if ((st = var_tag(cx, v, t, &ct))) return st;
        mst(cx, ptr, v->u.var.tag, l->disc_size);
        if (ct)
            return store_val(cx, v->u.var.payload, ct, l->sub[v->u.var.tag], ptr + l->payload_off);
        return WELD_OK;
    }
    case WELD_TK_OWN:
    case WELD_TK_BORROW: {
        uint32_t idx;
        if ((st = lower_handle(cx, t, v->u.res.rep, v->u.res.rt, &idx))) return st;
        mst(cx, ptr, idx, 4);
        return WELD_OK;
    }
    default: return unsupported(cx, t);
    }
}

static weld_status lower_flat(canon_cx *cx, const weld_cval *v, const weld_tnode *t0,
                              const canon_layout *l, fout *f)
{
    const weld_tnode *t = weld_tnode_strip(t0);
    weld_status st;
    switch (t->kind) {
    case WELD_TK_PRIM: {
        if (t->u.prim == WELD_CV_STRING) {
            uint32_t p, u;
            if ((st = lower_string(cx, v, &p, &u))) return st;
            fout_put(f, p);
            fout_put(f, u);
            return WELD_OK;
        }
        uint64_t x;
        if ((st = scalar_from_cval(cx, t->u.prim, v, &x))) return st;
        fout_put(f, x);
        return WELD_OK;
    }
    case WELD_TK_RECORD:
    case WELD_TK_TUPLE: {
        uint32_t n = rec_count(t);
        if ((st = items_check(cx, v, n, weld_tkind_name(t->kind)))) return st;
        for (uint32_t i = 0; i < n; i++)
            if ((st = lower_flat(cx, &v->u.list.items[i], rec_field(t, i), l->sub[i], f))) return st;
        return WELD_OK;
    }
    case WELD_TK_LIST: {
        uint32_t p, n;
        if ((st = lower_list(cx, v, t, l, &p, &n))) return st;
        fout_put(f, p);
        fout_put(f, n);
        return WELD_OK;
    }
    case WELD_TK_FIXED_LIST: {
        uint32_t n = t->u.list.len;
        if (v->u.list.count != n)
            return crt_trap(cx->rt, "canonical ABI: fixed-length list of %u elements given %u", n,
                            v->u.list.count);
        uint32_t esz = weld_cval_list_packed(t->u.list.elem);
        if (esz && v->u.list.bytes) {
            const weld_tnode *e = weld_tnode_strip(t->u.list.elem);
            const uint8_t *b = v->u.list.bytes;
            for (uint32_t i = 0; i < n; i++) {
                uint64_t x = 0, y;
                for (uint32_t k = 0; k < esz; k++) x |= (uint64_t)b[i * esz + k] << (8 * k);
                if ((st = scalar_norm(cx, e->u.prim, x, &y))) return st;
                fout_put(f, y);
            }
            return WELD_OK;
        }
        if (n && !v->u.list.items) return crt_trap(cx->rt, "canonical ABI: a list value without items");
        for (uint32_t i = 0; i < n; i++)
            if ((st = lower_flat(cx, &v->u.list.items[i], t->u.list.elem, l->sub[0], f))) return st;
        return WELD_OK;
    }
    case WELD_TK_FLAGS: {
        uint32_t n = t->u.labels.count;
        if (n > 32) return unsupported(cx, t);
        if (n) fout_put(f, v->u.flags & (n == 32 ? 0xFFFFFFFFu : ((1u << n) - 1)));
        return WELD_OK;
    }
    case WELD_TK_VARIANT:
    case WELD_TK_ENUM:
    case WELD_TK_OPTION:
    case WELD_TK_RESULT: {
        const weld_tnode *ct;
        if ((st = var_tag(cx, v, t, &ct))) return st;
        uint32_t end = f->i + l->nflat;
        fout_put(f, v->u.var.tag);
        if (ct && (st = lower_flat(cx, v->u.var.payload, ct, l->sub[v->u.var.tag], f))) return st;
        while (f->i < end) fout_put(f, 0);
        return WELD_OK;
    }
    case WELD_TK_OWN:
    case WELD_TK_BORROW: {
        uint32_t idx;
        if ((st = lower_handle(cx, t, v->u.res.rep, v->u.res.rt, &idx))) return st;
        fout_put(f, idx);
        return WELD_OK;
    }
    default: return unsupported(cx, t);
    }
}

/* ---- memory / flat into host values (lift) ------------------------------------------ */

static weld_status load_val(canon_cx *cx, uint32_t ptr, const weld_tnode *t0,
                            const canon_layout *l, weld_cval *out);
static weld_status lift_flat(canon_cx *cx, fin *f, const weld_tnode *t0, const canon_layout *l,
                             weld_cval *out);

static weld_cval *new_items(uint32_t n)
{
    return calloc(n ? n : 1, sizeof(weld_cval));
}

/* The elements (count of them, range checked) at ptr into out->u.list. */
static weld_status load_elems(canon_cx *cx, uint32_t ptr, const weld_tnode *elem,
                              const canon_layout *e, uint32_t count, weld_cval *out)
{
    uint32_t esz = weld_cval_list_packed(elem);
    if (esz) {
        size_t bytes = (size_t)count * esz;
        void *b = malloc(bytes ? bytes : 1);
        if (!b) return WELD_ERR_NOMEM;
        if (bytes) memcpy(b, mdata(cx) + ptr, bytes);
        canon_nans(weld_tnode_strip(elem)->u.prim, b, count);
        out->u.list.bytes = b;
        out->u.list.count = count;
        return WELD_OK;
    }
    weld_cval *items = new_items(count);
    if (!items) return WELD_ERR_NOMEM;
    out->u.list.items = items;
    out->u.list.count = count;
    for (uint32_t i = 0; i < count; i++) {
        weld_status st = load_val(cx, ptr + i * e->size, elem, e, &items[i]);
        if (st) return st;
    }
    return WELD_OK;
}

/* load_list_from_range */
static weld_status lift_list(canon_cx *cx, uint32_t ptr, uint32_t len, const weld_tnode *t,
                             const canon_layout *l, weld_cval *out)
{
    const canon_layout *e = l->sub[0];
    weld_status st = check_range(cx, ptr, (uint64_t)len * e->size, e->align, "list");
    if (st) return st;
    return load_elems(cx, ptr, t->u.list.elem, e, len, out);
}

static weld_status lift_payload(canon_cx *cx, const weld_tnode *ct, const canon_layout *cl, bool flat, fin *f,
                                uint32_t ptr, weld_cval *out)
{
    weld_cval *p = calloc(1, sizeof *p);
    if (!p) return WELD_ERR_NOMEM;
    out->u.var.payload = p;
    return flat ? lift_flat(cx, f, ct, cl, p) : load_val(cx, ptr, ct, cl, p);
}

static weld_status load_val(canon_cx *cx, uint32_t ptr, const weld_tnode *t0,
                            const canon_layout *l, weld_cval *out)
{
    const weld_tnode *t = weld_tnode_strip(t0);
    memset(out, 0, sizeof *out);
    out->type = t0;
    weld_status st;
    switch (t->kind) {
    case WELD_TK_PRIM: {
        if (t->u.prim == WELD_CV_STRING)
            return lift_string(cx, (uint32_t)mld(cx, ptr, 4), (uint32_t)mld(cx, ptr + 4, 4), out);
        uint64_t x;
        if ((st = scalar_norm(cx, t->u.prim, mld(cx, ptr, l->size), &x))) return st;
        scalar_to_cval(t->u.prim, x, out);
        return WELD_OK;
    }
    case WELD_TK_RECORD:
    case WELD_TK_TUPLE: {
        uint32_t n = rec_count(t);
        weld_cval *items = new_items(n);
        if (!items) return WELD_ERR_NOMEM;
        out->u.list.items = items;
        out->u.list.count = n;
        for (uint32_t i = 0; i < n; i++)
            if ((st = load_val(cx, ptr + l->offs[i], rec_field(t, i), l->sub[i], &items[i]))) return st;
        return WELD_OK;
    }
    case WELD_TK_LIST:
        return lift_list(cx, (uint32_t)mld(cx, ptr, 4), (uint32_t)mld(cx, ptr + 4, 4), t, l, out);
    case WELD_TK_FIXED_LIST: return load_elems(cx, ptr, t->u.list.elem, l->sub[0], t->u.list.len, out);
    case WELD_TK_FLAGS: {
        uint32_t n = t->u.labels.count;
        if (n > 32) return unsupported(cx, t);
        uint64_t x = l->size ? mld(cx, ptr, l->size) : 0;
        x = known_flags(n, x);
        out->u.flags = (uint32_t)x;
        return WELD_OK;
    }
    case WELD_TK_VARIANT:
    case WELD_TK_ENUM:
    case WELD_TK_OPTION:
    case WELD_TK_RESULT: {
        uint64_t d = mld(cx, ptr, l->disc_size);
        if (d >= var_count(t)) return bad_disc(cx, t, d);
        out->u.var.tag = (uint32_t)d;
        const weld_tnode *ct = var_case(t, (uint32_t)d);
        if (ct) return lift_payload(cx, ct, l->sub[d], false, NULL, ptr + l->payload_off, out);
        return WELD_OK;
    }
    case WELD_TK_OWN:
    case WELD_TK_BORROW:
        return lift_handle(cx, t, (uint32_t)mld(cx, ptr, 4), &out->u.res.rep, &out->u.res.rt);
    default: return unsupported(cx, t);
    }
}

static weld_status lift_flat(canon_cx *cx, fin *f, const weld_tnode *t0, const canon_layout *l,
                             weld_cval *out)
{
    const weld_tnode *t = weld_tnode_strip(t0);
    memset(out, 0, sizeof *out);
    out->type = t0;
    weld_status st;
    switch (t->kind) {
    case WELD_TK_PRIM: {
        if (t->u.prim == WELD_CV_STRING) {
            uint32_t p = (uint32_t)fin_next(f);
            uint32_t u = (uint32_t)fin_next(f);
            return lift_string(cx, p, u, out);
        }
        uint64_t x;
        if ((st = scalar_norm(cx, t->u.prim, fin_next(f), &x))) return st;
        scalar_to_cval(t->u.prim, x, out);
        return WELD_OK;
    }
    case WELD_TK_RECORD:
    case WELD_TK_TUPLE: {
        uint32_t n = rec_count(t);
        weld_cval *items = new_items(n);
        if (!items) return WELD_ERR_NOMEM;
        out->u.list.items = items;
        out->u.list.count = n;
        for (uint32_t i = 0; i < n; i++)
            if ((st = lift_flat(cx, f, rec_field(t, i), l->sub[i], &items[i]))) return st;
        return WELD_OK;
    }
    case WELD_TK_LIST: {
        uint32_t p = (uint32_t)fin_next(f);
        uint32_t n = (uint32_t)fin_next(f);
        return lift_list(cx, p, n, t, l, out);
    }
    case WELD_TK_FIXED_LIST: {
        uint32_t n = t->u.list.len;
        uint32_t esz = weld_cval_list_packed(t->u.list.elem);
        if (esz) {
            const weld_tnode *e = weld_tnode_strip(t->u.list.elem);
            uint8_t *b = malloc((size_t)n * esz);
            if (!b) return WELD_ERR_NOMEM;
            out->u.list.bytes = b;
            out->u.list.count = n;
            for (uint32_t i = 0; i < n; i++) {
                uint64_t x;
                if ((st = scalar_norm(cx, e->u.prim, fin_next(f), &x))) return st;
                x = canon_nan(e->u.prim, x);
                for (uint32_t k = 0; k < esz; k++) b[i * esz + k] = (uint8_t)(x >> (8 * k));
            }
            return WELD_OK;
        }
        weld_cval *items = new_items(n);
        if (!items) return WELD_ERR_NOMEM;
        out->u.list.items = items;
        out->u.list.count = n;
        for (uint32_t i = 0; i < n; i++)
            if ((st = lift_flat(cx, f, t->u.list.elem, l->sub[0], &items[i]))) return st;
        return WELD_OK;
    }
    case WELD_TK_FLAGS: {
        uint32_t n = t->u.labels.count;
        if (n > 32) return unsupported(cx, t);
        uint64_t x = n ? (uint32_t)fin_next(f) : 0;
        x = known_flags(n, x);
        out->u.flags = (uint32_t)x;
        return WELD_OK;
    }
    case WELD_TK_VARIANT:
    case WELD_TK_ENUM:
    case WELD_TK_OPTION:
    case WELD_TK_RESULT: {
        uint32_t end = f->i + l->nflat;
        uint32_t d = (uint32_t)fin_next(f);
        if (d >= var_count(t)) return bad_disc(cx, t, d);
        out->u.var.tag = d;
        const weld_tnode *ct = var_case(t, d);
        if (ct && (st = lift_payload(cx, ct, l->sub[d], true, f, 0, out))) return st;
        f->i = end;
        return WELD_OK;
    }
    case WELD_TK_OWN:
    case WELD_TK_BORROW:
        return lift_handle(cx, t, (uint32_t)fin_next(f), &out->u.res.rep, &out->u.res.rt);
    default: return unsupported(cx, t);
    }
}

/* ---- memory / flat into memory / flat (transfer) ------------------------------------ */

static bool same_shape(const weld_tnode *a, const weld_tnode *b)
{
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case WELD_TK_PRIM: return a->u.prim == b->u.prim;
    case WELD_TK_RECORD:
    case WELD_TK_TUPLE:
    case WELD_TK_FUNC: return rec_count(a) == rec_count(b);
    case WELD_TK_VARIANT:
    case WELD_TK_ENUM: return var_count(a) == var_count(b);
    case WELD_TK_FLAGS: return a->u.labels.count == b->u.labels.count;
    case WELD_TK_LIST:
    case WELD_TK_FIXED_LIST: return a->u.list.len == b->u.list.len;
    default: return true;
    }
}

static weld_status mismatch(canon_cx *cx, const weld_tnode *a, const weld_tnode *b)
{
    char x[128], y[128];
    weld_tnode_describe(a, x, sizeof x);
    weld_tnode_describe(b, y, sizeof y);
    return crt_trap(cx->rt, "canonical ABI: cannot transfer a `%s` value as a `%s`", x, y);
}

static weld_status xfer_mem(canon_cx *from, uint32_t fp, const weld_tnode *fs0,
                            const canon_layout *fl, canon_cx *to, uint32_t tp,
                            const weld_tnode *ts0, const canon_layout *tl);
static weld_status xfer_flat(canon_cx *from, fin *fi, const weld_tnode *fs0,
                             const canon_layout *fl, canon_cx *to, fout *fo,
                             const weld_tnode *ts0, const canon_layout *tl);

/* A list from one memory into a new one of the other. */
static weld_status xfer_list(canon_cx *from, uint32_t sp, uint32_t len, const weld_tnode *fs,
                             const canon_layout *fl, canon_cx *to, const weld_tnode *ts,
                             const canon_layout *tl, uint32_t *dp)
{
    const canon_layout *fe = fl->sub[0], *te = tl->sub[0];
    weld_status st = check_range(from, sp, (uint64_t)len * fe->size, fe->align, "list");
    if (st) return st;
    uint64_t bytes = (uint64_t)len * te->size;
    if (bytes >= ((uint64_t)1 << 32))
        return crt_trap(to->rt, "canonical ABI: list of %u elements of %u bytes is too large", len,
                        te->size);
    if ((st = do_realloc(to, 0, 0, te->align, (uint32_t)bytes, dp))) return st;
    if (fe->pure && fe->size == te->size) {
        if (bytes) memmove(mdata(to) + *dp, mdata(from) + sp, bytes);
        return WELD_OK;
    }
    for (uint32_t i = 0; i < len; i++)
        if ((st = xfer_mem(from, sp + i * fe->size, fs->u.list.elem, fe, to, *dp + i * te->size,
                           ts->u.list.elem, te)))
            return st;
    return WELD_OK;
}

static weld_status xfer_handle(canon_cx *from, const weld_tnode *fs, uint32_t idx, canon_cx *to,
                               const weld_tnode *ts, uint32_t *out)
{
    uint32_t rep;
    const weld_crt_resource_type *rt;
    weld_status st = lift_handle(from, fs, idx, &rep, &rt);
    if (st) return st;
    return lower_handle(to, ts, rep, rt, out);
}

static weld_status xfer_mem(canon_cx *from, uint32_t fp, const weld_tnode *fs0,
                            const canon_layout *fl, canon_cx *to, uint32_t tp,
                            const weld_tnode *ts0, const canon_layout *tl)
{
    const weld_tnode *fs = weld_tnode_strip(fs0), *ts = weld_tnode_strip(ts0);
    if (!same_shape(fs, ts)) return mismatch(from, fs, ts);
    weld_status st = WELD_OK;
    if (fl->pure && fl->size == tl->size) {
        if (fl->size) memmove(mdata(to) + tp, mdata(from) + fp, fl->size);
        return WELD_OK;
    }
    switch (fs->kind) {
    case WELD_TK_PRIM: {
        if (fs->u.prim == WELD_CV_STRING) {
            uint32_t p, u;
            if ((st = xfer_string(from, (uint32_t)mld(from, fp, 4), (uint32_t)mld(from, fp + 4, 4),
                                  to, &p, &u)))
                return st;
            mst(to, tp, p, 4);
            mst(to, tp + 4, u, 4);
            return WELD_OK;
        }
        uint64_t x;
        if ((st = scalar_norm(from, fs->u.prim, mld(from, fp, fl->size), &x))) return st;
        mst(to, tp, x, tl->size);
        return WELD_OK;
    }
    case WELD_TK_RECORD:
    case WELD_TK_TUPLE:
    case WELD_TK_FUNC:
        for (uint32_t i = 0; i < rec_count(fs); i++)
            if ((st = xfer_mem(from, fp + fl->offs[i], rec_field(fs, i), fl->sub[i], to,
                               tp + tl->offs[i], rec_field(ts, i), tl->sub[i])))
                return st;
        return WELD_OK;
    case WELD_TK_LIST: {
        uint32_t p, n = (uint32_t)mld(from, fp + 4, 4);
        if ((st = xfer_list(from, (uint32_t)mld(from, fp, 4), n, fs, fl, to, ts, tl, &p)))
            return st;
        mst(to, tp, p, 4);
        mst(to, tp + 4, n, 4);
        return WELD_OK;
    }
    case WELD_TK_FIXED_LIST: {
        uint32_t fsz = fl->sub[0]->size, tsz = tl->sub[0]->size;
        for (uint32_t i = 0; i < fs->u.list.len; i++)
            if ((st = xfer_mem(from, fp + i * fsz, fs->u.list.elem, fl->sub[0], to, tp + i * tsz,
                               ts->u.list.elem, tl->sub[0])))
                return st;
        return WELD_OK;
    }
    case WELD_TK_FLAGS: {
        uint32_t n = fs->u.labels.count;
        if (n > 32) return unsupported(from, fs);
        if (!fl->size) return WELD_OK;
        uint64_t x = mld(from, fp, fl->size);
        x = known_flags(n, x);
        mst(to, tp, x, tl->size);
        return WELD_OK;
    }
    case WELD_TK_VARIANT:
    case WELD_TK_ENUM:
    case WELD_TK_OPTION:
    case WELD_TK_RESULT: {
        uint64_t d = mld(from, fp, fl->disc_size);
        if (d >= var_count(fs)) return bad_disc(from, fs, d);
        mst(to, tp, d, tl->disc_size);
        const weld_tnode *fc = var_case(fs, (uint32_t)d), *tc = var_case(ts, (uint32_t)d);
        if (!fc != !tc) return mismatch(from, fs, ts);
        if (fc)
            return xfer_mem(from, fp + fl->payload_off, fc, fl->sub[d], to, tp + tl->payload_off,
                            tc, tl->sub[d]);
        return WELD_OK;
    }
    case WELD_TK_OWN:
    case WELD_TK_BORROW: {
        uint32_t idx;
        if ((st = xfer_handle(from, fs, (uint32_t)mld(from, fp, 4), to, ts, &idx))) return st;
        mst(to, tp, idx, 4);
        return WELD_OK;
    }
    default: return unsupported(from, fs);
    }
}

static weld_status xfer_flat(canon_cx *from, fin *fi, const weld_tnode *fs0,
                             const canon_layout *fl, canon_cx *to, fout *fo,
                             const weld_tnode *ts0, const canon_layout *tl)
{
    const weld_tnode *fs = weld_tnode_strip(fs0), *ts = weld_tnode_strip(ts0);
    if (!same_shape(fs, ts)) return mismatch(from, fs, ts);
    weld_status st = WELD_OK;
    switch (fs->kind) {
    case WELD_TK_PRIM: {
        if (fs->u.prim == WELD_CV_STRING) {
            uint32_t sp = (uint32_t)fin_next(fi), su = (uint32_t)fin_next(fi), p, u;
            if ((st = xfer_string(from, sp, su, to, &p, &u))) return st;
            fout_put(fo, p);
            fout_put(fo, u);
            return WELD_OK;
        }
        uint64_t x;
        if ((st = scalar_norm(from, fs->u.prim, fin_next(fi), &x))) return st;
        fout_put(fo, x);
        return WELD_OK;
    }
    case WELD_TK_RECORD:
    case WELD_TK_TUPLE:
    case WELD_TK_FUNC:
        for (uint32_t i = 0; i < rec_count(fs); i++)
            if ((st = xfer_flat(from, fi, rec_field(fs, i), fl->sub[i], to, fo, rec_field(ts, i),
                                tl->sub[i])))
                return st;
        return WELD_OK;
    case WELD_TK_LIST: {
        uint32_t sp = (uint32_t)fin_next(fi), n = (uint32_t)fin_next(fi), p;
        if ((st = xfer_list(from, sp, n, fs, fl, to, ts, tl, &p))) return st;
        fout_put(fo, p);
        fout_put(fo, n);
        return WELD_OK;
    }
    case WELD_TK_FIXED_LIST:
        for (uint32_t i = 0; i < fs->u.list.len; i++)
            if ((st = xfer_flat(from, fi, fs->u.list.elem, fl->sub[0], to, fo, ts->u.list.elem,
                                tl->sub[0])))
                return st;
        return WELD_OK;
    case WELD_TK_FLAGS: {
        uint32_t n = fs->u.labels.count;
        if (n > 32) return unsupported(from, fs);
        if (!n) return WELD_OK;
        uint64_t x = (uint32_t)fin_next(fi);
        x = known_flags(n, x);
        fout_put(fo, x);
        return WELD_OK;
    }
    case WELD_TK_VARIANT:
    case WELD_TK_ENUM:
    case WELD_TK_OPTION:
    case WELD_TK_RESULT: {
        uint32_t fend = fi->i + fl->nflat, tend = fo->i + tl->nflat;
        uint32_t d = (uint32_t)fin_next(fi);
        if (d >= var_count(fs)) return bad_disc(from, fs, d);
        fout_put(fo, d);
        const weld_tnode *fc = var_case(fs, d), *tc = var_case(ts, d);
        if (!fc != !tc) return mismatch(from, fs, ts);
        if (fc && (st = xfer_flat(from, fi, fc, fl->sub[d], to, fo, tc, tl->sub[d]))) return st;
        fi->i = fend;
        while (fo->i < tend) fout_put(fo, 0);
        return WELD_OK;
    }
    case WELD_TK_OWN:
    case WELD_TK_BORROW: {
        uint32_t idx;
        if ((st = xfer_handle(from, fs, (uint32_t)fin_next(fi), to, ts, &idx))) return st;
        fout_put(fo, idx);
        return WELD_OK;
    }
    default: return unsupported(from, fs);
    }
}

/* ---- the entry points --------------------------------------------------------------- */

static const weld_tnode *func_of(canon_cx *cx, const weld_tnode *ft, weld_status *st)
{
    ft = weld_tnode_strip(ft);
    if (!ft || ft->kind != WELD_TK_FUNC) {
        *st = crt_trap(cx->rt, "canonical ABI: not a function type");
        return NULL;
    }
    return ft;
}

static bool params_spill(const canon_layout *pl)
{
    return pl->over || pl->nflat > CANON_MAX_FLAT_PARAMS;
}

static bool result_spill(const canon_layout *rl)
{
    return rl->over || rl->nflat > CANON_MAX_FLAT_RESULTS;
}

weld_status canon_lower_params(canon_cx *cx, const weld_tnode *ft, const weld_cval *args,
                               uint64_t *core_args)
{
    weld_status st = WELD_OK;
    if (!(ft = func_of(cx, ft, &st))) return st;
    const canon_layout *pl = layout(cx, ft, &st);
    if (!pl) return st;
    uint32_t n = ft->u.func.nparams;
    if (params_spill(pl)) {
        uint32_t p;
        if ((st = do_realloc(cx, 0, 0, pl->align, pl->size, &p))) return st;
        for (uint32_t i = 0; i < n; i++)
            if ((st = store_val(cx, &args[i], ft->u.func.params[i].type, pl->sub[i], p + pl->offs[i])))
                return st;
        core_args[0] = p;
        return WELD_OK;
    }
    fout f = {core_args, 0, pl->nflat};
    for (uint32_t i = 0; i < n; i++)
        if ((st = lower_flat(cx, &args[i], ft->u.func.params[i].type, pl->sub[i], &f))) return st;
    return WELD_OK;
}

weld_status canon_lift_result(canon_cx *cx, const weld_tnode *ft, const uint64_t *core_results,
                              weld_cval *out)
{
    weld_status st = WELD_OK;
    if (!(ft = func_of(cx, ft, &st))) return st;
    memset(out, 0, sizeof *out);
    const weld_tnode *rt = ft->u.func.result;
    if (!rt) return WELD_OK;
    const canon_layout *rl = layout(cx, rt, &st);
    if (!rl) return st;
    if (result_spill(rl)) {
        uint32_t p = (uint32_t)core_results[0];
        if (!(st = check_range(cx, p, rl->size, rl->align, "result"))) st = load_val(cx, p, rt, rl, out);
    } else {
        fin f = {core_results, 0, rl->nflat};
        st = lift_flat(cx, &f, rt, rl, out);
    }
    if (st) weld_cval_free(out);
    return st;
}

weld_status canon_lift_params(canon_cx *cx, const weld_tnode *ft, const uint64_t *core_args,
                              weld_cval *out)
{
    weld_status st = WELD_OK;
    if (!(ft = func_of(cx, ft, &st))) return st;
    uint32_t n = ft->u.func.nparams;
    memset(out, 0, (size_t)n * sizeof *out);
    const canon_layout *pl = layout(cx, ft, &st);
    if (!pl) return st;
    if (params_spill(pl)) {
        uint32_t p = (uint32_t)core_args[0];
        st = check_range(cx, p, pl->size, pl->align, "parameter tuple");
        for (uint32_t i = 0; i < n && !st; i++)
            st = load_val(cx, p + pl->offs[i], ft->u.func.params[i].type, pl->sub[i], &out[i]);
    } else {
        fin f = {core_args, 0, pl->nflat};
        for (uint32_t i = 0; i < n && !st; i++)
            st = lift_flat(cx, &f, ft->u.func.params[i].type, pl->sub[i], &out[i]);
    }
    if (st)
        for (uint32_t i = 0; i < n; i++) weld_cval_free(&out[i]);
    return st;
}

/* The index of the return pointer among the core arguments of a lowered function. */
static uint32_t retptr_index(const canon_layout *pl)
{
    return params_spill(pl) ? 1 : pl->nflat;
}

weld_status canon_lower_result(canon_cx *cx, const weld_tnode *ft, const weld_cval *res,
                               const uint64_t *core_args, uint64_t *core_results)
{
    weld_status st = WELD_OK;
    if (!(ft = func_of(cx, ft, &st))) return st;
    const weld_tnode *rt = ft->u.func.result;
    if (!rt) return WELD_OK;
    const canon_layout *rl = layout(cx, rt, &st), *pl = rl ? layout(cx, ft, &st) : NULL;
    if (!pl) return st;
    if (result_spill(rl)) {
        uint32_t p = (uint32_t)core_args[retptr_index(pl)];
        if ((st = check_range(cx, p, rl->size, rl->align, "result"))) return st;
        return store_val(cx, res, rt, rl, p);
    }
    fout f = {core_results, 0, rl->nflat};
    return lower_flat(cx, res, rt, rl, &f);
}

weld_status canon_transfer_params(canon_cx *from, const weld_tnode *from_ft, canon_cx *to,
                                  const weld_tnode *to_ft, const uint64_t *from_args,
                                  uint64_t *to_args)
{
    weld_status st = WELD_OK;
    const weld_tnode *fs = func_of(from, from_ft, &st), *ts = fs ? func_of(to, to_ft, &st) : NULL;
    if (!ts) return st;
    if (!same_shape(fs, ts)) return mismatch(from, fs, ts);
    const canon_layout *fl = layout(from, fs, &st), *tl = fl ? layout(to, ts, &st) : NULL;
    if (!tl) return st;
    if (params_spill(fl)) {
        uint32_t fp = (uint32_t)from_args[0], tp;
        if ((st = check_range(from, fp, fl->size, fl->align, "parameter tuple"))) return st;
        if ((st = do_realloc(to, 0, 0, tl->align, tl->size, &tp))) return st;
        if ((st = xfer_mem(from, fp, fs, fl, to, tp, ts, tl))) return st;
        to_args[0] = tp;
        return WELD_OK;
    }
    fin fi = {from_args, 0, fl->nflat};
    fout fo = {to_args, 0, tl->nflat};
    return xfer_flat(from, &fi, fs, fl, to, &fo, ts, tl);
}

weld_status canon_transfer_result(canon_cx *from, const weld_tnode *from_ft, canon_cx *to,
                                  const weld_tnode *to_ft, const uint64_t *from_results,
                                  const uint64_t *to_args, uint64_t *to_results)
{
    weld_status st = WELD_OK;
    const weld_tnode *fs = func_of(from, from_ft, &st), *ts = fs ? func_of(to, to_ft, &st) : NULL;
    if (!ts) return st;
    const weld_tnode *fr = fs->u.func.result, *tr = ts->u.func.result;
    if (!fr != !tr) return mismatch(from, fs, ts);
    if (!fr) return WELD_OK;
    const canon_layout *fl = layout(from, fr, &st), *tl = fl ? layout(to, tr, &st) : NULL;
    const canon_layout *tpl = tl ? layout(to, ts, &st) : NULL;
    if (!tpl) return st;
    if (result_spill(fl)) {
        uint32_t fp = (uint32_t)from_results[0];
        uint32_t tp = (uint32_t)to_args[retptr_index(tpl)];
        if ((st = check_range(from, fp, fl->size, fl->align, "result"))) return st;
        if ((st = check_range(to, tp, tl->size, tl->align, "result"))) return st;
        return xfer_mem(from, fp, fr, fl, to, tp, tr, tl);
    }
    fin fi = {from_results, 0, fl->nflat};
    fout fo = {to_results, 0, tl->nflat};
    return xfer_flat(from, &fi, fr, fl, to, &fo, tr, tl);
}
