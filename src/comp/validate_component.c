/* validate_component.c - weld_validate_component: the component type model built with
 * every validation rule on, then discarded. */
#include "weld/ctypes.h"
#include "weld/validate.h"

weld_status weld_validate_component(const weld_component *c, weld_diag *d)
{
    weld_ctypes_opts opts = {.validate = true};
    weld_ctypes *m;
    weld_status st = weld_ctypes_build(c, &opts, &m, d);
    if (st == WELD_OK) weld_ctypes_free(m);
    return st;
}
