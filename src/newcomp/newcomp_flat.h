/* newcomp_flat.h - core signatures of WIT functions (canonical ABI flattening). */
#ifndef WELD_NEWCOMP_FLAT_H
#define WELD_NEWCOMP_FLAT_H

#include "weld/module.h"
#include "weld/wit.h"

#define NC_FLAT_CAP 24

typedef struct nc_flat {
    weld_valtype v[NC_FLAT_CAP];
    uint32_t n; /* may exceed NC_FLAT_CAP (then only the count is right) */
} nc_flat;

typedef struct nc_sig {
    nc_flat params, results;
    bool memory;  /* the canon definition needs a memory option */
    bool realloc; /* ... and a realloc option */
} nc_sig;

/* The core signature of `fn`: lowered (an import of the core module) or lifted (an
 * export). */
void nc_func_sig(const weld_wit_resolve *r, const weld_wit_func *fn, bool lower, nc_sig *s);
bool nc_sig_matches(const nc_sig *s, const weld_functype *ft);
void nc_sig_text(const nc_sig *s, char *buf, size_t cap);
void nc_functype_text(const weld_valtype *p, uint32_t np, const weld_valtype *rs, uint32_t nr, char *buf, size_t cap);

#endif
