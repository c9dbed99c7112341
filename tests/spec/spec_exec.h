/* spec_exec.h - the spec runner's execution half: instantiates modules with the interpreter
 * (imports from the `spectest` host module and registered instances) and runs the commands
 * that execute code (action, assert_return, assert_trap, assert_exhaustion, and
 * assert_exception: an exception escapes the call uncaught). */
#ifndef WELD_SPEC_EXEC_H
#define WELD_SPEC_EXEC_H

#include "weld/weld.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct spec_exec spec_exec;

spec_exec *spec_exec_new(void);
void spec_exec_free(spec_exec *x);
/* Load and instantiate the binary at path; on success it becomes the current module, named
 * `name` when not NULL. Link errors are WELD_ERR_LINK, traps WELD_ERR_TRAP. */
weld_status spec_exec_module(spec_exec *x, const char *path, const char *name, weld_diag *d);
/* Register module `name` (NULL: the current one) under `as`. */
bool spec_exec_register(spec_exec *x, const char *name, const char *as);
/* Run an action/assert_return/assert_trap/assert_exhaustion/assert_exception command: true
 * when it passed;
 * otherwise detail says why. */
bool spec_exec_command(spec_exec *x, json_t *cmd, const char *type, char *detail, size_t cap);

#endif
