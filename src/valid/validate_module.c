/* validate_module.c - the module-level rules: index spaces, limits, global initialisers,
 * exports, the start function, element and data segments, declared function references;
 * then the function bodies (validate_func.c). Also the validator's lifetime. */
#include "valid.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

bool valid_reserve(void **p, size_t *cap, size_t n, size_t sz)
{
    if (n <= *cap) return true;
    size_t c = *cap ? *cap : 16;
    while (c < n) {
        if (c > SIZE_MAX / 2 / sz) return false;
        c *= 2;
    }
    void *q = realloc(*p, c * sz);
    if (!q) return false;
    *p = q;
    *cap = c;
    return true;
}


static uint8_t sig_letter(char c)
{
    switch (c) {
    case 'i': return WELD_I32;
    case 'l': return WELD_I64;
    case 'f': return WELD_F32;
    case 'd': return WELD_F64;
    case 'v': return WELD_V128;
    default: return 0;
    }
}

/* Parse "pops:pushes" of every opcode; anything unexpected makes the opcode special. */
static void parse_sigs(valid_sig *sigs)
{
    for (unsigned op = 0; op < WELD_OP_COUNT; op++) {
        valid_sig *s = &sigs[op];
        const char *p = weld_opinfos[op].sig;
        memset(s, 0, sizeof *s);
        if (!p || *p == '*') {
            s->kind = SIG_SPECIAL;
            continue;
        }
        for (; *p && *p != ':'; p++) {
            if (s->npop == sizeof s->pop || !sig_letter(*p)) goto bad;
            s->pop[s->npop++] = sig_letter(*p);
        }
        if (*p != ':') goto bad;
        for (p++; *p; p++) {
            if (s->npush == sizeof s->push || !sig_letter(*p)) goto bad;
            s->push[s->npush++] = sig_letter(*p);
        }
        switch ((weld_imm_kind)weld_opinfos[op].imm) {
        case WELD_IMM_NONE: case WELD_IMM_I32: case WELD_IMM_I64: case WELD_IMM_F32:
        case WELD_IMM_F64: case WELD_IMM_V128: case WELD_IMM_FENCE:
            break;
        default:
            s->kind = SIG_CHECK;
        }
        continue;
    bad:
        memset(s, 0, sizeof *s);
        s->kind = SIG_SPECIAL;
    }
}

weld_validator *weld_validator_new(void)
{
    weld_validator *v = calloc(1, sizeof *v);
    if (!v) return NULL;
    parse_sigs(v->sigs);
    weld_validator_set_features(v, WELD_VALID_ALL);
    return v;
}

void weld_validator_set_features(weld_validator *v, unsigned features)
{
    v->multi_memory = features & WELD_VALID_MULTI_MEMORY;
    v->extended_const = features & WELD_VALID_EXTENDED_CONST;
    v->exceptions = features & WELD_VALID_EXCEPTIONS;
}

void weld_validator_free(weld_validator *v)
{
    if (!v) return;
    free(v->func_types);
    free(v->tables);
    free(v->mems);
    free(v->mem64);
    free(v->globals);
    free(v->tag_types);
    free(v->refs);
    free(v->vals);
    free(v->ctrls);
    free(v->locals);
    free(v);
}

/* ---- helpers ------------------------------------------------------------------------ */

/* Offset of the first section with this id (for items the reader keeps no offset of). */
static uint64_t sec_off(const weld_module *m, uint8_t id)
{
    for (uint32_t i = 0; i < m->nsections; i++)
        if (m->sections[i].id == id) return m->base_offset + m->sections[i].offset;
    return WELD_NO_OFFSET;
}

static weld_status check_limits(const weld_limits *l, bool memory, uint64_t off, const char *what, weld_diag *d)
{
    bool has_max = l->flags & WELD_LIMITS_HAS_MAX;
    if (has_max && l->min > l->max)
        return weld_diag_set(d, WELD_ERR_INVALID, off,
                             "%s: size minimum must not be greater than maximum (%" PRIu64 " > %" PRIu64 ")",
                             what, l->min, l->max);
    if (memory) {
        bool m64 = l->flags & WELD_LIMITS_64;
        uint64_t cap = m64 ? (UINT64_C(1) << 48) : 65536;
        if (l->min > cap || (has_max && l->max > cap))
            return weld_diag_set(d, WELD_ERR_INVALID, off,
                                 m64 ? "%s: memory size must be at most 2^48 pages"
                                     : "%s: memory size must be at most 65536 pages (4GiB)",
                                 what);
        if ((l->flags & WELD_LIMITS_SHARED) && !has_max)
            return weld_diag_set(d, WELD_ERR_INVALID, off, "%s: shared memory must have maximum",
                                 what);
    } else if ((l->flags & WELD_LIMITS_SHARED)) {
        return weld_diag_set(d, WELD_ERR_INVALID, off, "%s: tables cannot be shared", what);
    } else if (!(l->flags & WELD_LIMITS_64) && (l->min > UINT32_MAX || l->max > UINT32_MAX)) {
        return weld_diag_set(d, WELD_ERR_INVALID, off, "%s: table size must be at most 2^32-1", what);
    }
    return WELD_OK;
}

static weld_status check_valtype(weld_valtype t, uint64_t off, const char *what, weld_diag *d)
{
    if (valid_is_valtype(t)) return WELD_OK;
    return weld_diag_set(d, WELD_ERR_INVALID, off, "%s: unsupported value type 0x%02x", what, t);
}

/* Mark every ref.func in a constant expression as a declared reference. */
static void scan_refs(weld_validator *v, const weld_expr *e)
{
    weld_insn_reader r;
    weld_insn_reader_init(&r, e->code, e->len, e->offset);
    r.mem64 = v->mem64;
    r.nmems = v->nmems;
    weld_insn in;
    while (!weld_insn_reader_done(&r) && weld_insn_read(&r, &in, NULL) == WELD_OK)
        if (in.op == WELD_OP_REF_FUNC && in.u.index < v->nfuncs) v->refs[in.u.index] = 1;
}

/* ---- index spaces ------------------------------------------------------------------- */

/* A tag's type: a function type with no results (exception handling). */
static weld_status check_tagtype(const weld_validator *v, const weld_module *m, uint32_t type,
                                 uint64_t off, const char *what, weld_diag *d)
{
    if (!v->exceptions)
        return weld_diag_set(d, WELD_ERR_UNSUPPORTED, off,
                             "%s: tags: exception handling is not enabled", what);
    if (type >= m->ntypes)
        return weld_diag_set(d, WELD_ERR_INVALID, off, "%s: unknown type %" PRIu32, what, type);
    if (m->types[type].nresults)
        return weld_diag_set(d, WELD_ERR_INVALID, off, "%s: non-empty tag result type", what);
    return WELD_OK;
}

static weld_status build_spaces(weld_validator *v, const weld_module *m, weld_diag *d)
{
    uint64_t nf = (uint64_t)m->nimported_funcs + m->nfuncs;
    uint64_t nt = (uint64_t)m->nimported_tables + m->ntables;
    uint64_t nm = (uint64_t)m->nimported_memories + m->nmemories;
    uint64_t ng = (uint64_t)m->nimported_globals + m->nglobals;
    uint64_t nx = (uint64_t)m->nimported_tags + m->ntags;
    if (nf > UINT32_MAX || nt > UINT32_MAX || nm > UINT32_MAX || ng > UINT32_MAX || nx > UINT32_MAX)
        return weld_diag_set(d, WELD_ERR_INVALID, WELD_NO_OFFSET, "too many items in an index space");
    if (!valid_reserve((void **)&v->func_types, &v->cap_funcs, nf + 1, sizeof *v->func_types) ||
        !valid_reserve((void **)&v->refs, &v->cap_refs, nf + 1, 1) ||
        !valid_reserve((void **)&v->tables, &v->cap_tables, nt + 1, sizeof *v->tables) ||
        !valid_reserve((void **)&v->mems, &v->cap_mems, nm + 1, sizeof *v->mems) ||
        !valid_reserve((void **)&v->mem64, &v->cap_mem64, nm + 1, sizeof *v->mem64) ||
        !valid_reserve((void **)&v->globals, &v->cap_globals, ng + 1, sizeof *v->globals) ||
        !valid_reserve((void **)&v->tag_types, &v->cap_tags, nx + 1, sizeof *v->tag_types))
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    memset(v->refs, 0, (size_t)nf);
    v->nfuncs = v->ntables = v->nmems = v->nglobals = v->ntags = 0;
    uint64_t off = sec_off(m, WELD_SEC_IMPORT);
    char what[64];
    weld_status st;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const weld_externtype *t = &m->imports[i].type;
        snprintf(what, sizeof what, "import %" PRIu32, i);
        switch (t->kind) {
        case WELD_EXTERN_FUNC:
            if (t->u.func >= m->ntypes)
                return weld_diag_set(d, WELD_ERR_INVALID, off, "%s: unknown type %" PRIu32, what, t->u.func);
            v->func_types[v->nfuncs++] = t->u.func;
            break;
        case WELD_EXTERN_TABLE:
            if ((st = check_valtype(t->u.table.elem, off, what, d))) return st;
            if (!valid_is_ref(t->u.table.elem))
                return weld_diag_set(d, WELD_ERR_INVALID, off, "%s: table of a non-reference type", what);
            if ((st = check_limits(&t->u.table.limits, false, off, what, d))) return st;
            v->tables[v->ntables++] = t->u.table;
            break;
        case WELD_EXTERN_MEMORY:
            if ((st = check_limits(&t->u.memory, true, off, what, d))) return st;
            v->mem64[v->nmems] = t->u.memory.flags & WELD_LIMITS_64;
            v->mems[v->nmems++] = t->u.memory;
            break;
        case WELD_EXTERN_GLOBAL:
            if ((st = check_valtype(t->u.global.type, off, what, d))) return st;
            v->globals[v->nglobals++] = t->u.global;
            break;
        default:
            if ((st = check_tagtype(v, m, t->u.tag, off, what, d))) return st;
            v->tag_types[v->ntags++] = t->u.tag;
            break;
        }
    }
    off = sec_off(m, WELD_SEC_TAG);
    for (uint32_t i = 0; i < m->ntags; i++) {
        snprintf(what, sizeof what, "tag %" PRIu32, v->ntags);
        if ((st = check_tagtype(v, m, m->tags[i], off, what, d))) return st;
        v->tag_types[v->ntags++] = m->tags[i];
    }
    off = sec_off(m, WELD_SEC_FUNCTION);
    for (uint32_t i = 0; i < m->nfuncs; i++) {
        if (m->func_types[i] >= m->ntypes)
            return weld_diag_set(d, WELD_ERR_INVALID, off, "function %" PRIu32 ": unknown type %" PRIu32,
                                 v->nfuncs, m->func_types[i]);
        v->func_types[v->nfuncs++] = m->func_types[i];
    }
    off = sec_off(m, WELD_SEC_TABLE);
    for (uint32_t i = 0; i < m->ntables; i++) {
        snprintf(what, sizeof what, "table %" PRIu32, v->ntables);
        if ((st = check_valtype(m->tables[i].elem, off, what, d))) return st;
        if (!valid_is_ref(m->tables[i].elem))
            return weld_diag_set(d, WELD_ERR_INVALID, off, "%s: table of a non-reference type", what);
        if ((st = check_limits(&m->tables[i].limits, false, off, what, d))) return st;
        v->tables[v->ntables++] = m->tables[i];
    }
    off = sec_off(m, WELD_SEC_MEMORY);
    for (uint32_t i = 0; i < m->nmemories; i++) {
        snprintf(what, sizeof what, "memory %" PRIu32, v->nmems);
        if ((st = check_limits(&m->memories[i], true, off, what, d))) return st;
        v->mem64[v->nmems] = m->memories[i].flags & WELD_LIMITS_64;
        v->mems[v->nmems++] = m->memories[i];
    }
    if (v->nmems > 1 && !v->multi_memory)
        return weld_diag_set(d, WELD_ERR_INVALID, off, "multiple memories (%" PRIu32 ") are not enabled",
                             v->nmems);
    for (uint32_t i = 0; i < m->nglobals; i++) v->globals[v->nglobals + i] = m->globals[i].type;
    /* nglobals stays at the imported count until the initialisers are checked */
    return WELD_OK;
}

/* ---- exports ------------------------------------------------------------------------ */

static uint32_t hash_name(const weld_str *s)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < s->len; i++) h = (h ^ (uint8_t)s->ptr[i]) * 16777619u;
    return h;
}

static weld_status check_exports(weld_validator *v, const weld_module *m, weld_diag *d)
{
    uint64_t off = sec_off(m, WELD_SEC_EXPORT);
    if (m->nexports == 0) return WELD_OK;
    size_t cap = 16;
    while (cap < (size_t)m->nexports * 2) cap *= 2;
    uint32_t *slots = calloc(cap, sizeof *slots); /* export index + 1, 0 = empty */
    if (!slots) return weld_diag_set(d, WELD_ERR_NOMEM, off, "out of memory");
    weld_status st = WELD_OK;
    for (uint32_t i = 0; i < m->nexports && !st; i++) {
        const weld_export *e = &m->exports[i];
        uint32_t limit = 0;
        const char *kind = "function";
        switch (e->kind) {
        case WELD_EXTERN_FUNC: limit = v->nfuncs; break;
        case WELD_EXTERN_TABLE: limit = v->ntables; kind = "table"; break;
        case WELD_EXTERN_MEMORY: limit = v->nmems; kind = "memory"; break;
        case WELD_EXTERN_GLOBAL: limit = v->nglobals; kind = "global"; break;
        default: limit = v->ntags; kind = "tag"; break;
        }
        if (e->index >= limit) {
            st = weld_diag_set(d, WELD_ERR_INVALID, off, "export %" PRIu32 " \"%s\": unknown %s %" PRIu32,
                               i, e->name.ptr, kind, e->index);
            break;
        }
        if (e->kind == WELD_EXTERN_FUNC) v->refs[e->index] = 1;
        for (size_t h = hash_name(&e->name) & (cap - 1);; h = (h + 1) & (cap - 1)) {
            if (!slots[h]) {
                slots[h] = i + 1;
                break;
            }
            const weld_str *o = &m->exports[slots[h] - 1].name;
            if (o->len == e->name.len && memcmp(o->ptr, e->name.ptr, o->len) == 0) {
                st = weld_diag_set(d, WELD_ERR_INVALID, off, "export %" PRIu32 ": duplicate export name \"%s\"",
                                   i, e->name.ptr);
                break;
            }
        }
    }
    free(slots);
    return st;
}

/* ---- segments ----------------------------------------------------------------------- */

static weld_status check_elems(weld_validator *v, const weld_module *m, weld_diag *d)
{
    uint64_t off = sec_off(m, WELD_SEC_ELEMENT);
    char what[64];
    weld_status st;
    for (uint32_t i = 0; i < m->nelems; i++) {
        const weld_elem *e = &m->elems[i];
        if (!valid_is_ref(e->type))
            return weld_diag_set(d, WELD_ERR_INVALID, off, "elem %" PRIu32 ": unsupported element type 0x%02x",
                                 i, e->type);
        if (e->mode == WELD_SEG_ACTIVE) {
            if (e->table >= v->ntables)
                return weld_diag_set(d, WELD_ERR_INVALID, e->offset.offset, "elem %" PRIu32 ": unknown table %" PRIu32,
                                     i, e->table);
            const weld_tabletype *t = &v->tables[e->table];
            if (t->elem != e->type)
                return weld_diag_set(d, WELD_ERR_INVALID, e->offset.offset,
                                     "elem %" PRIu32 ": type mismatch: %s segment for table %" PRIu32 " of %s",
                                     i, weld_valtype_name(e->type), e->table, weld_valtype_name(t->elem));
            snprintf(what, sizeof what, "elem %" PRIu32 " offset", i);
            if ((st = valid_const_expr(v, &e->offset, valid_addr_type(&t->limits), v->nconst_globals, what, d)))
                return st;
        }
        for (uint32_t k = 0; k < e->count; k++) {
            if (e->uses_exprs) {
                snprintf(what, sizeof what, "elem %" PRIu32 " item %" PRIu32, i, k);
                if ((st = valid_const_expr(v, &e->exprs[k], e->type, v->nconst_globals, what, d))) return st;
            } else if (e->funcs[k] >= v->nfuncs) {
                return weld_diag_set(d, WELD_ERR_INVALID, off, "elem %" PRIu32 " item %" PRIu32 ": unknown function %" PRIu32,
                                     i, k, e->funcs[k]);
            }
        }
    }
    return WELD_OK;
}

static weld_status check_datas(weld_validator *v, const weld_module *m, weld_diag *d)
{
    char what[64];
    weld_status st;
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const weld_data *e = &m->datas[i];
        if (e->mode != WELD_SEG_ACTIVE) continue;
        if (e->memory >= v->nmems)
            return weld_diag_set(d, WELD_ERR_INVALID, e->offset.offset, "data %" PRIu32 ": unknown memory %" PRIu32,
                                 i, e->memory);
        snprintf(what, sizeof what, "data %" PRIu32 " offset", i);
        if ((st = valid_const_expr(v, &e->offset, valid_addr_type(&v->mems[e->memory]), v->nconst_globals,
                                   what, d)))
            return st;
    }
    return WELD_OK;
}

/* ---- the module --------------------------------------------------------------------- */

weld_status weld_validator_run(weld_validator *v, const weld_module *m,
                               const weld_valid_hooks *hooks, weld_diag *d)
{
    weld_status st;
    char what[64];
    v->m = m;
    if (m->ncode != m->nfuncs)
        return weld_diag_set(d, WELD_ERR_MALFORMED, sec_off(m, WELD_SEC_CODE),
                             "function and code section have inconsistent lengths (%" PRIu32 ", %" PRIu32 ")",
                             m->nfuncs, m->ncode);
    if (m->has_datacount && m->datacount != m->ndatas)
        return weld_diag_set(d, WELD_ERR_MALFORMED, sec_off(m, WELD_SEC_DATACOUNT),
                             "data count and data section have inconsistent lengths (%" PRIu32 ", %" PRIu32 ")",
                             m->datacount, m->ndatas);
    for (uint32_t i = 0; i < m->ntypes; i++) {
        const weld_functype *t = &m->types[i];
        snprintf(what, sizeof what, "type %" PRIu32, i);
        for (uint32_t k = 0; k < t->nparams; k++)
            if ((st = check_valtype(t->params[k], sec_off(m, WELD_SEC_TYPE), what, d))) return st;
        for (uint32_t k = 0; k < t->nresults; k++)
            if ((st = check_valtype(t->results[k], sec_off(m, WELD_SEC_TYPE), what, d))) return st;
    }
    if ((st = build_spaces(v, m, d))) return st;

    /* declared references: everything outside function bodies */
    for (uint32_t i = 0; i < m->nglobals; i++) scan_refs(v, &m->globals[i].init);
    for (uint32_t i = 0; i < m->nelems; i++) {
        const weld_elem *e = &m->elems[i];
        if (e->mode == WELD_SEG_ACTIVE) scan_refs(v, &e->offset);
        for (uint32_t k = 0; k < e->count; k++) {
            if (e->uses_exprs) scan_refs(v, &e->exprs[k]);
            else if (e->funcs[k] < v->nfuncs) v->refs[e->funcs[k]] = 1;
        }
    }
    for (uint32_t i = 0; i < m->ndatas; i++)
        if (m->datas[i].mode == WELD_SEG_ACTIVE) scan_refs(v, &m->datas[i].offset);

    /* constant expressions read only imported globals (the rule of Wasm 2.0 and of the
     * extended-const and multi-memory proposals) */
    uint32_t nimported = v->nglobals;
    for (uint32_t i = 0; i < m->nglobals; i++) {
        snprintf(what, sizeof what, "global %" PRIu32, nimported + i);
        if ((st = check_valtype(m->globals[i].type.type, m->globals[i].init.offset, what, d))) return st;
        if ((st = valid_const_expr(v, &m->globals[i].init, m->globals[i].type.type, nimported,
                                   what, d)))
            return st;
    }
    v->nglobals = nimported + m->nglobals;
    v->nconst_globals = nimported;

    if ((st = check_exports(v, m, d))) return st;
    if (m->has_start) {
        uint64_t off = sec_off(m, WELD_SEC_START);
        if (m->start >= v->nfuncs)
            return weld_diag_set(d, WELD_ERR_INVALID, off, "start function: unknown function %" PRIu32, m->start);
        const weld_functype *t = &m->types[v->func_types[m->start]];
        if (t->nparams || t->nresults)
            return weld_diag_set(d, WELD_ERR_INVALID, off,
                                 "start function %" PRIu32 " must take no parameters and return nothing",
                                 m->start);
    }
    if ((st = check_elems(v, m, d))) return st;
    if ((st = check_datas(v, m, d))) return st;
    return valid_functions(v, hooks, d);
}

weld_status weld_validate_module(const weld_module *m, weld_diag *d)
{
    weld_validator *v = weld_validator_new();
    if (!v) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    weld_status st = weld_validator_run(v, m, NULL, d);
    weld_validator_free(v);
    return st;
}
