/* resolve.c - turn parsed WIT packages into the index graph of wit.h.
 *
 * A package is resolved in steps: its interfaces and worlds are named and ordered so that
 * an interface comes after the interfaces it `use`s; each interface's `use`s and types are
 * defined (types in dependency order, anonymous types shared), then its functions; then
 * worlds (world.c: their includes merged; elaborate.c: every interface an import or export
 * needs added as an import, which makes a world self-contained). Packages a package uses
 * must be in the resolve already; pkgset.c orders them. */
#include "wit/resolve_int.h"
#include <stdio.h>
#include <stdlib.h>


weld_status wit_nomem(rctx *c)
{
    return weld_diag_set(c->d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while resolving WIT");
}

weld_status wit_err_at(rctx *c, uint32_t at, uint32_t span, const char *fmt, ...) WELD_PRINTF(4, 5);
weld_status wit_err_at(rctx *c, uint32_t at, uint32_t span, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return wit_error(c->map, c->d, WELD_ERR_INVALID, at, span, "%s", msg);
}

const char *wit_pkg_label(rctx *c, uint32_t pkg, char *buf, size_t cap)
{
    weld_wit_package_id(&c->r->packages[pkg], buf, cap);
    return buf;
}

/* ---- stability ---- */

static bool feature_on(const weld_wit_resolve *r, const char *f)
{
    if (r->all_features) return true;
    if (!r->features) return false;
    size_t n = strlen(f);
    const char *p = r->features;
    while (*p) {
        size_t m = strcspn(p, ", ");
        if (m == n && memcmp(p, f, n) == 0) return true;
        p += m;
        while (*p == ',' || *p == ' ') p++;
    }
    return false;
}

weld_status wit_stability_of(rctx *c, const wit_attrs *a, weld_wit_stability *s)
{
    const wit_attr *since = NULL, *dep = NULL, *uns = NULL;
    memset(s, 0, sizeof *s);
    for (uint32_t i = 0; i < a->n; i++) {
        const wit_attr *x = &a->v[i];
        const wit_attr **slot = x->kind == ATTR_SINCE ? &since : x->kind == ATTR_DEPRECATED ? &dep : &uns;
        if (*slot)
            return wit_err_at(c, x->span, x->len, "cannot specify @%s twice",
                          x->kind == ATTR_SINCE ? "since" : x->kind == ATTR_DEPRECATED ? "deprecated" : "unstable");
        *slot = x;
    }
    if (since && uns) return wit_err_at(c, since->span, since->len, "cannot specify both @since and @unstable");
    if (dep && !since && !uns)
        return wit_err_at(c, dep->span, dep->len, "@deprecated needs @since or @unstable on the same item");
    if (since) {
        s->kind = WELD_WIT_STAB_STABLE;
        s->since = since->value;
    } else if (uns) {
        s->kind = WELD_WIT_STAB_UNSTABLE;
        s->feature = uns->value;
    }
    if (dep) s->deprecated = dep->value;
    return WELD_OK;
}

/* Is an item with this stability kept? Errors for @since on unversioned packages or
 * versions newer than the package. */
weld_status wit_keep(rctx *c, const weld_wit_stability *s, uint32_t at, bool *out)
{
    *out = true;
    if (s->kind == WELD_WIT_STAB_STABLE) {
        const char *pv = c->r->packages[c->pkg].version;
        char b[300];
        if (!pv)
            return wit_err_at(c, at, 6, "package `%s` has a feature gate with a version (@since), so it must have a version",
                          wit_pkg_label(c, c->pkg, b, sizeof b));
        if (wit_semver_cmp(s->since, pv) > 0)
            return wit_err_at(c, at, 6, "feature gate cannot reference unreleased version %s of package `%s` (current version %s)",
                          s->since, wit_pkg_label(c, c->pkg, b, sizeof b), pv);
    } else if (s->kind == WELD_WIT_STAB_UNSTABLE) {
        *out = feature_on(c->r, s->feature);
    }
    return WELD_OK;
}

uint32_t wit_attrs_at(const wit_attrs *a, uint32_t dflt) { return a->n ? a->v[0].span : dflt; }

/* ---- allocation in the resolve ---- */

uint32_t wit_new_type(weld_wit_resolve *r)
{
    weld_wit_typedef *t = WIT_PUSH(r->arena, r->types, r->ntypes, r->cap_types);
    return t ? r->ntypes - 1 : UINT32_MAX;
}

uint32_t wit_new_interface(weld_wit_resolve *r)
{
    weld_wit_interface *i = WIT_PUSH(r->arena, r->interfaces, r->ninterfaces, r->cap_interfaces);
    if (!i) return UINT32_MAX;
    i->package = UINT32_MAX;
    return r->ninterfaces - 1;
}

uint32_t wit_new_world(weld_wit_resolve *r)
{
    weld_wit_world *w = WIT_PUSH(r->arena, r->worlds, r->nworlds, r->cap_worlds);
    if (!w) return UINT32_MAX;
    w->package = UINT32_MAX;
    return r->nworlds - 1;
}

/* ---- per-owner name lookups ---- */

lookup_ent *wit_lookup_find(lookup *lk, const char *name)
{
    for (uint32_t i = 0; i < lk->n; i++)
        if (strcmp(lk->v[i].name, name) == 0) return &lk->v[i];
    return NULL;
}

weld_status wit_lookup_define(rctx *c, lookup *lk, const wit_id *id, int kind, uint32_t tid)
{
    if (wit_lookup_find(lk, id->name))
        return wit_err_at(c, id->span, id->len, "name `%s` is defined more than once", id->name);
    lookup_ent *e = WIT_PUSH(c->r->arena, lk->v, lk->n, lk->cap);
    if (!e) return wit_nomem(c);
    e->name = id->name;
    e->kind = kind;
    e->id = tid;
    return WELD_OK;
}

/* ---- paths: `iface`, `ns:pkg/iface@v` ---- */

int wit_find_named(const weld_wit_named *v, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0) return (int)i;
    return -1;
}

static weld_status foreign_package(rctx *c, const wit_usepath *p, uint32_t *out)
{
    const weld_wit_resolve *r = c->r;
    int64_t other = -1;
    for (uint32_t i = 0; i < r->npackages; i++) {
        const weld_wit_package *k = &r->packages[i];
        if (strcmp(k->ns, p->ns.name) || strcmp(k->name, p->pkg.name)) continue;
        if ((!k->version && !p->version) || (k->version && p->version && strcmp(k->version, p->version) == 0)) {
            if (i == c->pkg) break;
            *out = i;
            return WELD_OK;
        }
        other = i;
    }
    if (other >= 0) {
        const char *v = r->packages[other].version;
        return wit_err_at(c, p->span, p->len,
                      "package `%s:%s%s%s` not found: version mismatch, `%s` asks for %s%s but the package found is version %s",
                      p->ns.name, p->pkg.name, p->version ? "@" : "", p->version ? p->version : "",
                      p->name.name, p->version ? "version " : "no version", p->version ? p->version : "",
                      v ? v : "(none)");
    }
    return wit_err_at(c, p->span, p->len,
                  "package `%s:%s%s%s` not found: add it as a dependency (a `deps/` directory or file, or a nested `package` block)",
                  p->ns.name, p->pkg.name, p->version ? "@" : "", p->version ? p->version : "");
}

/* Resolve a path used in file `file` to an interface (want_world false) or world. */
weld_status wit_resolve_path(rctx *c, uint32_t file, const wit_usepath *p, bool want_world,
                                uint32_t *out)
{
    char b[300];
    if (p->is_pkg) {
        uint32_t pk = 0;
        TRY(foreign_package(c, p, &pk));
        const weld_wit_package *k = &c->r->packages[pk];
        int i = wit_find_named(k->interfaces, k->ninterfaces, p->name.name);
        int w = wit_find_named(k->worlds, k->nworlds, p->name.name);
        if (want_world ? w >= 0 : i >= 0) {
            *out = want_world ? k->worlds[w].id : k->interfaces[i].id;
            return WELD_OK;
        }
        if (want_world ? i >= 0 : w >= 0)
            return wit_err_at(c, p->name.span, p->name.len, "`%s` in package `%s` is %s, not %s", p->name.name,
                          wit_pkg_label(c, pk, b, sizeof b), want_world ? "an interface" : "a world",
                          want_world ? "a world" : "an interface");
        return wit_err_at(c, p->name.span, p->name.len, "%s `%s` not found in package `%s`",
                      want_world ? "world" : "interface", p->name.name, wit_pkg_label(c, pk, b, sizeof b));
    }
    /* the file's top-level `use` names come first, then the package's items */
    const pfile *f = &c->files[file];
    for (uint32_t i = 0; i < f->nuses; i++) {
        const wit_use *u = f->uses[i];
        const char *nm = u->has_as ? u->as.name : u->path.name.name;
        if (strcmp(nm, p->name.name) != 0) continue;
        if (want_world)
            return wit_err_at(c, p->name.span, p->name.len, "name `%s` is defined as an interface, not a world", nm);
        return wit_resolve_path(c, f->index, &u->path, false, out);
    }
    for (uint32_t i = 0; i < c->nitems; i++) {
        pitem *it = &c->items[i];
        if (strcmp(it->name->name, p->name.name) != 0) continue;
        if (it->is_world != want_world)
            return wit_err_at(c, p->name.span, p->name.len, "name `%s` is defined as %s, not %s", p->name.name,
                          it->is_world ? "a world" : "an interface", want_world ? "a world" : "an interface");
        if (it->excluded)
            return wit_err_at(c, p->name.span, p->name.len,
                          "%s `%s` is excluded by its feature gate (enable its feature to use it)",
                          it->is_world ? "world" : "interface", p->name.name);
        *out = it->id;
        return WELD_OK;
    }
    return wit_err_at(c, p->name.span, p->name.len, "interface or world `%s` not found in package `%s`",
                  p->name.name, wit_pkg_label(c, c->pkg, b, sizeof b));
}

/* ---- types ---- */

static bool same_tref_list(const weld_wit_field *a, const weld_wit_field *b, uint32_t n, bool names)
{
    for (uint32_t i = 0; i < n; i++) {
        if (a[i].type != b[i].type) return false;
        if (names && strcmp(a[i].name, b[i].name) != 0) return false;
    }
    return true;
}

/* An anonymous type: shared with an equal one made earlier in this package. */
static weld_status anon_type(rctx *c, weld_wit_typedef *t, weld_wit_tref *out)
{
    weld_wit_resolve *r = c->r;
    if (t->kind == WELD_WIT_ALIAS) {
        *out = t->a;
        return WELD_OK;
    }
    if (t->kind == WELD_WIT_OWN) { /* own<T> is T */
        *out = t->a;
        return WELD_OK;
    }
    for (uint32_t i = 0; i < c->nanon; i++) {
        const weld_wit_typedef *o = &r->types[c->anon[i]];
        if (o->kind != t->kind || o->a != t->a || o->b != t->b || o->n != t->n || o->nfields != t->nfields)
            continue;
        bool names = t->kind != WELD_WIT_TUPLE;
        if (t->kind == WELD_WIT_ENUM || t->kind == WELD_WIT_FLAGS) {
            bool same = true;
            for (uint32_t k = 0; k < t->nfields && same; k++) same = strcmp(o->fields[k].name, t->fields[k].name) == 0;
            if (!same) continue;
        } else if (!same_tref_list(o->fields, t->fields, t->nfields, names)) {
            continue;
        }
        *out = WELD_WIT_TREF(c->anon[i]);
        return WELD_OK;
    }
    uint32_t id = wit_new_type(r);
    if (id == UINT32_MAX) return wit_nomem(c);
    r->types[id] = *t;
    uint32_t *slot = WIT_PUSH(r->arena, c->anon, c->nanon, c->cap_anon);
    if (!slot) return wit_nomem(c);
    *slot = id;
    *out = WELD_WIT_TREF(id);
    return WELD_OK;
}

static weld_status type_kind(rctx *c, const wit_type *t, weld_wit_typedef *out);

/* The gate an anonymous type takes: that of the first named type it refers to. */
static const weld_wit_stability *find_stability(const weld_wit_resolve *r, const weld_wit_typedef *t)
{
    static const weld_wit_stability none = {0};
    weld_wit_tref refs[2] = {t->a, t->b};
    uint32_t n = 0;
    switch (t->kind) {
    case WELD_WIT_ALIAS: case WELD_WIT_OWN: case WELD_WIT_BORROW: case WELD_WIT_LIST:
    case WELD_WIT_FIXED_LIST: case WELD_WIT_OPTION: case WELD_WIT_FUTURE: case WELD_WIT_STREAM:
        n = 1;
        break;
    case WELD_WIT_MAP: case WELD_WIT_RESULT: n = 2; break;
    case WELD_WIT_TUPLE:
        for (uint32_t i = 0; i < t->nfields; i++)
            if (WELD_WIT_IS_ID(t->fields[i].type) && r->types[WELD_WIT_ID(t->fields[i].type)].stability.kind)
                return &r->types[WELD_WIT_ID(t->fields[i].type)].stability;
        return &none;
    default: return &none;
    }
    for (uint32_t i = 0; i < n; i++)
        if (WELD_WIT_IS_ID(refs[i]) && r->types[WELD_WIT_ID(refs[i])].stability.kind)
            return &r->types[WELD_WIT_ID(refs[i])].stability;
    return &none;
}

static weld_status resolve_tref(rctx *c, const wit_type *t, weld_wit_tref *out)
{
    if (t->kind == AT_PRIM) {
        *out = t->prim;
        return WELD_OK;
    }
    weld_wit_typedef td;
    TRY(type_kind(c, t, &td));
    td.stability = c->cur_stab ? *c->cur_stab : *find_stability(c->r, &td);
    return anon_type(c, &td, out);
}

static weld_status name_ref(rctx *c, const wit_id *id, uint32_t *tid)
{
    lookup_ent *e = wit_lookup_find(c->lk, id->name);
    if (!e) {
        const char *hint = strcmp(id->name, "float32") == 0 ? " (the type is now spelled `f32`)"
                         : strcmp(id->name, "float64") == 0 ? " (the type is now spelled `f64`)" : "";
        return wit_err_at(c, id->span, id->len, "type `%s` does not exist%s", id->name, hint);
    }
    if (e->kind == LK_FUNC) return wit_err_at(c, id->span, id->len, "`%s` is a function, not a type", id->name);
    if (e->kind == LK_EXCLUDED)
        return wit_err_at(c, id->span, id->len, "type `%s` is excluded by its feature gate (enable its feature to use it)", id->name);
    *tid = e->id;
    return WELD_OK;
}

/* The resource behind a type (through aliases), or UINT32_MAX. */
uint32_t wit_resource_of(const weld_wit_resolve *r, uint32_t tid)
{
    for (int guard = 0; guard < 1000; guard++) {
        const weld_wit_typedef *t = &r->types[tid];
        if (t->kind == WELD_WIT_RESOURCE) return tid;
        if (t->kind != WELD_WIT_ALIAS || !WELD_WIT_IS_ID(t->a)) return UINT32_MAX;
        tid = WELD_WIT_ID(t->a);
    }
    return UINT32_MAX;
}

static weld_status fields(rctx *c, const wit_type *t, weld_wit_typedef *out, const char *what, bool typed)
{
    out->nfields = t->nfields;
    if (!t->nfields) return WELD_OK;
    out->fields = weld_arena_alloc(c->r->arena, sizeof *out->fields * t->nfields);
    if (!out->fields) return wit_nomem(c);
    for (uint32_t i = 0; i < t->nfields; i++) {
        const wit_field *f = &t->fields[i];
        if (f->name.name) {
            for (uint32_t k = 0; k < i; k++)
                if (strcmp(t->fields[k].name.name, f->name.name) == 0)
                    return wit_err_at(c, f->name.span, f->name.len, "%s `%s` is defined more than once", what, f->name.name);
            out->fields[i].name = f->name.name;
            out->fields[i].docs = f->docs.text;
        }
        if (f->type) TRY(resolve_tref(c, f->type, &out->fields[i].type));
        (void)typed;
    }
    return WELD_OK;
}

static weld_status type_kind(rctx *c, const wit_type *t, weld_wit_typedef *out)
{
    memset(out, 0, sizeof *out);
    uint32_t tid;
    switch (t->kind) {
    case AT_PRIM:
        out->kind = WELD_WIT_ALIAS;
        out->a = t->prim;
        return WELD_OK;
    case AT_NAME:
        TRY(name_ref(c, &t->name, &tid));
        out->kind = WELD_WIT_ALIAS;
        out->a = WELD_WIT_TREF(tid);
        return WELD_OK;
    case AT_LIST:
    case AT_OPTION:
        out->kind = t->kind == AT_LIST ? WELD_WIT_LIST : WELD_WIT_OPTION;
        return resolve_tref(c, t->a, &out->a);
    case AT_FIXED_LIST:
        out->kind = WELD_WIT_FIXED_LIST;
        out->n = t->n;
        return resolve_tref(c, t->a, &out->a);
    case AT_MAP:
        out->kind = WELD_WIT_MAP;
        if (t->a->kind != AT_PRIM || t->a->prim == WELD_WIT_T_F32 || t->a->prim == WELD_WIT_T_F64 ||
            t->a->prim == WELD_WIT_T_ERROR_CONTEXT)
            return wit_err_at(c, t->a->span, t->a->len,
                          "invalid map key type: map keys must be bool, u8, u16, u32, u64, s8, s16, s32, s64, char, or string");
        TRY(resolve_tref(c, t->a, &out->a));
        return resolve_tref(c, t->b, &out->b);
    case AT_RESULT:
        out->kind = WELD_WIT_RESULT;
        if (t->a) TRY(resolve_tref(c, t->a, &out->a));
        if (t->b) TRY(resolve_tref(c, t->b, &out->b));
        return WELD_OK;
    case AT_FUTURE:
    case AT_STREAM:
        out->kind = t->kind == AT_FUTURE ? WELD_WIT_FUTURE : WELD_WIT_STREAM;
        if (t->a) TRY(resolve_tref(c, t->a, &out->a));
        return WELD_OK;
    case AT_OWN:
    case AT_BORROW: {
        TRY(name_ref(c, &t->name, &tid));
        uint32_t res = wit_resource_of(c->r, tid);
        if (res == UINT32_MAX)
            return wit_err_at(c, t->name.span, t->name.len, "type `%s` used in a handle must be a resource", t->name.name);
        out->kind = t->kind == AT_OWN ? WELD_WIT_OWN : WELD_WIT_BORROW;
        out->a = WELD_WIT_TREF(tid);
        return WELD_OK;
    }
    case AT_TUPLE:
        out->kind = WELD_WIT_TUPLE;
        return fields(c, t, out, "tuple member", true);
    case AT_RECORD:
        out->kind = WELD_WIT_RECORD;
        return fields(c, t, out, "field", true);
    case AT_VARIANT:
        out->kind = WELD_WIT_VARIANT;
        if (!t->nfields) return wit_err_at(c, t->span, 7, "a variant must have at least one case");
        return fields(c, t, out, "case", false);
    case AT_ENUM:
        out->kind = WELD_WIT_ENUM;
        if (!t->nfields) return wit_err_at(c, t->span, 4, "an enum must have at least one case");
        return fields(c, t, out, "case", false);
    case AT_FLAGS:
        out->kind = WELD_WIT_FLAGS;
        return fields(c, t, out, "flag", false);
    case AT_RESOURCE:
        out->kind = WELD_WIT_RESOURCE;
        return WELD_OK;
    }
    return WELD_OK;
}

/* Names a type definition refers to (for ordering the definitions). */
static weld_status collect_deps(rctx *c, const wit_type *t, const wit_id ***v, uint32_t *n, uint32_t *cap)
{
    if (!t) return WELD_OK;
    switch (t->kind) {
    case AT_NAME:
    case AT_OWN:
    case AT_BORROW: {
        const wit_id **slot = WIT_PUSH(c->r->arena, *v, *n, *cap);
        if (!slot) return wit_nomem(c);
        *slot = &t->name;
        return WELD_OK;
    }
    default:
        TRY(collect_deps(c, t->a, v, n, cap));
        TRY(collect_deps(c, t->b, v, n, cap));
        for (uint32_t i = 0; i < t->nfields; i++) TRY(collect_deps(c, t->fields[i].type, v, n, cap));
        return WELD_OK;
    }
}

/* Definitions of one interface or world: `use`s first, then type definitions in an order
 * where each comes after the types it names (ties keep source order). */
weld_status wit_define_types(rctx *c, weld_wit_owner_kind ok, uint32_t owner, uint32_t file,
                                const wit_use **uses, uint32_t nuses, const wit_typedef **defs,
                                uint32_t ndefs)
{
    weld_wit_resolve *r = c->r;
    /* uses */
    for (uint32_t i = 0; i < nuses; i++) {
        const wit_use *u = uses[i];
        uint32_t from = 0;
        weld_wit_stability st;
        TRY(wit_stability_of(c, &u->attrs, &st));
        bool kept;
        TRY(wit_keep(c, &st, wit_attrs_at(&u->attrs, u->span), &kept));
        if (kept) TRY(wit_resolve_path(c, file, &u->path, false, &from));
        for (uint32_t k = 0; k < u->nnames; k++) {
            const wit_usename *un = &u->names[k];
            const wit_id *local = un->has_as ? &un->as : &un->name;
            if (!kept) {
                TRY(wit_lookup_define(c, c->lk, local, LK_EXCLUDED, 0));
                continue;
            }
            const weld_wit_interface *fi = &r->interfaces[from];
            int ti = wit_find_named(fi->types, fi->ntypes, un->name.name);
            if (ti < 0) {
                char b[300] = "";
                for (uint32_t q = 0; q < fi->nfuncs; q++)
                    if (strcmp(fi->funcs[q].name, un->name.name) == 0)
                        return wit_err_at(c, un->name.span, un->name.len, "cannot import function `%s`: only types can be used", un->name.name);
                if (fi->package != UINT32_MAX) wit_pkg_label(c, fi->package, b, sizeof b);
                return wit_err_at(c, un->name.span, un->name.len, "type `%s` not defined in interface `%s`%s%s%s",
                              un->name.name, fi->name ? fi->name : "?", b[0] ? " of package `" : "", b,
                              b[0] ? "`" : "");
            }
            uint32_t id = wit_new_type(r);
            if (id == UINT32_MAX) return wit_nomem(c);
            weld_wit_typedef *t = &r->types[id];
            t->name = local->name;
            t->kind = WELD_WIT_ALIAS;
            t->a = WELD_WIT_TREF(fi->types[ti].id);
            t->owner_kind = ok;
            t->owner = owner;
            t->stability = st;
            TRY(wit_lookup_define(c, c->lk, local, LK_TYPE, id));
        }
    }
    if (!ndefs) return WELD_OK;
    /* order the definitions */
    for (uint32_t i = 0; i < ndefs; i++)
        for (uint32_t k = 0; k < i; k++)
            if (strcmp(defs[k]->name.name, defs[i]->name.name) == 0)
                return wit_err_at(c, defs[i]->name.span, defs[i]->name.len, "name `%s` is defined more than once", defs[i]->name.name);
    for (uint32_t i = 0; i < ndefs; i++)
        if (wit_lookup_find(c->lk, defs[i]->name.name))
            return wit_err_at(c, defs[i]->name.span, defs[i]->name.len, "name `%s` is defined more than once", defs[i]->name.name);
    weld_arena *a = r->arena;
    uint32_t *remaining = weld_arena_alloc(a, sizeof(uint32_t) * ndefs);
    const wit_id ***deps = weld_arena_alloc(a, sizeof(*deps) * ndefs);
    uint32_t *ndeps = weld_arena_alloc(a, sizeof(uint32_t) * ndefs);
    int32_t **target = weld_arena_alloc(a, sizeof(int32_t *) * ndefs);
    bool *done = weld_arena_alloc(a, ndefs);
    if (!remaining || !deps || !ndeps || !target || !done) return wit_nomem(c);
    for (uint32_t i = 0; i < ndefs; i++) {
        uint32_t cap = 0;
        TRY(collect_deps(c, defs[i]->type, &deps[i], &ndeps[i], &cap));
        target[i] = weld_arena_alloc(a, sizeof(int32_t) * (ndeps[i] + 1));
        if (!target[i]) return wit_nomem(c);
        for (uint32_t k = 0; k < ndeps[i]; k++) {
            int32_t tgt = -1;
            for (uint32_t q = 0; q < ndefs; q++)
                if (strcmp(defs[q]->name.name, deps[i][k]->name) == 0) tgt = (int32_t)q;
            if (tgt < 0 && !wit_lookup_find(c->lk, deps[i][k]->name)) {
                const wit_id *id = deps[i][k];
                const char *hint = strcmp(id->name, "float32") == 0 ? " (the type is now spelled `f32`)"
                                 : strcmp(id->name, "float64") == 0 ? " (the type is now spelled `f64`)" : "";
                return wit_err_at(c, id->span, id->len, "type `%s` does not exist%s", id->name, hint);
            }
            target[i][k] = tgt;
            if (tgt >= 0) remaining[i]++;
        }
    }
    for (uint32_t step = 0; step < ndefs; step++) {
        /* the first definition (in source order) whose dependencies are all defined */
        uint32_t pick = UINT32_MAX;
        for (uint32_t i = 0; i < ndefs && pick == UINT32_MAX; i++)
            if (!done[i] && remaining[i] == 0) pick = i;
        if (pick == UINT32_MAX) {
            /* a cycle: name a reference from an undefined type to another undefined one */
            for (uint32_t i = 0; i < ndefs; i++) {
                if (done[i]) continue;
                for (uint32_t k = 0; k < ndeps[i]; k++)
                    if (target[i][k] >= 0 && !done[target[i][k]])
                        return wit_err_at(c, deps[i][k]->span, deps[i][k]->len,
                                      "type `%s` depends on itself (a cycle through `%s`)", deps[i][k]->name,
                                      defs[i]->name.name);
            }
            return wit_err_at(c, defs[0]->name.span, defs[0]->name.len, "cycle between type definitions");
        }
        done[pick] = true;
        for (uint32_t i = 0; i < ndefs; i++)
            for (uint32_t k = 0; k < ndeps[i]; k++)
                if (target[i][k] == (int32_t)pick) remaining[i]--;
        const wit_typedef *def = defs[pick];
        weld_wit_stability st;
        TRY(wit_stability_of(c, &def->attrs, &st));
        bool kept;
        TRY(wit_keep(c, &st, wit_attrs_at(&def->attrs, def->name.span), &kept));
        if (!kept) {
            TRY(wit_lookup_define(c, c->lk, &def->name, LK_EXCLUDED, 0));
            continue;
        }
        weld_wit_typedef td;
        c->cur_stab = st.kind ? &st : NULL;
        weld_status tk = type_kind(c, def->type, &td);
        c->cur_stab = NULL;
        TRY(tk);
        if (td.kind == WELD_WIT_OWN && def->alias && def->type->kind == AT_NAME) td.kind = WELD_WIT_ALIAS;
        uint32_t id = wit_new_type(r);
        if (id == UINT32_MAX) return wit_nomem(c);
        td.name = def->name.name;
        td.docs = def->docs.text;
        td.stability = st;
        td.owner_kind = ok;
        td.owner = owner;
        r->types[id] = td;
        TRY(wit_lookup_define(c, c->lk, &def->name, LK_TYPE, id));
    }
    return WELD_OK;
}

/* ---- functions ---- */

static bool has_borrow(const weld_wit_resolve *r, weld_wit_tref t, int depth)
{
    if (!WELD_WIT_IS_ID(t) || depth > 200) return false;
    const weld_wit_typedef *d = &r->types[WELD_WIT_ID(t)];
    if (d->kind == WELD_WIT_BORROW) return true;
    if (d->kind == WELD_WIT_RESOURCE || d->kind == WELD_WIT_OWN || d->kind == WELD_WIT_FUTURE || d->kind == WELD_WIT_STREAM)
        return false;
    if (has_borrow(r, d->a, depth + 1) || has_borrow(r, d->b, depth + 1)) return true;
    for (uint32_t i = 0; i < d->nfields; i++)
        if (has_borrow(r, d->fields[i].type, depth + 1)) return true;
    return false;
}

weld_status wit_resolve_func(rctx *c, const wit_func *f, const char *name, const wit_id *at, weld_wit_func_kind kind,
                                uint32_t resource, const wit_docs *docs, const wit_attrs *attrs,
                                weld_wit_func *out)
{
    weld_wit_resolve *r = c->r;
    memset(out, 0, sizeof *out);
    out->name = name;
    out->kind = kind;
    out->is_async = f->is_async;
    out->resource = resource;
    out->docs = docs ? docs->text : NULL;
    TRY(wit_stability_of(c, attrs, &out->stability));
    uint32_t self = kind == WELD_WIT_FUNC_METHOD;
    out->nparams = f->nparams + self;
    if (out->nparams) {
        out->params = weld_arena_alloc(r->arena, sizeof *out->params * out->nparams);
        if (!out->params) return wit_nomem(c);
    }
    if (self) {
        weld_wit_typedef b = {0};
        b.kind = WELD_WIT_BORROW;
        b.a = WELD_WIT_TREF(resource);
        b.stability = r->types[resource].stability;
        out->params[0].name = "self";
        TRY(anon_type(c, &b, &out->params[0].type));
    }
    for (uint32_t i = 0; i < f->nparams; i++) {
        const wit_field *p = &f->params[i];
        for (uint32_t k = 0; k < i; k++)
            if (strcmp(f->params[k].name.name, p->name.name) == 0)
                return wit_err_at(c, p->name.span, p->name.len, "param `%s` is defined more than once", p->name.name);
        if (self && strcmp(p->name.name, "self") == 0)
            return wit_err_at(c, p->name.span, p->name.len, "param `self` is defined more than once (methods have an implicit `self`)");
        out->params[i + self].name = p->name.name;
        TRY(resolve_tref(c, p->type, &out->params[i + self].type));
    }
    if (kind == WELD_WIT_FUNC_CONSTRUCTOR) {
        if (!f->result) {
            out->result = WELD_WIT_TREF(resource);
        } else {
            TRY(resolve_tref(c, f->result, &out->result));
            const weld_wit_typedef *rt = WELD_WIT_IS_ID(out->result) ? &r->types[WELD_WIT_ID(out->result)] : NULL;
            if (!rt || rt->kind != WELD_WIT_RESULT || rt->name)
                return wit_err_at(c, f->result->span, f->result->len, "if a constructor return type is declared it must be a `result`");
            if (rt->a != WELD_WIT_TREF(resource))
                return wit_err_at(c, f->result->span, f->result->len, "the `ok` type must be the resource being constructed");
        }
    } else if (f->result) {
        TRY(resolve_tref(c, f->result, &out->result));
        if (has_borrow(r, out->result, 0))
            return wit_err_at(c, at->span, at->len,
                          "function `%s` returns a type which contains a `borrow<T>`, which is not supported", name);
    }
    return WELD_OK;
}

static char *join_name(rctx *c, const char *pre, const char *res, const char *dot, const char *name)
{
    size_t n = strlen(pre) + strlen(res) + strlen(dot) + strlen(name);
    char *s = weld_arena_alloc(c->r->arena, n + 1);
    if (s) snprintf(s, n + 1, "%s%s%s%s", pre, res, dot, name);
    return s;
}

/* Functions of a resource definition, appended through `push`. */
weld_status wit_resource_funcs(rctx *c, const wit_typedef *td,
                                  weld_status (*push)(rctx *, weld_wit_func *, const wit_id *, void *), void *arg)
{
    lookup_ent *e = wit_lookup_find(c->lk, td->name.name);
    const wit_type *t = td->type;
    if (!e || e->kind != LK_TYPE) {
        /* the resource is gated off: so must be each of its functions */
        for (uint32_t i = 0; i < t->nfuncs; i++) {
            const wit_rfunc *rf = &t->funcs[i];
            weld_wit_stability st;
            bool kept;
            TRY(wit_stability_of(c, &rf->attrs, &st));
            TRY(wit_keep(c, &st, rf->name.span, &kept));
            if (kept)
                return wit_err_at(c, rf->name.span, rf->name.len,
                              "found a reference to a type which is excluded due to its feature not being activated: resource `%s` is gated off but this function is not",
                              td->name.name);
        }
        return WELD_OK;
    }
    for (uint32_t i = 0; i < t->nfuncs; i++) {
        const wit_rfunc *rf = &t->funcs[i];
        for (uint32_t k = 0; k < i; k++)
            if (t->funcs[k].kind == RF_CONSTRUCTOR ? rf->kind == RF_CONSTRUCTOR
                                                   : rf->kind != RF_CONSTRUCTOR && strcmp(t->funcs[k].name.name, rf->name.name) == 0)
                return wit_err_at(c, rf->name.span, rf->name.len, "%s `%s` is defined more than once in resource `%s`",
                              rf->kind == RF_CONSTRUCTOR ? "constructor" : "function",
                              rf->name.name, td->name.name);
        weld_wit_func f;
        const char *nm;
        weld_wit_func_kind k;
        if (rf->kind == RF_CONSTRUCTOR) {
            if (rf->func.is_async) return wit_err_at(c, rf->name.span, rf->name.len, "constructors cannot be async");
            nm = join_name(c, "[constructor]", td->name.name, "", "");
            k = WELD_WIT_FUNC_CONSTRUCTOR;
        } else if (rf->kind == RF_STATIC) {
            nm = join_name(c, "[static]", td->name.name, ".", rf->name.name);
            k = WELD_WIT_FUNC_STATIC;
        } else {
            nm = join_name(c, "[method]", td->name.name, ".", rf->name.name);
            k = WELD_WIT_FUNC_METHOD;
        }
        if (!nm) return wit_nomem(c);
        weld_wit_stability st;
        TRY(wit_stability_of(c, &rf->attrs, &st));
        bool kept;
        TRY(wit_keep(c, &st, wit_attrs_at(&rf->attrs, rf->name.span), &kept));
        if (!kept) continue;
        TRY(wit_resolve_func(c, &rf->func, nm, &rf->name, k, e->id, &rf->docs, &rf->attrs, &f));
        TRY(push(c, &f, &rf->name, arg));
    }
    return WELD_OK;
}

static weld_status push_iface_func(rctx *c, weld_wit_func *f, const wit_id *at, void *arg)
{
    weld_wit_interface *i = &c->r->interfaces[*(uint32_t *)arg];
    (void)at;
    /* resolve_interface sized the array for every function the interface declares */
    i->funcs[i->nfuncs++] = *f;
    return WELD_OK;
}

/* ---- interfaces ---- */

weld_status wit_resolve_interface(rctx *c, uint32_t id, uint32_t file, const wit_iface *ast)
{
    weld_wit_resolve *r = c->r;
    lookup lk = {0};
    lookup *saved = c->lk;
    c->lk = &lk;
    weld_wit_interface *in = &r->interfaces[id];
    in->docs = ast->docs.text;
    TRY(wit_stability_of(c, &ast->attrs, &in->stability));
    uint32_t nuses = 0, ndefs = 0;
    for (uint32_t i = 0; i < ast->nitems; i++) {
        if (ast->items[i].kind == II_USE) nuses++;
        if (ast->items[i].kind == II_TYPE) ndefs++;
    }
    const wit_use **uses = weld_arena_alloc(r->arena, sizeof *uses * (nuses + 1));
    const wit_typedef **defs = weld_arena_alloc(r->arena, sizeof *defs * (ndefs + 1));
    if (!uses || !defs) return wit_nomem(c);
    nuses = ndefs = 0;
    for (uint32_t i = 0; i < ast->nitems; i++) {
        if (ast->items[i].kind == II_USE) uses[nuses++] = &ast->items[i].use;
        if (ast->items[i].kind == II_TYPE) defs[ndefs++] = &ast->items[i].td;
    }
    TRY(wit_define_types(c, WELD_WIT_OWNER_INTERFACE, id, file, uses, nuses, defs, ndefs));
    in = &r->interfaces[id];
    /* the interface's type table, in definition order */
    uint32_t nt = 0;
    for (uint32_t i = 0; i < lk.n; i++) nt += lk.v[i].kind == LK_TYPE;
    in->types = weld_arena_alloc(r->arena, sizeof *in->types * (nt + 1));
    if (!in->types) return wit_nomem(c);
    for (uint32_t i = 0; i < lk.n; i++)
        if (lk.v[i].kind == LK_TYPE) in->types[in->ntypes++] = (weld_wit_named){lk.v[i].name, lk.v[i].id};
    /* functions in source order, resource functions where their resource is */
    uint32_t nf = 0;
    for (uint32_t i = 0; i < ast->nitems; i++) {
        const wit_iitem *it = &ast->items[i];
        nf += it->kind == II_FUNC ? 1 : it->kind == II_TYPE && it->td.type->kind == AT_RESOURCE ? it->td.type->nfuncs : 0;
    }
    in->funcs = weld_arena_alloc(r->arena, sizeof *in->funcs * (nf + 1));
    if (!in->funcs) return wit_nomem(c);
    for (uint32_t i = 0; i < ast->nitems; i++) {
        const wit_iitem *it = &ast->items[i];
        if (it->kind == II_FUNC) {
            weld_wit_func f;
            weld_wit_stability st;
            TRY(wit_stability_of(c, &it->fn.attrs, &st));
            bool kept;
            TRY(wit_keep(c, &st, wit_attrs_at(&it->fn.attrs, it->fn.name.span), &kept));
            TRY(wit_lookup_define(c, &lk, &it->fn.name, kept ? LK_FUNC : LK_EXCLUDED, 0));
            if (!kept) continue;
            TRY(wit_resolve_func(c, &it->fn.func, it->fn.name.name, &it->fn.name, WELD_WIT_FUNC_FREESTANDING, 0, &it->fn.docs,
                             &it->fn.attrs, &f));
            TRY(push_iface_func(c, &f, &it->fn.name, &id));
        } else if (it->kind == II_TYPE && it->td.type->kind == AT_RESOURCE) {
            TRY(wit_resource_funcs(c, &it->td, push_iface_func, &id));
        }
    }
    c->lk = saved;
    return WELD_OK;
}

/* ---- the package ---- */

/* Order interfaces so each comes after the local interfaces it `use`s. */
static weld_status order_items(rctx *c)
{
    uint32_t n = c->nitems;
    weld_arena *a = c->r->arena;
    uint32_t **edges = weld_arena_alloc(a, sizeof(uint32_t *) * (n + 1));
    const wit_id ***espan = weld_arena_alloc(a, sizeof(*espan) * (n + 1));
    uint32_t *nedges = weld_arena_alloc(a, sizeof(uint32_t) * (n + 1));
    uint32_t *caps = weld_arena_alloc(a, sizeof(uint32_t) * (n + 1));
    uint32_t *caps2 = weld_arena_alloc(a, sizeof(uint32_t) * (n + 1));
    uint32_t *remaining = weld_arena_alloc(a, sizeof(uint32_t) * (n + 1));
    bool *done = weld_arena_alloc(a, n + 1);
    c->order = weld_arena_alloc(a, sizeof(uint32_t) * (n + 1));
    if (!edges || !espan || !nedges || !caps || !caps2 || !remaining || !done || !c->order) return wit_nomem(c);
    for (uint32_t i = 0; i < n; i++) {
        pitem *it = &c->items[i];
        if (it->is_world) continue;
        const pfile *f = &c->files[it->file];
        for (uint32_t k = 0; k < it->iface->nitems; k++) {
            const wit_iitem *x = &it->iface->items[k];
            if (x->kind != II_USE || x->use.path.is_pkg) continue;
            const char *nm = x->use.path.name.name;
            const wit_id *target = NULL;
            bool foreign = false;
            for (uint32_t q = 0; q < f->nuses; q++) {
                const wit_use *u = f->uses[q];
                if (strcmp(u->has_as ? u->as.name : u->path.name.name, nm) == 0) {
                    if (u->path.is_pkg) foreign = true;
                    else target = &u->path.name;
                    break;
                }
            }
            if (foreign) continue;
            if (!target) target = &x->use.path.name;
            int64_t j = -1;
            for (uint32_t q = 0; q < n; q++)
                if (strcmp(c->items[q].name->name, target->name) == 0) j = q;
            if (j < 0)
                return wit_err_at(c, target->span, target->len, "interface or world `%s` not found in package `%s`", target->name,
                              c->pkgname);
            uint32_t *e = WIT_PUSH(a, edges[i], nedges[i], caps[i]);
            if (!e) return wit_nomem(c);
            nedges[i]--;
            const wit_id **es = WIT_PUSH(a, espan[i], nedges[i], caps2[i]);
            if (!es) return wit_nomem(c);
            *e = (uint32_t)j;
            *es = &x->use.path.name;
            remaining[i]++;
        }
    }
    for (uint32_t step = 0; step < n; step++) {
        uint32_t pick = UINT32_MAX;
        for (uint32_t i = 0; i < n && pick == UINT32_MAX; i++)
            if (!done[i] && remaining[i] == 0) pick = i;
        if (pick == UINT32_MAX) {
            for (uint32_t i = 0; i < n; i++) {
                if (done[i]) continue;
                for (uint32_t k = 0; k < nedges[i]; k++)
                    if (!done[edges[i][k]])
                        return wit_err_at(c, espan[i][k]->span, espan[i][k]->len,
                                      "interface `%s` depends on itself (a cycle of `use` through `%s`)",
                                      espan[i][k]->name, c->items[i].name->name);
            }
            return wit_err_at(c, 0, 1, "cycle between interfaces");
        }
        done[pick] = true;
        c->order[step] = pick;
        for (uint32_t i = 0; i < n; i++)
            for (uint32_t k = 0; k < nedges[i]; k++)
                if (edges[i][k] == pick) remaining[i]--;
    }
    return WELD_OK;
}

weld_status wit_resolve_package(weld_wit_resolve *r, const wit_srcmap *map, const wit_pkgunit *u,
                                uint32_t *pkg_out, weld_diag *d)
{
    rctx c = {.r = r, .map = map, .d = d};
    weld_arena *a = r->arena;
    uint32_t first_type = r->ntypes, first_iface = r->ninterfaces, first_world = r->nworlds;
    /* the package entry */
    weld_wit_package *p = WIT_PUSH(a, r->packages, r->npackages, r->cap_packages);
    if (!p) return wit_nomem(&c);
    c.pkg = r->npackages - 1;
    p->ns = u->name->ns.name;
    p->name = u->name->name.name;
    p->version = u->name->version;
    p->docs = u->docs;
    weld_wit_package_id(p, c.pkgname, sizeof c.pkgname);
    /* files and their top-level uses; items */
    c.files = weld_arena_alloc(a, sizeof *c.files * (u->nfiles + 1));
    if (!c.files) return wit_nomem(&c);
    c.nfiles = u->nfiles;
    uint32_t capitems = 0;
    for (uint32_t fi = 0; fi < u->nfiles; fi++) {
        const wit_file *f = u->files[fi];
        pfile *pf = &c.files[fi];
        pf->index = fi;
        uint32_t capu = 0;
        for (uint32_t i = 0; i < f->nitems; i++) {
            const wit_titem *t = &f->items[i];
            const wit_id *nm = t->kind == TI_INTERFACE ? &t->iface.name : t->kind == TI_WORLD ? &t->world.name
                             : t->kind == TI_USE ? (t->use.has_as ? &t->use.as : &t->use.path.name) : NULL;
            if (!nm) continue;
            /* names are unique within the file */
            for (uint32_t k = 0; k < i; k++) {
                const wit_titem *o = &f->items[k];
                const wit_id *on = o->kind == TI_INTERFACE ? &o->iface.name : o->kind == TI_WORLD ? &o->world.name
                                 : o->kind == TI_USE ? (o->use.has_as ? &o->use.as : &o->use.path.name) : NULL;
                if (on && strcmp(on->name, nm->name) == 0)
                    return wit_err_at(&c, nm->span, nm->len, "duplicate name `%s` in this file", nm->name);
            }
            if (t->kind == TI_USE) {
                if (t->use.attrs.n)
                    return wit_err_at(&c, t->use.attrs.v[0].span, t->use.attrs.v[0].len, "attributes not allowed on top-level use");
                const wit_use **s = WIT_PUSH(a, pf->uses, pf->nuses, capu);
                if (!s) return wit_nomem(&c);
                *s = &t->use;
                continue;
            }
            for (uint32_t k = 0; k < c.nitems; k++)
                if (strcmp(c.items[k].name->name, nm->name) == 0)
                    return wit_err_at(&c, nm->span, nm->len, "duplicate item named `%s` in package `%s`", nm->name, c.pkgname);
            pitem *it = WIT_PUSH(a, c.items, c.nitems, capitems);
            if (!it) return wit_nomem(&c);
            it->name = nm;
            it->file = fi;
            it->is_world = t->kind == TI_WORLD;
            it->iface = &t->iface;
            it->world = &t->world;
        }
    }
    /* top-level uses must name something that exists */
    for (uint32_t fi = 0; fi < c.nfiles; fi++)
        for (uint32_t i = 0; i < c.files[fi].nuses; i++) {
            const wit_use *tu = c.files[fi].uses[i];
            uint32_t dummy;
            if (tu->path.is_pkg) {
                TRY(wit_resolve_path(&c, fi, &tu->path, false, &dummy));
            } else {
                bool found = false;
                for (uint32_t k = 0; k < c.nitems; k++)
                    if (strcmp(c.items[k].name->name, tu->path.name.name) == 0) found = true;
                if (!found)
                    return wit_err_at(&c, tu->path.name.span, tu->path.name.len,
                                  "interface or world `%s` not found in package `%s`", tu->path.name.name, c.pkgname);
            }
        }
    TRY(order_items(&c));
    /* allocate the kept interfaces and worlds in order, then resolve them */
    for (uint32_t s = 0; s < c.nitems; s++) {
        pitem *it = &c.items[c.order[s]];
        weld_wit_stability st;
        TRY(wit_stability_of(&c, it->is_world ? &it->world->attrs : &it->iface->attrs, &st));
        bool kept;
        TRY(wit_keep(&c, &st, it->name->span, &kept));
        if (!kept) {
            it->excluded = true;
            /* an excluded interface may only hold gated types */
            for (uint32_t k = 0; !it->is_world && k < it->iface->nitems; k++) {
                const wit_iitem *x = &it->iface->items[k];
                const wit_attrs *at = x->kind == II_TYPE ? &x->td.attrs : x->kind == II_USE ? &x->use.attrs : NULL;
                if (at && at->n == 0) {
                    const wit_id *nm = x->kind == II_TYPE ? &x->td.name : &x->use.path.name;
                    return wit_err_at(&c, nm->span, nm->len,
                                  "found a reference to a interface which is excluded due to its feature not being activated; this type is not gated by a feature but its interface is");
                }
            }
            continue;
        }
        if (it->is_world) {
            it->id = wit_new_world(r);
            if (it->id == UINT32_MAX) return wit_nomem(&c);
            r->worlds[it->id].name = it->name->name;
            r->worlds[it->id].package = c.pkg;
        } else {
            it->id = wit_new_interface(r);
            if (it->id == UINT32_MAX) return wit_nomem(&c);
            r->interfaces[it->id].name = it->name->name;
            r->interfaces[it->id].package = c.pkg;
        }
    }
    for (uint32_t s = 0; s < c.nitems; s++) {
        pitem *it = &c.items[c.order[s]];
        if (it->excluded || it->is_world) continue;
        TRY(wit_resolve_interface(&c, it->id, it->file, it->iface));
    }
    for (uint32_t s = 0; s < c.nitems; s++) {
        pitem *it = &c.items[c.order[s]];
        if (it->excluded || !it->is_world) continue;
        TRY(wit_ensure_world(&c, it));
    }
    /* attach to the package, in order */
    p = &r->packages[c.pkg];
    uint32_t ni = 0, nw = 0;
    for (uint32_t s = 0; s < c.nitems; s++) {
        pitem *it = &c.items[s];
        if (it->excluded) continue;
        if (it->is_world) nw++;
        else ni++;
    }
    p->interfaces = weld_arena_alloc(a, sizeof *p->interfaces * (ni + 1));
    p->worlds = weld_arena_alloc(a, sizeof *p->worlds * (nw + 1));
    if (!p->interfaces || !p->worlds) return wit_nomem(&c);
    for (uint32_t s = 0; s < c.nitems; s++) {
        pitem *it = &c.items[c.order[s]];
        if (it->excluded) continue;
        if (it->is_world) p->worlds[p->nworlds++] = (weld_wit_named){it->name->name, it->id};
        else p->interfaces[p->ninterfaces++] = (weld_wit_named){it->name->name, it->id};
    }
    TRY(wit_own_handles(r, c.pkg, first_type, first_iface, first_world, d));
    *pkg_out = c.pkg;
    return WELD_OK;
}
