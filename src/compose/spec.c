/* spec.c - loading compositions from YAML (libyaml): weld's own spec format and
 * wasm-compose's configuration format. Unknown keys, wrong types and dangling names are
 * errors with the spec's line:col. */
#include "compose/compose_int.h"
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <yaml.h>

typedef struct yspec {
    weld_composer *c;
    yaml_document_t doc;
    const char *file;
    const char *dir;
    const char *search[32];
    uint32_t nsearch;
    weld_diag *d;
    const yaml_node_t *insts;  /* wasm-compose: the instantiations (or NULL) */
    uint32_t root_inst;        /* wasm-compose: the root's instance */
} yspec;

static weld_compose_pos pos_of(const yaml_node_t *n)
{
    return (weld_compose_pos){(uint32_t)n->start_mark.line + 1, (uint32_t)n->start_mark.column + 1};
}

static weld_status at(yspec *y, const yaml_node_t *n, weld_status st, const char *fmt, ...)
    WELD_PRINTF(4, 5);
static weld_status at(yspec *y, const yaml_node_t *n, weld_status st, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return compose_fail(y->c, y->d, st, n ? pos_of(n) : (weld_compose_pos){0, 0}, "%s", msg);
}

static const char *kind_name(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

static yaml_node_t *node(yspec *y, int id)
{
    return yaml_document_get_node(&y->doc, id);
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A string value, or an error naming what was expected. */
static weld_status want_string(yspec *y, const yaml_node_t *n, const char *what, const char **out)
{
    if (!n || n->type != YAML_SCALAR_NODE)
        return at(y, n, WELD_ERR_SYNTAX, "%s: expected a string, found %s", what,
                  n ? kind_name(n) : "nothing");
    *out = scalar(n);
    return WELD_OK;
}

static weld_status want_bool(yspec *y, const yaml_node_t *n, const char *what, bool *out)
{
    const char *s = scalar(n);
    if (s && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))) *out = true;
    else if (s && (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))) *out = false;
    else
        return at(y, n, WELD_ERR_SYNTAX, "%s: expected true or false, found %s%s%s%s", what,
                  s ? "`" : "", s ? s : kind_name(n), s ? "`" : "", "");
    return WELD_OK;
}

/* Check that every key of a mapping is one of `keys` (NULL-terminated). */
static weld_status check_keys(yspec *y, const yaml_node_t *m, const char *what,
                              const char *const *keys)
{
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = node(y, p->key);
        const char *ks = scalar(k);
        bool ok = false;
        for (const char *const *q = keys; *q && ks; q++) ok |= strcmp(*q, ks) == 0;
        if (!ok) {
            char list[300] = "";
            size_t l = 0;
            for (const char *const *q = keys; *q; q++)
                l += (size_t)snprintf(list + l, sizeof list - l, "%s`%s`", q == keys ? "" : ", ", *q);
            return at(y, k, WELD_ERR_SYNTAX, "%s: unknown key `%s` (expected one of %s)", what,
                      ks ? ks : "?", list);
        }
    }
    return WELD_OK;
}

static yaml_node_t *get(yspec *y, const yaml_node_t *m, const char *key)
{
    if (!m || m->type != YAML_MAPPING_NODE) return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const char *ks = scalar(node(y, p->key));
        if (ks && strcmp(ks, key) == 0) return node(y, p->value);
    }
    return NULL;
}

static weld_status want_kind(yspec *y, const yaml_node_t *n, yaml_node_type_t t, const char *what)
{
    if (n->type == t) return WELD_OK;
    return at(y, n, WELD_ERR_SYNTAX, "%s: expected %s, found %s", what,
              t == YAML_MAPPING_NODE ? "a mapping" : t == YAML_SEQUENCE_NODE ? "a list" : "a string",
              kind_name(n));
}

static bool file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Resolve a component path: absolute, relative to the spec, or in a search path. */
static bool resolve_path(yspec *y, const char *p, char *out, size_t n)
{
    if (p[0] == '/') {
        snprintf(out, n, "%s", p);
        return file_exists(out);
    }
    snprintf(out, n, "%s/%s", y->dir, p);
    if (file_exists(out)) return true;
    for (uint32_t i = 0; i < y->nsearch; i++) {
        if (y->search[i][0] == '/') snprintf(out, n, "%s/%s", y->search[i], p);
        else snprintf(out, n, "%s/%s/%s", y->dir, y->search[i], p);
        if (file_exists(out)) return true;
    }
    snprintf(out, n, "%s/%s", y->dir, p);
    return false;
}

static weld_status load_doc(yspec *y, const char *text, size_t len, const yaml_node_t **root)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) return at(y, NULL, WELD_ERR_NOMEM, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, &y->doc)) {
        weld_compose_pos pos = {(uint32_t)p.problem_mark.line + 1, (uint32_t)p.problem_mark.column + 1};
        weld_status st = compose_fail(y->c, y->d, WELD_ERR_SYNTAX, pos, "YAML: %s%s%s",
                                      p.problem ? p.problem : "parse error",
                                      p.context ? " " : "", p.context ? p.context : "");
        yaml_parser_delete(&p);
        memset(&y->doc, 0, sizeof y->doc);
        return st;
    }
    yaml_parser_delete(&p);
    const yaml_node_t *r = yaml_document_get_root_node(&y->doc);
    if (!r) return at(y, NULL, WELD_ERR_SYNTAX, "the spec is empty");
    if (r->type != YAML_MAPPING_NODE)
        return at(y, r, WELD_ERR_SYNTAX, "the spec: expected a mapping, found %s", kind_name(r));
    *root = r;
    return WELD_OK;
}

/* search-paths: a list of strings. */
static weld_status load_search_paths(yspec *y, const yaml_node_t *sp)
{
    if (!sp) return WELD_OK;
    weld_status st = want_kind(y, sp, YAML_SEQUENCE_NODE, "search-paths");
    if (st) return st;
    for (yaml_node_item_t *i = sp->data.sequence.items.start; i < sp->data.sequence.items.top; i++) {
        const char *s = NULL;
        if ((st = want_string(y, node(y, *i), "search-paths entry", &s))) return st;
        if (y->nsearch < 32) y->search[y->nsearch++] = s;
    }
    return WELD_OK;
}

/* ---- weld's spec ------------------------------------------------------------------------- */

static weld_status load_arg(yspec *y, uint32_t inst, const yaml_node_t *key, const yaml_node_t *v)
{
    const char *import = scalar(key), *from = NULL, *export_name = NULL;
    weld_status st;
    if (!import) return at(y, key, WELD_ERR_SYNTAX, "args: expected an import name");
    if (v->type == YAML_SCALAR_NODE) {
        from = scalar(v);
    } else if (v->type == YAML_MAPPING_NODE) {
        static const char *const keys[] = {"instance", "export", NULL};
        if ((st = check_keys(y, v, "argument", keys))) return st;
        const yaml_node_t *in = get(y, v, "instance"), *ex = get(y, v, "export");
        if (!in) return at(y, v, WELD_ERR_SYNTAX, "argument `%s`: missing key `instance`", import);
        if ((st = want_string(y, in, "argument instance", &from))) return st;
        if (ex && (st = want_string(y, ex, "argument export", &export_name))) return st;
        v = in;
    } else {
        return at(y, v, WELD_ERR_SYNTAX, "argument `%s`: expected an instance name or a mapping "
                  "with `instance` and `export`, found %s", import, kind_name(v));
    }
    uint32_t f = weld_composer_find_instance(y->c, from);
    if (f == UINT32_MAX) return at(y, v, WELD_ERR_USAGE, "argument `%s`: unknown instance `%s`", import, from);
    return weld_composer_add_arg(y->c, inst, import, f, export_name, pos_of(key), y->d);
}

weld_status weld_compose_spec_load(weld_composer *c, const char *file, const char *text, size_t len,
                                   const char *dir, weld_compose_opts *opts, weld_diag *d)
{
    yspec y = {.c = c, .file = file, .dir = dir ? dir : ".", .d = d};
    weld_composer_set_spec_file(c, file);
    const yaml_node_t *root;
    weld_status st = load_doc(&y, text, len, &root);
    if (st) goto out;
    static const char *const top[] = {"components", "instances", "exports", "options", NULL};
    if ((st = check_keys(&y, root, "spec", top))) goto out;
    const yaml_node_t *options = get(&y, root, "options");
    opts->auto_plug = true;
    if (options) {
        static const char *const okeys[] = {"auto-plug", "import-dependencies", "no-imports",
                                            "search-paths", "skip-validation", NULL};
        if ((st = want_kind(&y, options, YAML_MAPPING_NODE, "options")) ||
            (st = check_keys(&y, options, "options", okeys)))
            goto out;
        const yaml_node_t *v;
        if ((v = get(&y, options, "auto-plug")) && (st = want_bool(&y, v, "auto-plug", &opts->auto_plug))) goto out;
        if ((v = get(&y, options, "import-dependencies")) &&
            (st = want_bool(&y, v, "import-dependencies", &opts->import_dependencies)))
            goto out;
        if ((v = get(&y, options, "no-imports")) && (st = want_bool(&y, v, "no-imports", &opts->no_imports))) goto out;
        if ((v = get(&y, options, "skip-validation")) &&
            (st = want_bool(&y, v, "skip-validation", &opts->skip_validation)))
            goto out;
        if ((st = load_search_paths(&y, get(&y, options, "search-paths")))) goto out;
    }
    /* components: name -> path, or name -> {path} */
    const yaml_node_t *comps = get(&y, root, "components");
    if (!comps) {
        st = at(&y, root, WELD_ERR_SYNTAX, "the spec has no `components`");
        goto out;
    }
    if ((st = want_kind(&y, comps, YAML_MAPPING_NODE, "components"))) goto out;
    for (yaml_node_pair_t *p = comps->data.mapping.pairs.start; p < comps->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = node(&y, p->key), *v = node(&y, p->value);
        const char *name = scalar(k), *path = NULL;
        if (!name) {
            st = at(&y, k, WELD_ERR_SYNTAX, "components: expected a name");
            goto out;
        }
        if (v->type == YAML_MAPPING_NODE) {
            static const char *const ckeys[] = {"path", NULL};
            if ((st = check_keys(&y, v, "component", ckeys))) goto out;
            const yaml_node_t *pv = get(&y, v, "path");
            if (!pv) {
                st = at(&y, v, WELD_ERR_SYNTAX, "component `%s`: missing key `path`", name);
                goto out;
            }
            v = pv;
        }
        if ((st = want_string(&y, v, "component path", &path))) goto out;
        char full[1024];
        if (!resolve_path(&y, path, full, sizeof full)) {
            st = at(&y, v, WELD_ERR_IO, "component `%s`: file `%s` not found (looked in the spec's "
                    "directory%s)", name, path, y.nsearch ? " and the search paths" : "");
            goto out;
        }
        if ((st = weld_composer_add_file(c, name, full, pos_of(v), NULL, d))) goto out;
    }
    /* instances: name -> {component, args}; by default one per component */
    const yaml_node_t *insts = get(&y, root, "instances");
    if (!insts) {
        for (yaml_node_pair_t *p = comps->data.mapping.pairs.start; p < comps->data.mapping.pairs.top; p++) {
            const yaml_node_t *k = node(&y, p->key);
            if ((st = weld_composer_add_instance(c, scalar(k), weld_composer_find_component(c, scalar(k)),
                                                 pos_of(k), NULL, d)))
                goto out;
        }
    } else {
        if ((st = want_kind(&y, insts, YAML_MAPPING_NODE, "instances"))) goto out;
        /* first every instance, then the arguments (they may refer forward) */
        for (yaml_node_pair_t *p = insts->data.mapping.pairs.start; p < insts->data.mapping.pairs.top; p++) {
            const yaml_node_t *k = node(&y, p->key), *v = node(&y, p->value);
            const char *name = scalar(k), *comp = NULL;
            if (!name) {
                st = at(&y, k, WELD_ERR_SYNTAX, "instances: expected a name");
                goto out;
            }
            const yaml_node_t *cv = v;
            if (v->type == YAML_MAPPING_NODE) {
                static const char *const ikeys[] = {"component", "args", NULL};
                if ((st = check_keys(&y, v, "instance", ikeys))) goto out;
                cv = get(&y, v, "component");
                if (!cv) {
                    st = at(&y, v, WELD_ERR_SYNTAX, "instance `%s`: missing key `component`", name);
                    goto out;
                }
            }
            if ((st = want_string(&y, cv, "instance component", &comp))) goto out;
            uint32_t ci = weld_composer_find_component(c, comp);
            if (ci == UINT32_MAX) {
                st = at(&y, cv, WELD_ERR_USAGE, "instance `%s`: unknown component `%s`", name, comp);
                goto out;
            }
            if ((st = weld_composer_add_instance(c, name, ci, pos_of(k), NULL, d))) goto out;
        }
        for (yaml_node_pair_t *p = insts->data.mapping.pairs.start; p < insts->data.mapping.pairs.top; p++) {
            const yaml_node_t *k = node(&y, p->key), *v = node(&y, p->value);
            const yaml_node_t *args = get(&y, v, "args");
            if (!args) continue;
            if ((st = want_kind(&y, args, YAML_MAPPING_NODE, "args"))) goto out;
            uint32_t inst = weld_composer_find_instance(c, scalar(k));
            for (yaml_node_pair_t *q = args->data.mapping.pairs.start; q < args->data.mapping.pairs.top; q++)
                if ((st = load_arg(&y, inst, node(&y, q->key), node(&y, q->value)))) goto out;
        }
    }
    /* exports: a list of {instance, export, as} (or "instance.export" strings) */
    const yaml_node_t *exps = get(&y, root, "exports");
    if (exps) {
        if ((st = want_kind(&y, exps, YAML_SEQUENCE_NODE, "exports"))) goto out;
        for (yaml_node_item_t *i = exps->data.sequence.items.start; i < exps->data.sequence.items.top; i++) {
            const yaml_node_t *e = node(&y, *i);
            const char *inst = NULL, *ex = NULL, *as = NULL;
            char buf[512];
            if (e->type == YAML_SCALAR_NODE) {
                /* "instance" or "instance/export" */
                snprintf(buf, sizeof buf, "%s", scalar(e));
                char *slash = strchr(buf, '/');
                if (slash) {
                    *slash = 0;
                    ex = slash + 1;
                }
                inst = buf;
            } else if (e->type == YAML_MAPPING_NODE) {
                static const char *const ekeys[] = {"instance", "export", "as", NULL};
                if ((st = check_keys(&y, e, "export", ekeys))) goto out;
                const yaml_node_t *v;
                if (!(v = get(&y, e, "instance"))) {
                    st = at(&y, e, WELD_ERR_SYNTAX, "export: missing key `instance`");
                    goto out;
                }
                if ((st = want_string(&y, v, "export instance", &inst))) goto out;
                if ((v = get(&y, e, "export")) && (st = want_string(&y, v, "export name", &ex))) goto out;
                if ((v = get(&y, e, "as")) && (st = want_string(&y, v, "export as", &as))) goto out;
            } else {
                st = at(&y, e, WELD_ERR_SYNTAX, "exports entry: expected a string or a mapping, found %s",
                        kind_name(e));
                goto out;
            }
            uint32_t ii = weld_composer_find_instance(c, inst);
            if (ii == UINT32_MAX) {
                st = at(&y, e, WELD_ERR_USAGE, "export: unknown instance `%s`", inst);
                goto out;
            }
            if ((st = weld_composer_add_export(c, ii, ex, as, pos_of(e), d))) goto out;
        }
    }
out:
    yaml_document_delete(&y.doc);
    return st;
}

/* ---- wasm-compose's configuration ----------------------------------------------------------- */

static const char *base_name(const char *path, char *buf, size_t n)
{
    const char *s = strrchr(path, '/');
    snprintf(buf, n, "%s", s ? s + 1 : path);
    char *dot = strrchr(buf, '.');
    if (dot && strcmp(dot, ".wasm") == 0) *dot = 0;
    return buf;
}

/* The root component's instance. wasm-compose names it `root`; weld's earlier name `$input`
 * is accepted too. */
static bool is_root_name(const char *s)
{
    return s && (strcmp(s, "root") == 0 || strcmp(s, "$input") == 0);
}

/* Find or create the instance named `name` of dependency `dep` (a component). */
static weld_status dep_instance(yspec *y, const char *name, uint32_t comp, uint32_t *out)
{
    uint32_t i = weld_composer_find_instance(y->c, name);
    if (i != UINT32_MAX) {
        *out = i;
        return WELD_OK;
    }
    return weld_composer_add_instance(y->c, name, comp, (weld_compose_pos){0, 0}, out, y->d);
}

/* The component named `name`: a dependency already loaded, else NAME.wasm in the config's
 * directory or a search path (loaded now); UINT32_MAX when there is none. */
static weld_status find_dependency(yspec *y, const char *name, uint32_t *out)
{
    *out = weld_composer_find_component(y->c, name);
    if (*out != UINT32_MAX || is_root_name(name)) return WELD_OK;
    char full[1024], fname[600];
    snprintf(fname, sizeof fname, "%s.wasm", name);
    if (!resolve_path(y, fname, full, sizeof full)) return WELD_OK;
    return weld_composer_add_file(y->c, name, full, (weld_compose_pos){0, 0}, out, y->d);
}

static weld_status wc_arg(yspec *y, uint32_t inst, const yaml_node_t *key, const yaml_node_t *v);

/* The instantiation entry named `name` (the root's under `root` or `$input`), or NULL. */
static const yaml_node_t *instantiation(yspec *y, const char *name)
{
    if (!y->insts) return NULL;
    if (is_root_name(name)) {
        const yaml_node_t *r = get(y, y->insts, "root");
        return r ? r : get(y, y->insts, "$input");
    }
    return get(y, y->insts, name);
}

/* Apply the arguments the instantiation named `name` gives to instance `inst`. */
static weld_status apply_args(yspec *y, uint32_t inst, const char *name)
{
    const yaml_node_t *args = get(y, instantiation(y, name), "arguments");
    if (!args) return WELD_OK;
    weld_status st = want_kind(y, args, YAML_MAPPING_NODE, "arguments");
    for (yaml_node_pair_t *q = args->data.mapping.pairs.start; !st && q < args->data.mapping.pairs.top; q++)
        st = wc_arg(y, inst, node(y, q->key), node(y, q->value));
    return st;
}

/* A new instance `name` of component `comp`, with the arguments its instantiation gives
 * (instances are made when first used, as wasm-compose does). */
static weld_status new_instance(yspec *y, const char *name, uint32_t comp, weld_compose_pos pos,
                                uint32_t *out)
{
    weld_status st = weld_composer_add_instance(y->c, name, comp, pos, out, y->d);
    return st ? st : apply_args(y, *out, name);
}

/* The component the instance `name` instantiates: its instantiation's `dependency`, else
 * the dependency (or search-path file) of that name; UINT32_MAX when there is none. */
static weld_status instance_component(yspec *y, const char *name, const char **dep, uint32_t *out)
{
    *dep = name;
    const yaml_node_t *dv = get(y, instantiation(y, name), "dependency");
    if (scalar(dv)) *dep = scalar(dv);
    return find_dependency(y, *dep, out);
}

/* The instance an argument names: the root, an instance already made, or a new instance of
 * the dependency the instantiation of that name gives (by default the dependency of that
 * name). */
static weld_status arg_instance(yspec *y, const yaml_node_t *at_node, const char *import,
                                const char *name, uint32_t *out)
{
    if (is_root_name(name)) {
        *out = y->root_inst;
        return WELD_OK;
    }
    *out = weld_composer_find_instance(y->c, name);
    if (*out != UINT32_MAX) return WELD_OK;
    const char *dep;
    uint32_t ci;
    weld_status st = instance_component(y, name, &dep, &ci);
    if (st) return st;
    if (ci == UINT32_MAX)
        return at(y, at_node, WELD_ERR_USAGE, "argument `%s`: instance `%s`: expected an "
                  "instantiation, a dependency or a file `%s.wasm` in the search paths of that "
                  "name", import, name, dep);
    return new_instance(y, name, ci, pos_of(at_node), out);
}

/* One argument of an instantiation: `import: instance` or `import: {instance, export}`. */
static weld_status wc_arg(yspec *y, uint32_t inst, const yaml_node_t *key, const yaml_node_t *v)
{
    const char *import = scalar(key), *from = NULL, *export_name = NULL;
    weld_status st;
    if (!import) return at(y, key, WELD_ERR_SYNTAX, "arguments: expected an import name");
    const yaml_node_t *from_node = v;
    if (v->type == YAML_SCALAR_NODE) {
        from = scalar(v);
    } else if (v->type == YAML_MAPPING_NODE) {
        static const char *const keys[] = {"instance", "export", NULL};
        if ((st = check_keys(y, v, "argument", keys))) return st;
        const yaml_node_t *in = get(y, v, "instance"), *ex = get(y, v, "export");
        if (!in) return at(y, v, WELD_ERR_SYNTAX, "argument `%s`: missing key `instance`", import);
        if ((st = want_string(y, in, "argument instance", &from))) return st;
        if (ex && (st = want_string(y, ex, "argument export", &export_name))) return st;
        from_node = in;
    } else {
        return at(y, v, WELD_ERR_SYNTAX, "argument `%s`: expected an instance name or a mapping "
                  "with `instance` and `export`, found %s", import, kind_name(v));
    }
    if (!weld_composer_has_import(y->c, inst, import))
        return at(y, key, WELD_ERR_USAGE, "argument `%s`: component %s has no import named `%s`",
                  import, y->c->defs[y->c->insts[inst].def].path, import);
    uint32_t f;
    if ((st = arg_instance(y, from_node, import, from, &f))) return st;
    return weld_composer_add_arg(y->c, inst, import, f, export_name, pos_of(key), y->d);
}

/* A list of paths under `key` (definitions, search-paths). */
static weld_status string_list(yspec *y, const yaml_node_t *n, const char *what,
                               const char **out, uint32_t max, uint32_t *count,
                               const yaml_node_t **nodes)
{
    if (!n) return WELD_OK;
    weld_status st = want_kind(y, n, YAML_SEQUENCE_NODE, what);
    if (st) return st;
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
        const char *s = NULL;
        char w[64];
        snprintf(w, sizeof w, "%s entry", what);
        if ((st = want_string(y, node(y, *i), w, &s))) return st;
        if (*count == max) return at(y, node(y, *i), WELD_ERR_USAGE, "%s: more than %u entries", what, max);
        if (nodes) nodes[*count] = node(y, *i);
        out[(*count)++] = s;
    }
    return WELD_OK;
}

weld_status weld_wasm_compose_load(weld_composer *c, const weld_wasm_compose_args *a,
                                   weld_compose_opts *opts, weld_diag *d)
{
    yspec y = {.c = c, .file = a->config_file, .dir = a->config_dir ? a->config_dir : ".", .d = d};
    weld_status st = WELD_OK;
    const yaml_node_t *root = NULL;
    enum { MAXDEFS = 256 };
    const char *defs[MAXDEFS];
    const yaml_node_t *def_nodes[MAXDEFS];
    uint32_t ndefs = 0;
    if (a->config_text) {
        weld_composer_set_spec_file(c, a->config_file);
        if ((st = load_doc(&y, a->config_text, a->config_len, &root))) goto out;
        static const char *const top[] = {"definitions", "search-paths", "skip-validation",
                                          "import-components", "disallow-imports", "dependencies",
                                          "instantiations", NULL};
        if ((st = check_keys(&y, root, "configuration", top))) goto out;
        const yaml_node_t *v;
        if ((st = load_search_paths(&y, get(&y, root, "search-paths")))) goto out;
        if ((st = string_list(&y, get(&y, root, "definitions"), "definitions", defs, MAXDEFS,
                              &ndefs, def_nodes)))
            goto out;
        bool b;
        if ((v = get(&y, root, "skip-validation"))) {
            if ((st = want_bool(&y, v, "skip-validation", &b))) goto out;
            opts->skip_validation |= b;
        }
        if ((v = get(&y, root, "import-components"))) {
            if ((st = want_bool(&y, v, "import-components", &b))) goto out;
            opts->import_dependencies |= b;
        }
        if ((v = get(&y, root, "disallow-imports"))) {
            if ((st = want_bool(&y, v, "disallow-imports", &b))) goto out;
            opts->no_imports |= b;
        }
    }
    for (uint32_t i = 0; i < a->nsearch_paths && y.nsearch < 32; i++) y.search[y.nsearch++] = a->search_paths[i];
    uint32_t root_comp, root_inst;
    if ((st = weld_composer_add_file(c, "$input", a->root, (weld_compose_pos){0, 0}, &root_comp, d)) ||
        (st = weld_composer_add_instance(c, "$input", root_comp, (weld_compose_pos){0, 0}, &root_inst, d)))
        goto out;
    y.root_inst = root_inst;
    /* dependencies: name -> path or {path, import} */
    const yaml_node_t *deps = get(&y, root, "dependencies");
    if (deps) {
        if ((st = want_kind(&y, deps, YAML_MAPPING_NODE, "dependencies"))) goto out;
        for (yaml_node_pair_t *p = deps->data.mapping.pairs.start; p < deps->data.mapping.pairs.top; p++) {
            const yaml_node_t *k = node(&y, p->key), *v = node(&y, p->value), *iv = NULL;
            const char *path = NULL, *import = NULL;
            if (!scalar(k)) {
                st = at(&y, k, WELD_ERR_SYNTAX, "dependencies: expected a name");
                goto out;
            }
            if (is_root_name(scalar(k))) {
                st = at(&y, k, WELD_ERR_USAGE, "dependency `%s`: the name is the root component's",
                        scalar(k));
                goto out;
            }
            if (v->type == YAML_MAPPING_NODE) {
                static const char *const dkeys[] = {"path", "import", NULL};
                if ((st = check_keys(&y, v, "dependency", dkeys))) goto out;
                if ((iv = get(&y, v, "import")) && (st = want_string(&y, iv, "dependency import", &import)))
                    goto out;
                v = get(&y, v, "path");
                if (!v) {
                    st = at(&y, node(&y, p->value), WELD_ERR_SYNTAX, "dependency `%s`: missing key `path`",
                            scalar(k));
                    goto out;
                }
            }
            if ((st = want_string(&y, v, "dependency path", &path))) goto out;
            char full[1024];
            if (!resolve_path(&y, path, full, sizeof full)) {
                st = at(&y, v, WELD_ERR_IO, "dependency `%s`: file `%s` not found", scalar(k), path);
                goto out;
            }
            uint32_t ci;
            if ((st = weld_composer_add_file(c, scalar(k), full, pos_of(v), &ci, d))) goto out;
            if (import) {
                if (!import[0]) {
                    st = at(&y, iv, WELD_ERR_SYNTAX, "dependency `%s`: import: expected a name, found "
                            "an empty string", scalar(k));
                    goto out;
                }
                c->defs[ci].import_name = weld_arena_strndup(c->arena, import, strlen(import));
            }
        }
    }
    /* definitions (the configuration's, then -d): components whose instance exports satisfy
     * imports of that name; each is instantiated once, when first used */
    uint32_t first_def = c->ndefs;
    for (uint32_t i = 0; i < ndefs + a->ndefinitions; i++) {
        const char *p = i < ndefs ? defs[i] : a->definitions[i - ndefs];
        weld_compose_pos pos = i < ndefs ? pos_of(def_nodes[i]) : (weld_compose_pos){0, 0};
        char nb[256], full[1024];
        base_name(p, nb, sizeof nb);
        if (i < ndefs) {
            if (!resolve_path(&y, p, full, sizeof full)) {
                st = at(&y, def_nodes[i], WELD_ERR_IO, "definition: file `%s` not found (looked in "
                        "the configuration's directory%s)", p, y.nsearch ? " and the search paths" : "");
                goto out;
            }
            p = full;
        }
        if ((st = weld_composer_add_file(c, nb, p, pos, NULL, d))) goto out;
    }
    uint32_t end_def = c->ndefs;
    /* instantiations: the root's (`root`) arguments, and named instances of dependencies */
    const yaml_node_t *insts = get(&y, root, "instantiations");
    if (insts) {
        /* each is checked now and instantiated when first used */
        if ((st = want_kind(&y, insts, YAML_MAPPING_NODE, "instantiations"))) goto out;
        for (yaml_node_pair_t *p = insts->data.mapping.pairs.start; p < insts->data.mapping.pairs.top; p++) {
            const yaml_node_t *k = node(&y, p->key), *v = node(&y, p->value);
            const char *name = scalar(k);
            if (!name) {
                st = at(&y, k, WELD_ERR_SYNTAX, "instantiations: expected a name");
                goto out;
            }
            if ((st = want_kind(&y, v, YAML_MAPPING_NODE, "instantiation"))) goto out;
            static const char *const ikeys[] = {"dependency", "arguments", NULL};
            if ((st = check_keys(&y, v, "instantiation", ikeys))) goto out;
            const yaml_node_t *dv = get(&y, v, "dependency");
            if (is_root_name(name)) {
                if (dv) {
                    st = at(&y, dv, WELD_ERR_USAGE, "instantiation `%s`: the root component's "
                            "instantiation takes only `arguments`", name);
                    goto out;
                }
                continue;
            }
            const char *dep = name;
            if (dv && (st = want_string(&y, dv, "dependency", &dep))) goto out;
            uint32_t ci;
            if ((st = find_dependency(&y, dep, &ci))) goto out;
            if (ci == UINT32_MAX) {
                st = at(&y, dv ? dv : k, WELD_ERR_USAGE, "instantiation `%s`: unknown dependency `%s` "
                        "(expected a name under `dependencies` or a file `%s.wasm` in the search "
                        "paths)", name, dep, dep);
                goto out;
            }
        }
    }
    y.insts = insts;
    if ((st = apply_args(&y, root_inst, "root"))) goto out;
    /* the root must import an instance */
    const cdef *rk = &c->defs[root_comp];
    bool any_instance = false;
    for (uint32_t j = 0; j < rk->nimports; j++)
        any_instance |= compose_import_sort(rk->imports[j]) == WELD_SORT_INSTANCE;
    if (!any_instance) {
        st = compose_fail(c, d, WELD_ERR_LINK, (weld_compose_pos){0, 0},
                          "component `%s` does not import any instances (wasm-compose composes a "
                          "root's instance imports)", a->root);
        goto out;
    }
    /* transitive resolution of each import without an argument, by its name: a definition
     * exporting an instance of that name, else the instance of that name (made now from its
     * instantiation's dependency, or the dependency or NAME.wasm in the search paths of that
     * name); otherwise the import stays (an error under disallow-imports) */
    for (uint32_t i = 0; i < c->ninsts; i++) {
        const cdef *k = &c->defs[c->insts[i].def];
        for (uint32_t j = 0; j < k->nimports; j++) {
            if (c->insts[i].args[j].kind != BIND_NONE) continue;
            const char *iname = k->imports[j]->name.name.ptr;
            uint32_t from = UINT32_MAX;
            for (uint32_t dd = first_def; dd < end_def && from == UINT32_MAX; dd++) {
                for (uint32_t e = 0; e < c->defs[dd].nexports; e++)
                    if (c->defs[dd].exports[e]->item.sort.sort == WELD_SORT_INSTANCE &&
                        weld_compose_name_matches(iname, c->defs[dd].exports[e]->name.name.ptr, NULL)) {
                        if ((st = dep_instance(&y, c->defs[dd].name, dd, &from))) goto out;
                        break;
                    }
            }
            if (from == UINT32_MAX) from = weld_composer_find_instance(c, iname);
            if (from == UINT32_MAX) {
                const char *dep;
                uint32_t ci;
                if ((st = instance_component(&y, iname, &dep, &ci))) goto out;
                if (ci != UINT32_MAX && ci != c->insts[i].def &&
                    (st = new_instance(&y, iname, ci, (weld_compose_pos){0, 0}, &from)))
                    goto out;
            }
            if (from == UINT32_MAX || from == i) {
                if (opts->no_imports) {
                    st = compose_fail(c, d, WELD_ERR_LINK, (weld_compose_pos){0, 0},
                                      "a dependency named `%s` (imported by %s) could not be found and "
                                      "instance imports are not allowed", iname, k->path);
                    goto out;
                }
                continue;
            }
            if ((st = weld_composer_add_arg(c, i, iname, from, NULL, (weld_compose_pos){0, 0}, d))) goto out;
            k = &c->defs[c->insts[i].def]; /* defs may have grown */
        }
    }
    if (c->ninsts == 1) {
        st = compose_fail(c, d, WELD_ERR_LINK, (weld_compose_pos){0, 0},
                          "no dependencies of component `%s` were found", a->root);
        goto out;
    }
    /* the composition exports what the root component exports */
    rk = &c->defs[root_comp];
    for (uint32_t e = 0; e < rk->nexports; e++)
        if ((st = weld_composer_add_export(c, root_inst, rk->exports[e]->name.name.ptr, NULL,
                                           (weld_compose_pos){0, 0}, d)))
            goto out;
    opts->auto_plug = false;
out:
    if (a->config_text) yaml_document_delete(&y.doc);
    return st;
}
