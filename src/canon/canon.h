/* canon.h - internals of the component runtime (include/weld/crt.h):
 *
 *   (layout: src/comp/layout.c, shared with the validator)
 *   abi.c       lift and lower (CanonicalABI.md) between core values / linear memory and
 *               weld_cval trees (host calls), and the fused transfer from one component's
 *               memory into another's (guest-to-guest calls, no weld_cval built)
 *   resource.c  handle tables, own/borrow, borrow scopes, resource.new/rep/drop
 *   value.c     weld_cval helpers
 *   instance.c  loading, instantiation (index spaces walked once), trampolines, calls
 *   wave.c      WAVE text for values (the CLI's --invoke), against a type
 *
 * Core values cross as 64-bit slots, the core runtime's host-function convention: an i32
 * in the low 32 bits, f32/f64 as their bits.
 */
#ifndef WELD_CANON_H
#define WELD_CANON_H

#include "base/base.h"
#include "comp/comp.h"
#include "comp/layout.h"
#include "rt/rt.h"
#include "weld/crt.h"

/* String encodings of the canonical options (the canonopt byte). */
enum { CANON_UTF8 = 0, CANON_UTF16 = 1, CANON_LATIN1_UTF16 = 2 };

typedef struct crt_inst crt_inst;

/* Free a value by the type of its position t, recursively (value.c): the `type` fields of
 * the value and its children are not read, so trees the host built (types NULL), such as
 * a host function's result, are released whole. */
void canon_cval_free_as(weld_cval *v, const weld_tnode *t);

/* ---- resources (resource.c) -------------------------------------------------------- */

struct weld_crt_resource_type {
    char *name;
    crt_inst *impl;             /* the component instance that defined it; NULL: the host */
    weld_rt_func *dtor;         /* the guest destructor (core func (param i32)), or NULL */
    weld_crt_dtor_fn host_dtor; /* the host's */
    void *host_ctx;
    struct weld_crt_resource_type *next; /* the runtime's list */
};

/* A call in progress into a component instance (the spec's Task, synchronous): borrow
 * handles lowered into the callee are counted, lenders are released at its end. */
typedef struct crt_scope crt_scope;

typedef struct crt_handle {
    const weld_crt_resource_type *rt;
    uint32_t rep;
    bool used;             /* the slot holds a handle */
    bool own;
    uint32_t lends;        /* own: borrows of it lent out and not yet returned */
    crt_scope *scope;      /* borrow: the call it was lent to */
    uint32_t next_free;    /* free slots form a list */
} crt_handle;

/* One table per component instance; index 0 is never handed out. */
typedef struct crt_table {
    crt_handle *v;
    uint32_t n, cap;
    uint32_t free_head;    /* 0: none */
} crt_table;

typedef struct crt_lender {
    crt_table *table;
    uint32_t index;
} crt_lender;

struct crt_scope {
    crt_inst *inst;        /* the callee */
    uint32_t borrow_count; /* borrow handles lowered into the callee and not yet dropped */
    crt_lender *lenders;   /* own handles whose lends end with the call */
    uint32_t nlenders, cap;
    crt_scope *parent;
};

void crt_table_free(crt_table *t);
/* Add a handle; its index (>= 1), or 0 on allocation failure. */
uint32_t crt_table_add(crt_table *t, crt_handle h);
/* The live handle at index i, or NULL. */
crt_handle *crt_table_get(crt_table *t, uint32_t i);
void crt_table_remove(crt_table *t, uint32_t i);
/* The own handle t[index] lends a borrow for the call: its `lends` rises until the end. */
bool crt_scope_add_lender(crt_scope *s, crt_table *t, uint32_t index);
/* A borrow handle t[index] was made for the call (borrow_count counts it): should it
 * outlive the call (a trap), its `scope` is cleared at the end rather than left dangling.
 * Kept in `lenders` with CRT_LENDER_BORROW set in the index. */
#define CRT_LENDER_BORROW 0x80000000u
bool crt_scope_add_borrow(crt_scope *s, crt_table *t, uint32_t index);
/* End a call: release the lends; a trap message (a constant) when borrows are still held,
 * else NULL. It does not touch the runtime's trap message: a trap already in progress
 * keeps its own. */
const char *crt_scope_end(crt_scope *s);

/* ---- lift and lower (abi.c) -------------------------------------------------------- */

/* The canonical options of one side of a call, resolved at instantiation. */
typedef struct canon_opts {
    crt_inst *inst;          /* the component instance whose core code is on this side */
    weld_rt_memory *mem;     /* NULL when no memory option */
    weld_rt_func *realloc;   /* NULL when none */
    weld_rt_func *post_return;
    uint8_t encoding;        /* CANON_UTF8, CANON_UTF16, CANON_LATIN1_UTF16 */
} canon_opts;

/* The context of one lift or lower: the options of the side whose memory is read or
 * written, the scope of the call, where trap messages go. */
typedef struct canon_cx {
    weld_crt *rt;
    const canon_opts *o;
    crt_scope *scope;        /* the call (borrows lent to the callee are counted here) */
    /* false: this side is the caller (lift from it = its arguments, lower into it = its
     * results); true: the callee */
    bool callee;
} canon_cx;

/* Host -> guest call (weld_crt_call on a lifted function): lower the arguments into
 * core arguments of the lifted core function (realloc'ing the spilled tuple), and lift
 * the core results into *out (from the returned pointer when spilled). */
weld_status canon_lower_params(canon_cx *cx, const weld_tnode *ft, const weld_cval *args,
                               uint64_t *core_args);
weld_status canon_lift_result(canon_cx *cx, const weld_tnode *ft, const uint64_t *core_results,
                              weld_cval *out);

/* Guest -> host call (a lowered import implemented by the host): lift the core arguments
 * of the lowered core function into cvals (nparams of them; from memory when spilled),
 * and lower the host's result into core results or through the return pointer (the last
 * core argument) when spilled. */
weld_status canon_lift_params(canon_cx *cx, const weld_tnode *ft, const uint64_t *core_args,
                              weld_cval *out);
weld_status canon_lower_result(canon_cx *cx, const weld_tnode *ft, const weld_cval *res,
                               const uint64_t *core_args, uint64_t *core_results);

/* Guest -> guest (fused): the caller's lowered import calls the callee's lifted export.
 * `from` reads the caller's memory, `to` writes the callee's (allocating with the
 * callee's realloc); the two function types have the same shape, each in its own
 * component's type space (their resources resolve in their own instances). Values go
 * from memory to memory directly: pure parts are copied as bytes, strings transcoded
 * once. */
weld_status canon_transfer_params(canon_cx *from, const weld_tnode *from_ft, canon_cx *to,
                                  const weld_tnode *to_ft, const uint64_t *from_args,
                                  uint64_t *to_args);
/* The callee's results (core results of its lifted function) into the caller's core
 * results or its return pointer (the caller's last core argument). */
weld_status canon_transfer_result(canon_cx *from, const weld_tnode *from_ft, canon_cx *to,
                                  const weld_tnode *to_ft, const uint64_t *from_results,
                                  const uint64_t *to_args, uint64_t *to_results);

/* ---- the runtime (runtime.c, instance.c) ------------------------------------------ */

struct weld_crt {
    weld_rt_engine *e;
    weld_arena *arena;                /* objects that live as long as the runtime */
    canon_layouts layouts;
    weld_crt_resource_type *rtypes;   /* every resource type made, freed with rt */
    struct crt_owned *owned;          /* components, instances, linkers: freed with rt */
    crt_scope *scope;                 /* the innermost call into a component */
    char trap[512];                   /* the message of the trap in progress */
    char backtrace[4096];
};

/* Things freed with the runtime (a singly linked list of destructors). */
typedef struct crt_owned {
    void (*free)(void *p);
    void *p;
    struct crt_owned *next;
} crt_owned;
bool crt_own(weld_crt *rt, void (*free_fn)(void *), void *p);

/* A component instance: its handle table, where its resource type nodes resolve, and
 * the reentrance flags of CanonicalABI.md. */
struct crt_inst {
    weld_crt *rt;
    crt_inst *parent;
    crt_table table;
    pmap resources;        /* resource type node (of its type space) -> weld_crt_resource_type */
    bool may_enter;        /* false while a call into it is running (no reentrance) */
    bool may_leave;        /* false while it may not call out (post-return, realloc) */
    const char *name;      /* for messages: the instance or component name */
};

/* Where the ABI finds the runtime resource type of a resource type node of an instance's
 * type space; NULL when unknown (a trap). */
const weld_crt_resource_type *crt_inst_resource(crt_inst *inst, const weld_tnode *res);
/* The instance's handle table. */
crt_table *crt_inst_table(crt_inst *inst);
/* Set a trap message for the call in progress (returns WELD_ERR_TRAP). */
weld_status crt_trap(weld_crt *rt, const char *fmt, ...) WELD_PRINTF(2, 3);
/* The runtime's core engine and layout cache. */
weld_rt_engine *crt_engine(weld_crt *rt);
canon_layouts *crt_layouts(weld_crt *rt);

#endif
