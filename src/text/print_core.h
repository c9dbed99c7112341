/* print_core.h - the core module printer's pieces that the component printer reuses
 * (internal). All functions append to a weld_buf. */
#ifndef WELD_PRINT_CORE_H
#define WELD_PRINT_CORE_H

#include "base/base.h"
#include "weld/module.h"

/* Print a whole module as a group starting with "(" + head, e.g. head "module" (the
 * top level: the module's own name is printed after it) or "core module (;0;)" (nested in
 * a component: no name is added). Lines inside are indented by (nesting + 1) * 2 spaces;
 * the closing ")" is at `nesting` (no trailing newline). */
void weld_print_core_module(weld_buf *b, const weld_module *m, unsigned nesting,
                            const char *head);

/* "i32", "funcref", ... */
void weld_print_valtype(weld_buf *b, weld_valtype t);
/* " (param i32 i64) (result f32)" - with the leading space, empty for [] -> []. */
void weld_print_functype(weld_buf *b, const weld_functype *t);
/* An import/export type as a core externtype: "(func (type 3))", "(memory 1 2)",
 * "(global (mut i32))", "(table 1 funcref)", "(tag (type 0))". */
void weld_print_core_externtype(weld_buf *b, const weld_externtype *t);
/* A string literal as the printer escapes names: "\"a\\u{a}b\"". */
void weld_print_string(weld_buf *b, const char *s, size_t n);

#endif
