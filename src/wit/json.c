/* json.c - a resolve as JSON in wit-parser's layout: arrays `worlds`, `interfaces`,
 * `types`, `packages`, items referring to each other by index, primitive types by name. */
#include "wit/resolve_int.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static json_t *tref(weld_wit_tref t)
{
    if (WELD_WIT_IS_ID(t)) return json_integer(WELD_WIT_ID(t));
    const char *n = weld_wit_prim_name(t);
    return n ? json_string(n) : json_null();
}

static void put_docs(json_t *o, const char *docs)
{
    if (docs) json_object_set_new(o, "docs", json_pack("{s:s}", "contents", docs));
}

static void put_stability(json_t *o, const weld_wit_stability *s)
{
    if (s->kind == WELD_WIT_STAB_UNKNOWN) return;
    json_t *inner = json_object();
    if (s->kind == WELD_WIT_STAB_STABLE) json_object_set_new(inner, "since", json_string(s->since));
    else json_object_set_new(inner, "feature", json_string(s->feature));
    if (s->deprecated) json_object_set_new(inner, "deprecated", json_string(s->deprecated));
    json_object_set_new(o, "stability", json_pack("{s:o}", s->kind == WELD_WIT_STAB_STABLE ? "stable" : "unstable", inner));
}

static json_t *func_json(const weld_wit_func *f)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(f->name));
    static const char *const kinds[] = {"freestanding", "method", "static", "constructor"};
    if (f->kind == WELD_WIT_FUNC_FREESTANDING) {
        json_object_set_new(o, "kind", json_string(f->is_async ? "async-freestanding" : "freestanding"));
    } else {
        char k[32];
        snprintf(k, sizeof k, "%s%s", f->is_async ? "async-" : "", kinds[f->kind]);
        json_object_set_new(o, "kind", json_pack("{s:I}", k, (json_int_t)f->resource));
    }
    json_t *ps = json_array();
    for (uint32_t i = 0; i < f->nparams; i++)
        json_array_append_new(ps, json_pack("{s:s,s:o}", "name", f->params[i].name, "type", tref(f->params[i].type)));
    json_object_set_new(o, "params", ps);
    if (f->result) json_object_set_new(o, "result", tref(f->result));
    put_docs(o, f->docs);
    put_stability(o, &f->stability);
    return o;
}

static json_t *fields_json(const weld_wit_typedef *t, const char *key, int mode)
{
    json_t *a = json_array();
    for (uint32_t i = 0; i < t->nfields; i++) {
        const weld_wit_field *f = &t->fields[i];
        if (mode == 3) {
            json_array_append_new(a, tref(f->type));
            continue;
        }
        json_t *o = json_pack("{s:s}", "name", f->name);
        if (mode == 0) json_object_set_new(o, "type", tref(f->type));
        if (mode == 1) json_object_set_new(o, "type", f->type ? tref(f->type) : json_null());
        put_docs(o, f->docs);
        json_array_append_new(a, o);
    }
    return json_pack("{s:o}", key, a);
}

static json_t *kind_json(const weld_wit_typedef *t)
{
    switch (t->kind) {
    case WELD_WIT_RECORD: return json_pack("{s:o}", "record", fields_json(t, "fields", 0));
    case WELD_WIT_RESOURCE: return json_string("resource");
    case WELD_WIT_OWN: return json_pack("{s:{s:o}}", "handle", "own", tref(t->a));
    case WELD_WIT_BORROW: return json_pack("{s:{s:o}}", "handle", "borrow", tref(t->a));
    case WELD_WIT_FLAGS: return json_pack("{s:o}", "flags", fields_json(t, "flags", 2));
    case WELD_WIT_TUPLE: return json_pack("{s:o}", "tuple", fields_json(t, "types", 3));
    case WELD_WIT_VARIANT: return json_pack("{s:o}", "variant", fields_json(t, "cases", 1));
    case WELD_WIT_ENUM: return json_pack("{s:o}", "enum", fields_json(t, "cases", 2));
    case WELD_WIT_OPTION: return json_pack("{s:o}", "option", tref(t->a));
    case WELD_WIT_RESULT:
        return json_pack("{s:{s:o,s:o}}", "result", "ok", t->a ? tref(t->a) : json_null(), "err",
                         t->b ? tref(t->b) : json_null());
    case WELD_WIT_LIST: return json_pack("{s:o}", "list", tref(t->a));
    case WELD_WIT_FIXED_LIST: return json_pack("{s:[o,I]}", "fixed-length-list", tref(t->a), (json_int_t)t->n);
    case WELD_WIT_MAP: return json_pack("{s:[o,o]}", "map", tref(t->a), tref(t->b));
    case WELD_WIT_FUTURE: return json_pack("{s:o}", "future", t->a ? tref(t->a) : json_null());
    case WELD_WIT_STREAM: return json_pack("{s:o}", "stream", t->a ? tref(t->a) : json_null());
    case WELD_WIT_ALIAS: return json_pack("{s:o}", "type", tref(t->a));
    case WELD_WIT_UNKNOWN: return json_string("unknown");
    }
    return json_null();
}

static json_t *items_json(const weld_wit_world_item *v, uint32_t n)
{
    json_t *o = json_object();
    for (uint32_t i = 0; i < n; i++) {
        const weld_wit_world_item *it = &v[i];
        char key[32];
        const char *k = it->name;
        if (!k) {
            snprintf(key, sizeof key, "interface-%u", it->id);
            k = key;
        }
        json_t *val;
        if (it->kind == WELD_WIT_ITEM_INTERFACE) {
            json_t *in = json_pack("{s:I}", "id", (json_int_t)it->id);
            put_stability(in, &it->stability);
            put_docs(in, it->docs);
            val = json_pack("{s:o}", "interface", in);
        } else if (it->kind == WELD_WIT_ITEM_FUNC) {
            val = json_pack("{s:o}", "function", func_json(&it->func));
        } else {
            val = json_pack("{s:I}", "type", (json_int_t)it->id);
        }
        json_object_set_new(o, k, val);
    }
    return o;
}

weld_status weld_wit_to_json(const weld_wit_resolve *r, char **out, size_t *out_len, weld_diag *d)
{
    json_t *root = json_object();
    json_t *worlds = json_array(), *ifaces = json_array(), *types = json_array(), *pkgs = json_array();
    for (uint32_t i = 0; i < r->nworlds; i++) {
        const weld_wit_world *w = &r->worlds[i];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(w->name));
        json_object_set_new(o, "imports", items_json(w->imports, w->nimports));
        json_object_set_new(o, "exports", items_json(w->exports, w->nexports));
        json_object_set_new(o, "package", json_integer(w->package));
        put_docs(o, w->docs);
        put_stability(o, &w->stability);
        json_array_append_new(worlds, o);
    }
    for (uint32_t i = 0; i < r->ninterfaces; i++) {
        const weld_wit_interface *in = &r->interfaces[i];
        json_t *o = json_object();
        json_object_set_new(o, "name", in->name ? json_string(in->name) : json_null());
        json_t *ts = json_object(), *fs = json_object();
        for (uint32_t k = 0; k < in->ntypes; k++) json_object_set_new(ts, in->types[k].name, json_integer(in->types[k].id));
        for (uint32_t k = 0; k < in->nfuncs; k++) json_object_set_new(fs, in->funcs[k].name, func_json(&in->funcs[k]));
        json_object_set_new(o, "types", ts);
        json_object_set_new(o, "functions", fs);
        put_docs(o, in->docs);
        put_stability(o, &in->stability);
        json_object_set_new(o, "package", json_integer(in->package));
        json_array_append_new(ifaces, o);
    }
    for (uint32_t i = 0; i < r->ntypes; i++) {
        const weld_wit_typedef *t = &r->types[i];
        json_t *o = json_object();
        json_object_set_new(o, "name", t->name ? json_string(t->name) : json_null());
        json_object_set_new(o, "kind", kind_json(t));
        json_object_set_new(o, "owner", t->owner_kind == WELD_WIT_OWNER_NONE ? json_null()
                                        : json_pack("{s:I}", t->owner_kind == WELD_WIT_OWNER_INTERFACE ? "interface" : "world",
                                                    (json_int_t)t->owner));
        put_docs(o, t->docs);
        put_stability(o, &t->stability);
        json_array_append_new(types, o);
    }
    for (uint32_t i = 0; i < r->npackages; i++) {
        const weld_wit_package *p = &r->packages[i];
        char id[300];
        weld_wit_package_id(p, id, sizeof id);
        json_t *o = json_pack("{s:s}", "name", id);
        put_docs(o, p->docs);
        json_t *is = json_object(), *ws = json_object();
        for (uint32_t k = 0; k < p->ninterfaces; k++) json_object_set_new(is, p->interfaces[k].name, json_integer(p->interfaces[k].id));
        for (uint32_t k = 0; k < p->nworlds; k++) json_object_set_new(ws, p->worlds[k].name, json_integer(p->worlds[k].id));
        json_object_set_new(o, "interfaces", is);
        json_object_set_new(o, "worlds", ws);
        json_array_append_new(pkgs, o);
    }
    json_object_set_new(root, "worlds", worlds);
    json_object_set_new(root, "interfaces", ifaces);
    json_object_set_new(root, "types", types);
    json_object_set_new(root, "packages", pkgs);
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!s) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while writing JSON");
    size_t n = strlen(s);
    char *res = malloc(n + 2);
    if (!res) {
        free(s);
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while writing JSON");
    }
    memcpy(res, s, n);
    res[n] = '\n';
    res[n + 1] = 0;
    free(s);
    *out = res;
    if (out_len) *out_len = n + 1;
    return WELD_OK;
}

