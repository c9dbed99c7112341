/* read_component.c - decoding the component binary format (Binary.md) into the tree of
 * component.h. Every item of every section is decoded; nested core modules go to the core
 * reader, nested components recurse. Errors name the file offset, the section, the item
 * and what was expected. */
#include "base/base.h"
#include "binary/binary.h"
#include "weld/component.h"
#include <stdio.h>

/* Nesting limit for components and type declarations (keeps malformed input from
 * exhausting the stack). */
enum { MAX_DEPTH = 100 };

typedef struct reader {
    const uint8_t *p, *end;
    const uint8_t *start;   /* the first byte of this component's input */
    uint64_t base;          /* the absolute offset of `start` */
    weld_arena *arena;
    weld_diag *diag;
    const weld_component_read_opts *opts;
    const char *what;       /* the section being read, for messages */
    uint32_t item;          /* the item being read (UINT32_MAX: none) */
    uint32_t depth;         /* component nesting */
    uint32_t type_depth;    /* type declaration nesting */
} reader;

static uint64_t here(const reader *r, const uint8_t *p)
{
    return r->base + (uint64_t)(p - r->start);
}

/* Report a malformed input at p: "<section> section, item N: MESSAGE". */
static weld_status fail_at(reader *r, const uint8_t *p, weld_status st, const char *fmt, ...)
    WELD_PRINTF(4, 5);
static weld_status fail_at(reader *r, const uint8_t *p, weld_status st, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!r->what) return weld_diag_set(r->diag, st, here(r, p), "%s", msg);
    if (r->item == UINT32_MAX)
        return weld_diag_set(r->diag, st, here(r, p), "%s section: %s", r->what, msg);
    return weld_diag_set(r->diag, st, here(r, p), "%s section, item %u: %s", r->what, r->item,
                         msg);
}

#define FAIL(r, ...) fail_at((r), (r)->p, WELD_ERR_MALFORMED, __VA_ARGS__)
#define TRY(x)                                                                                \
    do {                                                                                      \
        weld_status st_ = (x);                                                                \
        if (st_ != WELD_OK) return st_;                                                       \
    } while (0)

static weld_status eof(reader *r, const char *expected)
{
    return FAIL(r, "unexpected end of section (expected %s)", expected);
}

static weld_status nomem(reader *r)
{
    return fail_at(r, r->p, WELD_ERR_NOMEM, "out of memory");
}

static void *alloc(reader *r, size_t n, size_t size)
{
    return weld_arena_alloc(r->arena, n > 0 ? n * size : 1);
}

static weld_status byte(reader *r, uint8_t *out, const char *expected)
{
    *out = 0;
    if (r->p >= r->end) return eof(r, expected);
    *out = *r->p++;
    return WELD_OK;
}

static weld_status u32(reader *r, uint32_t *out, const char *expected)
{
    *out = 0;
    if (!weld_leb_u32(&r->p, r->end, out)) {
        if (r->p >= r->end) return eof(r, expected);
        const uint8_t *q = r->p;
        while (q < r->end && (*q & 0x80)) q++;
        return FAIL(r, q >= r->end ? "unexpected end of section (expected %s)"
                                   : "malformed LEB128 integer (expected %s as a u32)",
                    expected);
    }
    return WELD_OK;
}

/* A vector length: each element takes at least `min` bytes, so a count beyond what is
 * left is malformed (and never allocated). */
static weld_status count(reader *r, uint32_t *out, size_t min, const char *what)
{
    const uint8_t *at = r->p;
    TRY(u32(r, out, what));
    if ((uint64_t)*out * min > (uint64_t)(r->end - r->p))
        return fail_at(r, at, WELD_ERR_MALFORMED, "%s count %u exceeds the %zu bytes left", what,
                       *out, (size_t)(r->end - r->p));
    return WELD_OK;
}

static weld_status name(reader *r, weld_str *out, const char *what)
{
    uint32_t n;
    const uint8_t *at = r->p;
    TRY(u32(r, &n, what));
    if (n > (size_t)(r->end - r->p))
        return fail_at(r, at, WELD_ERR_MALFORMED,
                       "%s of %u bytes runs past the end of the section", what, n);
    if (!weld_utf8_valid(r->p, n))
        return fail_at(r, r->p, WELD_ERR_MALFORMED, "%s is not valid UTF-8", what);
    /* weld_str promises a NUL terminator the input does not have: copy (names are short) */
    char *copy = weld_arena_strndup(r->arena, (const char *)r->p, n);
    if (!copy) return nomem(r);
    out->ptr = copy;
    out->len = n;
    r->p += n;
    return WELD_OK;
}

/* ---- small shared forms --------------------------------------------------------------- */

static bool is_core_sort(uint8_t s)
{
    return s <= 0x04 || (s >= 0x10 && s <= 0x12);
}

static weld_status core_sort(reader *r, uint8_t *out)
{
    const uint8_t *at = r->p;
    TRY(byte(r, out, "a core sort"));
    if (!is_core_sort(*out))
        return fail_at(r, at, WELD_ERR_MALFORMED, "unknown core sort 0x%02x", *out);
    return WELD_OK;
}

static weld_status sort(reader *r, weld_sort *out)
{
    const uint8_t *at = r->p;
    out->core = 0;
    TRY(byte(r, &out->sort, "a sort"));
    if (out->sort == WELD_SORT_CORE) return core_sort(r, &out->core);
    if (out->sort > WELD_SORT_INSTANCE)
        return fail_at(r, at, WELD_ERR_MALFORMED, "unknown sort 0x%02x", out->sort);
    return WELD_OK;
}

static weld_status sortidx(reader *r, weld_sortidx *out)
{
    TRY(sort(r, &out->sort));
    return u32(r, &out->index, "an index");
}

static bool is_prim(uint8_t b)
{
    return (b >= 0x73 && b <= 0x7f) || b == WELD_CV_ERROR_CONTEXT;
}

/* valtype ::= primvaltype | typeidx (as a non-negative s33) */
static weld_status valtype(reader *r, weld_cvaltype *out)
{
    if (r->p >= r->end) return eof(r, "a value type");
    if (is_prim(*r->p)) {
        out->prim = *r->p++;
        out->index = 0;
        return WELD_OK;
    }
    const uint8_t *at = r->p;
    int64_t v;
    if (!weld_leb_s33(&r->p, r->end, &v))
        return fail_at(r, at, WELD_ERR_MALFORMED, "malformed value type (expected a primitive "
                                                  "type or a type index)");
    if (v < 0 || v > UINT32_MAX)
        return fail_at(r, at, WELD_ERR_MALFORMED, "unknown value type 0x%02x", *at);
    out->prim = 0;
    out->index = (uint32_t)v;
    return WELD_OK;
}

static weld_status opt_valtype(reader *r, bool *has, weld_cvaltype *out, const char *what)
{
    const uint8_t *at = r->p;
    uint8_t b;
    TRY(byte(r, &b, what));
    if (b > 1)
        return fail_at(r, at, WELD_ERR_MALFORMED, "bad presence byte 0x%02x of %s "
                                                  "(expected 0x00 or 0x01)", b, what);
    *has = b == 1;
    return *has ? valtype(r, out) : WELD_OK;
}

/* nameattributes ::= 0x00 name | 0x01 name | 0x02 name vec(attribute) */
static weld_status cname(reader *r, weld_cname *out)
{
    const uint8_t *at = r->p;
    TRY(byte(r, &out->tag, "an extern name"));
    if (out->tag > 0x02)
        return fail_at(r, at, WELD_ERR_MALFORMED,
                       "unknown extern name tag 0x%02x (expected 0x00, 0x01 or 0x02)", out->tag);
    TRY(name(r, &out->name, "extern name"));
    out->nattrs = 0;
    out->attrs = NULL;
    if (out->tag != 0x02) return WELD_OK;
    uint32_t n;
    TRY(count(r, &n, 2, "name attribute"));
    weld_name_attr *attrs = alloc(r, n, sizeof *attrs);
    if (!attrs) return nomem(r);
    for (uint32_t i = 0; i < n; i++) {
        at = r->p;
        TRY(byte(r, &attrs[i].kind, "a name attribute"));
        if (attrs[i].kind > 0x02)
            return fail_at(r, at, WELD_ERR_MALFORMED, "unknown name attribute 0x%02x",
                           attrs[i].kind);
        TRY(name(r, &attrs[i].value, "name attribute"));
    }
    out->nattrs = n;
    out->attrs = attrs;
    return WELD_OK;
}

/* externdesc */
static weld_status cextern(reader *r, weld_cextern *out)
{
    const uint8_t *at = r->p;
    uint8_t b;
    memset(out, 0, sizeof *out);
    TRY(byte(r, &out->kind, "an extern type"));
    switch (out->kind) {
    case WELD_EXT_MODULE:
        at = r->p;
        TRY(byte(r, &b, "0x11 (core module)"));
        if (b != 0x11)
            return fail_at(r, at, WELD_ERR_MALFORMED,
                           "bad core extern type 0x%02x (expected 0x11, module)", b);
        return u32(r, &out->index, "a core type index");
    case WELD_EXT_FUNC:
    case WELD_EXT_COMPONENT:
    case WELD_EXT_INSTANCE:
        return u32(r, &out->index, "a type index");
    case WELD_EXT_VALUE:
        /* encoded as the value type itself (as wasm-tools does), not a bound */
        return valtype(r, &out->val);
    case WELD_EXT_TYPE:
        at = r->p;
        TRY(byte(r, &out->bound, "a type bound"));
        if (out->bound == 0x00) return u32(r, &out->index, "a type index");
        if (out->bound == 0x01) return WELD_OK;
        return fail_at(r, at, WELD_ERR_MALFORMED, "unknown type bound 0x%02x", out->bound);
    default:
        return fail_at(r, at, WELD_ERR_MALFORMED, "unknown extern type 0x%02x", out->kind);
    }
}

/* ---- core types ------------------------------------------------------------------------ */

static weld_status core_valtype(reader *r, weld_valtype *out)
{
    const uint8_t *at = r->p;
    TRY(byte(r, out, "a core value type"));
    switch (*out) {
    case WELD_I32: case WELD_I64: case WELD_F32: case WELD_F64: case WELD_V128:
    case WELD_FUNCREF: case WELD_EXTERNREF: case WELD_EXNREF:
        return WELD_OK;
    case 0x63: case 0x64:
        return fail_at(r, at, WELD_ERR_UNSUPPORTED,
                       "typed reference value types (0x%02x) are not supported", *out);
    default:
        return fail_at(r, at, WELD_ERR_MALFORMED, "unknown core value type 0x%02x", *out);
    }
}

static weld_status limits(reader *r, weld_limits *out)
{
    const uint8_t *at = r->p;
    TRY(byte(r, &out->flags, "limits"));
    if (out->flags > 0x07)
        return fail_at(r, at, WELD_ERR_MALFORMED, "unknown limits flags 0x%02x", out->flags);
    at = r->p;
    if (out->flags & WELD_LIMITS_64) {
        if (!weld_leb_u64(&r->p, r->end, &out->min)) return eof(r, "a minimum (u64)");
        if ((out->flags & WELD_LIMITS_HAS_MAX) && !weld_leb_u64(&r->p, r->end, &out->max))
            return eof(r, "a maximum (u64)");
        return WELD_OK;
    }
    uint32_t v;
    TRY(u32(r, &v, "a minimum"));
    out->min = v;
    if (out->flags & WELD_LIMITS_HAS_MAX) {
        TRY(u32(r, &v, "a maximum"));
        out->max = v;
    }
    return WELD_OK;
}

/* core:externtype */
static weld_status core_externtype(reader *r, weld_externtype *out)
{
    const uint8_t *at = r->p;
    uint8_t b;
    memset(out, 0, sizeof *out);
    TRY(byte(r, &out->kind, "a core extern type"));
    switch (out->kind) {
    case WELD_EXTERN_FUNC: return u32(r, &out->u.func, "a type index");
    case WELD_EXTERN_TABLE:
        TRY(core_valtype(r, &out->u.table.elem));
        return limits(r, &out->u.table.limits);
    case WELD_EXTERN_MEMORY: return limits(r, &out->u.memory);
    case WELD_EXTERN_GLOBAL:
        TRY(core_valtype(r, &out->u.global.type));
        at = r->p;
        TRY(byte(r, &b, "a mutability byte"));
        if (b > 1)
            return fail_at(r, at, WELD_ERR_MALFORMED, "bad global mutability 0x%02x", b);
        out->u.global.mut = b;
        return WELD_OK;
    case WELD_EXTERN_TAG:
        at = r->p;
        TRY(byte(r, &b, "a tag attribute"));
        if (b != 0) return fail_at(r, at, WELD_ERR_MALFORMED, "bad tag attribute 0x%02x", b);
        return u32(r, &out->u.tag, "a type index");
    default:
        return fail_at(r, at, WELD_ERR_MALFORMED, "unknown core extern kind 0x%02x", out->kind);
    }
}

static weld_status core_type(reader *r, const weld_core_type **out);

static weld_status core_valtypes(reader *r, uint32_t *n, const weld_valtype **out)
{
    TRY(count(r, n, 1, "value type"));
    weld_valtype *v = alloc(r, *n, 1);
    if (!v) return nomem(r);
    for (uint32_t i = 0; i < *n; i++) TRY(core_valtype(r, &v[i]));
    *out = v;
    return WELD_OK;
}

static weld_status core_moduletype(reader *r, weld_core_type *t)
{
    uint32_t n;
    TRY(count(r, &n, 2, "module declaration"));
    weld_core_decl *decls = alloc(r, n, sizeof *decls);
    if (!decls) return nomem(r);
    for (uint32_t i = 0; i < n; i++) {
        weld_core_decl *d = &decls[i];
        const uint8_t *at = r->p;
        TRY(byte(r, &d->kind, "a module declaration"));
        switch (d->kind) {
        case WELD_MDECL_IMPORT:
            TRY(name(r, &d->u.import.module, "import module name"));
            TRY(name(r, &d->u.import.name, "import name"));
            TRY(core_externtype(r, &d->u.import.type));
            break;
        case WELD_MDECL_TYPE:
            TRY(core_type(r, &d->u.type));
            break;
        case WELD_MDECL_ALIAS: {
            uint8_t s, k;
            at = r->p;
            TRY(byte(r, &s, "0x10 (type sort)"));
            TRY(byte(r, &k, "0x01 (outer)"));
            if (s != 0x10 || k != 0x01)
                return fail_at(r, at, WELD_ERR_MALFORMED,
                               "bad module type alias 0x%02x 0x%02x (expected 0x10 0x01, an "
                               "outer type alias)", s, k);
            TRY(u32(r, &d->u.outer.count, "an outer count"));
            TRY(u32(r, &d->u.outer.index, "a type index"));
            break;
        }
        case WELD_MDECL_EXPORT:
            TRY(name(r, &d->u.export.name, "export name"));
            TRY(core_externtype(r, &d->u.export.type));
            break;
        default:
            return fail_at(r, at, WELD_ERR_MALFORMED, "unknown module declaration 0x%02x",
                           d->kind);
        }
    }
    t->ndecls = n;
    t->decls = decls;
    return WELD_OK;
}

/* core:type: a function type (0x60) or a module type (0x50). */
static weld_status core_type(reader *r, const weld_core_type **out)
{
    const uint8_t *at = r->p;
    if (++r->type_depth > MAX_DEPTH)
        return fail_at(r, at, WELD_ERR_MALFORMED, "types nested deeper than %d", MAX_DEPTH);
    weld_core_type *t = alloc(r, 1, sizeof *t);
    if (!t) return nomem(r);
    TRY(byte(r, &t->kind, "a core type"));
    switch (t->kind) {
    case WELD_CORE_TYPE_FUNC:
        TRY(core_valtypes(r, &t->func.nparams, &t->func.params));
        TRY(core_valtypes(r, &t->func.nresults, &t->func.results));
        break;
    case WELD_CORE_TYPE_MODULE:
        TRY(core_moduletype(r, t));
        break;
    case 0x4e: case 0x4f: case 0x00: case 0x5f: case 0x5e:
        return fail_at(r, at, WELD_ERR_UNSUPPORTED,
                       "core GC type definitions (0x%02x) are not supported", t->kind);
    default:
        return fail_at(r, at, WELD_ERR_MALFORMED,
                       "unknown core type 0x%02x (expected 0x60 func or 0x50 module)", t->kind);
    }
    r->type_depth--;
    *out = t;
    return WELD_OK;
}

/* ---- component types ------------------------------------------------------------------- */

static weld_status ctype(reader *r, const weld_ctype **out);

static weld_status alias(reader *r, weld_alias *a)
{
    const uint8_t *at;
    TRY(sort(r, &a->sort));
    at = r->p;
    TRY(byte(r, &a->tag, "an alias target"));
    switch (a->tag) {
    case 0x00:
        TRY(u32(r, &a->instance, "an instance index"));
        return name(r, &a->name, "export name");
    case 0x01:
        TRY(u32(r, &a->instance, "a core instance index"));
        return name(r, &a->name, "export name");
    case 0x02:
        TRY(u32(r, &a->instance, "an outer count"));
        return u32(r, &a->index, "an index");
    default:
        return fail_at(r, at, WELD_ERR_MALFORMED,
                       "unknown alias target 0x%02x (expected 0x00 export, 0x01 core export or "
                       "0x02 outer)", a->tag);
    }
}

static weld_status fields(reader *r, uint32_t *n, const weld_cfield **out, const char *what)
{
    TRY(count(r, n, 2, what));
    weld_cfield *f = alloc(r, *n, sizeof *f);
    if (!f) return nomem(r);
    for (uint32_t i = 0; i < *n; i++) {
        TRY(name(r, &f[i].name, what));
        TRY(valtype(r, &f[i].type));
    }
    *out = f;
    return WELD_OK;
}

static weld_status labels(reader *r, weld_ctype *t, const char *what)
{
    uint32_t n;
    TRY(count(r, &n, 1, what));
    weld_str *s = alloc(r, n, sizeof *s);
    if (!s) return nomem(r);
    for (uint32_t i = 0; i < n; i++) TRY(name(r, &s[i], what));
    t->u.labels.count = n;
    t->u.labels.names = s;
    return WELD_OK;
}

static weld_status decls(reader *r, weld_ctype *t, bool component)
{
    uint32_t n;
    TRY(count(r, &n, 2, "declaration"));
    weld_cdecl *ds = alloc(r, n, sizeof *ds);
    if (!ds) return nomem(r);
    for (uint32_t i = 0; i < n; i++) {
        weld_cdecl *d = &ds[i];
        const uint8_t *at = r->p;
        TRY(byte(r, &d->kind, "a declaration"));
        switch (d->kind) {
        case WELD_DECL_CORE_TYPE: TRY(core_type(r, &d->u.core_type)); break;
        case WELD_DECL_TYPE: TRY(ctype(r, &d->u.type)); break;
        case WELD_DECL_ALIAS: TRY(alias(r, &d->u.alias)); break;
        case WELD_DECL_IMPORT:
            if (!component)
                return fail_at(r, at, WELD_ERR_MALFORMED,
                               "an import declaration (0x03) inside an instance type");
            /* fall through */
        case WELD_DECL_EXPORT:
            TRY(cname(r, &d->u.ext.name));
            TRY(cextern(r, &d->u.ext.type));
            break;
        default:
            return fail_at(r, at, WELD_ERR_MALFORMED, "unknown %s declaration 0x%02x",
                           component ? "component type" : "instance type", d->kind);
        }
    }
    t->u.decls.count = n;
    t->u.decls.decls = ds;
    return WELD_OK;
}

/* deftype: a defined value type, a function, component, instance or resource type. */
static weld_status ctype(reader *r, const weld_ctype **out)
{
    const uint8_t *at = r->p;
    if (++r->type_depth > MAX_DEPTH)
        return fail_at(r, at, WELD_ERR_MALFORMED, "types nested deeper than %d", MAX_DEPTH);
    weld_ctype *t = alloc(r, 1, sizeof *t);
    if (!t) return nomem(r);
    uint8_t b;
    TRY(byte(r, &b, "a type definition"));
    t->kind = b;
    if (is_prim(b)) {
        t->kind = WELD_CT_PRIM;
        t->u.prim = b;
    } else {
        switch (b) {
        case WELD_CT_RECORD:
            TRY(fields(r, &t->u.record.count, &t->u.record.fields, "record field"));
            break;
        case WELD_CT_VARIANT: {
            uint32_t n;
            TRY(count(r, &n, 3, "variant case"));
            weld_ccase *cs = alloc(r, n, sizeof *cs);
            if (!cs) return nomem(r);
            for (uint32_t i = 0; i < n; i++) {
                TRY(name(r, &cs[i].name, "variant case"));
                TRY(opt_valtype(r, &cs[i].has_type, &cs[i].type, "a case type"));
                const uint8_t *q = r->p;
                uint8_t e;
                TRY(byte(r, &e, "0x00 after a variant case"));
                if (e == 0x01) {
                    cs[i].has_refines = true;
                    TRY(u32(r, &cs[i].refines, "a case index"));
                } else if (e != 0x00) {
                    return fail_at(r, q, WELD_ERR_MALFORMED,
                                   "bad byte 0x%02x after variant case (expected 0x00)", e);
                }
            }
            t->u.variant.count = n;
            t->u.variant.cases = cs;
            break;
        }
        case WELD_CT_LIST: TRY(valtype(r, &t->u.list.elem)); break;
        case WELD_CT_FIXED_LIST:
            TRY(valtype(r, &t->u.list.elem));
            TRY(u32(r, &t->u.list.len, "a list length"));
            break;
        case WELD_CT_TUPLE: {
            uint32_t n;
            TRY(count(r, &n, 1, "tuple element"));
            weld_cvaltype *ts = alloc(r, n, sizeof *ts);
            if (!ts) return nomem(r);
            for (uint32_t i = 0; i < n; i++) TRY(valtype(r, &ts[i]));
            t->u.tuple.count = n;
            t->u.tuple.types = ts;
            break;
        }
        case WELD_CT_FLAGS: TRY(labels(r, t, "flag")); break;
        case WELD_CT_ENUM: TRY(labels(r, t, "enum case")); break;
        case WELD_CT_OPTION: TRY(valtype(r, &t->u.option)); break;
        case WELD_CT_RESULT:
            TRY(opt_valtype(r, &t->u.result.has_ok, &t->u.result.ok, "a result type"));
            TRY(opt_valtype(r, &t->u.result.has_err, &t->u.result.err, "an error type"));
            break;
        case WELD_CT_OWN:
        case WELD_CT_BORROW: TRY(u32(r, &t->u.handle, "a resource type index")); break;
        case WELD_CT_STREAM:
        case WELD_CT_FUTURE:
            TRY(opt_valtype(r, &t->u.async_value.has_elem, &t->u.async_value.elem,
                            "an element type"));
            break;
        case WELD_CT_MAP:
            TRY(valtype(r, &t->u.map.key));
            TRY(valtype(r, &t->u.map.value));
            break;
        case WELD_CT_FUNC:
        case WELD_CT_FUNC_ASYNC: {
            TRY(fields(r, &t->u.func.nparams, &t->u.func.params, "parameter"));
            const uint8_t *q = r->p;
            uint8_t k;
            TRY(byte(r, &k, "a result list"));
            if (k == 0x00) {
                t->u.func.has_result = true;
                TRY(valtype(r, &t->u.func.result));
            } else if (k == 0x01) {
                q = r->p;
                TRY(byte(r, &k, "0x00 (no results)"));
                if (k != 0)
                    return fail_at(r, q, WELD_ERR_UNSUPPORTED,
                                   "named function results (%u) are not supported", k);
            } else {
                return fail_at(r, q, WELD_ERR_MALFORMED,
                               "bad result list 0x%02x (expected 0x00 or 0x01)", k);
            }
            break;
        }
        case WELD_CT_COMPONENT: TRY(decls(r, t, true)); break;
        case WELD_CT_INSTANCE: TRY(decls(r, t, false)); break;
        case WELD_CT_RESOURCE: {
            TRY(core_valtype(r, &t->u.resource.rep));
            const uint8_t *q = r->p;
            uint8_t k;
            TRY(byte(r, &k, "a destructor presence byte"));
            if (k > 1)
                return fail_at(r, q, WELD_ERR_MALFORMED,
                               "bad destructor presence byte 0x%02x (expected 0x00 or 0x01)", k);
            t->u.resource.has_dtor = k;
            if (k) TRY(u32(r, &t->u.resource.dtor, "a destructor function index"));
            break;
        }
        default:
            return fail_at(r, at, WELD_ERR_MALFORMED, "unknown type definition 0x%02x", b);
        }
    }
    r->type_depth--;
    *out = t;
    return WELD_OK;
}

/* ---- canonical definitions ---------------------------------------------------------------- */

static weld_status canon(reader *r, weld_canon *c)
{
    const uint8_t *at = r->p;
    TRY(byte(r, &c->op, "a canonical definition"));
    const weld_canon_info *info = weld_canon_info_of(c->op);
    if (!info)
        return fail_at(r, at, WELD_ERR_MALFORMED, "unknown canonical definition 0x%02x", c->op);
    for (const char *k = info->imm; *k; k++) {
        const uint8_t *q = r->p;
        uint8_t b;
        switch (*k) {
        case 'S':
            TRY(byte(r, &b, "0x00 (func sort)"));
            if (b != 0)
                return fail_at(r, q, WELD_ERR_MALFORMED, "bad sort 0x%02x in canon %s "
                                                         "(expected 0x00, func)", b, info->name);
            break;
        case 'a':
        case 'b':
            TRY(u32(r, *k == 'a' ? &c->a : &c->b, "an index"));
            break;
        case 'f':
            TRY(byte(r, &c->flag, "a flag byte"));
            if (c->flag > 1)
                return fail_at(r, q, WELD_ERR_MALFORMED,
                               "bad flag 0x%02x in canon %s (expected 0x00 or 0x01)", c->flag,
                               info->name);
            break;
        case 'v': TRY(core_valtype(r, &c->core_type)); break;
        case 'r':
            TRY(byte(r, &b, "a result list"));
            if (b == 0x00) {
                c->has_result = true;
                TRY(valtype(r, &c->result));
            } else if (b == 0x01) {
                q = r->p;
                TRY(byte(r, &b, "0x00 (no results)"));
                if (b != 0)
                    return fail_at(r, q, WELD_ERR_UNSUPPORTED,
                                   "named results in task.return are not supported");
            } else {
                return fail_at(r, q, WELD_ERR_MALFORMED,
                               "bad result list 0x%02x (expected 0x00 or 0x01)", b);
            }
            break;
        case 'o': {
            uint32_t n;
            TRY(count(r, &n, 1, "canonical option"));
            weld_canonopt *o = alloc(r, n, sizeof *o);
            if (!o) return nomem(r);
            for (uint32_t i = 0; i < n; i++) {
                q = r->p;
                TRY(byte(r, &o[i].kind, "a canonical option"));
                switch (o[i].kind) {
                case 0x00: case 0x01: case 0x02: case 0x06: break;
                case 0x03: case 0x04: case 0x05: case 0x07:
                    TRY(u32(r, &o[i].index, "an option index"));
                    break;
                default:
                    return fail_at(r, q, WELD_ERR_MALFORMED, "unknown canonical option 0x%02x",
                                   o[i].kind);
                }
            }
            c->nopts = n;
            c->opts = o;
            break;
        }
        }
    }
    return WELD_OK;
}

/* ---- sections -------------------------------------------------------------------------- */

static weld_status read_component_at(reader *parent, const uint8_t *data, size_t len,
                                     uint64_t base, uint32_t depth, weld_component **out);

/* Allocate `n` items of `size` for a vector section whose count was just read. */
#define VEC(r, T, n, min)                                                                     \
    T *items;                                                                                 \
    TRY(count((r), &(n), (min), "item"));                                                     \
    items = alloc((r), (n), sizeof(T));                                                       \
    offs = alloc((r), (n), sizeof(uint64_t));                                                 \
    if (!items || !offs) return nomem(r);

static weld_status section_items(reader *r, weld_csection *s)
{
    uint32_t n = 0;
    uint64_t *offs = NULL; /* each item's offset */
    switch (s->id) {
    case WELD_CSEC_CORE_INSTANCE: {
        VEC(r, weld_core_instance, n, 2);
        for (r->item = 0; r->item < n; r->item++) {
            offs[r->item] = here(r, r->p);
            weld_core_instance *it = &items[r->item];
            const uint8_t *at = r->p;
            TRY(byte(r, &it->kind, "a core instance"));
            if (it->kind == 0x00) TRY(u32(r, &it->module, "a module index"));
            else if (it->kind != 0x01)
                return fail_at(r, at, WELD_ERR_MALFORMED,
                               "unknown core instance kind 0x%02x (expected 0x00 instantiate or "
                               "0x01 exports)", it->kind);
            TRY(count(r, &it->count, 3, it->kind ? "export" : "argument"));
            weld_core_arg *args = alloc(r, it->count, sizeof *args);
            if (!args) return nomem(r);
            for (uint32_t i = 0; i < it->count; i++) {
                TRY(name(r, &args[i].name, it->kind ? "export name" : "argument name"));
                TRY(core_sort(r, &args[i].sort));
                TRY(u32(r, &args[i].index, "an index"));
            }
            it->items = args;
        }
        s->u.core_instances = items;
        break;
    }
    case WELD_CSEC_CORE_TYPE: {
        VEC(r, const weld_core_type *, n, 1);
        for (r->item = 0; r->item < n; r->item++) {
            offs[r->item] = here(r, r->p);
            TRY(core_type(r, &items[r->item]));
        }
        s->u.core_types = items;
        break;
    }
    case WELD_CSEC_INSTANCE: {
        VEC(r, weld_instance, n, 2);
        for (r->item = 0; r->item < n; r->item++) {
            offs[r->item] = here(r, r->p);
            weld_instance *it = &items[r->item];
            const uint8_t *at = r->p;
            TRY(byte(r, &it->kind, "an instance"));
            if (it->kind == 0x00) TRY(u32(r, &it->component, "a component index"));
            else if (it->kind != 0x01)
                return fail_at(r, at, WELD_ERR_MALFORMED,
                               "unknown instance kind 0x%02x (expected 0x00 instantiate or "
                               "0x01 exports)", it->kind);
            TRY(count(r, &it->count, 3, it->kind ? "export" : "argument"));
            weld_inst_arg *args = alloc(r, it->count, sizeof *args);
            if (!args) return nomem(r);
            for (uint32_t i = 0; i < it->count; i++) {
                if (it->kind == 0x00) TRY(name(r, &args[i].name.name, "argument name"));
                else TRY(cname(r, &args[i].name));
                TRY(sortidx(r, &args[i].item));
            }
            it->items = args;
        }
        s->u.instances = items;
        break;
    }
    case WELD_CSEC_ALIAS: {
        VEC(r, weld_alias, n, 3);
        for (r->item = 0; r->item < n; r->item++) {
            offs[r->item] = here(r, r->p);
            TRY(alias(r, &items[r->item]));
        }
        s->u.aliases = items;
        break;
    }
    case WELD_CSEC_TYPE: {
        VEC(r, const weld_ctype *, n, 1);
        for (r->item = 0; r->item < n; r->item++) {
            offs[r->item] = here(r, r->p);
            TRY(ctype(r, &items[r->item]));
        }
        s->u.types = items;
        break;
    }
    case WELD_CSEC_CANON: {
        VEC(r, weld_canon, n, 1);
        for (r->item = 0; r->item < n; r->item++) {
            offs[r->item] = here(r, r->p);
            TRY(canon(r, &items[r->item]));
        }
        s->u.canons = items;
        break;
    }
    case WELD_CSEC_START: {
        weld_cstart *st = alloc(r, 1, sizeof *st);
        offs = alloc(r, 1, sizeof *offs);
        if (!st || !offs) return nomem(r);
        offs[0] = here(r, r->p);
        TRY(u32(r, &st->func, "a function index"));
        TRY(count(r, &st->nargs, 1, "argument"));
        uint32_t *args = alloc(r, st->nargs, sizeof *args);
        if (!args) return nomem(r);
        for (uint32_t i = 0; i < st->nargs; i++) TRY(u32(r, &args[i], "a value index"));
        st->args = args;
        TRY(u32(r, &st->nresults, "a result count"));
        s->u.start = st;
        n = 1;
        break;
    }
    case WELD_CSEC_IMPORT: {
        VEC(r, weld_cimport, n, 4);
        for (r->item = 0; r->item < n; r->item++) {
            offs[r->item] = here(r, r->p);
            TRY(cname(r, &items[r->item].name));
            TRY(cextern(r, &items[r->item].type));
        }
        s->u.imports = items;
        break;
    }
    case WELD_CSEC_EXPORT: {
        VEC(r, weld_cexport, n, 5);
        for (r->item = 0; r->item < n; r->item++) {
            offs[r->item] = here(r, r->p);
            weld_cexport *e = &items[r->item];
            TRY(cname(r, &e->name));
            TRY(sortidx(r, &e->item));
            const uint8_t *at = r->p;
            uint8_t b;
            TRY(byte(r, &b, "an export type presence byte"));
            if (b > 1)
                return fail_at(r, at, WELD_ERR_MALFORMED,
                               "bad export type presence byte 0x%02x (expected 0x00 or 0x01)", b);
            e->has_type = b;
            if (b) TRY(cextern(r, &e->type));
        }
        s->u.exports = items;
        break;
    }
    case WELD_CSEC_VALUE: {
        VEC(r, weld_cvalue, n, 2);
        for (r->item = 0; r->item < n; r->item++) {
            offs[r->item] = here(r, r->p);
            weld_cvalue *v = &items[r->item];
            TRY(valtype(r, &v->type));
            uint32_t len;
            const uint8_t *at = r->p;
            TRY(u32(r, &len, "a value length"));
            if (len > (size_t)(r->end - r->p))
                return fail_at(r, at, WELD_ERR_MALFORMED,
                               "value of %u bytes runs past the end of the section", len);
            v->bytes = r->p;
            v->len = len;
            r->p += len;
        }
        s->u.values = items;
        break;
    }
    }
    s->count = n;
    s->item_offsets = offs;
    return WELD_OK;
}

static weld_status read_section(reader *r, weld_csection *s)
{
    r->item = UINT32_MAX;
    switch (s->id) {
    case WELD_CSEC_CUSTOM: {
        weld_custom *c = alloc(r, 1, sizeof *c);
        if (!c) return nomem(r);
        c->offset = (uint32_t)s->offset;
        TRY(name(r, &c->name, "custom section name"));
        c->data = r->p;
        c->len = (uint32_t)(r->end - r->p);
        r->p = r->end;
        s->u.custom = c;
        s->count = 1;
        return WELD_OK;
    }
    case WELD_CSEC_CORE_MODULE: {
        weld_nested_module *m = alloc(r, 1, sizeof *m);
        if (!m) return nomem(r);
        m->data = r->p;
        m->len = (uint32_t)(r->end - r->p);
        m->offset = here(r, r->p);
        if (!weld_is_core_module(m->data, m->len))
            return FAIL(r, "nested core module does not start with the core module preamble "
                           "(\\0asm 01 00 00 00)");
        if (!r->opts->skip_modules) {
            weld_read_opts mo = {.skip_bodies = r->opts->skip_bodies, .base_offset = m->offset};
            TRY(weld_module_read(r->arena, m->data, m->len, &mo, &m->module, r->diag));
        }
        r->p = r->end;
        s->u.module = m;
        s->count = 1;
        return WELD_OK;
    }
    case WELD_CSEC_COMPONENT: {
        weld_component *c;
        TRY(read_component_at(r, r->p, (size_t)(r->end - r->p), here(r, r->p), r->depth + 1,
                              &c));
        r->p = r->end;
        s->u.component = c;
        s->count = 1;
        return WELD_OK;
    }
    default:
        return section_items(r, s);
    }
}

bool weld_is_component(const uint8_t *data, size_t len)
{
    static const uint8_t pre[8] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
    return len >= 8 && memcmp(data, pre, 8) == 0;
}

static weld_status read_component_at(reader *parent, const uint8_t *data, size_t len,
                                     uint64_t base, uint32_t depth, weld_component **out)
{
    reader r = {
        .p = data, .end = data + len, .start = data, .base = base, .arena = parent->arena,
        .diag = parent->diag, .opts = parent->opts, .item = UINT32_MAX, .depth = depth,
    };
    if (depth > MAX_DEPTH) return FAIL(&r, "components nested deeper than %d", MAX_DEPTH);
    if (len < 8 || memcmp(data, "\0asm", 4) != 0)
        return FAIL(&r, "not a WebAssembly binary (expected the magic bytes \\0asm)");
    if (!weld_is_component(data, len))
        return FAIL(&r, "unsupported preamble %02x %02x %02x %02x (expected version 0x0d, layer "
                        "0x01: a component)", data[4], data[5], data[6], data[7]);
    r.p += 8;

    /* count sections first so the section array is allocated once */
    uint32_t nsec = 0;
    for (const uint8_t *q = r.p; q < r.end;) {
        q++;
        uint32_t size;
        if (!weld_leb_u32(&q, r.end, &size) || size > (size_t)(r.end - q)) break;
        q += size;
        nsec++;
    }
    weld_csection *secs = alloc(&r, nsec + 1, sizeof *secs);
    weld_component *c = alloc(&r, 1, sizeof *c);
    if (!secs || !c) return nomem(&r);

    uint32_t i = 0;
    while (r.p < r.end) {
        const uint8_t *at = r.p;
        uint8_t id = *r.p++;
        r.what = NULL;
        if (id > WELD_CSEC_VALUE)
            return fail_at(&r, at, WELD_ERR_MALFORMED,
                           "unknown section id %u (expected 0..12)", id);
        uint32_t size;
        const uint8_t *sz = r.p;
        if (!weld_leb_u32(&r.p, r.end, &size))
            return fail_at(&r, sz, WELD_ERR_MALFORMED,
                           "%s section: malformed or truncated section size",
                           weld_csection_name(id));
        if (size > (size_t)(r.end - r.p))
            return fail_at(&r, sz, WELD_ERR_MALFORMED,
                           "%s section: size %u runs past the end of the input (%zu bytes left)",
                           weld_csection_name(id), size, (size_t)(r.end - r.p));
        if (i >= nsec) return nomem(&r); /* cannot happen: counted above */
        weld_csection *s = &secs[i++];
        s->id = id;
        s->offset = here(&r, at);
        s->size = size;
        const uint8_t *end = r.end;
        r.end = r.p + size;
        r.what = weld_csection_name(id);
        TRY(read_section(&r, s));
        r.item = UINT32_MAX;
        if (r.p != r.end)
            return FAIL(&r, "%u unread bytes at the end of the section",
                        (unsigned)(r.end - r.p));
        r.end = end;
    }
    c->arena = r.arena;
    c->nsections = i;
    c->sections = secs;
    c->input = data;
    c->input_len = len;
    c->base_offset = base;
    c->depth = depth;
    *out = c;
    return WELD_OK;
}

weld_status weld_component_read(weld_arena *arena, const uint8_t *data, size_t len,
                                const weld_component_read_opts *opts, weld_component **out,
                                weld_diag *d)
{
    static const weld_component_read_opts defaults;
    if (!arena || !data || !out)
        return weld_diag_set(d, WELD_ERR_USAGE, WELD_NO_OFFSET,
                             "weld_component_read: arena, data and out are required");
    reader r = {.arena = arena, .diag = d, .opts = opts ? opts : &defaults};
    return read_component_at(&r, data, len, r.opts->base_offset, 0, out);
}
