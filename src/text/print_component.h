/* print_component.h - internal entry points of the component printer. */
#ifndef WELD_PRINT_COMPONENT_H
#define WELD_PRINT_COMPONENT_H

#include "base/base.h"
#include "weld/component.h"

/* Append the text of a component (ending in a newline) to `out`. */
weld_status weld_component_print_buf(const weld_component *c, weld_buf *out, weld_diag *d);

#endif
