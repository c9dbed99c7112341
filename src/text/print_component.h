/* print_component.h - internal entry points of the component printer. */
#ifndef WELD_PRINT_COMPONENT_H
#define WELD_PRINT_COMPONENT_H

#include "base/base.h"
#include "weld/component.h"

/* Append the text of a component (ending in a newline) to `out`. */
weld_status weld_component_print_buf(const weld_component *c, weld_buf *out, weld_diag *d);

/* Print the fields of a nested core module after its `(core module $m (;0;)` header:
 * each field on a new line indented by (*nesting + 1) levels; *line counts the newlines
 * written (the caller closes the group). */
void weld_print_nested_module(weld_buf *out, uint32_t *nesting, uint64_t *line,
                              const weld_nested_module *m);

#endif
