/* print.c - a resolve back to WIT text, in the canonical layout `wasm-tools component wit`
 * prints: two-space indent, `use` groups before type definitions, a blank line between
 * items, resource functions inside their resource, world imports before exports. */
#include "wit/resolve_int.h"
#include <stdlib.h>

typedef struct printer {
    const weld_wit_resolve *r;
    weld_buf b;
    int indent;
    bool needs_indent;
    bool any_items;
} printer;

static void pad(printer *p)
{
    if (p->needs_indent) {
        for (int i = 0; i < p->indent; i++) weld_buf_append(&p->b, "  ", 2);
        p->needs_indent = false;
    }
}

static void str(printer *p, const char *s)
{
    pad(p);
    weld_buf_puts(&p->b, s);
}

static void newline(printer *p)
{
    weld_buf_byte(&p->b, '\n');
    p->needs_indent = true;
}

static void semi(printer *p)
{
    weld_buf_byte(&p->b, ';');
    newline(p);
}

static void open_brace(printer *p)
{
    weld_buf_append(&p->b, " {", 2);
    p->indent++;
    newline(p);
}

static void close_brace(printer *p)
{
    if (p->indent) p->indent--;
    pad(p);
    weld_buf_byte(&p->b, '}');
    newline(p);
}

static void name(printer *p, const char *n)
{
    pad(p);
    if (wit_is_keyword(n, strlen(n))) weld_buf_byte(&p->b, '%');
    weld_buf_puts(&p->b, n);
}

static void docs(printer *p, const char *d)
{
    if (!d) return;
    const char *s = d;
    for (;;) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        pad(p);
        weld_buf_append(&p->b, "///", 3);
        if (n) {
            weld_buf_byte(&p->b, ' ');
            weld_buf_append(&p->b, s, n);
        }
        newline(p);
        if (!e) break;
        s = e + 1;
    }
}

static void stability(printer *p, const weld_wit_stability *s)
{
    if (s->kind == WELD_WIT_STAB_UNKNOWN) return;
    if (s->kind == WELD_WIT_STAB_STABLE) {
        str(p, "@since(version = ");
        str(p, s->since);
    } else {
        str(p, "@unstable(feature = ");
        str(p, s->feature);
    }
    str(p, ")");
    newline(p);
    if (s->deprecated) {
        str(p, "@deprecated(version = ");
        str(p, s->deprecated);
        str(p, ")");
        newline(p);
    }
}

static void new_item(printer *p)
{
    if (p->any_items) newline(p);
    p->any_items = true;
}

static void type_name(printer *p, weld_wit_tref t);

static void handle(printer *p, const weld_wit_typedef *t, bool force_own)
{
    const weld_wit_typedef *res = &p->r->types[WELD_WIT_ID(t->a)];
    if (t->kind == WELD_WIT_BORROW || force_own) str(p, t->kind == WELD_WIT_BORROW ? "borrow<" : "own<");
    name(p, res->name ? res->name : "?");
    if (t->kind == WELD_WIT_BORROW || force_own) str(p, ">");
}

static void result_type(printer *p, const weld_wit_typedef *t)
{
    str(p, "result");
    if (!t->a && !t->b) return;
    str(p, "<");
    if (t->a) type_name(p, t->a);
    else str(p, "_");
    if (t->b) {
        str(p, ", ");
        type_name(p, t->b);
    }
    str(p, ">");
}

static void anon_kind(printer *p, const weld_wit_typedef *t)
{
    switch (t->kind) {
    case WELD_WIT_OWN:
    case WELD_WIT_BORROW: handle(p, t, false); break;
    case WELD_WIT_TUPLE:
        str(p, "tuple<");
        for (uint32_t i = 0; i < t->nfields; i++) {
            if (i) str(p, ", ");
            type_name(p, t->fields[i].type);
        }
        str(p, ">");
        break;
    case WELD_WIT_OPTION: str(p, "option<"); type_name(p, t->a); str(p, ">"); break;
    case WELD_WIT_RESULT: result_type(p, t); break;
    case WELD_WIT_LIST: str(p, "list<"); type_name(p, t->a); str(p, ">"); break;
    case WELD_WIT_FIXED_LIST:
        str(p, "list<");
        type_name(p, t->a);
        weld_buf_printf(&p->b, ", %u>", t->n);
        break;
    case WELD_WIT_MAP:
        str(p, "map<");
        type_name(p, t->a);
        str(p, ", ");
        type_name(p, t->b);
        str(p, ">");
        break;
    case WELD_WIT_FUTURE:
    case WELD_WIT_STREAM:
        str(p, t->kind == WELD_WIT_FUTURE ? "future" : "stream");
        if (t->a) {
            str(p, "<");
            type_name(p, t->a);
            str(p, ">");
        }
        break;
    case WELD_WIT_ALIAS: type_name(p, t->a); break;
    default: str(p, "?"); break;
    }
}

static void type_name(printer *p, weld_wit_tref t)
{
    if (!WELD_WIT_IS_ID(t)) {
        str(p, weld_wit_prim_name(t) ? weld_wit_prim_name(t) : "?");
        return;
    }
    const weld_wit_typedef *d = &p->r->types[WELD_WIT_ID(t)];
    if (d->name) name(p, d->name);
    else anon_kind(p, d);
}

static void func_sig(printer *p, const weld_wit_func *f)
{
    if (f->is_async) str(p, "async ");
    str(p, f->kind == WELD_WIT_FUNC_CONSTRUCTOR ? "constructor(" : "func(");
    uint32_t skip = f->kind == WELD_WIT_FUNC_METHOD;
    for (uint32_t i = skip; i < f->nparams; i++) {
        if (i > skip) str(p, ", ");
        name(p, f->params[i].name);
        str(p, ": ");
        type_name(p, f->params[i].type);
    }
    str(p, ")");
    if (f->kind == WELD_WIT_FUNC_CONSTRUCTOR && WELD_WIT_IS_ID(f->result)) {
        /* `constructor(...)` alone returns an owned handle of its resource */
        const weld_wit_typedef *t = &p->r->types[WELD_WIT_ID(f->result)];
        if (f->result == WELD_WIT_TREF(f->resource) ||
            (!t->name && t->kind == WELD_WIT_OWN && t->a == WELD_WIT_TREF(f->resource)))
            return;
    }
    if (f->result) {
        str(p, " -> ");
        type_name(p, f->result);
    }
}

/* "[method]r.m" -> "m" */
static const char *item_name(const weld_wit_func *f)
{
    if (f->kind == WELD_WIT_FUNC_FREESTANDING) return f->name;
    const char *dot = strchr(f->name, '.');
    return dot ? dot + 1 : f->name;
}

static void fields_body(printer *p, const weld_wit_typedef *t, int mode)
{
    open_brace(p);
    for (uint32_t i = 0; i < t->nfields; i++) {
        const weld_wit_field *f = &t->fields[i];
        docs(p, f->docs);
        name(p, f->name);
        if (mode == 0) {
            str(p, ": ");
            type_name(p, f->type);
        } else if (mode == 1 && f->type) {
            str(p, "(");
            type_name(p, f->type);
            str(p, ")");
        }
        str(p, ",");
        newline(p);
    }
    close_brace(p);
}

static void declare(printer *p, uint32_t id, const weld_wit_func *const *rfuncs, uint32_t nrf)
{
    const weld_wit_typedef *t = &p->r->types[id];
    switch (t->kind) {
    case WELD_WIT_RESOURCE:
        str(p, "resource ");
        name(p, t->name);
        if (!nrf) {
            semi(p);
            return;
        }
        open_brace(p);
        for (uint32_t i = 0; i < nrf; i++) {
            const weld_wit_func *f = rfuncs[i];
            docs(p, f->docs);
            stability(p, &f->stability);
            if (f->kind != WELD_WIT_FUNC_CONSTRUCTOR) {
                name(p, item_name(f));
                str(p, ": ");
                if (f->kind == WELD_WIT_FUNC_STATIC) str(p, "static ");
            }
            func_sig(p, f);
            semi(p);
        }
        close_brace(p);
        return;
    case WELD_WIT_RECORD: str(p, "record "); name(p, t->name); fields_body(p, t, 0); return;
    case WELD_WIT_VARIANT: str(p, "variant "); name(p, t->name); fields_body(p, t, 1); return;
    case WELD_WIT_ENUM: str(p, "enum "); name(p, t->name); fields_body(p, t, 2); return;
    case WELD_WIT_FLAGS: str(p, "flags "); name(p, t->name); fields_body(p, t, 2); return;
    case WELD_WIT_OWN:
    case WELD_WIT_BORROW:
        str(p, "type ");
        name(p, t->name);
        str(p, " = ");
        handle(p, t, true);
        semi(p);
        return;
    default:
        str(p, "type ");
        name(p, t->name);
        str(p, " = ");
        anon_kind(p, t);
        semi(p);
        return;
    }
}

static void path_to_iface(printer *p, uint32_t iface, uint32_t cur_pkg)
{
    const weld_wit_interface *in = &p->r->interfaces[iface];
    if (in->package == cur_pkg) {
        name(p, in->name ? in->name : "?");
        return;
    }
    const weld_wit_package *k = &p->r->packages[in->package];
    name(p, k->ns);
    str(p, ":");
    name(p, k->name);
    str(p, "/");
    name(p, in->name ? in->name : "?");
    if (k->version) {
        str(p, "@");
        str(p, k->version);
    }
}

static bool same_stab(const weld_wit_stability *a, const weld_wit_stability *b)
{
    if (a->kind != b->kind) return false;
    const char *x[3] = {a->since, a->feature, a->deprecated}, *y[3] = {b->since, b->feature, b->deprecated};
    for (int i = 0; i < 3; i++)
        if ((x[i] == NULL) != (y[i] == NULL) || (x[i] && strcmp(x[i], y[i]) != 0)) return false;
    return true;
}

/* `use` groups for the types that alias another owner's types, then the definitions. */
static void print_types(printer *p, weld_wit_owner_kind ok, uint32_t owner, uint32_t pkg, const uint32_t *ids,
                        const char *const *names, uint32_t n, const weld_wit_func *funcs, uint32_t nfuncs,
                        const weld_wit_func *const *wfuncs, uint32_t nwfuncs)
{
    const weld_wit_resolve *r = p->r;
    uint32_t i = 0;
    /* uses (consecutive aliases of the same interface with equal gates form one group) */
    bool *is_use = calloc(n + 1, 1);
    if (!is_use) {
        p->b.oom = true;
        return;
    }
    for (uint32_t k = 0; k < n; k++) {
        const weld_wit_typedef *t = &r->types[ids[k]];
        if (t->kind == WELD_WIT_ALIAS && WELD_WIT_IS_ID(t->a)) {
            const weld_wit_typedef *o = &r->types[WELD_WIT_ID(t->a)];
            if (o->owner_kind != WELD_WIT_OWNER_NONE && (o->owner_kind != ok || o->owner != owner)) is_use[k] = true;
        }
    }
    bool open = false;
    uint32_t from = 0;
    const weld_wit_stability *gate = NULL;
    for (i = 0; i < n; i++) {
        if (!is_use[i]) continue;
        const weld_wit_typedef *u = &r->types[ids[i]];
        uint32_t o = r->types[WELD_WIT_ID(u->a)].owner;
        if (open && o == from && same_stab(&u->stability, gate)) {
            str(p, ", ");
        } else {
            if (open) {
                str(p, "}");
                semi(p);
            }
            p->any_items = true;
            stability(p, &u->stability);
            str(p, "use ");
            path_to_iface(p, o, pkg);
            str(p, ".{");
            open = true;
            from = o;
            gate = &u->stability;
        }
        const char *other = r->types[WELD_WIT_ID(u->a)].name;
        if (strcmp(other, names[i]) == 0) {
            name(p, names[i]);
        } else {
            name(p, other);
            str(p, " as ");
            name(p, names[i]);
        }
    }
    if (open) {
        str(p, "}");
        semi(p);
    }
    for (uint32_t k = 0; k < n; k++) {
        const weld_wit_typedef *t = &r->types[ids[k]];
        if (t->kind == WELD_WIT_ALIAS && WELD_WIT_IS_ID(t->a)) {
            const weld_wit_typedef *o = &r->types[WELD_WIT_ID(t->a)];
            if (o->owner_kind != WELD_WIT_OWNER_NONE && (o->owner_kind != ok || o->owner != owner)) continue;
        }
        new_item(p);
        docs(p, t->docs);
        stability(p, &t->stability);
        const weld_wit_func *rf[256];
        uint32_t nrf = 0;
        if (t->kind == WELD_WIT_RESOURCE) {
            for (uint32_t q = 0; q < nfuncs && nrf < 256; q++)
                if (funcs[q].kind != WELD_WIT_FUNC_FREESTANDING && funcs[q].resource == ids[k]) rf[nrf++] = &funcs[q];
            for (uint32_t q = 0; q < nwfuncs && nrf < 256; q++)
                if (wfuncs[q]->resource == ids[k]) rf[nrf++] = wfuncs[q];
        }
        declare(p, ids[k], rf, nrf);
    }
    free(is_use);
}

static void print_interface(printer *p, uint32_t id)
{
    const weld_wit_interface *in = &p->r->interfaces[id];
    bool prev = p->any_items;
    p->any_items = false;
    uint32_t n = in->ntypes;
    uint32_t *ids = malloc(sizeof *ids * (n + 1));
    const char **names = malloc(sizeof *names * (n + 1));
    if (!ids || !names) {
        free(ids);
        free(names);
        p->b.oom = true;
        return;
    }
    for (uint32_t i = 0; i < n; i++) ids[i] = in->types[i].id, names[i] = in->types[i].name;
    print_types(p, WELD_WIT_OWNER_INTERFACE, id, in->package, ids, names, n, in->funcs, in->nfuncs, NULL, 0);
    free(ids);
    free(names);
    for (uint32_t i = 0; i < in->nfuncs; i++) {
        const weld_wit_func *f = &in->funcs[i];
        if (f->kind != WELD_WIT_FUNC_FREESTANDING) continue;
        new_item(p);
        docs(p, f->docs);
        stability(p, &f->stability);
        name(p, f->name);
        str(p, ": ");
        func_sig(p, f);
        semi(p);
    }
    p->any_items = prev;
}

static void world_item(printer *p, const weld_wit_world_item *it, uint32_t pkg, const char *kw)
{
    const weld_wit_resolve *r = p->r;
    if (it->kind == WELD_WIT_ITEM_INTERFACE) {
        const char *d = it->docs;
        if (!d && it->name) d = r->interfaces[it->id].docs;
        docs(p, d);
    } else {
        docs(p, it->func.docs);
    }
    stability(p, &it->stability);
    str(p, kw);
    str(p, " ");
    if (it->kind == WELD_WIT_ITEM_FUNC) {
        name(p, it->func.name);
        str(p, ": ");
        func_sig(p, &it->func);
        semi(p);
    } else if (it->name) {
        name(p, it->name);
        str(p, ": ");
        if (!r->interfaces[it->id].name) {
            str(p, "interface");
            open_brace(p);
            print_interface(p, it->id);
            close_brace(p);
        } else {
            path_to_iface(p, it->id, pkg);
            semi(p);
        }
    } else {
        path_to_iface(p, it->id, pkg);
        semi(p);
    }
}

static void print_world(printer *p, uint32_t id)
{
    const weld_wit_world *w = &p->r->worlds[id];
    bool prev = p->any_items;
    p->any_items = false;
    uint32_t n = w->nimports;
    uint32_t *ids = malloc(sizeof *ids * (n + 1));
    const char **names = malloc(sizeof *names * (n + 1));
    const weld_wit_func **rfs = malloc(sizeof *rfs * (n + 1));
    if (!ids || !names || !rfs) {
        free(ids), free(names), free(rfs);
        p->b.oom = true;
        return;
    }
    uint32_t nt = 0, nrf = 0;
    for (uint32_t i = 0; i < n; i++) {
        const weld_wit_world_item *it = &w->imports[i];
        if (it->kind == WELD_WIT_ITEM_TYPE) {
            ids[nt] = it->id;
            names[nt++] = it->name;
        } else if (it->kind == WELD_WIT_ITEM_FUNC) {
            if (it->func.kind != WELD_WIT_FUNC_FREESTANDING) rfs[nrf++] = &it->func;
        } else {
            world_item(p, it, w->package, "import");
            p->any_items = true;
        }
    }
    print_types(p, WELD_WIT_OWNER_WORLD, id, w->package, ids, names, nt, NULL, 0, rfs, nrf);
    for (uint32_t i = 0; i < n; i++) {
        const weld_wit_world_item *it = &w->imports[i];
        if (it->kind == WELD_WIT_ITEM_FUNC && it->func.kind == WELD_WIT_FUNC_FREESTANDING) {
            world_item(p, it, w->package, "import");
            p->any_items = true;
        }
    }
    free(ids), free(names), free(rfs);
    if (w->nexports) new_item(p);
    for (uint32_t i = 0; i < w->nexports; i++) world_item(p, &w->exports[i], w->package, "export");
    p->any_items = prev;
}

static void package_header(printer *p, const weld_wit_package *k)
{
    docs(p, k->docs);
    str(p, "package ");
    name(p, k->ns);
    str(p, ":");
    name(p, k->name);
    if (k->version) {
        str(p, "@");
        str(p, k->version);
    }
}

static void print_package(printer *p, uint32_t pkg, bool is_main, const uint32_t *only_world)
{
    const weld_wit_package *k = &p->r->packages[pkg];
    package_header(p, k);
    if (is_main) {
        semi(p);
        newline(p);
    } else {
        open_brace(p);
    }
    if (!only_world) {
        for (uint32_t i = 0; i < k->ninterfaces; i++) {
            const weld_wit_interface *in = &p->r->interfaces[k->interfaces[i].id];
            docs(p, in->docs);
            stability(p, &in->stability);
            str(p, "interface ");
            name(p, k->interfaces[i].name);
            open_brace(p);
            print_interface(p, k->interfaces[i].id);
            close_brace(p);
            if (is_main) newline(p);
        }
    }
    for (uint32_t i = 0; i < k->nworlds; i++) {
        if (only_world && k->worlds[i].id != *only_world) continue;
        const weld_wit_world *w = &p->r->worlds[k->worlds[i].id];
        docs(p, w->docs);
        stability(p, &w->stability);
        str(p, "world ");
        name(p, k->worlds[i].name);
        open_brace(p);
        print_world(p, k->worlds[i].id);
        close_brace(p);
    }
    if (!is_main) close_brace(p);
}

static weld_status finish(printer *p, char **out, size_t *out_len, weld_diag *d)
{
    weld_buf_byte(&p->b, 0);
    if (p->b.oom) {
        weld_buf_free(&p->b);
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while printing WIT");
    }
    *out = (char *)p->b.data;
    if (out_len) *out_len = p->b.len - 1;
    return WELD_OK;
}

weld_status weld_wit_print(const weld_wit_resolve *r, uint32_t pkg, const uint32_t *nested, uint32_t nnested,
                           char **out, size_t *out_len, weld_diag *d)
{
    printer p = {.r = r};
    weld_buf_init(&p.b);
    if (pkg >= r->npackages) return weld_diag_set(d, WELD_ERR_USAGE, WELD_NO_OFFSET, "no such package");
    print_package(&p, pkg, true, NULL);
    for (uint32_t i = 0; i < nnested; i++) {
        if (i) {
            newline(&p);
            newline(&p);
        }
        print_package(&p, nested[i], false, NULL);
    }
    return finish(&p, out, out_len, d);
}

weld_status weld_wit_print_world(const weld_wit_resolve *r, uint32_t world, char **out, size_t *out_len,
                                 weld_diag *d)
{
    printer p = {.r = r};
    weld_buf_init(&p.b);
    if (world >= r->nworlds) return weld_diag_set(d, WELD_ERR_USAGE, WELD_NO_OFFSET, "no such world");
    print_package(&p, r->worlds[world].package, true, &world);
    return finish(&p, out, out_len, d);
}

const char *weld_wit_prim_name(weld_wit_tref t)
{
    static const char *const names[] = {
        NULL, "bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char", "string",
        "error-context",
    };
    return t < sizeof names / sizeof *names ? names[t] : NULL;
}
