/* value.c - weld_cval helpers: free, deep copy, string constructors, packed lists. */
#include "canon/canon.h"
#include <stdlib.h>
#include <string.h>

/* The type of strings made by weld_cval_string (immutable). */
static const weld_tnode string_type = {.kind = WELD_TK_PRIM, .u.prim = WELD_CV_STRING};


uint32_t weld_cval_list_packed(const weld_tnode *elem)
{
    elem = weld_tnode_strip(elem);
    if (!elem || elem->kind != WELD_TK_PRIM) return 0;
    switch (elem->u.prim) {
    case WELD_CV_S8:
    case WELD_CV_U8: return 1;
    case WELD_CV_S16:
    case WELD_CV_U16: return 2;
    case WELD_CV_S32:
    case WELD_CV_U32:
    case WELD_CV_F32: return 4;
    case WELD_CV_S64:
    case WELD_CV_U64:
    case WELD_CV_F64: return 8;
    default: return 0;
    }
}

/* What a value of type t keeps in its union. */
enum shape { SH_SCALAR, SH_STRING, SH_PACKED, SH_ITEMS, SH_VAR };

static enum shape shape_of(const weld_tnode *t)
{
    t = weld_tnode_strip(t);
    if (!t) return SH_SCALAR;
    switch (t->kind) {
    case WELD_TK_PRIM: return t->u.prim == WELD_CV_STRING ? SH_STRING : SH_SCALAR;
    case WELD_TK_LIST:
    case WELD_TK_FIXED_LIST: return weld_cval_list_packed(t->u.list.elem) ? SH_PACKED : SH_ITEMS;
    case WELD_TK_RECORD:
    case WELD_TK_TUPLE:
    case WELD_TK_MAP: return SH_ITEMS;
    case WELD_TK_VARIANT:
    case WELD_TK_OPTION:
    case WELD_TK_RESULT: return SH_VAR;
    default: return SH_SCALAR;
    }
}

void weld_cval_free(weld_cval *v)
{
    if (!v) return;
    switch (shape_of(v->type)) {
    case SH_STRING: free(v->u.str.ptr); break;
    case SH_PACKED:
        free(v->u.list.bytes);
        if (v->u.list.items) { /* not produced by the runtime, but harmless */
            for (uint32_t i = 0; i < v->u.list.count; i++) weld_cval_free(&v->u.list.items[i]);
            free(v->u.list.items);
        }
        break;
    case SH_ITEMS:
        if (v->u.list.items) {
            for (uint32_t i = 0; i < v->u.list.count; i++) weld_cval_free(&v->u.list.items[i]);
            free(v->u.list.items);
        }
        free(v->u.list.bytes);
        break;
    case SH_VAR:
        if (v->u.var.payload) {
            weld_cval_free(v->u.var.payload);
            free(v->u.var.payload);
        }
        break;
    case SH_SCALAR: break;
    }
    memset(v, 0, sizeof *v);
}

/* Free by the type of the position: the `type` fields of v and its children are not read
 * (host-built trees leave them NULL). */
static void free_as(weld_cval *v, const weld_tnode *t0)
{
    const weld_tnode *t = weld_tnode_strip(t0);
    if (!t) return;
    switch (t->kind) {
    case WELD_TK_PRIM:
        if (t->u.prim == WELD_CV_STRING) free(v->u.str.ptr);
        break;
    case WELD_TK_RECORD:
    case WELD_TK_TUPLE: {
        uint32_t n = t->kind == WELD_TK_RECORD ? t->u.record.count : t->u.tuple.count;
        if (v->u.list.items) {
            for (uint32_t i = 0; i < n && i < v->u.list.count; i++)
                free_as(&v->u.list.items[i],
                        t->kind == WELD_TK_RECORD ? t->u.record.fields[i].type : t->u.tuple.types[i]);
            free(v->u.list.items);
        }
        break;
    }
    case WELD_TK_LIST:
    case WELD_TK_FIXED_LIST:
        free(v->u.list.bytes);
        if (v->u.list.items) {
            for (uint32_t i = 0; i < v->u.list.count; i++) free_as(&v->u.list.items[i], t->u.list.elem);
            free(v->u.list.items);
        }
        break;
    case WELD_TK_VARIANT:
    case WELD_TK_OPTION:
    case WELD_TK_RESULT: {
        if (!v->u.var.payload) break;
        uint32_t tag = v->u.var.tag;
        const weld_tnode *ct = NULL;
        if (t->kind == WELD_TK_VARIANT)
            ct = tag < t->u.variant.count ? t->u.variant.cases[tag].type : NULL;
        else if (t->kind == WELD_TK_OPTION)
            ct = tag == 1 ? t->u.option : NULL;
        else
            ct = tag == 0 ? t->u.result.ok : tag == 1 ? t->u.result.err : NULL;
        if (ct) free_as(v->u.var.payload, ct);
        free(v->u.var.payload);
        break;
    }
    default: break;
    }
    memset(v, 0, sizeof *v);
}

void canon_cval_free_as(weld_cval *v, const weld_tnode *t)
{
    if (v) free_as(v, t ? t : v->type);
}

weld_status weld_cval_copy(weld_cval *dst, const weld_cval *src)
{
    weld_cval tmp = *src;
    switch (shape_of(src->type)) {
    case SH_STRING:
        tmp.u.str.ptr = malloc((size_t)src->u.str.len + 1);
        if (!tmp.u.str.ptr) return WELD_ERR_NOMEM;
        if (src->u.str.len) memcpy(tmp.u.str.ptr, src->u.str.ptr, src->u.str.len);
        tmp.u.str.ptr[src->u.str.len] = 0;
        break;
    case SH_PACKED:
    case SH_ITEMS: {
        tmp.u.list.items = NULL;
        tmp.u.list.bytes = NULL;
        const weld_tnode *t = weld_tnode_strip(src->type);
        uint32_t esz = (t->kind == WELD_TK_LIST || t->kind == WELD_TK_FIXED_LIST)
                           ? weld_cval_list_packed(t->u.list.elem)
                           : 0;
        if (src->u.list.bytes && esz) {
            size_t n = (size_t)src->u.list.count * esz;
            tmp.u.list.bytes = malloc(n ? n : 1);
            if (!tmp.u.list.bytes) return WELD_ERR_NOMEM;
            if (n) memcpy(tmp.u.list.bytes, src->u.list.bytes, n);
        }
        if (src->u.list.items && src->u.list.count) {
            tmp.u.list.items = calloc(src->u.list.count, sizeof *tmp.u.list.items);
            if (!tmp.u.list.items) {
                free(tmp.u.list.bytes);
                return WELD_ERR_NOMEM;
            }
            for (uint32_t i = 0; i < src->u.list.count; i++) {
                if (weld_cval_copy(&tmp.u.list.items[i], &src->u.list.items[i])) {
                    tmp.u.list.count = i;
                    weld_cval_free(&tmp);
                    return WELD_ERR_NOMEM;
                }
            }
        }
        break;
    }
    case SH_VAR:
        if (src->u.var.payload) {
            tmp.u.var.payload = calloc(1, sizeof *tmp.u.var.payload);
            if (!tmp.u.var.payload) return WELD_ERR_NOMEM;
            if (weld_cval_copy(tmp.u.var.payload, src->u.var.payload)) {
                free(tmp.u.var.payload);
                return WELD_ERR_NOMEM;
            }
        }
        break;
    case SH_SCALAR: break;
    }
    *dst = tmp;
    return WELD_OK;
}

weld_cval weld_cval_string_n(const char *s, size_t len)
{
    weld_cval v;
    memset(&v, 0, sizeof v);
    v.type = &string_type;
    if (len > UINT32_MAX - 1) return v;
    v.u.str.ptr = malloc(len + 1);
    if (!v.u.str.ptr) return v;
    if (len) memcpy(v.u.str.ptr, s, len);
    v.u.str.ptr[len] = 0;
    v.u.str.len = (uint32_t)len;
    return v;
}

weld_cval weld_cval_string(const char *s) { return weld_cval_string_n(s, s ? strlen(s) : 0); }
