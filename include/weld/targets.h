/* targets.h - does a component conform to a WIT world? Its imports must be a subset of
 * the world's imports and its exports a superset of the world's exports, with compatible
 * types: the component type is a subtype of the world's component type (checked with the
 * component type model of weld/ctypes.h). */
#ifndef WELD_TARGETS_H
#define WELD_TARGETS_H

#include "weld/component.h"
#include "weld/wit.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum weld_targets_kind {
    WELD_TARGETS_EXTRA_IMPORT,   /* the component imports what the world does not offer */
    WELD_TARGETS_MISSING_EXPORT, /* the world expects an export the component lacks */
    WELD_TARGETS_IMPORT_TYPE,    /* same import name, the world's type does not fit */
    WELD_TARGETS_EXPORT_TYPE,    /* same export name, the component's type does not fit */
    WELD_TARGETS_OTHER           /* the types differ in a way no single item shows */
} weld_targets_kind;

typedef struct weld_targets_diff {
    weld_targets_kind kind;
    const char *name;   /* the import or export name ("" for OTHER) */
    const char *what;   /* `interface`, `func`, `type`, ... (the item's sort) */
    const char *why;    /* for type differences: wasmparser-style explanation */
} weld_targets_diff;

typedef struct weld_targets_report {
    bool conforms;
    uint32_t ndiffs;
    weld_targets_diff *diffs;
} weld_targets_report;

/* Check component `c` against world `world` of resolve `r`; the report is allocated in
 * `arena`. Fails (with d) only when the component or the world cannot be typed. */
weld_status weld_targets(weld_arena *arena, const weld_component *c, const weld_wit_resolve *r,
                         uint32_t world, weld_targets_report *out, weld_diag *d);

#ifdef __cplusplus
}
#endif
#endif
