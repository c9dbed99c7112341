/* equal.c - structural equality of two resolves: the same packages, interfaces, worlds,
 * functions and types with the same names, docs and gates. Items are matched by name (a
 * printer may reorder a package's functions and types), named types by their owner and
 * name, anonymous types by their structure; docs line by line, surrounding blanks aside. */
#include "wit/resolve_int.h"
#include <stdio.h>

typedef struct eqctx {
    const weld_wit_resolve *a, *b;
    char *why;
    size_t cap;
} eqctx;

static bool differ(eqctx *e, const char *fmt, const char *x, const char *y)
{
    if (e->why && e->cap) snprintf(e->why, e->cap, fmt, x ? x : "", y ? y : "");
    return false;
}

static bool str_eq(const char *x, const char *y)
{
    return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

/* Docs compare line by line without leading and trailing blanks: reading doc comments
 * removes common indentation and trailing blanks, so a reprint can shift both (lines of
 * block comments keep theirs until printed as `///` lines). */
static bool docs_eq(const char *x, const char *y)
{
    if (!x || !y) return x == y;
    for (;;) {
        while (*x == ' ' || *x == '\t') x++;
        while (*y == ' ' || *y == '\t') y++;
        size_t nx = strcspn(x, "\n"), ny = strcspn(y, "\n");
        size_t tx = nx, ty = ny;
        while (tx && (x[tx - 1] == ' ' || x[tx - 1] == '\t' || x[tx - 1] == '\r')) tx--;
        while (ty && (y[ty - 1] == ' ' || y[ty - 1] == '\t' || y[ty - 1] == '\r')) ty--;
        if (tx != ty || memcmp(x, y, tx) != 0) return false;
        x += nx, y += ny;
        if (!*x || !*y) return !*x && !*y;
        x++, y++;
    }
}

static bool stab_eq(const weld_wit_stability *x, const weld_wit_stability *y)
{
    return x->kind == y->kind && str_eq(x->since, y->since) && str_eq(x->feature, y->feature) &&
           str_eq(x->deprecated, y->deprecated);
}

static void pkg_id(const weld_wit_resolve *r, uint32_t pkg, char *buf, size_t cap)
{
    if (pkg < r->npackages) weld_wit_package_id(&r->packages[pkg], buf, cap);
    else snprintf(buf, cap, "?");
}

/* Owners are the same when they are the same-named item of the same-named package. */
static bool owner_eq(eqctx *e, const weld_wit_typedef *x, const weld_wit_typedef *y)
{
    if (x->owner_kind != y->owner_kind) return false;
    if (x->owner_kind == WELD_WIT_OWNER_NONE) return true;
    char p[300], q[300];
    const char *nx, *ny;
    if (x->owner_kind == WELD_WIT_OWNER_INTERFACE) {
        const weld_wit_interface *ix = &e->a->interfaces[x->owner], *iy = &e->b->interfaces[y->owner];
        pkg_id(e->a, ix->package, p, sizeof p);
        pkg_id(e->b, iy->package, q, sizeof q);
        nx = ix->name, ny = iy->name;
    } else {
        const weld_wit_world *wx = &e->a->worlds[x->owner], *wy = &e->b->worlds[y->owner];
        pkg_id(e->a, wx->package, p, sizeof p);
        pkg_id(e->b, wy->package, q, sizeof q);
        nx = wx->name, ny = wy->name;
    }
    return strcmp(p, q) == 0 && str_eq(nx, ny);
}

static bool tref_eq(eqctx *e, weld_wit_tref x, weld_wit_tref y, int depth);

static bool def_eq(eqctx *e, const weld_wit_typedef *x, const weld_wit_typedef *y, int depth)
{
    if (x->kind != y->kind || x->n != y->n || x->nfields != y->nfields) return false;
    if (!tref_eq(e, x->a, y->a, depth + 1) || !tref_eq(e, x->b, y->b, depth + 1)) return false;
    for (uint32_t i = 0; i < x->nfields; i++)
        if (!str_eq(x->fields[i].name, y->fields[i].name) || !docs_eq(x->fields[i].docs, y->fields[i].docs) ||
            !tref_eq(e, x->fields[i].type, y->fields[i].type, depth + 1))
            return false;
    return true;
}

static bool tref_eq(eqctx *e, weld_wit_tref x, weld_wit_tref y, int depth)
{
    if (!WELD_WIT_IS_ID(x) || !WELD_WIT_IS_ID(y)) return x == y;
    if (depth > 200) return false;
    const weld_wit_typedef *tx = &e->a->types[WELD_WIT_ID(x)], *ty = &e->b->types[WELD_WIT_ID(y)];
    if (tx->name || ty->name) return str_eq(tx->name, ty->name) && owner_eq(e, tx, ty);
    return def_eq(e, tx, ty, depth);
}

static bool func_eq(eqctx *e, const weld_wit_func *x, const weld_wit_func *y)
{
    if (!str_eq(x->name, y->name) || x->kind != y->kind || x->is_async != y->is_async || x->nparams != y->nparams)
        return differ(e, "function `%s` differs in kind or parameters%s", x->name, NULL);
    for (uint32_t i = 0; i < x->nparams; i++)
        if (!str_eq(x->params[i].name, y->params[i].name) || !tref_eq(e, x->params[i].type, y->params[i].type, 0))
            return differ(e, "function `%s`: parameter `%s` differs", x->name, x->params[i].name);
    if (!tref_eq(e, x->result, y->result, 0)) return differ(e, "function `%s`: result differs%s", x->name, NULL);
    if (!docs_eq(x->docs, y->docs) || !stab_eq(&x->stability, &y->stability))
        return differ(e, "function `%s`: docs or gate differ%s", x->name, NULL);
    return true;
}

static bool iface_eq(eqctx *e, uint32_t ia, uint32_t ib)
{
    const weld_wit_interface *x = &e->a->interfaces[ia], *y = &e->b->interfaces[ib];
    const char *nm = x->name ? x->name : "(inline)";
    if (!str_eq(x->name, y->name) || !docs_eq(x->docs, y->docs) || !stab_eq(&x->stability, &y->stability))
        return differ(e, "interface `%s`: name, docs or gate differ%s", nm, NULL);
    if (x->ntypes != y->ntypes || x->nfuncs != y->nfuncs)
        return differ(e, "interface `%s`: different numbers of types or functions%s", nm, NULL);
    for (uint32_t i = 0; i < x->ntypes; i++) {
        uint32_t k = 0;
        while (k < y->ntypes && strcmp(y->types[k].name, x->types[i].name) != 0) k++;
        if (k == y->ntypes) return differ(e, "interface `%s`: type `%s` missing", nm, x->types[i].name);
        const weld_wit_typedef *tx = &e->a->types[x->types[i].id], *ty = &e->b->types[y->types[k].id];
        if (!def_eq(e, tx, ty, 0) || !docs_eq(tx->docs, ty->docs) || !stab_eq(&tx->stability, &ty->stability))
            return differ(e, "interface `%s`: type `%s` differs", nm, x->types[i].name);
    }
    for (uint32_t i = 0; i < x->nfuncs; i++) {
        uint32_t k = 0;
        while (k < y->nfuncs && strcmp(y->funcs[k].name, x->funcs[i].name) != 0) k++;
        if (k == y->nfuncs) return differ(e, "interface `%s`: function `%s` missing", nm, x->funcs[i].name);
        if (!func_eq(e, &x->funcs[i], &y->funcs[k])) return false;
    }
    return true;
}

/* The same key: a name, or the same-named interface of the same-named package. */
static bool key_eq(eqctx *e, const weld_wit_world_item *x, const weld_wit_world_item *y)
{
    if (x->name || y->name) return str_eq(x->name, y->name);
    const weld_wit_interface *ix = &e->a->interfaces[x->id], *iy = &e->b->interfaces[y->id];
    char p[300], q[300];
    pkg_id(e->a, ix->package, p, sizeof p);
    pkg_id(e->b, iy->package, q, sizeof q);
    return strcmp(p, q) == 0 && str_eq(ix->name, iy->name);
}

static bool items_eq(eqctx *e, const char *world, const weld_wit_world_item *x, uint32_t nx,
                     const weld_wit_world_item *y, uint32_t ny)
{
    if (nx != ny) return differ(e, "world `%s`: different numbers of imports or exports%s", world, NULL);
    for (uint32_t i = 0; i < nx; i++) {
        uint32_t k = 0;
        while (k < ny && !key_eq(e, &x[i], &y[k])) k++;
        const char *label = x[i].name ? x[i].name : e->a->interfaces[x[i].id].name;
        if (k == ny) return differ(e, "world `%s`: item `%s` missing", world, label);
        const weld_wit_world_item *a = &x[i], *b = &y[k];
        if (a->kind != b->kind || !stab_eq(&a->stability, &b->stability))
            return differ(e, "world `%s`: item `%s` differs in kind or gate", world, label);
        if (a->kind == WELD_WIT_ITEM_FUNC && !func_eq(e, &a->func, &b->func)) return false;
        if (a->kind == WELD_WIT_ITEM_TYPE) {
            const weld_wit_typedef *tx = &e->a->types[a->id], *ty = &e->b->types[b->id];
            if (!str_eq(tx->name, ty->name) || !def_eq(e, tx, ty, 0) || !docs_eq(tx->docs, ty->docs))
                return differ(e, "world `%s`: type `%s` differs", world, label);
        }
        if (a->kind == WELD_WIT_ITEM_INTERFACE) {
            bool inline_a = !e->a->interfaces[a->id].name;
            if (inline_a ? !iface_eq(e, a->id, b->id) : !key_eq(e, &(weld_wit_world_item){.id = a->id}, &(weld_wit_world_item){.id = b->id}))
                return differ(e, "world `%s`: interface item `%s` differs", world, label);
        }
    }
    return true;
}

bool weld_wit_resolve_equal(const weld_wit_resolve *a, const weld_wit_resolve *b, char *why, size_t why_cap)
{
    eqctx e = {a, b, why, why_cap};
    if (a->npackages != b->npackages) return differ(&e, "different numbers of packages%s%s", NULL, NULL);
    for (uint32_t p = 0; p < a->npackages; p++) {
        char x[300], y[300];
        const weld_wit_package *pa = &a->packages[p], *pb = NULL;
        weld_wit_package_id(pa, x, sizeof x);
        for (uint32_t q = 0; q < b->npackages && !pb; q++) {
            weld_wit_package_id(&b->packages[q], y, sizeof y);
            if (strcmp(x, y) == 0) pb = &b->packages[q];
        }
        if (!pb) return differ(&e, "package `%s` missing%s", x, NULL);
        if (!docs_eq(pa->docs, pb->docs)) return differ(&e, "package `%s`: docs differ%s", x, NULL);
        if (pa->ninterfaces != pb->ninterfaces || pa->nworlds != pb->nworlds)
            return differ(&e, "package `%s`: different numbers of interfaces or worlds%s", x, NULL);
        for (uint32_t i = 0; i < pa->ninterfaces; i++) {
            uint32_t k = 0;
            while (k < pb->ninterfaces && strcmp(pb->interfaces[k].name, pa->interfaces[i].name) != 0) k++;
            if (k == pb->ninterfaces) return differ(&e, "interface `%s` missing from package `%s`", pa->interfaces[i].name, x);
            if (!iface_eq(&e, pa->interfaces[i].id, pb->interfaces[k].id)) return false;
        }
        for (uint32_t i = 0; i < pa->nworlds; i++) {
            uint32_t k = 0;
            while (k < pb->nworlds && strcmp(pb->worlds[k].name, pa->worlds[i].name) != 0) k++;
            if (k == pb->nworlds) return differ(&e, "world `%s` missing from package `%s`", pa->worlds[i].name, x);
            const weld_wit_world *wa = &a->worlds[pa->worlds[i].id], *wb = &b->worlds[pb->worlds[k].id];
            if (!docs_eq(wa->docs, wb->docs) || !stab_eq(&wa->stability, &wb->stability))
                return differ(&e, "world `%s`: docs or gate differ%s", wa->name, NULL);
            if (!items_eq(&e, wa->name, wa->imports, wa->nimports, wb->imports, wb->nimports) ||
                !items_eq(&e, wa->name, wa->exports, wa->nexports, wb->exports, wb->nexports))
                return false;
        }
    }
    return true;
}
