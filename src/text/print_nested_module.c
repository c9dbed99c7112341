/* print_nested_module.c - the bridge from the component printer to the core printer. */
#include "text/print_component.h"

/* Until the core module printer is linked in, nested modules print their fields as a
 * comment naming their size. */
void weld_print_nested_module(weld_buf *out, uint32_t *nesting, uint64_t *line,
                              const weld_nested_module *m)
{
    (void)nesting;
    (void)line;
    weld_buf_printf(out, " (; %u bytes ;)", m->len);
}
