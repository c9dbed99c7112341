/* validate_component.c - weld_validate_component: the component type model built with
 * every validation rule on, then discarded; the feature names. */
#include "weld/ctypes.h"
#include "weld/validate.h"
#include <string.h>

static weld_status run(const weld_component *c, bool gate, uint64_t features, weld_diag *d)
{
    weld_ctypes_opts opts = {.validate = true, .gate_features = gate, .features = features};
    weld_ctypes *m;
    weld_status st = weld_ctypes_build(c, &opts, &m, d);
    if (st == WELD_OK) weld_ctypes_free(m);
    return st;
}

weld_status weld_validate_component(const weld_component *c, weld_diag *d)
{
    return run(c, false, WELD_FEAT_ALL, d);
}

weld_status weld_validate_component_features(const weld_component *c, uint64_t features,
                                             weld_diag *d)
{
    return run(c, true, features, d);
}

/* wasmparser's names (crates/wasmparser/src/features.rs, in kebab case as wasm-tools'
 * --features takes them) */
static const struct {
    const char *name;
    uint64_t bit;
} feature_names[] = {
    {"cm-async", WELD_FEAT_CM_ASYNC},
    {"cm-async-stackful", WELD_FEAT_CM_ASYNC_STACKFUL},
    {"cm-more-async-builtins", WELD_FEAT_CM_MORE_ASYNC_BUILTINS},
    {"cm-threading", WELD_FEAT_CM_THREADING},
    {"cm-error-context", WELD_FEAT_CM_ERROR_CONTEXT},
    {"cm-fixed-length-lists", WELD_FEAT_CM_FIXED_LENGTH_LISTS},
    {"cm-gc", WELD_FEAT_CM_GC},
    {"cm-map", WELD_FEAT_CM_MAP},
    {"cm64", WELD_FEAT_CM64},
    {"cm-values", WELD_FEAT_CM_VALUES},
    {"cm-nested-names", WELD_FEAT_CM_NESTED_NAMES},
    {"shared-everything-threads", WELD_FEAT_SHARED_EVERYTHING_THREADS},
    {"multi-memory", WELD_FEAT_MULTI_MEMORY},
    {"extended-const", WELD_FEAT_EXTENDED_CONST},
    {"mutable-global", WELD_FEAT_CORE_FIXED},
    {"saturating-float-to-int", WELD_FEAT_CORE_FIXED},
    {"sign-extension", WELD_FEAT_CORE_FIXED},
    {"reference-types", WELD_FEAT_CORE_FIXED},
    {"multi-value", WELD_FEAT_CORE_FIXED},
    {"bulk-memory", WELD_FEAT_CORE_FIXED},
    {"simd", WELD_FEAT_CORE_FIXED},
    {"relaxed-simd", WELD_FEAT_CORE_FIXED},
    {"threads", WELD_FEAT_CORE_FIXED},
    {"tail-call", WELD_FEAT_CORE_FIXED},
    {"floats", WELD_FEAT_CORE_FIXED},
    {"exceptions", WELD_FEAT_EXCEPTIONS},
    {"memory64", WELD_FEAT_CORE_FIXED},
    {"function-references", WELD_FEAT_CORE_FIXED},
    {"gc", WELD_FEAT_CORE_FIXED},
    {"gc-types", WELD_FEAT_CORE_FIXED},
    {"wide-arithmetic", WELD_FEAT_CORE_FIXED},
    {"component-model", WELD_FEAT_CORE_FIXED},
};

uint64_t weld_feature_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof feature_names / sizeof feature_names[0]; i++)
        if (strcmp(feature_names[i].name, name) == 0) return feature_names[i].bit;
    return 0;
}

bool weld_feature_can_disable(uint64_t bit) { return bit != WELD_FEAT_CORE_FIXED; }

const char *weld_feature_names(void)
{
    return "cm-async, cm-async-stackful, cm-more-async-builtins, cm-threading, cm-error-context, "
           "cm-fixed-length-lists, cm-gc, cm-map, cm64, cm-values, cm-nested-names, "
           "shared-everything-threads, multi-memory, extended-const, mutable-global, "
           "saturating-float-to-int, sign-extension, reference-types, multi-value, bulk-memory, "
           "simd, relaxed-simd, threads, tail-call, floats, exceptions, memory64, "
           "function-references, gc, gc-types, wide-arithmetic, component-model";
}
