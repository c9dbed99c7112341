/* compose.h - the composer: a graph of component instances whose imports are satisfied by
 * other instances' exports, encoded as one self-contained component.
 *
 * Nodes are instances of component definitions; an edge satisfies an import of one
 * instance with an export of another (or with the whole instance). Edges are given
 * explicitly, or found by name (weld_composer_link with `auto_plug`): names match exactly
 * or semver-compatibly (`@0.2.1` satisfies `@0.2.0`; `0.0.x` and prereleases only
 * exactly), preferring an exact match, then the highest compatible version. Every edge is
 * type-checked; imports no edge satisfies become imports of the composed component,
 * merged by name across instances (the wider view, or the union of instance views that
 * each lack something; what they share must agree). The encoder embeds the
 * component definitions, instantiates them in dependency order, aliases and exports, adds
 * a component-name section, and validates the result before handing back the bytes.
 *
 * A composer owns every component it was given (one arena); nothing is shared with the
 * caller. Errors: WELD_ERR_LINK (a missing or ambiguous match, a type mismatch, a cycle),
 * WELD_ERR_USAGE (an unknown name), with the spec position (line:col) when the caller gave
 * one.
 */
#ifndef WELD_COMPOSE_H
#define WELD_COMPOSE_H

#include "weld/component.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weld_composer weld_composer;

typedef struct weld_compose_opts {
    bool auto_plug;            /* satisfy imports without an explicit argument by name */
    bool no_imports;           /* an import left unsatisfied is an error */
    bool skip_validation;      /* do not validate the encoded result */
    bool import_dependencies;  /* import component definitions instead of embedding them */
} weld_compose_opts;

/* A position in a spec file (line 0: none). */
typedef struct weld_compose_pos {
    uint32_t line, col;
} weld_compose_pos;

weld_composer *weld_composer_new(void);
void weld_composer_free(weld_composer *c);
/* The file named in diagnostics about spec positions. */
void weld_composer_set_spec_file(weld_composer *c, const char *path);

/* Read and decode a component definition from `path`, named `name` (unique). */
weld_status weld_composer_add_file(weld_composer *c, const char *name, const char *path,
                                   weld_compose_pos pos, uint32_t *id, weld_diag *d);
/* The same from bytes (copied). */
weld_status weld_composer_add_bytes(weld_composer *c, const char *name, const char *path,
                                    const uint8_t *data, size_t len, weld_compose_pos pos,
                                    uint32_t *id, weld_diag *d);
/* A new instance of the definition `component`, named `name` (unique). */
weld_status weld_composer_add_instance(weld_composer *c, const char *name, uint32_t component,
                                       weld_compose_pos pos, uint32_t *id, weld_diag *d);
/* Satisfy import `import` of instance `inst` (exact name, or semver-compatible) with the
 * export `export` of instance `from`; export NULL: the export of `from` whose name matches
 * the import, else the whole instance `from`. */
weld_status weld_composer_add_arg(weld_composer *c, uint32_t inst, const char *import,
                                  uint32_t from, const char *export_name, weld_compose_pos pos,
                                  weld_diag *d);
/* Export `export_name` of instance `inst` (NULL: the whole instance) as `as` (NULL: the
 * same name). */
weld_status weld_composer_add_export(weld_composer *c, uint32_t inst, const char *export_name,
                                     const char *as, weld_compose_pos pos, weld_diag *d);

/* Export every export of instance `inst` under its own name. */
weld_status weld_composer_export_all(weld_composer *c, uint32_t inst, weld_diag *d);

/* Lookups by name; UINT32_MAX when absent. */
uint32_t weld_composer_find_component(const weld_composer *c, const char *name);
uint32_t weld_composer_find_instance(const weld_composer *c, const char *name);
uint32_t weld_composer_instance_count(const weld_composer *c);
/* Does instance `inst` export / import something named (or semver-matching) `name`? */
bool weld_composer_has_export(const weld_composer *c, uint32_t inst, const char *name);
bool weld_composer_has_import(const weld_composer *c, uint32_t inst, const char *name);

/* Complete the graph: explicit arguments, then (auto_plug) plugging by name, edge type
 * checks, cycle detection, the imports that stay. With `explain`, a text describing for
 * each import which candidates were considered and why each was or was not taken is
 * available from weld_composer_explanation afterwards. */
weld_status weld_composer_link(weld_composer *c, const weld_compose_opts *opts, bool explain,
                               weld_diag *d);
const char *weld_composer_explanation(weld_composer *c);
/* After linking: does instance `inst` satisfy some other instance's import? */
bool weld_composer_instance_feeds(const weld_composer *c, uint32_t inst);
/* The name of instance `inst`. */
const char *weld_composer_instance_name(const weld_composer *c, uint32_t inst);

/* Encode the linked graph; *out is malloc'd (free with free()). */
weld_status weld_composer_encode(weld_composer *c, const weld_compose_opts *opts, uint8_t **out,
                                 size_t *out_len, weld_diag *d);

/* Pictures of a graph. */
typedef enum weld_graph_format { WELD_GRAPH_DOT, WELD_GRAPH_MERMAID, WELD_GRAPH_JSON } weld_graph_format;
/* The linked graph of a composer; *out malloc'd, NUL-terminated. */
weld_status weld_composer_graph(const weld_composer *c, weld_graph_format fmt, char **out,
                                size_t *out_len, weld_diag *d);
/* The graph recovered from a (composed) component binary: its imports, component
 * definitions, instances with their arguments, and exports. */
weld_status weld_graph_from_component(const uint8_t *data, size_t len, const char *file,
                                      weld_graph_format fmt, char **out, size_t *out_len,
                                      weld_diag *d);

/* Loading specs into a composer (src/compose/spec.c). `text` is the YAML source, `dir`
 * the directory relative paths are taken from. */
/* weld's own spec format (see README "Compose specs"). */
weld_status weld_compose_spec_load(weld_composer *c, const char *file, const char *text,
                                   size_t len, const char *dir, weld_compose_opts *opts,
                                   weld_diag *d);
/* wasm-compose's configuration format, with the root component and the command-line
 * definitions and search paths. */
typedef struct weld_wasm_compose_args {
    const char *root;          /* the root component's path */
    const char *config_file;   /* may be NULL */
    const char *config_text;
    size_t config_len;
    const char *config_dir;
    const char *const *definitions; /* -d paths */
    uint32_t ndefinitions;
    const char *const *search_paths; /* -p directories */
    uint32_t nsearch_paths;
} weld_wasm_compose_args;
weld_status weld_wasm_compose_load(weld_composer *c, const weld_wasm_compose_args *a,
                                   weld_compose_opts *opts, weld_diag *d);

/* A composition in (a subset of) the WAC language: `package`, `let NAME = new ns:pkg { ... }`
 * with named, shorthand and `...` arguments, access expressions (`a.name`, `a["name"]`),
 * `export EXPR [as NAME]` (src/compose/wac.c). Packages come from `deps` ("ns:pkg=PATH"),
 * else DIR/deps/ns/pkg.wasm. */
weld_status weld_wac_load(weld_composer *c, const char *file, const char *text, size_t len,
                          const char *dir, const char *const *deps, uint32_t ndeps,
                          weld_compose_opts *opts, weld_diag *d);

/* Semver-aware name matching: does an export named `have` satisfy an import named `want`?
 * *rank (when non-NULL) orders candidates: higher is preferred (exact match highest). */
bool weld_compose_name_matches(const char *want, const char *have, uint64_t *rank);

#ifdef __cplusplus
}
#endif
#endif
