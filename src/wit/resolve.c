/* resolve.c - turn parsed WIT packages into the index graph of wit.h.
 *
 * A package is resolved in steps: its interfaces and worlds are named and ordered so that
 * an interface comes after the interfaces it `use`s; each interface's `use`s and types are
 * defined (types in dependency order, anonymous types shared), then its functions; then
 * worlds (their includes merged, and every interface an import or export needs added as an
 * import: the "elaboration" that makes a world self-contained). Packages a package uses
 * must be in the resolve already; pkgset.c orders them. */
#include "wit/resolve_int.h"
#include <stdio.h>
#include <stdlib.h>

#define TRY(x) do { weld_status st_ = (x); if (st_ != WELD_OK) return st_; } while (0)

static weld_status nomem(rctx *c)
{
    return weld_diag_set(c->d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while resolving WIT");
}

static weld_status err_at(rctx *c, uint32_t at, uint32_t span, const char *fmt, ...) WELD_PRINTF(4, 5);
static weld_status err_at(rctx *c, uint32_t at, uint32_t span, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return wit_error(c->map, c->d, WELD_ERR_INVALID, at, span, "%s", msg);
}

static const char *pkg_label(rctx *c, uint32_t pkg, char *buf, size_t cap)
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

static weld_status stability_of(rctx *c, const wit_attrs *a, weld_wit_stability *s)
{
    const wit_attr *since = NULL, *dep = NULL, *uns = NULL;
    memset(s, 0, sizeof *s);
    for (uint32_t i = 0; i < a->n; i++) {
        const wit_attr *x = &a->v[i];
        const wit_attr **slot = x->kind == ATTR_SINCE ? &since : x->kind == ATTR_DEPRECATED ? &dep : &uns;
        if (*slot)
            return err_at(c, x->span, x->len, "cannot specify @%s twice",
                          x->kind == ATTR_SINCE ? "since" : x->kind == ATTR_DEPRECATED ? "deprecated" : "unstable");
        *slot = x;
    }
    if (since && uns) return err_at(c, since->span, since->len, "cannot specify both @since and @unstable");
    if (dep && !since && !uns)
        return err_at(c, dep->span, dep->len, "@deprecated needs @since or @unstable on the same item");
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
static weld_status keep(rctx *c, const weld_wit_stability *s, uint32_t at, bool *out)
{
    *out = true;
    if (s->kind == WELD_WIT_STAB_STABLE) {
        const char *pv = c->r->packages[c->pkg].version;
        char b[300];
        if (!pv)
            return err_at(c, at, 6, "package `%s` has a feature gate with a version (@since), so it must have a version",
                          pkg_label(c, c->pkg, b, sizeof b));
        if (wit_semver_cmp(s->since, pv) > 0)
            return err_at(c, at, 6, "feature gate cannot reference unreleased version %s of package `%s` (current version %s)",
                          s->since, pkg_label(c, c->pkg, b, sizeof b), pv);
    } else if (s->kind == WELD_WIT_STAB_UNSTABLE) {
        *out = feature_on(c->r, s->feature);
    }
    return WELD_OK;
}

static uint32_t attrs_at(const wit_attrs *a, uint32_t dflt) { return a->n ? a->v[0].span : dflt; }

/* ---- allocation in the resolve ---- */

uint32_t wit_new_type(weld_wit_resolve *r)
{
    weld_wit_typedef *t = WIT_PUSH(r->arena, r->types, r->ntypes, r->cap_types);
    return t ? r->ntypes - 1 : UINT32_MAX;
}

static uint32_t new_interface(weld_wit_resolve *r)
{
    weld_wit_interface *i = WIT_PUSH(r->arena, r->interfaces, r->ninterfaces, r->cap_interfaces);
    if (!i) return UINT32_MAX;
    i->package = UINT32_MAX;
    return r->ninterfaces - 1;
}

static uint32_t new_world(weld_wit_resolve *r)
{
    weld_wit_world *w = WIT_PUSH(r->arena, r->worlds, r->nworlds, r->cap_worlds);
    if (!w) return UINT32_MAX;
    w->package = UINT32_MAX;
    return r->nworlds - 1;
}

/* ---- per-owner name lookups ---- */

static lookup_ent *lookup_find(lookup *lk, const char *name)
{
    for (uint32_t i = 0; i < lk->n; i++)
        if (strcmp(lk->v[i].name, name) == 0) return &lk->v[i];
    return NULL;
}

static weld_status lookup_define(rctx *c, lookup *lk, const wit_id *id, int kind, uint32_t tid)
{
    if (lookup_find(lk, id->name))
        return err_at(c, id->span, id->len, "name `%s` is defined more than once", id->name);
    lookup_ent *e = WIT_PUSH(c->r->arena, lk->v, lk->n, lk->cap);
    if (!e) return nomem(c);
    e->name = id->name;
    e->kind = kind;
    e->id = tid;
    return WELD_OK;
}

/* ---- paths: `iface`, `ns:pkg/iface@v` ---- */

static int find_named(const weld_wit_named *v, uint32_t n, const char *name)
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
        return err_at(c, p->span, p->len,
                      "package `%s:%s%s%s` not found: version mismatch, `%s` asks for %s%s but the package found is version %s",
                      p->ns.name, p->pkg.name, p->version ? "@" : "", p->version ? p->version : "",
                      p->name.name, p->version ? "version " : "no version", p->version ? p->version : "",
                      v ? v : "(none)");
    }
    return err_at(c, p->span, p->len,
                  "package `%s:%s%s%s` not found: add it as a dependency (a `deps/` directory or file, or a nested `package` block)",
                  p->ns.name, p->pkg.name, p->version ? "@" : "", p->version ? p->version : "");
}

/* Resolve a path used in file `file` to an interface (want_world false) or world. */
static weld_status resolve_path(rctx *c, uint32_t file, const wit_usepath *p, bool want_world,
                                uint32_t *out)
{
    char b[300];
    if (p->is_pkg) {
        uint32_t pk = 0;
        TRY(foreign_package(c, p, &pk));
        const weld_wit_package *k = &c->r->packages[pk];
        int i = find_named(k->interfaces, k->ninterfaces, p->name.name);
        int w = find_named(k->worlds, k->nworlds, p->name.name);
        if (want_world ? w >= 0 : i >= 0) {
            *out = want_world ? k->worlds[w].id : k->interfaces[i].id;
            return WELD_OK;
        }
        if (want_world ? i >= 0 : w >= 0)
            return err_at(c, p->name.span, p->name.len, "`%s` in package `%s` is %s, not %s", p->name.name,
                          pkg_label(c, pk, b, sizeof b), want_world ? "an interface" : "a world",
                          want_world ? "a world" : "an interface");
        return err_at(c, p->name.span, p->name.len, "%s `%s` not found in package `%s`",
                      want_world ? "world" : "interface", p->name.name, pkg_label(c, pk, b, sizeof b));
    }
    /* the file's top-level `use` names come first, then the package's items */
    const pfile *f = &c->files[file];
    for (uint32_t i = 0; i < f->nuses; i++) {
        const wit_use *u = f->uses[i];
        const char *nm = u->has_as ? u->as.name : u->path.name.name;
        if (strcmp(nm, p->name.name) != 0) continue;
        if (want_world)
            return err_at(c, p->name.span, p->name.len, "name `%s` is defined as an interface, not a world", nm);
        return resolve_path(c, f->index, &u->path, false, out);
    }
    for (uint32_t i = 0; i < c->nitems; i++) {
        pitem *it = &c->items[i];
        if (strcmp(it->name->name, p->name.name) != 0) continue;
        if (it->is_world != want_world)
            return err_at(c, p->name.span, p->name.len, "name `%s` is defined as %s, not %s", p->name.name,
                          it->is_world ? "a world" : "an interface", want_world ? "a world" : "an interface");
        if (it->excluded)
            return err_at(c, p->name.span, p->name.len,
                          "%s `%s` is excluded by its feature gate (enable its feature to use it)",
                          it->is_world ? "world" : "interface", p->name.name);
        *out = it->id;
        return WELD_OK;
    }
    return err_at(c, p->name.span, p->name.len, "interface or world `%s` not found in package `%s`",
                  p->name.name, pkg_label(c, c->pkg, b, sizeof b));
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
    if (id == UINT32_MAX) return nomem(c);
    r->types[id] = *t;
    uint32_t *slot = WIT_PUSH(r->arena, c->anon, c->nanon, c->cap_anon);
    if (!slot) return nomem(c);
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
    lookup_ent *e = lookup_find(c->lk, id->name);
    if (!e) {
        const char *hint = strcmp(id->name, "float32") == 0 ? " (the type is now spelled `f32`)"
                         : strcmp(id->name, "float64") == 0 ? " (the type is now spelled `f64`)" : "";
        return err_at(c, id->span, id->len, "type `%s` does not exist%s", id->name, hint);
    }
    if (e->kind == LK_FUNC) return err_at(c, id->span, id->len, "`%s` is a function, not a type", id->name);
    if (e->kind == LK_EXCLUDED)
        return err_at(c, id->span, id->len, "type `%s` is excluded by its feature gate (enable its feature to use it)", id->name);
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
    if (!out->fields) return nomem(c);
    for (uint32_t i = 0; i < t->nfields; i++) {
        const wit_field *f = &t->fields[i];
        if (f->name.name) {
            for (uint32_t k = 0; k < i; k++)
                if (strcmp(t->fields[k].name.name, f->name.name) == 0)
                    return err_at(c, f->name.span, f->name.len, "%s `%s` is defined more than once", what, f->name.name);
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
            return err_at(c, t->a->span, t->a->len,
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
            return err_at(c, t->name.span, t->name.len, "type `%s` used in a handle must be a resource", t->name.name);
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
        if (!t->nfields) return err_at(c, t->span, 7, "a variant must have at least one case");
        return fields(c, t, out, "case", false);
    case AT_ENUM:
        out->kind = WELD_WIT_ENUM;
        if (!t->nfields) return err_at(c, t->span, 4, "an enum must have at least one case");
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
        if (!slot) return nomem(c);
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
static weld_status define_types(rctx *c, weld_wit_owner_kind ok, uint32_t owner, uint32_t file,
                                const wit_use **uses, uint32_t nuses, const wit_typedef **defs,
                                uint32_t ndefs)
{
    weld_wit_resolve *r = c->r;
    /* uses */
    for (uint32_t i = 0; i < nuses; i++) {
        const wit_use *u = uses[i];
        uint32_t from = 0;
        weld_wit_stability st;
        TRY(stability_of(c, &u->attrs, &st));
        bool kept;
        TRY(keep(c, &st, attrs_at(&u->attrs, u->span), &kept));
        if (kept) TRY(resolve_path(c, file, &u->path, false, &from));
        for (uint32_t k = 0; k < u->nnames; k++) {
            const wit_usename *un = &u->names[k];
            const wit_id *local = un->has_as ? &un->as : &un->name;
            if (!kept) {
                TRY(lookup_define(c, c->lk, local, LK_EXCLUDED, 0));
                continue;
            }
            const weld_wit_interface *fi = &r->interfaces[from];
            int ti = find_named(fi->types, fi->ntypes, un->name.name);
            if (ti < 0) {
                char b[300] = "";
                for (uint32_t q = 0; q < fi->nfuncs; q++)
                    if (strcmp(fi->funcs[q].name, un->name.name) == 0)
                        return err_at(c, un->name.span, un->name.len, "cannot import function `%s`: only types can be used", un->name.name);
                if (fi->package != UINT32_MAX) pkg_label(c, fi->package, b, sizeof b);
                return err_at(c, un->name.span, un->name.len, "type `%s` not defined in interface `%s`%s%s%s",
                              un->name.name, fi->name ? fi->name : "?", b[0] ? " of package `" : "", b,
                              b[0] ? "`" : "");
            }
            uint32_t id = wit_new_type(r);
            if (id == UINT32_MAX) return nomem(c);
            weld_wit_typedef *t = &r->types[id];
            t->name = local->name;
            t->kind = WELD_WIT_ALIAS;
            t->a = WELD_WIT_TREF(fi->types[ti].id);
            t->owner_kind = ok;
            t->owner = owner;
            t->stability = st;
            TRY(lookup_define(c, c->lk, local, LK_TYPE, id));
        }
    }
    if (!ndefs) return WELD_OK;
    /* order the definitions */
    for (uint32_t i = 0; i < ndefs; i++)
        for (uint32_t k = 0; k < i; k++)
            if (strcmp(defs[k]->name.name, defs[i]->name.name) == 0)
                return err_at(c, defs[i]->name.span, defs[i]->name.len, "name `%s` is defined more than once", defs[i]->name.name);
    for (uint32_t i = 0; i < ndefs; i++)
        if (lookup_find(c->lk, defs[i]->name.name))
            return err_at(c, defs[i]->name.span, defs[i]->name.len, "name `%s` is defined more than once", defs[i]->name.name);
    weld_arena *a = r->arena;
    uint32_t *remaining = weld_arena_alloc(a, sizeof(uint32_t) * ndefs);
    const wit_id ***deps = weld_arena_alloc(a, sizeof(*deps) * ndefs);
    uint32_t *ndeps = weld_arena_alloc(a, sizeof(uint32_t) * ndefs);
    int32_t **target = weld_arena_alloc(a, sizeof(int32_t *) * ndefs);
    bool *done = weld_arena_alloc(a, ndefs);
    if (!remaining || !deps || !ndeps || !target || !done) return nomem(c);
    for (uint32_t i = 0; i < ndefs; i++) {
        uint32_t cap = 0;
        TRY(collect_deps(c, defs[i]->type, &deps[i], &ndeps[i], &cap));
        target[i] = weld_arena_alloc(a, sizeof(int32_t) * (ndeps[i] + 1));
        if (!target[i]) return nomem(c);
        for (uint32_t k = 0; k < ndeps[i]; k++) {
            int32_t tgt = -1;
            for (uint32_t q = 0; q < ndefs; q++)
                if (strcmp(defs[q]->name.name, deps[i][k]->name) == 0) tgt = (int32_t)q;
            if (tgt < 0 && !lookup_find(c->lk, deps[i][k]->name)) {
                const wit_id *id = deps[i][k];
                const char *hint = strcmp(id->name, "float32") == 0 ? " (the type is now spelled `f32`)"
                                 : strcmp(id->name, "float64") == 0 ? " (the type is now spelled `f64`)" : "";
                return err_at(c, id->span, id->len, "type `%s` does not exist%s", id->name, hint);
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
                        return err_at(c, deps[i][k]->span, deps[i][k]->len,
                                      "type `%s` depends on itself (a cycle through `%s`)", deps[i][k]->name,
                                      defs[i]->name.name);
            }
            return err_at(c, defs[0]->name.span, defs[0]->name.len, "cycle between type definitions");
        }
        done[pick] = true;
        for (uint32_t i = 0; i < ndefs; i++)
            for (uint32_t k = 0; k < ndeps[i]; k++)
                if (target[i][k] == (int32_t)pick) remaining[i]--;
        const wit_typedef *def = defs[pick];
        weld_wit_stability st;
        TRY(stability_of(c, &def->attrs, &st));
        bool kept;
        TRY(keep(c, &st, attrs_at(&def->attrs, def->name.span), &kept));
        if (!kept) {
            TRY(lookup_define(c, c->lk, &def->name, LK_EXCLUDED, 0));
            continue;
        }
        weld_wit_typedef td;
        c->cur_stab = st.kind ? &st : NULL;
        weld_status tk = type_kind(c, def->type, &td);
        c->cur_stab = NULL;
        TRY(tk);
        if (td.kind == WELD_WIT_OWN && def->alias && def->type->kind == AT_NAME) td.kind = WELD_WIT_ALIAS;
        uint32_t id = wit_new_type(r);
        if (id == UINT32_MAX) return nomem(c);
        td.name = def->name.name;
        td.docs = def->docs.text;
        td.stability = st;
        td.owner_kind = ok;
        td.owner = owner;
        r->types[id] = td;
        TRY(lookup_define(c, c->lk, &def->name, LK_TYPE, id));
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

static weld_status resolve_func(rctx *c, const wit_func *f, const char *name, weld_wit_func_kind kind,
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
    TRY(stability_of(c, attrs, &out->stability));
    uint32_t self = kind == WELD_WIT_FUNC_METHOD;
    out->nparams = f->nparams + self;
    if (out->nparams) {
        out->params = weld_arena_alloc(r->arena, sizeof *out->params * out->nparams);
        if (!out->params) return nomem(c);
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
                return err_at(c, p->name.span, p->name.len, "param `%s` is defined more than once", p->name.name);
        if (self && strcmp(p->name.name, "self") == 0)
            return err_at(c, p->name.span, p->name.len, "param `self` is defined more than once (methods have an implicit `self`)");
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
                return err_at(c, f->result->span, f->result->len, "if a constructor return type is declared it must be a `result`");
            if (rt->a != WELD_WIT_TREF(resource))
                return err_at(c, f->result->span, f->result->len, "the `ok` type must be the resource being constructed");
        }
    } else if (f->result) {
        TRY(resolve_tref(c, f->result, &out->result));
        if (has_borrow(r, out->result, 0))
            return err_at(c, f->result->span, f->result->len,
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
static weld_status resource_funcs(rctx *c, const wit_typedef *td,
                                  weld_status (*push)(rctx *, weld_wit_func *, const wit_id *, void *), void *arg)
{
    lookup_ent *e = lookup_find(c->lk, td->name.name);
    const wit_type *t = td->type;
    if (!e || e->kind != LK_TYPE) {
        /* the resource is gated off: so must be each of its functions */
        for (uint32_t i = 0; i < t->nfuncs; i++) {
            const wit_rfunc *rf = &t->funcs[i];
            weld_wit_stability st;
            bool kept;
            TRY(stability_of(c, &rf->attrs, &st));
            TRY(keep(c, &st, rf->name.span, &kept));
            if (kept)
                return err_at(c, rf->name.span, rf->name.len,
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
                return err_at(c, rf->name.span, rf->name.len, "%s `%s` is defined more than once in resource `%s`",
                              rf->kind == RF_CONSTRUCTOR ? "constructor" : "function",
                              rf->name.name, td->name.name);
        weld_wit_func f;
        const char *nm;
        weld_wit_func_kind k;
        if (rf->kind == RF_CONSTRUCTOR) {
            if (rf->func.is_async) return err_at(c, rf->name.span, rf->name.len, "constructors cannot be async");
            nm = join_name(c, "[constructor]", td->name.name, "", "");
            k = WELD_WIT_FUNC_CONSTRUCTOR;
        } else if (rf->kind == RF_STATIC) {
            nm = join_name(c, "[static]", td->name.name, ".", rf->name.name);
            k = WELD_WIT_FUNC_STATIC;
        } else {
            nm = join_name(c, "[method]", td->name.name, ".", rf->name.name);
            k = WELD_WIT_FUNC_METHOD;
        }
        if (!nm) return nomem(c);
        weld_wit_stability st;
        TRY(stability_of(c, &rf->attrs, &st));
        bool kept;
        TRY(keep(c, &st, attrs_at(&rf->attrs, rf->name.span), &kept));
        if (!kept) continue;
        TRY(resolve_func(c, &rf->func, nm, k, e->id, &rf->docs, &rf->attrs, &f));
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

static weld_status resolve_interface(rctx *c, uint32_t id, uint32_t file, const wit_iface *ast)
{
    weld_wit_resolve *r = c->r;
    lookup lk = {0};
    lookup *saved = c->lk;
    c->lk = &lk;
    weld_wit_interface *in = &r->interfaces[id];
    in->docs = ast->docs.text;
    TRY(stability_of(c, &ast->attrs, &in->stability));
    uint32_t nuses = 0, ndefs = 0;
    for (uint32_t i = 0; i < ast->nitems; i++) {
        if (ast->items[i].kind == II_USE) nuses++;
        if (ast->items[i].kind == II_TYPE) ndefs++;
    }
    const wit_use **uses = weld_arena_alloc(r->arena, sizeof *uses * (nuses + 1));
    const wit_typedef **defs = weld_arena_alloc(r->arena, sizeof *defs * (ndefs + 1));
    if (!uses || !defs) return nomem(c);
    nuses = ndefs = 0;
    for (uint32_t i = 0; i < ast->nitems; i++) {
        if (ast->items[i].kind == II_USE) uses[nuses++] = &ast->items[i].use;
        if (ast->items[i].kind == II_TYPE) defs[ndefs++] = &ast->items[i].td;
    }
    TRY(define_types(c, WELD_WIT_OWNER_INTERFACE, id, file, uses, nuses, defs, ndefs));
    in = &r->interfaces[id];
    /* the interface's type table, in definition order */
    uint32_t nt = 0;
    for (uint32_t i = 0; i < lk.n; i++) nt += lk.v[i].kind == LK_TYPE;
    in->types = weld_arena_alloc(r->arena, sizeof *in->types * (nt + 1));
    if (!in->types) return nomem(c);
    for (uint32_t i = 0; i < lk.n; i++)
        if (lk.v[i].kind == LK_TYPE) in->types[in->ntypes++] = (weld_wit_named){lk.v[i].name, lk.v[i].id};
    /* functions in source order, resource functions where their resource is */
    uint32_t nf = 0;
    for (uint32_t i = 0; i < ast->nitems; i++) {
        const wit_iitem *it = &ast->items[i];
        nf += it->kind == II_FUNC ? 1 : it->kind == II_TYPE && it->td.type->kind == AT_RESOURCE ? it->td.type->nfuncs : 0;
    }
    in->funcs = weld_arena_alloc(r->arena, sizeof *in->funcs * (nf + 1));
    if (!in->funcs) return nomem(c);
    for (uint32_t i = 0; i < ast->nitems; i++) {
        const wit_iitem *it = &ast->items[i];
        if (it->kind == II_FUNC) {
            weld_wit_func f;
            weld_wit_stability st;
            TRY(stability_of(c, &it->fn.attrs, &st));
            bool kept;
            TRY(keep(c, &st, attrs_at(&it->fn.attrs, it->fn.name.span), &kept));
            TRY(lookup_define(c, &lk, &it->fn.name, kept ? LK_FUNC : LK_EXCLUDED, 0));
            if (!kept) continue;
            TRY(resolve_func(c, &it->fn.func, it->fn.name.name, WELD_WIT_FUNC_FREESTANDING, 0, &it->fn.docs,
                             &it->fn.attrs, &f));
            TRY(push_iface_func(c, &f, &it->fn.name, &id));
        } else if (it->kind == II_TYPE && it->td.type->kind == AT_RESOURCE) {
            TRY(resource_funcs(c, &it->td, push_iface_func, &id));
        }
    }
    c->lk = saved;
    return WELD_OK;
}

/* ---- worlds ---- */

static weld_wit_world_item *find_key(weld_wit_world_item *v, uint32_t n, const char *name, uint32_t iface)
{
    for (uint32_t i = 0; i < n; i++) {
        if (name ? (v[i].name && strcmp(v[i].name, name) == 0) : (!v[i].name && v[i].id == iface)) return &v[i];
    }
    return NULL;
}

typedef struct item_list {
    weld_wit_world_item *v;
    uint32_t n, cap;
} item_list;

static weld_wit_world_item *list_push(rctx *c, item_list *l)
{
    return WIT_PUSH(c->r->arena, l->v, l->n, l->cap);
}

static weld_status push_world_func(rctx *c, weld_wit_func *f, const wit_id *at, void *arg)
{
    item_list *l = arg;
    (void)at;
    weld_wit_world_item *it = list_push(c, l);
    if (!it) return nomem(c);
    it->name = f->name;
    it->kind = WELD_WIT_ITEM_FUNC;
    it->func = *f;
    it->stability = f->stability;
    return WELD_OK;
}

static const char *item_kind_name(const weld_wit_world_item *it)
{
    return it->kind == WELD_WIT_ITEM_INTERFACE ? "interface" : it->kind == WELD_WIT_ITEM_FUNC ? "func" : "type";
}

static weld_status resolve_world_body(rctx *c, uint32_t wid, uint32_t file, const wit_world *ast);

/* The interface a type definition (an alias of another owner's type) pulls in. */
static uint32_t type_iface_dep(const weld_wit_resolve *r, uint32_t tid)
{
    const weld_wit_typedef *t = &r->types[tid];
    if (t->kind != WELD_WIT_ALIAS || !WELD_WIT_IS_ID(t->a)) return UINT32_MAX;
    const weld_wit_typedef *o = &r->types[WELD_WIT_ID(t->a)];
    if (o->owner_kind == t->owner_kind && o->owner == t->owner) return UINT32_MAX;
    return o->owner_kind == WELD_WIT_OWNER_INTERFACE ? o->owner : UINT32_MAX;
}

uint32_t wit_type_iface_dep(const weld_wit_resolve *r, uint32_t tid) { return type_iface_dep(r, tid); }

static weld_status elab_import(rctx *c, item_list *imp, const char *name, uint32_t iface,
                               const weld_wit_stability *st, const char *docs, int depth)
{
    weld_wit_resolve *r = c->r;
    if (find_key(imp->v, imp->n, name, iface)) return WELD_OK;
    if (depth > 10000) return nomem(c);
    const weld_wit_interface *in = &r->interfaces[iface];
    for (uint32_t i = 0; i < in->ntypes; i++) {
        uint32_t dep = type_iface_dep(r, in->types[i].id);
        if (dep != UINT32_MAX) TRY(elab_import(c, imp, NULL, dep, st, NULL, depth + 1));
    }
    weld_wit_world_item *it = list_push(c, imp);
    if (!it) return nomem(c);
    it->name = name;
    it->kind = WELD_WIT_ITEM_INTERFACE;
    it->id = iface;
    it->stability = *st;
    it->docs = docs;
    return WELD_OK;
}

static int sort_key(const weld_wit_resolve *r, const weld_wit_world_item *it)
{
    if (it->kind == WELD_WIT_ITEM_INTERFACE) return 0;
    if (it->kind == WELD_WIT_ITEM_TYPE) {
        const weld_wit_typedef *t = &r->types[it->id];
        if (t->kind == WELD_WIT_ALIAS && WELD_WIT_IS_ID(t->a)) {
            const weld_wit_typedef *o = &r->types[WELD_WIT_ID(t->a)];
            if (o->owner_kind != t->owner_kind || o->owner != t->owner) return 1;
        }
        return 2;
    }
    return it->func.kind == WELD_WIT_FUNC_FREESTANDING ? 3 : 4;
}

static weld_status stable_sort(rctx *c, item_list *l)
{
    if (l->n < 2) return WELD_OK;
    weld_wit_world_item *tmp = weld_arena_alloc(c->r->arena, sizeof *tmp * l->n);
    if (!tmp) return nomem(c);
    uint32_t k = 0;
    for (int key = 0; key <= 4; key++)
        for (uint32_t i = 0; i < l->n; i++)
            if (sort_key(c->r, &l->v[i]) == key) tmp[k++] = l->v[i];
    memcpy(l->v, tmp, sizeof *tmp * l->n);
    return WELD_OK;
}

typedef struct export_state {
    uint32_t *required;
    uint32_t nreq, capreq;
} export_state;

static bool has_u32(const uint32_t *v, uint32_t n, uint32_t x)
{
    for (uint32_t i = 0; i < n; i++)
        if (v[i] == x) return true;
    return false;
}

static int add_world_export(rctx *c, item_list *imp, item_list *exp, const item_list *exp_ifaces,
                            export_state *es, const char *name, uint32_t iface,
                            const weld_wit_stability *st, const char *docs, bool add_export, int depth)
{
    weld_wit_resolve *r = c->r;
    if (find_key(exp->v, exp->n, name, iface)) return add_export ? 1 : 0;
    if (!add_export && has_u32(es->required, es->nreq, iface)) return 1;
    if (depth > 10000) return -1;
    const weld_wit_interface *in = &r->interfaces[iface];
    for (uint32_t i = 0; i < in->ntypes; i++) {
        uint32_t dep = type_iface_dep(r, in->types[i].id);
        if (dep == UINT32_MAX) continue;
        bool sub_export = add_export && find_key(exp_ifaces->v, exp_ifaces->n, NULL, dep);
        int ok = add_world_export(c, imp, exp, exp_ifaces, es, NULL, dep, st, NULL, sub_export, depth + 1);
        if (ok <= 0) return ok;
    }
    if (add_export) {
        if (has_u32(es->required, es->nreq, iface)) return 0;
        weld_wit_world_item *it = list_push(c, exp);
        if (!it) return -1;
        it->name = name;
        it->kind = WELD_WIT_ITEM_INTERFACE;
        it->id = iface;
        it->stability = *st;
        it->docs = docs;
    } else {
        uint32_t *slot = WIT_PUSH(r->arena, es->required, es->nreq, es->capreq);
        if (!slot) return -1;
        *slot = iface;
        if (!find_key(imp->v, imp->n, name, iface)) {
            weld_wit_world_item *it = list_push(c, imp);
            if (!it) return -1;
            it->name = name;
            it->kind = WELD_WIT_ITEM_INTERFACE;
            it->id = iface;
            it->stability = *st;
        }
    }
    return 1;
}

/* Make the world list every interface its imports and exports depend on. */
static weld_status elaborate(rctx *c, uint32_t wid, uint32_t at)
{
    weld_wit_resolve *r = c->r;
    weld_wit_world *w = &r->worlds[wid];
    item_list src = {w->imports, w->nimports, w->nimports};
    TRY(stable_sort(c, &src));
    item_list imp = {0}, exp = {0}, exp_ifaces = {0};
    for (uint32_t i = 0; i < src.n; i++) {
        weld_wit_world_item *it = &src.v[i];
        if (it->kind == WELD_WIT_ITEM_INTERFACE) {
            TRY(elab_import(c, &imp, it->name, it->id, &it->stability, it->docs, 0));
        } else {
            if (it->kind == WELD_WIT_ITEM_TYPE) {
                uint32_t dep = type_iface_dep(r, it->id);
                if (dep != UINT32_MAX) TRY(elab_import(c, &imp, NULL, dep, &r->types[it->id].stability, NULL, 0));
            }
            weld_wit_world_item *n = list_push(c, &imp);
            if (!n) return nomem(c);
            *n = *it;
        }
    }
    w = &r->worlds[wid];
    for (uint32_t i = 0; i < w->nexports; i++) {
        weld_wit_world_item *it = &w->exports[i];
        weld_wit_world_item *n = list_push(c, it->kind == WELD_WIT_ITEM_INTERFACE ? &exp_ifaces : &exp);
        if (!n) return nomem(c);
        *n = *it;
    }
    export_state es = {0};
    for (uint32_t i = 0; i < exp_ifaces.n; i++) {
        weld_wit_world_item *it = &exp_ifaces.v[i];
        int ok = add_world_export(c, &imp, &exp, &exp_ifaces, &es, it->name, it->id, &it->stability, it->docs, true, 0);
        if (ok < 0) return nomem(c);
        if (!ok) {
            const weld_wit_interface *in = &r->interfaces[it->id];
            char b[300] = "";
            if (in->package != UINT32_MAX && !it->name) {
                weld_wit_package_id(&r->packages[in->package], b, sizeof b);
            }
            return err_at(c, at, 5,
                          "world `%s`: export `%s%s%s` needs an interface both imported and exported; export the interfaces it uses too, or none of them",
                          r->worlds[wid].name, b, b[0] ? "/" : "", it->name ? it->name : in->name);
        }
    }
    TRY(stable_sort(c, &imp));
    w = &r->worlds[wid];
    w->imports = imp.v;
    w->nimports = imp.n;
    w->exports = exp.v;
    w->nexports = exp.n;
    return WELD_OK;
}

/* Types owned by the included world are copied into the including one. */
typedef struct clone_map {
    uint32_t *from, *to;
    uint32_t n, cap, capto;
} clone_map;

static weld_status clone_tref(rctx *c, clone_map *m, uint32_t src_world, uint32_t dst_world,
                              weld_wit_tref t, weld_wit_tref *out, int depth)
{
    weld_wit_resolve *r = c->r;
    *out = t;
    if (!WELD_WIT_IS_ID(t) || depth > 200) return WELD_OK;
    uint32_t id = WELD_WIT_ID(t);
    for (uint32_t i = 0; i < m->n; i++)
        if (m->from[i] == id) {
            *out = WELD_WIT_TREF(m->to[i]);
            return WELD_OK;
        }
    weld_wit_typedef td = r->types[id];
    bool owned = td.owner_kind == WELD_WIT_OWNER_WORLD && td.owner == src_world;
    if (!owned && td.owner_kind != WELD_WIT_OWNER_NONE) return WELD_OK;
    bool changed = owned;
    weld_wit_tref a = td.a, b = td.b;
    if (td.kind != WELD_WIT_RESOURCE) {
        TRY(clone_tref(c, m, src_world, dst_world, td.a, &a, depth + 1));
        TRY(clone_tref(c, m, src_world, dst_world, td.b, &b, depth + 1));
    }
    changed |= a != td.a || b != td.b;
    weld_wit_field *nf = td.fields;
    if (td.nfields) {
        nf = weld_arena_alloc(r->arena, sizeof *nf * td.nfields);
        if (!nf) return nomem(c);
        for (uint32_t i = 0; i < td.nfields; i++) {
            nf[i] = td.fields[i];
            TRY(clone_tref(c, m, src_world, dst_world, td.fields[i].type, &nf[i].type, depth + 1));
            changed |= nf[i].type != td.fields[i].type;
        }
    }
    if (!changed) return WELD_OK;
    uint32_t nid = wit_new_type(r);
    if (nid == UINT32_MAX) return nomem(c);
    td.a = a;
    td.b = b;
    td.fields = nf;
    if (owned) td.owner = dst_world;
    r->types[nid] = td;
    uint32_t *f = WIT_PUSH(r->arena, m->from, m->n, m->cap);
    if (!f) return nomem(c);
    m->n--;
    uint32_t *to = WIT_PUSH(r->arena, m->to, m->n, m->capto);
    if (!to) return nomem(c);
    *f = id;
    *to = nid;
    *out = WELD_WIT_TREF(nid);
    return WELD_OK;
}

static weld_status clone_func(rctx *c, clone_map *m, uint32_t sw, uint32_t dw, weld_wit_func *f)
{
    weld_wit_field *np = f->params;
    if (f->nparams) {
        np = weld_arena_alloc(c->r->arena, sizeof *np * f->nparams);
        if (!np) return nomem(c);
        for (uint32_t i = 0; i < f->nparams; i++) {
            np[i] = f->params[i];
            TRY(clone_tref(c, m, sw, dw, f->params[i].type, &np[i].type, 0));
        }
    }
    f->params = np;
    TRY(clone_tref(c, m, sw, dw, f->result, &f->result, 0));
    if (f->kind != WELD_WIT_FUNC_FREESTANDING) {
        weld_wit_tref t;
        TRY(clone_tref(c, m, sw, dw, WELD_WIT_TREF(f->resource), &t, 0));
        f->resource = WELD_WIT_ID(t);
    }
    return WELD_OK;
}

/* The name an included item takes under `with { a as b }`; resource functions
 * ("[method]a.m", "[constructor]a") follow their resource's new name. */
static const char *renamed(rctx *c, const wit_witem *inc, const char *name, bool *used)
{
    for (uint32_t i = 0; i < inc->nwith; i++) {
        const char *from = inc->with[i].from.name, *to = inc->with[i].to.name;
        if (strcmp(from, name) == 0) {
            used[i] = true;
            return to;
        }
        const char *close = name[0] == '[' ? strchr(name, ']') : NULL;
        if (!close) continue;
        const char *rest = close + 1, *dot = strchr(rest, '.');
        size_t fl = strlen(from), kl = (size_t)(close + 1 - name);
        if (dot ? (size_t)(dot - rest) == fl && strncmp(rest, from, fl) == 0 : strcmp(rest, from) == 0) {
            size_t n = kl + strlen(to) + (dot ? strlen(dot) : 0);
            char *s = weld_arena_alloc(c->r->arena, n + 1);
            if (!s) return name;
            memcpy(s, name, kl);
            strcpy(s + kl, to);
            if (dot) strcat(s, dot);
            used[i] = true;
            return s;
        }
    }
    return name;
}

static weld_status include_world(rctx *c, uint32_t wid, const wit_witem *inc, uint32_t src,
                                 item_list *imps, item_list *exps)
{
    weld_wit_resolve *r = c->r;
    bool *used = weld_arena_alloc(r->arena, inc->nwith + 1);
    if (!used) return nomem(c);
    clone_map m = {0};
    for (int pass = 0; pass < 2; pass++) {
        const weld_wit_world *s = &r->worlds[src];
        uint32_t n = pass ? s->nexports : s->nimports;
        item_list *dst = pass ? exps : imps;
        for (uint32_t i = 0; i < n; i++) {
            weld_wit_world_item it = (pass ? r->worlds[src].exports : r->worlds[src].imports)[i];
            if (!it.name) {
                /* an interface from another package's world keeps no @since of that package */
                if (r->worlds[src].package != r->worlds[wid].package && it.stability.kind == WELD_WIT_STAB_STABLE)
                    memset(&it.stability, 0, sizeof it.stability);
                weld_wit_world_item *prev = find_key(dst->v, dst->n, NULL, it.id);
                if (prev) {
                    if (!prev->stability.kind) prev->stability = it.stability;
                    continue;
                }
                weld_wit_world_item *nw = list_push(c, dst);
                if (!nw) return nomem(c);
                *nw = it;
                continue;
            }
            const char *nm = renamed(c, inc, it.name, used);
            if (find_key(dst->v, dst->n, nm, 0))
                return err_at(c, inc->span, 7, "%s `%s` from the included world `%s` conflicts with an item of the same name in world `%s`",
                              pass ? "export" : "import", nm, r->worlds[src].name, r->worlds[wid].name);
            if (it.kind == WELD_WIT_ITEM_FUNC) {
                TRY(clone_func(c, &m, src, wid, &it.func));
                it.func.name = nm;
            } else if (it.kind == WELD_WIT_ITEM_TYPE) {
                weld_wit_tref t;
                TRY(clone_tref(c, &m, src, wid, WELD_WIT_TREF(it.id), &t, 0));
                it.id = WELD_WIT_ID(t);
                if (r->types[it.id].owner_kind == WELD_WIT_OWNER_WORLD) r->types[it.id].name = nm;
            }
            it.name = nm;
            weld_wit_world_item *nw = list_push(c, dst);
            if (!nw) return nomem(c);
            *nw = it;
        }
    }
    for (uint32_t i = 0; i < inc->nwith; i++)
        if (!used[i])
            return err_at(c, inc->with[i].from.span, inc->with[i].from.len,
                          "`with` renames `%s`, but world `%s` has no import or export named `%s`",
                          inc->with[i].from.name, r->worlds[src].name, inc->with[i].from.name);
    return WELD_OK;
}

static pitem *local_world_item(rctx *c, uint32_t wid)
{
    for (uint32_t i = 0; i < c->nitems; i++)
        if (c->items[i].is_world && c->items[i].id == wid) return &c->items[i];
    return NULL;
}

static weld_status ensure_world(rctx *c, pitem *it)
{
    if (it->state == 2) return WELD_OK;
    if (it->state == 1)
        return err_at(c, it->name->span, it->name->len, "world `%s` includes itself (an include cycle)", it->name->name);
    it->state = 1;
    TRY(resolve_world_body(c, it->id, it->file, it->world));
    it->state = 2;
    return WELD_OK;
}

static weld_status resolve_world_body(rctx *c, uint32_t wid, uint32_t file, const wit_world *ast)
{
    weld_wit_resolve *r = c->r;
    lookup lk = {0};
    lookup *saved = c->lk;
    c->lk = &lk;
    weld_wit_world *w = &r->worlds[wid];
    w->docs = ast->docs.text;
    TRY(stability_of(c, &ast->attrs, &w->stability));
    uint32_t nuses = 0, ndefs = 0;
    for (uint32_t i = 0; i < ast->nitems; i++) {
        nuses += ast->items[i].kind == WI_USE;
        ndefs += ast->items[i].kind == WI_TYPE;
    }
    const wit_use **uses = weld_arena_alloc(r->arena, sizeof *uses * (nuses + 1));
    const wit_typedef **defs = weld_arena_alloc(r->arena, sizeof *defs * (ndefs + 1));
    if (!uses || !defs) return nomem(c);
    nuses = ndefs = 0;
    for (uint32_t i = 0; i < ast->nitems; i++) {
        if (ast->items[i].kind == WI_USE) uses[nuses++] = &ast->items[i].use;
        if (ast->items[i].kind == WI_TYPE) defs[ndefs++] = &ast->items[i].td;
    }
    TRY(define_types(c, WELD_WIT_OWNER_WORLD, wid, file, uses, nuses, defs, ndefs));
    item_list imps = {0}, exps = {0};
    for (uint32_t i = 0; i < lk.n; i++) {
        if (lk.v[i].kind != LK_TYPE) continue;
        weld_wit_world_item *it = list_push(c, &imps);
        if (!it) return nomem(c);
        it->name = lk.v[i].name;
        it->kind = WELD_WIT_ITEM_TYPE;
        it->id = lk.v[i].id;
        it->stability = r->types[lk.v[i].id].stability;
    }
    for (uint32_t i = 0; i < ast->nitems; i++) {
        const wit_witem *x = &ast->items[i];
        if (x->kind == WI_TYPE && x->td.type->kind == AT_RESOURCE) {
            TRY(resource_funcs(c, &x->td, push_world_func, &imps));
            continue;
        }
        if (x->kind != WI_IMPORT && x->kind != WI_EXPORT) continue;
        bool is_imp = x->kind == WI_IMPORT;
        const char *desc = is_imp ? "import" : "export";
        weld_wit_world_item it = {0};
        weld_wit_stability st;
        TRY(stability_of(c, &x->attrs, &st));
        uint32_t gate_at = attrs_at(&x->attrs, x->span);
        bool kept;
        TRY(keep(c, &st, gate_at, &kept));
        if (!kept) continue;
        switch (x->ek) {
        case EK_INTERFACE: {
            uint32_t iid = new_interface(r);
            if (iid == UINT32_MAX) return nomem(c);
            r->interfaces[iid].package = c->pkg;
            wit_iface tmp = x->inline_iface;
            tmp.docs = x->docs;
            tmp.attrs = x->attrs;
            TRY(resolve_interface(c, iid, file, &tmp));
            it.name = x->name.name;
            it.kind = WELD_WIT_ITEM_INTERFACE;
            it.id = iid;
            it.stability = r->interfaces[iid].stability;
            break;
        }
        case EK_PATH:
        case EK_NAMED_PATH:
            TRY(resolve_path(c, file, &x->path, false, &it.id));
            it.kind = WELD_WIT_ITEM_INTERFACE;
            it.name = x->ek == EK_NAMED_PATH ? x->name.name : NULL;
            it.stability = st;
            it.docs = x->docs.text;
            break;
        case EK_FUNC:
            TRY(resolve_func(c, &x->func, x->name.name, WELD_WIT_FUNC_FREESTANDING, 0, &x->docs, &x->attrs, &it.func));
            it.name = x->name.name;
            it.kind = WELD_WIT_ITEM_FUNC;
            it.stability = st;
            break;
        }
        item_list *dst = is_imp ? &imps : &exps;
        weld_wit_world_item *prev = find_key(dst->v, dst->n, it.name, it.id);
        if (prev) {
            uint32_t at = x->ek == EK_PATH ? x->path.span : x->name.span;
            uint32_t len = x->ek == EK_PATH ? x->path.len : x->name.len;
            if (!it.name) return err_at(c, at, len, "interface cannot be %sed more than once", desc);
            return err_at(c, at, len, "%s `%s` conflicts with prior %s of same name", desc, it.name, item_kind_name(prev));
        }
        weld_wit_world_item *slot = list_push(c, dst);
        if (!slot) return nomem(c);
        *slot = it;
    }
    /* includes, after the world's own items */
    for (uint32_t i = 0; i < ast->nitems; i++) {
        const wit_witem *x = &ast->items[i];
        if (x->kind != WI_INCLUDE) continue;
        weld_wit_stability st;
        TRY(stability_of(c, &x->attrs, &st));
        bool kept;
        TRY(keep(c, &st, attrs_at(&x->attrs, x->span), &kept));
        if (!kept) continue;
        uint32_t src;
        TRY(resolve_path(c, file, &x->path, true, &src));
        pitem *li = local_world_item(c, src);
        if (li) {
            lookup *cur = c->lk;
            TRY(ensure_world(c, li));
            c->lk = cur;
        }
        TRY(include_world(c, wid, x, src, &imps, &exps));
    }
    w = &r->worlds[wid];
    w->imports = imps.v;
    w->nimports = imps.n;
    w->exports = exps.v;
    w->nexports = exps.n;
    /* names differing only in case collide */
    for (int pass = 0; pass < 2; pass++) {
        weld_wit_world_item *v = pass ? w->exports : w->imports;
        uint32_t n = pass ? w->nexports : w->nimports;
        for (uint32_t i = 0; i < n; i++)
            for (uint32_t k = 0; k < i; k++)
                if (v[i].name && v[k].name && strcasecmp(v[i].name, v[k].name) == 0 && strcmp(v[i].name, v[k].name) != 0)
                    return err_at(c, ast->name.span, ast->name.len,
                                  "%s `%s` in world `%s` conflicts with %s `%s` (kebab-case identifiers are case-insensitive)",
                                  pass ? "export" : "import", v[i].name, w->name, pass ? "export" : "import", v[k].name);
    }
    TRY(elaborate(c, wid, ast->name.span));
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
    if (!edges || !espan || !nedges || !caps || !caps2 || !remaining || !done || !c->order) return nomem(c);
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
                return err_at(c, target->span, target->len, "interface or world `%s` not found in package `%s`", target->name,
                              c->pkgname);
            uint32_t *e = WIT_PUSH(a, edges[i], nedges[i], caps[i]);
            if (!e) return nomem(c);
            nedges[i]--;
            const wit_id **es = WIT_PUSH(a, espan[i], nedges[i], caps2[i]);
            if (!es) return nomem(c);
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
                        return err_at(c, espan[i][k]->span, espan[i][k]->len,
                                      "interface `%s` depends on itself (a cycle of `use` through `%s`)",
                                      espan[i][k]->name, c->items[i].name->name);
            }
            return err_at(c, 0, 1, "cycle between interfaces");
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
    if (!p) return nomem(&c);
    c.pkg = r->npackages - 1;
    p->ns = u->name->ns.name;
    p->name = u->name->name.name;
    p->version = u->name->version;
    p->docs = u->docs;
    weld_wit_package_id(p, c.pkgname, sizeof c.pkgname);
    /* files and their top-level uses; items */
    c.files = weld_arena_alloc(a, sizeof *c.files * (u->nfiles + 1));
    if (!c.files) return nomem(&c);
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
                    return err_at(&c, nm->span, nm->len, "duplicate name `%s` in this file", nm->name);
            }
            if (t->kind == TI_USE) {
                if (t->use.attrs.n)
                    return err_at(&c, t->use.attrs.v[0].span, t->use.attrs.v[0].len, "attributes not allowed on top-level use");
                const wit_use **s = WIT_PUSH(a, pf->uses, pf->nuses, capu);
                if (!s) return nomem(&c);
                *s = &t->use;
                continue;
            }
            for (uint32_t k = 0; k < c.nitems; k++)
                if (strcmp(c.items[k].name->name, nm->name) == 0)
                    return err_at(&c, nm->span, nm->len, "duplicate item named `%s` in package `%s`", nm->name, c.pkgname);
            pitem *it = WIT_PUSH(a, c.items, c.nitems, capitems);
            if (!it) return nomem(&c);
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
                TRY(resolve_path(&c, fi, &tu->path, false, &dummy));
            } else {
                bool found = false;
                for (uint32_t k = 0; k < c.nitems; k++)
                    if (strcmp(c.items[k].name->name, tu->path.name.name) == 0) found = true;
                if (!found)
                    return err_at(&c, tu->path.name.span, tu->path.name.len,
                                  "interface or world `%s` not found in package `%s`", tu->path.name.name, c.pkgname);
            }
        }
    TRY(order_items(&c));
    /* allocate the kept interfaces and worlds in order, then resolve them */
    for (uint32_t s = 0; s < c.nitems; s++) {
        pitem *it = &c.items[c.order[s]];
        weld_wit_stability st;
        TRY(stability_of(&c, it->is_world ? &it->world->attrs : &it->iface->attrs, &st));
        bool kept;
        TRY(keep(&c, &st, it->name->span, &kept));
        if (!kept) {
            it->excluded = true;
            /* an excluded interface may only hold gated types */
            for (uint32_t k = 0; !it->is_world && k < it->iface->nitems; k++) {
                const wit_iitem *x = &it->iface->items[k];
                const wit_attrs *at = x->kind == II_TYPE ? &x->td.attrs : x->kind == II_USE ? &x->use.attrs : NULL;
                if (at && at->n == 0) {
                    const wit_id *nm = x->kind == II_TYPE ? &x->td.name : &x->use.path.name;
                    return err_at(&c, nm->span, nm->len,
                                  "found a reference to a interface which is excluded due to its feature not being activated; this type is not gated by a feature but its interface is");
                }
            }
            continue;
        }
        if (it->is_world) {
            it->id = new_world(r);
            if (it->id == UINT32_MAX) return nomem(&c);
            r->worlds[it->id].name = it->name->name;
            r->worlds[it->id].package = c.pkg;
        } else {
            it->id = new_interface(r);
            if (it->id == UINT32_MAX) return nomem(&c);
            r->interfaces[it->id].name = it->name->name;
            r->interfaces[it->id].package = c.pkg;
        }
    }
    for (uint32_t s = 0; s < c.nitems; s++) {
        pitem *it = &c.items[c.order[s]];
        if (it->excluded || it->is_world) continue;
        TRY(resolve_interface(&c, it->id, it->file, it->iface));
    }
    for (uint32_t s = 0; s < c.nitems; s++) {
        pitem *it = &c.items[c.order[s]];
        if (it->excluded || !it->is_world) continue;
        TRY(ensure_world(&c, it));
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
    if (!p->interfaces || !p->worlds) return nomem(&c);
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
