/* layout.h - the Canonical ABI layout of component value types (CanonicalABI.md: alignment,
 * elem_size, flatten_type, flatten_functype), the one routine both the component validator
 * (canon lift/lower signatures, src/comp/ctypes_build.c) and the component runtime
 * (src/canon/) use. */
#ifndef WELD_COMP_LAYOUT_H
#define WELD_COMP_LAYOUT_H

#include "comp/comp.h"

/* Canonical ABI limits on flattened signatures. */
enum { CANON_MAX_FLAT_PARAMS = 16, CANON_MAX_FLAT_RESULTS = 1 };

/* The Canonical ABI layout of a value type. `flat` lists the flattened core types
 * (nflat of them, complete even past the 16/1 limits, up to CANON_LAYOUT_MAX_FLAT; `over`
 * when the real count is larger). `pure` when the value's memory form is numbers only
 * (no pointer, no handle, nothing to check: not bool, char, discriminants or flags), so
 * it is copied between memories as bytes. */
enum { CANON_LAYOUT_MAX_FLAT = 64 };
typedef struct canon_layout {
    uint32_t size, align;
    uint32_t nflat;
    bool over;
    bool pure;
    uint8_t disc_size;     /* variant-like types: 1, 2 or 4; 0 otherwise */
    uint32_t payload_off;  /* variant-like: offset of the payload in memory */
    weld_valtype flat[CANON_LAYOUT_MAX_FLAT];
    /* The layouts of the parts (record fields, tuple members, variant cases (NULL: no
     * payload; option: none, some; result: ok, err), list elements: sub[0]) and, for
     * records and tuples, the field offsets in memory. NULL when there are none. */
    const struct canon_layout *const *sub;
    const uint32_t *offs;
} canon_layout;

/* A cache of layouts keyed by type node (the runtime owns one, the validator one per
 * build). */
typedef struct canon_layouts {
    pmap map;              /* const weld_tnode * -> canon_layout * */
    weld_arena *arena;
} canon_layouts;
/* The layout of t (alias names followed; of a function type: the tuple of its
 * parameters); NULL on allocation failure. */
const canon_layout *canon_layout_of(canon_layouts *c, const weld_tnode *t);
void canon_layouts_free(canon_layouts *c);

/* The flattened core signature of a component function type, as lift (`lower` false:
 * the callee's export) or lower (`lower` true: the caller's import) gives it, with the
 * spilling of CanonicalABI.md (params past 16 through a pointer, results past 1 through
 * a pointer returned (lift) or passed as a last parameter (lower)). */
typedef struct canon_sig {
    uint32_t nparams, nresults;
    weld_valtype params[CANON_MAX_FLAT_PARAMS + 1];
    weld_valtype results[CANON_MAX_FLAT_RESULTS];
    bool params_spilled, results_spilled;
} canon_sig;
weld_status canon_sig_of(canon_layouts *c, const weld_tnode *ft, bool lower, canon_sig *out);

#endif
