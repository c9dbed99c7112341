/* audit.h - what a component asks of its host, judged against a policy of interface
 * name globs (`wasi:*`, `wasi:filesystem/types@0.2.*`, `*:sockets*`).
 *
 * A policy has deny and allow patterns. An import of the component breaks it when a deny
 * pattern matches its name, or when allow patterns are given and none matches. A pattern
 * without `@` also matches names with any version (`wasi:sockets/tcp` matches
 * `wasi:sockets/tcp@0.2.0`). `*` matches any run of characters (`/` included), `?` one.
 */
#ifndef WELD_AUDIT_H
#define WELD_AUDIT_H

#include "weld/component.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weld_audit_policy {
    uint32_t nallow, ndeny;
    const char **allow, **deny;
} weld_audit_policy;

/* Does `pattern` match `name`, by the rules above? */
bool weld_audit_glob(const char *pattern, const char *name);

/* Read a YAML policy (a mapping with `allow:` and/or `deny:`, each a sequence of
 * patterns or one pattern) into *out, allocated in `arena`. `name` labels diagnostics,
 * which carry line:col. Adds to what *out holds already. */
weld_status weld_audit_policy_yaml(weld_arena *arena, const char *name, const char *text, size_t len,
                                   weld_audit_policy *out, weld_diag *d);

/* One import that breaks the policy. `rule` is the deny pattern that matched, or NULL
 * when no allow pattern matched. `paths` name the nested components that import the same
 * name ("component 0/component 2": the position of each among its parent's nested
 * components). */
typedef struct weld_audit_violation {
    const char *name;
    const char *rule;
    uint32_t npaths;
    const char **paths;
} weld_audit_violation;

typedef struct weld_audit_report {
    uint32_t nimports;       /* imports of the outermost component */
    uint32_t nviolations;
    weld_audit_violation *violations;
} weld_audit_report;

/* Judge the imports of component `c` against `p`; the report is allocated in `arena`. */
weld_status weld_audit(weld_arena *arena, const weld_component *c, const weld_audit_policy *p,
                       weld_audit_report *out, weld_diag *d);

#ifdef __cplusplus
}
#endif
#endif
