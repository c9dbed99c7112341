/* read_core.c - the core module reader: bytes -> weld_module.
 *
 * Everything the binary format makes *malformed* is rejected here, with the byte offset,
 * the section and the item; rules that make a well-formed module *invalid* are left to the
 * validator. Byte slices in the tree point into the caller's buffer. */
#include "binary.h"
#include "weld/insn.h"
#include <stdio.h>

/* The reading context: a cursor over the input plus where we are, for messages. */
typedef struct rd {
    const uint8_t *start; /* the module's first byte */
    const uint8_t *p;     /* cursor */
    const uint8_t *end;   /* end of the current section (or of the input) */
    uint64_t base;        /* file offset of start */
    weld_arena *arena;
    weld_diag *d;
    const weld_read_opts *opts;
    const char *section;  /* "type section", ... or NULL in the preamble */
    const char *item;     /* "function", "import", ... or NULL */
    uint32_t index;       /* the item's index within the section */
    bool memory64;        /* some memory is 64-bit (constant expressions' memargs) */
    bool uses_data;       /* memory.init or data.drop occurred in code */
    uint32_t data_use_func;   /* the first function that uses them, and its body offset */
    const uint8_t *data_use_at;
    weld_module *m;
} rd;

static uint64_t off_of(const rd *r, const uint8_t *at)
{
    return r->base + (uint64_t)(at - r->start);
}

/* Report a malformed input at `at`, prefixed with the section and item. */
static weld_status fail(rd *r, const uint8_t *at, const char *fmt, ...) WELD_PRINTF(3, 4);
static weld_status fail(rd *r, const uint8_t *at, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->section && r->item)
        return weld_diag_set(r->d, WELD_ERR_MALFORMED, off_of(r, at), "%s, %s %u: %s",
                             r->section, r->item, r->index, msg);
    if (r->section)
        return weld_diag_set(r->d, WELD_ERR_MALFORMED, off_of(r, at), "%s: %s", r->section, msg);
    return weld_diag_set(r->d, WELD_ERR_MALFORMED, off_of(r, at), "%s", msg);
}

/* Prefix an error that a lower layer (the instruction decoder) already put in d. */
static weld_status prefix_diag(rd *r, weld_status st)
{
    if (!r->d || !r->section) return st;
    char msg[640];
    size_t n = strnlen(r->d->message, sizeof msg - 1);
    memcpy(msg, r->d->message, n);
    msg[n] = 0;
    if (r->item)
        snprintf(r->d->message, sizeof r->d->message, "%.60s, %.40s %u: %s", r->section,
                 r->item, r->index, msg);
    else
        snprintf(r->d->message, sizeof r->d->message, "%.60s: %s", r->section, msg);
    return st;
}

static weld_status nomem(rd *r)
{
    return weld_diag_set(r->d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
}

static weld_status leb_fail(rd *r, const uint8_t *at, const char *what)
{
    const uint8_t *q = at;
    while (q < r->end && (*q & 0x80)) q++;
    if (q >= r->end) return fail(r, at, "%s: unexpected end of section", what);
    if (q - at >= 5) return fail(r, at, "%s: integer representation too long", what);
    return fail(r, at, "%s: integer too large", what);
}

static weld_status get_u32(rd *r, uint32_t *v, const char *what)
{
    const uint8_t *at = r->p;
    if (WELD_LIKELY(weld_leb_u32(&r->p, r->end, v))) return WELD_OK;
    return leb_fail(r, at, what);
}

static weld_status get_u64(rd *r, uint64_t *v, const char *what)
{
    const uint8_t *at = r->p;
    if (weld_leb_u64(&r->p, r->end, v)) return WELD_OK;
    return leb_fail(r, at, what);
}

static weld_status get_byte(rd *r, uint8_t *v, const char *what)
{
    if (r->p >= r->end) return fail(r, r->p, "%s: unexpected end of section", what);
    *v = *r->p++;
    return WELD_OK;
}

/* A vector count: each item takes at least `min_size` bytes, so a count larger than the
 * bytes left is truncated input (and never drives a huge allocation). */
static weld_status get_count(rd *r, uint32_t *n, size_t min_size, const char *what)
{
    weld_status st = get_u32(r, n, what);
    if (st) return st;
    if ((uint64_t)*n * min_size > (uint64_t)(r->end - r->p))
        return fail(r, r->p, "%s: %u items: unexpected end of section", what, *n);
    return WELD_OK;
}

static void *alloc_array(rd *r, uint32_t n, size_t size)
{
    return weld_arena_alloc(r->arena, (size_t)n * size + 1);
}

static weld_status get_name(rd *r, weld_str *s, const char *what)
{
    uint32_t n;
    const uint8_t *at = r->p;
    weld_status st = get_u32(r, &n, what);
    if (st) return st;
    if (n > (size_t)(r->end - r->p)) return fail(r, at, "%s: unexpected end of section", what);
    if (!weld_utf8_valid(r->p, n)) return fail(r, r->p, "%s: malformed UTF-8 encoding", what);
    s->ptr = weld_arena_strndup(r->arena, (const char *)r->p, n);
    if (!s->ptr) return nomem(r);
    s->len = n;
    r->p += n;
    return WELD_OK;
}

static bool is_valtype(uint8_t b)
{
    return (b >= 0x7B && b <= 0x7F) || b == 0x70 || b == 0x6F || b == 0x69;
}

static bool is_reftype(uint8_t b)
{
    return b == 0x70 || b == 0x6F || b == 0x69;
}

/* For a value type byte weld does not read: the proposal it belongs to, or "". */
static const char *unsupported_type_note(uint8_t b)
{
    if (b == 0x63 || b == 0x64)
        return " (a typed reference of the function-references proposal: not supported)";
    if ((b >= 0x6A && b <= 0x6E) || (b >= 0x71 && b <= 0x73))
        return " (a reference type of the gc proposal: not supported)";
    return "";
}

static weld_status get_valtype(rd *r, weld_valtype *t, const char *what)
{
    const uint8_t *at = r->p;
    weld_status st = get_byte(r, t, what);
    if (st) return st;
    if (!is_valtype(*t))
        return fail(r, at, "%s: malformed value type 0x%02x%s", what, *t, unsupported_type_note(*t));
    return WELD_OK;
}

static weld_status get_reftype(rd *r, weld_valtype *t, const char *what)
{
    const uint8_t *at = r->p;
    weld_status st = get_byte(r, t, what);
    if (st) return st;
    if (!is_reftype(*t))
        return fail(r, at, "%s: malformed reference type 0x%02x%s", what, *t, unsupported_type_note(*t));
    return WELD_OK;
}

static weld_status get_limits(rd *r, weld_limits *l, bool memory)
{
    const uint8_t *at = r->p;
    weld_status st = get_byte(r, &l->flags, "limits");
    if (st) return st;
    if (l->flags > (memory ? 7 : 5) || (!memory && (l->flags & WELD_LIMITS_SHARED)))
        return fail(r, at, "malformed limits flags 0x%02x", l->flags);
    if (l->flags & WELD_LIMITS_64) {
        if ((st = get_u64(r, &l->min, "limits minimum"))) return st;
        if ((l->flags & WELD_LIMITS_HAS_MAX) && (st = get_u64(r, &l->max, "limits maximum")))
            return st;
    } else {
        uint32_t v;
        if ((st = get_u32(r, &v, "limits minimum"))) return st;
        l->min = v;
        if (l->flags & WELD_LIMITS_HAS_MAX) {
            if ((st = get_u32(r, &v, "limits maximum"))) return st;
            l->max = v;
        }
    }
    return WELD_OK;
}

static weld_status get_tabletype(rd *r, weld_tabletype *t)
{
    if (r->p + 1 < r->end && r->p[0] == 0x40 && r->p[1] == 0x00)
        return fail(r, r->p, "table element type: malformed reference type 0x40 (a table with an "
                             "initialiser expression, of the function-references proposal: not supported)");
    weld_status st = get_reftype(r, &t->elem, "table element type");
    if (st) return st;
    return get_limits(r, &t->limits, false);
}

static weld_status get_globaltype(rd *r, weld_globaltype *g)
{
    weld_status st = get_valtype(r, &g->type, "global type");
    if (st) return st;
    const uint8_t *at = r->p;
    uint8_t mut = 0;
    if ((st = get_byte(r, &mut, "global mutability"))) return st;
    if (mut > 1) return fail(r, at, "malformed mutability 0x%02x", mut);
    g->mut = mut;
    return WELD_OK;
}

static weld_status get_tagtype(rd *r, uint32_t *type)
{
    const uint8_t *at = r->p;
    uint8_t attr = 0;
    weld_status st = get_byte(r, &attr, "tag attribute");
    if (st) return st;
    if (attr != 0) return fail(r, at, "malformed tag attribute 0x%02x", attr);
    return get_u32(r, type, "tag type index");
}

/* A constant expression (or any expression) ending at its `end`. */
static weld_status get_expr(rd *r, weld_expr *e)
{
    uint32_t len;
    weld_status st = weld_expr_scan(r->p, (size_t)(r->end - r->p), off_of(r, r->p), r->memory64,
                                    &len, NULL, r->d);
    if (st) return prefix_diag(r, st);
    e->code = r->p;
    e->len = len;
    e->offset = (uint32_t)off_of(r, r->p);
    r->p += len;
    return WELD_OK;
}

/* ---- sections ------------------------------------------------------------------------ */

static weld_status read_types(rd *r)
{
    uint32_t n;
    weld_status st = get_count(r, &n, 3, "type count");
    if (st) return st;
    weld_functype *types = alloc_array(r, n, sizeof *types);
    if (!types) return nomem(r);
    r->item = "type";
    for (uint32_t i = 0; i < n; i++) {
        r->index = i;
        const uint8_t *at = r->p;
        uint8_t form = 0;
        if ((st = get_byte(r, &form, "type form"))) return st;
        if (form != 0x60)
            return fail(r, at, "malformed type form 0x%02x (expected 0x60, func)%s", form,
                        form == 0x4E || form == 0x4F || form == 0x50 || form == 0x5E || form == 0x5F
                            ? "; rec, sub, struct and array types are the gc proposal's: not supported" : "");
        for (int side = 0; side < 2; side++) {
            uint32_t k;
            if ((st = get_count(r, &k, 1, side ? "result count" : "parameter count"))) return st;
            weld_valtype *v = alloc_array(r, k, 1);
            if (!v) return nomem(r);
            for (uint32_t j = 0; j < k; j++)
                if ((st = get_valtype(r, &v[j], side ? "result type" : "parameter type")))
                    return st;
            if (side) types[i].nresults = k, types[i].results = v;
            else types[i].nparams = k, types[i].params = v;
        }
    }
    r->m->ntypes = n;
    r->m->types = types;
    return WELD_OK;
}

/* m->mem64 from the memories so far (imports first): a memarg's offset width is its
 * memory's address width. */
static weld_status set_mem64(rd *r)
{
    weld_module *m = r->m;
    uint32_t n = m->nimported_memories + m->nmemories;
    bool *f = weld_arena_alloc(r->arena, (size_t)n + 1);
    if (!f) return nomem(r);
    for (uint32_t i = 0, k = 0; i < m->nimports; i++)
        if (m->imports[i].type.kind == WELD_EXTERN_MEMORY)
            f[k++] = m->imports[i].type.u.memory.flags & WELD_LIMITS_64;
    for (uint32_t i = 0; i < m->nmemories; i++)
        f[m->nimported_memories + i] = m->memories[i].flags & WELD_LIMITS_64;
    m->mem64 = f;
    return WELD_OK;
}

static weld_status read_imports(rd *r)
{
    uint32_t n;
    weld_status st = get_count(r, &n, 4, "import count");
    if (st) return st;
    weld_import *im = alloc_array(r, n, sizeof *im);
    if (!im) return nomem(r);
    weld_module *m = r->m;
    r->item = "import";
    for (uint32_t i = 0; i < n; i++) {
        r->index = i;
        if ((st = get_name(r, &im[i].module, "module name"))) return st;
        if ((st = get_name(r, &im[i].name, "item name"))) return st;
        const uint8_t *at = r->p;
        uint8_t kind = 0;
        if ((st = get_byte(r, &kind, "import kind"))) return st;
        im[i].type.kind = kind;
        switch (kind) {
        case WELD_EXTERN_FUNC:
            st = get_u32(r, &im[i].type.u.func, "type index");
            m->nimported_funcs++;
            break;
        case WELD_EXTERN_TABLE:
            st = get_tabletype(r, &im[i].type.u.table);
            m->nimported_tables++;
            break;
        case WELD_EXTERN_MEMORY:
            st = get_limits(r, &im[i].type.u.memory, true);
            if (im[i].type.u.memory.flags & WELD_LIMITS_64) r->memory64 = true;
            m->nimported_memories++;
            break;
        case WELD_EXTERN_GLOBAL:
            st = get_globaltype(r, &im[i].type.u.global);
            m->nimported_globals++;
            break;
        case WELD_EXTERN_TAG:
            st = get_tagtype(r, &im[i].type.u.tag);
            m->nimported_tags++;
            break;
        default:
            return fail(r, at, "malformed import kind 0x%02x", kind);
        }
        if (st) return st;
    }
    m->nimports = n;
    m->imports = im;
    return m->nimported_memories ? set_mem64(r) : WELD_OK;
}

/* A vector of u32 indices (function section, tag types use get_tagtype). */
static weld_status read_u32_vec(rd *r, uint32_t *count, const uint32_t **out, const char *what)
{
    uint32_t n;
    weld_status st = get_count(r, &n, 1, what);
    if (st) return st;
    uint32_t *v = alloc_array(r, n, sizeof *v);
    if (!v) return nomem(r);
    for (uint32_t i = 0; i < n; i++) {
        r->index = i;
        if ((st = get_u32(r, &v[i], "index"))) return st;
    }
    *count = n;
    *out = v;
    return WELD_OK;
}

static weld_status read_functions(rd *r)
{
    r->item = "function";
    return read_u32_vec(r, &r->m->nfuncs, &r->m->func_types, "function count");
}

static weld_status read_tables(rd *r)
{
    uint32_t n;
    weld_status st = get_count(r, &n, 3, "table count");
    if (st) return st;
    weld_tabletype *t = alloc_array(r, n, sizeof *t);
    if (!t) return nomem(r);
    r->item = "table";
    for (uint32_t i = 0; i < n; i++) {
        r->index = i;
        if ((st = get_tabletype(r, &t[i]))) return st;
    }
    r->m->ntables = n;
    r->m->tables = t;
    return WELD_OK;
}

static weld_status read_memories(rd *r)
{
    uint32_t n;
    weld_status st = get_count(r, &n, 2, "memory count");
    if (st) return st;
    weld_limits *l = alloc_array(r, n, sizeof *l);
    if (!l) return nomem(r);
    r->item = "memory";
    for (uint32_t i = 0; i < n; i++) {
        r->index = i;
        if ((st = get_limits(r, &l[i], true))) return st;
        if (l[i].flags & WELD_LIMITS_64) r->memory64 = true;
    }
    r->m->nmemories = n;
    r->m->memories = l;
    return set_mem64(r);
}

static weld_status read_tags(rd *r)
{
    uint32_t n;
    weld_status st = get_count(r, &n, 2, "tag count");
    if (st) return st;
    uint32_t *t = alloc_array(r, n, sizeof *t);
    if (!t) return nomem(r);
    r->item = "tag";
    for (uint32_t i = 0; i < n; i++) {
        r->index = i;
        if ((st = get_tagtype(r, &t[i]))) return st;
    }
    r->m->ntags = n;
    r->m->tags = t;
    return WELD_OK;
}

static weld_status read_globals(rd *r)
{
    uint32_t n;
    weld_status st = get_count(r, &n, 3, "global count");
    if (st) return st;
    weld_global *g = alloc_array(r, n, sizeof *g);
    if (!g) return nomem(r);
    r->item = "global";
    for (uint32_t i = 0; i < n; i++) {
        r->index = i;
        if ((st = get_globaltype(r, &g[i].type)) || (st = get_expr(r, &g[i].init))) return st;
    }
    r->m->nglobals = n;
    r->m->globals = g;
    return WELD_OK;
}

static weld_status read_exports(rd *r)
{
    uint32_t n;
    weld_status st = get_count(r, &n, 3, "export count");
    if (st) return st;
    weld_export *e = alloc_array(r, n, sizeof *e);
    if (!e) return nomem(r);
    r->item = "export";
    for (uint32_t i = 0; i < n; i++) {
        r->index = i;
        if ((st = get_name(r, &e[i].name, "export name"))) return st;
        const uint8_t *at = r->p;
        if ((st = get_byte(r, &e[i].kind, "export kind"))) return st;
        if (e[i].kind > WELD_EXTERN_TAG) return fail(r, at, "malformed export kind 0x%02x", e[i].kind);
        if ((st = get_u32(r, &e[i].index, "export index"))) return st;
    }
    r->m->nexports = n;
    r->m->exports = e;
    return WELD_OK;
}

static weld_status read_start(rd *r)
{
    r->m->has_start = true;
    return get_u32(r, &r->m->start, "start function index");
}

static weld_status read_elem(rd *r, weld_elem *e)
{
    const uint8_t *at = r->p;
    weld_status st = get_u32(r, &e->flags, "segment flags");
    if (st) return st;
    if (e->flags > 7) return fail(r, at, "malformed element segment flags %u", e->flags);
    uint32_t f = e->flags;
    e->mode = (f & 1) ? ((f & 2) ? WELD_SEG_DECLARATIVE : WELD_SEG_PASSIVE) : WELD_SEG_ACTIVE;
    e->uses_exprs = (f & 4) != 0;
    e->type = WELD_FUNCREF;
    if (e->mode == WELD_SEG_ACTIVE) {
        if ((f & 2) && (st = get_u32(r, &e->table, "table index"))) return st;
        if ((st = get_expr(r, &e->offset))) return st;
    }
    if (f & 3) { /* an explicit element kind or reference type */
        if (e->uses_exprs) {
            if ((st = get_reftype(r, &e->type, "element type"))) return st;
        } else {
            uint8_t kind = 0;
            at = r->p;
            if ((st = get_byte(r, &kind, "element kind"))) return st;
            if (kind != 0) return fail(r, at, "malformed element kind 0x%02x", kind);
        }
    }
    if ((st = get_count(r, &e->count, 1, "element count"))) return st;
    if (e->uses_exprs) {
        weld_expr *x = alloc_array(r, e->count, sizeof *x);
        if (!x) return nomem(r);
        for (uint32_t i = 0; i < e->count; i++)
            if ((st = get_expr(r, &x[i]))) return st;
        e->exprs = x;
    } else {
        uint32_t *v = alloc_array(r, e->count, sizeof *v);
        if (!v) return nomem(r);
        for (uint32_t i = 0; i < e->count; i++)
            if ((st = get_u32(r, &v[i], "function index"))) return st;
        e->funcs = v;
    }
    return WELD_OK;
}

static weld_status read_elems(rd *r)
{
    uint32_t n;
    weld_status st = get_count(r, &n, 2, "segment count");
    if (st) return st;
    weld_elem *e = alloc_array(r, n, sizeof *e);
    if (!e) return nomem(r);
    r->item = "segment";
    for (uint32_t i = 0; i < n; i++) {
        r->index = i;
        if ((st = read_elem(r, &e[i]))) return st;
    }
    r->m->nelems = n;
    r->m->elems = e;
    return WELD_OK;
}

static weld_status read_datacount(rd *r)
{
    r->m->has_datacount = true;
    return get_u32(r, &r->m->datacount, "data count");
}

static weld_status read_body(rd *r, weld_func_body *f)
{
    const uint8_t *at = r->p;
    uint32_t size;
    weld_status st = get_u32(r, &size, "body size");
    if (st) return st;
    if (size > (size_t)(r->end - r->p)) return fail(r, at, "body size %u: unexpected end of section", size);
    f->offset = (uint32_t)off_of(r, at);
    const uint8_t *sec_end = r->end;
    r->end = r->p + size; /* read the body as its own bounded range */
    uint32_t ngroups;
    if ((st = get_count(r, &ngroups, 2, "local group count"))) return st;
    weld_local_group *g = alloc_array(r, ngroups, sizeof *g);
    if (!g) return nomem(r);
    uint64_t total = 0;
    for (uint32_t i = 0; i < ngroups; i++) {
        const uint8_t *gat = r->p;
        if ((st = get_u32(r, &g[i].count, "local count"))) return st;
        total += g[i].count;
        if (total > UINT32_MAX) return fail(r, gat, "too many locals");
        if ((st = get_valtype(r, &g[i].type, "local type"))) return st;
    }
    f->nlocal_groups = ngroups;
    f->locals = g;
    f->nlocals = total;
    f->code.code = r->p;
    f->code.len = (uint32_t)(r->end - r->p);
    f->code.offset = (uint32_t)off_of(r, r->p);
    if (f->code.len == 0 || r->end[-1] != 0x0B)
        return fail(r, r->end, "function body must end with the end opcode 0x0b");
    if (!r->opts->skip_bodies) {
        uint32_t len;
        bool had_data_use = r->uses_data;
        const weld_module *m = r->m;
        st = weld_expr_scan_mems(r->p, f->code.len, f->code.offset, m->mem64,
                                 m->nimported_memories + m->nmemories, &len, &r->uses_data, r->d);
        if (st) return prefix_diag(r, st);
        if (r->uses_data && !had_data_use) {
            r->data_use_func = r->index;
            r->data_use_at = at;
        }
        if (len != f->code.len)
            return fail(r, r->p + len, "operators remaining after the end of the function");
    }
    r->p = r->end;
    r->end = sec_end;
    return WELD_OK;
}

static weld_status read_code(rd *r)
{
    uint32_t n;
    const uint8_t *at = r->p;
    weld_status st = get_count(r, &n, 2, "body count");
    if (st) return st;
    if (n != r->m->nfuncs)
        return fail(r, at, "function and code section have inconsistent lengths (%u functions, %u bodies)",
                    r->m->nfuncs, n);
    weld_func_body *f = alloc_array(r, n, sizeof *f);
    if (!f) return nomem(r);
    r->item = "function";
    for (uint32_t i = 0; i < n; i++) {
        r->index = r->m->nimported_funcs + i;
        if ((st = read_body(r, &f[i]))) return st;
    }
    r->m->ncode = n;
    r->m->code = f;
    return WELD_OK;
}

static weld_status read_datas(rd *r)
{
    uint32_t n;
    const uint8_t *at = r->p;
    weld_status st = get_count(r, &n, 2, "segment count");
    if (st) return st;
    if (r->m->has_datacount && n != r->m->datacount)
        return fail(r, at, "data count and data section have inconsistent lengths (%u, %u)",
                    r->m->datacount, n);
    weld_data *s = alloc_array(r, n, sizeof *s);
    if (!s) return nomem(r);
    r->item = "segment";
    for (uint32_t i = 0; i < n; i++) {
        r->index = i;
        at = r->p;
        if ((st = get_u32(r, &s[i].flags, "segment flags"))) return st;
        if (s[i].flags > 2) return fail(r, at, "malformed data segment flags %u", s[i].flags);
        s[i].mode = s[i].flags == 1 ? WELD_SEG_PASSIVE : WELD_SEG_ACTIVE;
        if (s[i].flags == 2 && (st = get_u32(r, &s[i].memory, "memory index"))) return st;
        if (s[i].flags != 1 && (st = get_expr(r, &s[i].offset))) return st;
        at = r->p;
        if ((st = get_u32(r, &s[i].len, "data length"))) return st;
        if (s[i].len > (size_t)(r->end - r->p))
            return fail(r, at, "data length %u: unexpected end of section", s[i].len);
        s[i].bytes = r->p;
        r->p += s[i].len;
    }
    r->m->ndatas = n;
    r->m->datas = s;
    return WELD_OK;
}

/* Growable arrays in the arena for sections and custom sections (counts unknown ahead). */
typedef struct grow {
    void *items;
    uint32_t n, cap;
} grow;

static void *grow_push(rd *r, grow *g, size_t size)
{
    if (g->n == g->cap) {
        uint32_t cap = g->cap ? g->cap * 2 : 16;
        void *p = weld_arena_alloc(r->arena, (size_t)cap * size);
        if (!p) return NULL;
        if (g->n) memcpy(p, g->items, (size_t)g->n * size);
        g->items = p;
        g->cap = cap;
    }
    return (char *)g->items + (size_t)g->n++ * size;
}

static weld_status read_custom(rd *r, grow *customs, const uint8_t *id_at)
{
    weld_custom *c = grow_push(r, customs, sizeof *c);
    if (!c) return nomem(r);
    weld_status st = get_name(r, &c->name, "custom section name");
    if (st) return st;
    c->data = r->p;
    c->len = (uint32_t)(r->end - r->p);
    c->offset = (uint32_t)off_of(r, id_at);
    r->p = r->end;
    if (c->name.len == 4 && memcmp(c->name.ptr, "name", 4) == 0 && !r->m->has_names)
        r->m->has_names = weld_names_decode(r->arena, c->data, c->len, &r->m->names);
    return WELD_OK;
}

static const char *const section_names[] = {
    "custom section", "type section", "import section", "function section",
    "table section", "memory section", "global section", "export section",
    "start section", "element section", "code section", "data section",
    "data count section", "tag section",
};

/* The position of each known section id in the required order. */
static int section_rank(uint8_t id)
{
    static const int8_t rank[14] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6};
    return id < 14 ? rank[id] : -1;
}

bool weld_is_core_module(const uint8_t *data, size_t len)
{
    return len >= 8 && memcmp(data, "\0asm\1\0\0\0", 8) == 0;
}

weld_status weld_module_read(weld_arena *arena, const uint8_t *data, size_t len,
                             const weld_read_opts *opts, weld_module **out, weld_diag *d)
{
    static const weld_read_opts defaults = {false, 0};
    if (!opts) opts = &defaults;
    weld_module *m = weld_arena_alloc(arena, sizeof *m);
    if (!m) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    rd r = {data, data, data + len, opts->base_offset, arena, d, opts, NULL, NULL, 0,
            false, false, 0, NULL, m};
    m->arena = arena;
    m->input = data;
    m->input_len = len;
    m->base_offset = opts->base_offset;
    if (len < 4 || memcmp(data, "\0asm", 4) != 0)
        return fail(&r, data, len < 4 ? "unexpected end: no magic header" : "magic header not detected");
    if (len < 8) return fail(&r, data + 4, "unexpected end: no version");
    if (memcmp(data + 4, "\1\0\0\0", 4) != 0) {
        if (data[4] == 0x0d && data[5] == 0 && data[6] == 1 && data[7] == 0)
            return weld_diag_set(d, WELD_ERR_MALFORMED, r.base + 4,
                                 "this is a component (version 0x0d, layer 1), not a core module");
        return fail(&r, data + 4, "unknown binary version 0x%02x%02x%02x%02x", data[7], data[6],
                    data[5], data[4]);
    }
    r.p = data + 8;
    grow sections = {0}, customs = {0};
    int last_rank = 0;
    weld_status st = WELD_OK;
    while (r.p < r.end) {
        const uint8_t *id_at = r.p;
        uint8_t id = *r.p++;
        r.section = NULL;
        r.item = NULL;
        int rank = section_rank(id);
        if (rank < 0) return fail(&r, id_at, "malformed section id %u", id);
        r.section = section_names[id];
        uint32_t size;
        if ((st = get_u32(&r, &size, "section size"))) return st;
        if (size > (size_t)(r.end - r.p))
            return fail(&r, id_at, "section size %u: unexpected end (only %zu bytes left)", size,
                        (size_t)(r.end - r.p));
        if (id != WELD_SEC_CUSTOM) {
            if (rank <= last_rank)
                return fail(&r, id_at, "unexpected content after last section (section id %u out of order or repeated)", id);
            last_rank = rank;
        }
        weld_section_ref *ref = grow_push(&r, &sections, sizeof *ref);
        if (!ref) return nomem(&r);
        ref->id = id;
        ref->offset = (uint32_t)off_of(&r, id_at);
        ref->size = size;
        ref->index = id == WELD_SEC_CUSTOM ? customs.n : 0;
        const uint8_t *input_end = r.end;
        r.end = r.p + size;
        switch (id) {
        case WELD_SEC_CUSTOM: st = read_custom(&r, &customs, id_at); break;
        case WELD_SEC_TYPE: st = read_types(&r); break;
        case WELD_SEC_IMPORT: st = read_imports(&r); break;
        case WELD_SEC_FUNCTION: st = read_functions(&r); break;
        case WELD_SEC_TABLE: st = read_tables(&r); break;
        case WELD_SEC_MEMORY: st = read_memories(&r); break;
        case WELD_SEC_GLOBAL: st = read_globals(&r); break;
        case WELD_SEC_EXPORT: st = read_exports(&r); break;
        case WELD_SEC_START: st = read_start(&r); break;
        case WELD_SEC_ELEMENT: st = read_elems(&r); break;
        case WELD_SEC_CODE: st = read_code(&r); break;
        case WELD_SEC_DATA: st = read_datas(&r); break;
        case WELD_SEC_DATACOUNT: st = read_datacount(&r); break;
        case WELD_SEC_TAG: st = read_tags(&r); break;
        }
        if (st) return st;
        r.item = NULL;
        if (r.p != r.end)
            return fail(&r, r.p, "section size mismatch: %zu bytes left over at the end of the section",
                        (size_t)(r.end - r.p));
        r.end = input_end;
    }
    r.section = NULL;
    r.item = NULL;
    if (m->nfuncs != m->ncode)
        return fail(&r, r.end, "function and code section have inconsistent lengths (%u functions, %u bodies)",
                    m->nfuncs, m->ncode);
    if (m->has_datacount && m->datacount != m->ndatas)
        return fail(&r, r.end, "data count and data section have inconsistent lengths (%u, %u)",
                    m->datacount, m->ndatas);
    if (r.uses_data && !m->has_datacount) {
        r.section = section_names[WELD_SEC_CODE];
        r.item = "function";
        r.index = r.data_use_func;
        return fail(&r, r.data_use_at,
                    "data count section required (memory.init or data.drop is used)");
    }
    m->nsections = sections.n;
    m->sections = sections.items;
    m->ncustoms = customs.n;
    m->customs = customs.items;
    *out = m;
    return WELD_OK;
}
