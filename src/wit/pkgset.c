/* pkgset.c - from files and directories to resolved packages: parse every source, group
 * files into packages (a directory is one package, `deps/` holds dependencies, a file may
 * hold nested `package x:y { ... }` blocks), order packages so each comes after those it
 * uses, and resolve them in that order. */
#include "wit/resolve_int.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

typedef struct loader {
    weld_wit_resolve *r;
    wit_srcmap map;
    wit_pkgunit **units;
    uint32_t nunits, cap;
    weld_diag *d;
    int depth;
} loader;

weld_wit_resolve *weld_wit_resolve_new(weld_arena *arena)
{
    weld_wit_resolve *r = weld_arena_alloc(arena, sizeof *r);
    if (r) r->arena = arena;
    return r;
}

size_t weld_wit_package_id(const weld_wit_package *p, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s:%s%s%s", p->ns, p->name, p->version ? "@" : "", p->version ? p->version : "");
    return n < 0 ? 0 : (size_t)n;
}

static weld_status nomem(loader *L)
{
    return weld_diag_set(L->d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while loading WIT");
}

static wit_pkgunit *new_unit(loader *L)
{
    wit_pkgunit **slot = WIT_PUSH(L->r->arena, L->units, L->nunits, L->cap);
    if (!slot) return NULL;
    *slot = weld_arena_alloc(L->r->arena, sizeof **slot);
    return *slot;
}

static weld_status unit_add_file(loader *L, wit_pkgunit *u, const wit_file *f)
{
    const wit_file **s = WIT_PUSH(L->r->arena, u->files, u->nfiles, u->capfiles);
    if (!s) return nomem(L);
    *s = f;
    return WELD_OK;
}

static bool same_pkgname(const wit_pkgname *a, const wit_pkgname *b)
{
    if (strcmp(a->ns.name, b->ns.name) || strcmp(a->name.name, b->name.name)) return false;
    if (!a->version || !b->version) return !a->version && !b->version;
    return strcmp(a->version, b->version) == 0;
}

static void pkgname_str(const wit_pkgname *n, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s:%s%s%s", n->ns.name, n->name.name, n->version ? "@" : "", n->version ? n->version : "");
}

/* A file's header joins it to u (checking that all headers agree). */
static weld_status unit_header(loader *L, wit_pkgunit *u, const wit_file *f)
{
    if (!f->has_pkg) return WELD_OK;
    if (u->name && !same_pkgname(u->name, &f->pkg)) {
        char a[300], b[300];
        pkgname_str(&f->pkg, a, sizeof a);
        pkgname_str(u->name, b, sizeof b);
        return wit_error(&L->map, L->d, WELD_ERR_INVALID, f->pkg.span, f->pkg.len,
                         "package identifier `%s` does not match previous package name of `%s`", a, b);
    }
    if (!u->name) u->name = &f->pkg;
    if (f->pkg_docs.text) {
        if (u->docs)
            return wit_error(&L->map, L->d, WELD_ERR_INVALID, f->pkg_docs_span, 7,
                             "found doc comments on multiple `package` items");
        u->docs = f->pkg_docs.text;
    }
    return WELD_OK;
}

static bool has_plain_items(const wit_file *f)
{
    for (uint32_t i = 0; i < f->nitems; i++)
        if (f->items[i].kind != TI_PACKAGE) return true;
    return false;
}

/* Parse one text; its top-level part joins `into` (a directory's package) or becomes
 * its own package. Sets *main_unit to the package the text stands for. */
static weld_status load_text_owned(loader *L, const char *name, const char *copy, size_t len, wit_pkgunit *into,
                                   wit_pkgunit **main_unit)
{
    uint32_t base = wit_srcmap_add(&L->map, name, copy, (uint32_t)len);
    if (base == UINT32_MAX) return nomem(L);
    wit_file *f;
    weld_status st = wit_parse(L->r->arena, &L->map, &L->map.v[L->map.n - 1], &f, L->d);
    if (st != WELD_OK) return st;
    wit_pkgunit *last_nested = NULL;
    for (uint32_t i = 0; i < f->nitems; i++) {
        if (f->items[i].kind != TI_PACKAGE) continue;
        wit_pkgunit *u = new_unit(L);
        if (!u) return nomem(L);
        const wit_file *sub = f->items[i].pkg;
        u->name = &sub->pkg;
        u->docs = sub->pkg_docs.text;
        if ((st = unit_add_file(L, u, sub)) != WELD_OK) return st;
        last_nested = u;
    }
    wit_pkgunit *top = into;
    if (!top && (f->has_pkg || has_plain_items(f) || !last_nested)) {
        if (!(top = new_unit(L))) return nomem(L);
    }
    if (top) {
        if ((st = unit_header(L, top, f)) != WELD_OK) return st;
        if ((st = unit_add_file(L, top, f)) != WELD_OK) return st;
        if (!into && !top->name)
            return wit_error(&L->map, L->d, WELD_ERR_INVALID, base, 1,
                             "no `package` header was found in this WIT file: expected `package namespace:name;` at the top");
    }
    if (main_unit) *main_unit = top ? top : last_nested;
    return WELD_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Same, for a text the caller owns: copied into the arena first. */
static weld_status load_text(loader *L, const char *name, const char *text, size_t len, wit_pkgunit *into,
                             wit_pkgunit **main_unit)
{
    if (len > UINT32_MAX / 2) return weld_diag_set(L->d, WELD_ERR_UNSUPPORTED, WELD_NO_OFFSET, "%s: text too large", name);
    char *copy = weld_arena_strndup(L->r->arena, text, len);
    if (!copy) return nomem(L);
    return load_text_owned(L, name, copy, len, into, main_unit);
}

/* Sorted entries of a directory (arena-owned), files or subdirectories. */
static weld_status list_dir(loader *L, const char *path, char ***out, uint32_t *n)
{
    DIR *dir = opendir(path);
    if (!dir) return weld_diag_set(L->d, WELD_ERR_IO, WELD_NO_OFFSET, "%s: cannot open directory", path);
    uint32_t cap = 0;
    char **v = NULL;
    *n = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.') continue;
        char **s = WIT_PUSH(L->r->arena, v, *n, cap);
        if (!s || !(*s = weld_arena_strndup(L->r->arena, e->d_name, strlen(e->d_name)))) {
            closedir(dir);
            return nomem(L);
        }
    }
    closedir(dir);
    if (*n) qsort(v, *n, sizeof *v, cmp_str);
    *out = v;
    return WELD_OK;
}

static char *join(loader *L, const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = weld_arena_alloc(L->r->arena, n);
    if (s) snprintf(s, n, "%s/%s", a, b);
    return s;
}

static bool ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

/* Read a file straight into the arena (the text lives as long as the resolve). */
static weld_status load_file(loader *L, const char *path, wit_pkgunit *into, wit_pkgunit **main_unit)
{
    FILE *f = fopen(path, "rb");
    if (!f) return weld_diag_set(L->d, WELD_ERR_IO, WELD_NO_OFFSET, "%s: cannot open file", path);
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || sb.st_size < 0 || (uint64_t)sb.st_size > UINT32_MAX / 2) {
        fclose(f);
        return weld_diag_set(L->d, WELD_ERR_IO, WELD_NO_OFFSET, "%s: cannot read file (or it is too large)", path);
    }
    size_t cap = (size_t)sb.st_size + 1;
    char *buf = weld_arena_alloc(L->r->arena, cap);
    if (!buf) {
        fclose(f);
        return nomem(L);
    }
    size_t len = fread(buf, 1, cap - 1, f);
    bool err = ferror(f);
    fclose(f);
    if (err) return weld_diag_set(L->d, WELD_ERR_IO, WELD_NO_OFFSET, "%s: read error", path);
    if (len >= 4 && memcmp(buf, "\0asm", 4) == 0)
        return weld_diag_set(L->d, WELD_ERR_INVALID, WELD_NO_OFFSET,
                             "%s: a WebAssembly binary among WIT text files (a binary WIT package goes in `deps/` as a `.wasm` file)", path);
    return load_text_owned(L, path, buf, len, into, main_unit);
}

/* A WIT package encoded as a component (a `.wasm` file), decoded into the resolve. */
static weld_status load_wasm(loader *L, const char *path, uint32_t *main)
{
    uint8_t *data = NULL;
    size_t len = 0;
    weld_status st = weld_file_read(path, &data, &len, L->d);
    if (st != WELD_OK) return st;
    if (L->d) snprintf(L->d->file, sizeof L->d->file, "%s", path);
    uint32_t m = 0;
    bool is_pkg = false;
    st = weld_wit_decode(L->r, data, len, &m, &is_pkg, L->d);
    free(data);
    if (st == WELD_OK && !is_pkg)
        st = weld_diag_set(L->d, WELD_ERR_INVALID, WELD_NO_OFFSET, "%s: a component, not a WIT package", path);
    if (main) *main = m;
    return st;
}

static bool is_wasm_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    char magic[4];
    bool yes = fread(magic, 1, 4, f) == 4 && memcmp(magic, "\0asm", 4) == 0;
    fclose(f);
    return yes;
}

static weld_status load_path(loader *L, const char *path, wit_pkgunit **main_unit);

static weld_status load_dir(loader *L, const char *path, wit_pkgunit **main_unit)
{
    char **names;
    uint32_t n;
    weld_status st;
    if (++L->depth > 32) return weld_diag_set(L->d, WELD_ERR_UNSUPPORTED, WELD_NO_OFFSET, "%s: `deps/` nested too deeply", path);
    if ((st = list_dir(L, path, &names, &n)) != WELD_OK) return st;
    wit_pkgunit *u = new_unit(L);
    if (!u) return nomem(L);
    uint32_t first_src = L->map.n;
    for (uint32_t i = 0; i < n; i++) {
        if (!ends_with(names[i], ".wit")) continue;
        char *p = join(L, path, names[i]);
        if (!p) return nomem(L);
        struct stat sb;
        if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode)) continue;
        if ((st = load_file(L, p, u, NULL)) != WELD_OK) return st;
    }
    if (!u->name) {
        if (L->map.n == first_src)
            return weld_diag_set(L->d, WELD_ERR_INVALID, WELD_NO_OFFSET, "%s: no `.wit` files in this directory", path);
        return weld_diag_set(L->d, WELD_ERR_INVALID, WELD_NO_OFFSET,
                             "%s: no `package` header was found in any WIT file of this directory", path);
    }
    /* dependencies */
    char *deps = join(L, path, "deps");
    if (!deps) return nomem(L);
    struct stat sb;
    if (stat(deps, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        char **dn;
        uint32_t nd;
        if ((st = list_dir(L, deps, &dn, &nd)) != WELD_OK) return st;
        for (uint32_t i = 0; i < nd; i++) {
            char *p = join(L, deps, dn[i]);
            if (!p) return nomem(L);
            if (stat(p, &sb) != 0) continue;
            if (S_ISDIR(sb.st_mode) || ends_with(dn[i], ".wit")) {
                if ((st = load_path(L, p, NULL)) != WELD_OK) return st;
            } else if (ends_with(dn[i], ".wasm") && S_ISREG(sb.st_mode)) {
                if ((st = load_wasm(L, p, NULL)) != WELD_OK) return st;
            }
        }
    }
    L->depth--;
    if (main_unit) *main_unit = u;
    return WELD_OK;
}

static weld_status load_path(loader *L, const char *path, wit_pkgunit **main_unit)
{
    struct stat sb;
    if (stat(path, &sb) != 0) return weld_diag_set(L->d, WELD_ERR_IO, WELD_NO_OFFSET, "%s: no such file or directory", path);
    if (S_ISDIR(sb.st_mode)) return load_dir(L, path, main_unit);
    return load_file(L, path, NULL, main_unit);
}

/* ---- ordering and resolving ---- */

static weld_status collect_path(loader *L, wit_pkgunit *u, const wit_usepath *p)
{
    if (!p->is_pkg) return WELD_OK;
    const wit_usepath **s = WIT_PUSH(L->r->arena, u->deps, u->ndeps, u->capdeps);
    if (!s) return nomem(L);
    *s = p;
    return WELD_OK;
}

static weld_status collect_iface(loader *L, wit_pkgunit *u, const wit_iface *f)
{
    weld_status st;
    for (uint32_t i = 0; i < f->nitems; i++)
        if (f->items[i].kind == II_USE && (st = collect_path(L, u, &f->items[i].use.path)) != WELD_OK) return st;
    return WELD_OK;
}

static weld_status collect_deps(loader *L, wit_pkgunit *u)
{
    weld_status st;
    for (uint32_t fi = 0; fi < u->nfiles; fi++) {
        const wit_file *f = u->files[fi];
        for (uint32_t i = 0; i < f->nitems; i++) {
            const wit_titem *t = &f->items[i];
            if (t->kind == TI_USE) st = collect_path(L, u, &t->use.path);
            else if (t->kind == TI_INTERFACE) st = collect_iface(L, u, &t->iface);
            else if (t->kind == TI_WORLD) {
                st = WELD_OK;
                for (uint32_t k = 0; k < t->world.nitems && st == WELD_OK; k++) {
                    const wit_witem *w = &t->world.items[k];
                    if (w->kind == WI_USE) st = collect_path(L, u, &w->use.path);
                    else if (w->kind == WI_INCLUDE) st = collect_path(L, u, &w->path);
                    else if ((w->kind == WI_IMPORT || w->kind == WI_EXPORT) && (w->ek == EK_PATH || w->ek == EK_NAMED_PATH))
                        st = collect_path(L, u, &w->path);
                    else if ((w->kind == WI_IMPORT || w->kind == WI_EXPORT) && w->ek == EK_INTERFACE)
                        st = collect_iface(L, u, &w->inline_iface);
                }
            } else st = WELD_OK;
            if (st != WELD_OK) return st;
        }
    }
    return WELD_OK;
}

static bool path_names(const wit_usepath *p, const wit_pkgname *n)
{
    if (strcmp(p->ns.name, n->ns.name) || strcmp(p->pkg.name, n->name.name)) return false;
    if (!p->version || !n->version) return !p->version && !n->version;
    return strcmp(p->version, n->version) == 0;
}

static int cmp_pkgname(const wit_pkgname *a, const wit_pkgname *b)
{
    int c = strcmp(a->ns.name, b->ns.name);
    if (c) return c;
    if ((c = strcmp(a->name.name, b->name.name))) return c;
    if (!a->version || !b->version) return (a->version != NULL) - (b->version != NULL);
    return wit_semver_cmp(a->version, b->version);
}

typedef struct order_state {
    wit_pkgunit **out;
    uint32_t n;
} order_state;

static weld_status visit(loader *L, wit_pkgunit *u, order_state *o, int depth)
{
    if (u->state == 2) return WELD_OK;
    if (depth > 1000) return nomem(L);
    u->state = 1;
    for (uint32_t i = 0; i < u->ndeps; i++) {
        const wit_usepath *p = u->deps[i];
        for (uint32_t k = 0; k < L->nunits; k++) {
            wit_pkgunit *d = L->units[k];
            if (d == u || !path_names(p, d->name)) continue;
            if (d->state == 1) {
                char b[300];
                pkgname_str(d->name, b, sizeof b);
                return wit_error(&L->map, L->d, WELD_ERR_INVALID, p->span, p->len,
                                 "package `%s` depends on itself (a cycle between packages)", b);
            }
            weld_status st = visit(L, d, o, depth + 1);
            if (st != WELD_OK) return st;
        }
    }
    u->state = 2;
    o->out[o->n++] = u;
    return WELD_OK;
}

static weld_status resolve_all(loader *L, wit_pkgunit *main_unit, uint32_t *main)
{
    weld_status st;
    weld_wit_resolve *r = L->r;
    /* names unique within the set and against the resolve */
    for (uint32_t i = 0; i < L->nunits; i++) {
        wit_pkgunit *u = L->units[i];
        for (uint32_t k = 0; k < i; k++)
            if (same_pkgname(L->units[k]->name, u->name)) {
                char b[300];
                pkgname_str(u->name, b, sizeof b);
                return wit_error(&L->map, L->d, WELD_ERR_INVALID, u->name->span, u->name->len,
                                 "package `%s` is defined more than once", b);
            }
        for (uint32_t k = 0; k < r->npackages; k++) {
            const weld_wit_package *p = &r->packages[k];
            if (strcmp(p->ns, u->name->ns.name) == 0 && strcmp(p->name, u->name->name.name) == 0 &&
                ((!p->version && !u->name->version) || (p->version && u->name->version && strcmp(p->version, u->name->version) == 0))) {
                char b[300];
                pkgname_str(u->name, b, sizeof b);
                return wit_error(&L->map, L->d, WELD_ERR_INVALID, u->name->span, u->name->len,
                                 "package `%s` is already loaded", b);
            }
        }
        if ((st = collect_deps(L, u)) != WELD_OK) return st;
    }
    /* every package a path names must exist, at the version asked for */
    for (uint32_t i = 0; i < L->nunits; i++) {
        wit_pkgunit *u = L->units[i];
        for (uint32_t k = 0; k < u->ndeps; k++) {
            const wit_usepath *p = u->deps[k];
            const char *other = NULL;
            bool exact = false, same_name = false;
            for (uint32_t q = 0; q < L->nunits && !exact; q++) {
                const wit_pkgname *n = L->units[q]->name;
                if (strcmp(n->ns.name, p->ns.name) || strcmp(n->name.name, p->pkg.name)) continue;
                exact = path_names(p, n);
                same_name = true;
                other = n->version;
            }
            for (uint32_t q = 0; q < r->npackages && !exact; q++) {
                const weld_wit_package *n = &r->packages[q];
                if (strcmp(n->ns, p->ns.name) || strcmp(n->name, p->pkg.name)) continue;
                exact = (!n->version && !p->version) || (n->version && p->version && strcmp(n->version, p->version) == 0);
                same_name = true;
                other = n->version;
            }
            if (exact || !same_name) continue;
            return wit_error(&L->map, L->d, WELD_ERR_INVALID, p->span, p->len,
                             "package `%s:%s%s%s` not found: version mismatch, `%s` asks for %s%s but the package found is version %s",
                             p->ns.name, p->pkg.name, p->version ? "@" : "", p->version ? p->version : "", p->name.name,
                             p->version ? "version " : "no version", p->version ? p->version : "", other ? other : "(none)");
        }
    }
    /* visit in name order, dependencies first */
    wit_pkgunit **sorted = weld_arena_alloc(r->arena, sizeof *sorted * (L->nunits + 1));
    order_state o = {weld_arena_alloc(r->arena, sizeof *o.out * (L->nunits + 1)), 0};
    if (!sorted || !o.out) return nomem(L);
    memcpy(sorted, L->units, sizeof *sorted * L->nunits);
    for (uint32_t i = 1; i < L->nunits; i++) /* insertion sort: few packages */
        for (uint32_t k = i; k > 0 && cmp_pkgname(sorted[k - 1]->name, sorted[k]->name) > 0; k--) {
            wit_pkgunit *t = sorted[k];
            sorted[k] = sorted[k - 1];
            sorted[k - 1] = t;
        }
    for (uint32_t i = 0; i < L->nunits; i++)
        if ((st = visit(L, sorted[i], &o, 0)) != WELD_OK) return st;
    for (uint32_t i = 0; i < o.n; i++) {
        uint32_t id;
        if ((st = wit_resolve_package(r, &L->map, o.out[i], &id, L->d)) != WELD_OK) return st;
        if (o.out[i] == main_unit && main) *main = id;
    }
    return WELD_OK;
}

static void error_source(loader *L, const char **src_out, size_t *src_len)
{
    if (!src_out) return;
    *src_out = NULL;
    if (src_len) *src_len = 0;
    if (!L->d || !L->d->line) return;
    for (uint32_t i = 0; i < L->map.n; i++)
        if (strcmp(L->map.v[i].name, L->d->file) == 0) {
            *src_out = L->map.v[i].text;
            if (src_len) *src_len = L->map.v[i].len;
        }
}

weld_status weld_wit_add_source(weld_wit_resolve *r, const char *name, const char *text, size_t len,
                                uint32_t *main, weld_diag *d)
{
    loader L = {.r = r, .d = d};
    L.map.arena = r->arena;
    wit_pkgunit *mu = NULL;
    weld_status st = load_text(&L, name ? name : "<input>", text, len, NULL, &mu);
    if (st == WELD_OK) st = resolve_all(&L, mu, main);
    return st;
}

weld_status weld_wit_add_path(weld_wit_resolve *r, const char *path, uint32_t *main, const char **src_out,
                              size_t *src_len, weld_diag *d)
{
    loader L = {.r = r, .d = d};
    L.map.arena = r->arena;
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && is_wasm_file(path)) {
        if (src_out) *src_out = NULL;
        if (src_len) *src_len = 0;
        uint8_t *data = NULL;
        size_t len = 0;
        weld_status st = weld_file_read(path, &data, &len, d);
        if (st != WELD_OK) return st;
        uint32_t m = 0;
        st = weld_wit_decode(r, data, len, &m, NULL, d);
        free(data);
        if (main) *main = m;
        return st;
    }
    wit_pkgunit *mu = NULL;
    weld_status st = load_path(&L, path, &mu);
    if (st == WELD_OK) st = resolve_all(&L, mu, main);
    if (st != WELD_OK) error_source(&L, src_out, src_len);
    return st;
}

weld_status weld_wit_select_world(const weld_wit_resolve *r, uint32_t main, const char *spec, uint32_t *world,
                                  weld_diag *d)
{
    const char *slash = strchr(spec, '/');
    if (!slash) {
        if (main >= r->npackages) return weld_diag_set(d, WELD_ERR_USAGE, WELD_NO_OFFSET, "no main package to find world `%s` in", spec);
        const weld_wit_package *p = &r->packages[main];
        for (uint32_t i = 0; i < p->nworlds; i++)
            if (strcmp(p->worlds[i].name, spec) == 0) {
                *world = p->worlds[i].id;
                return WELD_OK;
            }
        char b[300];
        weld_wit_package_id(p, b, sizeof b);
        return weld_diag_set(d, WELD_ERR_USAGE, WELD_NO_OFFSET, "world `%s` not found in package `%s`", spec, b);
    }
    /* ns:pkg/world[@version] */
    const char *at = strchr(slash, '@');
    size_t wlen = at ? (size_t)(at - slash - 1) : strlen(slash + 1);
    for (uint32_t k = 0; k < r->npackages; k++) {
        const weld_wit_package *p = &r->packages[k];
        char b[300];
        weld_wit_package_id(p, b, sizeof b);
        size_t nl = strlen(p->ns) + 1 + strlen(p->name);
        if (nl != (size_t)(slash - spec) || strncmp(b, spec, nl) != 0) continue;
        if (at ? !p->version || strcmp(p->version, at + 1) != 0 : false) continue;
        for (uint32_t i = 0; i < p->nworlds; i++)
            if (strlen(p->worlds[i].name) == wlen && strncmp(p->worlds[i].name, slash + 1, wlen) == 0) {
                *world = p->worlds[i].id;
                return WELD_OK;
            }
    }
    return weld_diag_set(d, WELD_ERR_USAGE, WELD_NO_OFFSET, "world `%s` not found", spec);
}
