/* names.h - parsing and checking component extern names (internal). */
#ifndef WELD_COMP_NAMES_H
#define WELD_COMP_NAMES_H

#include "base/base.h"

typedef enum cname_kind {
    CNAME_LABEL,
    CNAME_CONSTRUCTOR,
    CNAME_METHOD,
    CNAME_STATIC,
    CNAME_INTERFACE,
    CNAME_DEPENDENCY,
    CNAME_URL,
    CNAME_HASH
} cname_kind;

typedef struct cname_info {
    cname_kind kind;
    const char *resource, *method; /* [constructor]R, [method]R.M, [static]R.M */
    size_t resource_len, method_len;
    bool has_version;              /* interface names: the text after `@` */
    const char *version;
    size_t version_len;
} cname_info;

/* wasmparser's kebab-case: words of all-lowercase or all-uppercase letters and digits
 * (a word may not start with a digit unless it follows a dash), joined by single dashes. */
bool cname_is_kebab(const char *s, size_t n);
/* Kebab names compare ASCII case-insensitively. */
bool cname_kebab_eq(const char *a, size_t an, const char *b, size_t bn);
/* Parse an extern name; on failure `err` says why (wasmparser's words). */
bool cname_parse(const char *s, size_t n, cname_info *out, char *err, size_t cap);
/* The same with cm-nested-names on or off (`ns:a:b/c/d`: several namespaces, projections). */
bool cname_parse_ex(const char *s, size_t n, bool nested, cname_info *out, char *err, size_t cap);
/* A semver version (major.minor.patch[-pre][+build]); on failure `err` says why. */
bool cname_semver(const char *s, size_t n, char *err, size_t cap);

#endif
