/* names.c - component import/export names (Explainer.md, "Import and Export
 * Definitions"): kebab-case labels, `[constructor]`/`[method]`/`[static]` forms, interface
 * names `ns:pkg/iface@version`, dependency, URL and integrity names; and the semver
 * grammar interface versions use. Messages follow wasmparser's. */
#include "names.h"
#include <stdio.h>

bool cname_is_kebab(const char *s, size_t n)
{
    bool lower = false, upper = false, first = true, digit = false;
    if (n == 0 || s[n - 1] == '-') return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z') {
            if (upper) return false;
            lower = true;
        } else if (c >= 'A' && c <= 'Z') {
            if (lower) return false;
            upper = true;
        } else if (c >= '0' && c <= '9') {
            if (!lower && !upper && first) return false;
            digit = true;
        } else if (c == '-') {
            if (!lower && !upper && !digit) return false;
            lower = upper = digit = false;
            first = false;
        } else return false;
    }
    return true;
}

bool cname_kebab_eq(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn) return false;
    for (size_t i = 0; i < an; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

typedef struct parser {
    const char *p, *end;
    char *err;
    size_t cap;
    bool nested; /* cm-nested-names: more namespaces and projections */
} parser;

static bool perr(parser *ps, const char *fmt, ...) WELD_PRINTF(2, 3);
static bool perr(parser *ps, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err, ps->cap, fmt, ap);
    va_end(ap);
    return false;
}

static bool eat(parser *ps, const char *prefix)
{
    size_t n = strlen(prefix);
    if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, prefix, n) == 0) {
        ps->p += n;
        return true;
    }
    return false;
}

static bool expect(parser *ps, const char *prefix)
{
    if (eat(ps, prefix)) return true;
    return perr(ps, "expected `%s` at `%.*s`", prefix, (int)(ps->end - ps->p), ps->p);
}

static bool kebab(parser *ps, const char *s, size_t n)
{
    if (cname_is_kebab(s, n)) return true;
    return perr(ps, "`%.*s` is not in kebab case", (int)n, s);
}

static bool expect_kebab(parser *ps)
{
    const char *s = ps->p;
    ps->p = ps->end;
    return kebab(ps, s, (size_t)(ps->end - s));
}

static bool take_kebab(parser *ps, bool lowercase)
{
    const char *s = ps->p, *q = s;
    while (q < ps->end && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                           (*q >= '0' && *q <= '9') || *q == '-'))
        q++;
    if (q == ps->end) return expect_kebab(ps);
    ps->p = q;
    if (!kebab(ps, s, (size_t)(q - s))) return false;
    if (lowercase)
        for (const char *c = s; c < q; c++)
            if (*c >= 'A' && *c <= 'Z') return perr(ps, "`%.*s` is not in kebab case", (int)(q - s), s);
    return true;
}

/* Find c in the rest; returns its position or NULL. */
static const char *find(parser *ps, char c)
{
    const char *q = memchr(ps->p, c, (size_t)(ps->end - ps->p));
    return q;
}

/* ---- semver -------------------------------------------------------------------------- */

static bool semver_num(const char **p, const char *end, const char *what, char *err, size_t cap)
{
    const char *s = *p;
    if (s == end) {
        snprintf(err, cap, "unexpected end of input while parsing %s version number", what);
        return false;
    }
    if (*s < '0' || *s > '9') {
        snprintf(err, cap, "unexpected character '%c' while parsing %s version number", *s, what);
        return false;
    }
    if (*s == '0' && s + 1 < end && s[1] >= '0' && s[1] <= '9') {
        snprintf(err, cap, "invalid leading zero in %s version number", what);
        return false;
    }
    while (s < end && *s >= '0' && *s <= '9') s++;
    *p = s;
    return true;
}

static bool semver_ident(const char **p, const char *end, const char *what, char *err, size_t cap)
{
    const char *s = *p;
    for (;;) {
        const char *start = s;
        while (s < end && ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
                           (*s >= 'A' && *s <= 'Z') || *s == '-'))
            s++;
        if (s == start) {
            snprintf(err, cap, "empty identifier segment in %s", what);
            return false;
        }
        if (s < end && *s == '.') {
            s++;
            continue;
        }
        break;
    }
    *p = s;
    return true;
}

bool cname_semver(const char *s, size_t n, char *err, size_t cap)
{
    const char *p = s, *end = s + n;
    if (n == 0) {
        snprintf(err, cap, "empty string, expected a semver version");
        return false;
    }
    if (!semver_num(&p, end, "major", err, cap)) return false;
    if (p == end) {
        snprintf(err, cap, "unexpected end of input while parsing major version number");
        return false;
    }
    if (*p++ != '.') {
        snprintf(err, cap, "unexpected character '%c' after major version number", p[-1]);
        return false;
    }
    if (!semver_num(&p, end, "minor", err, cap)) return false;
    if (p == end) {
        snprintf(err, cap, "unexpected end of input while parsing minor version number");
        return false;
    }
    if (*p++ != '.') {
        snprintf(err, cap, "unexpected character '%c' after minor version number", p[-1]);
        return false;
    }
    if (!semver_num(&p, end, "patch", err, cap)) return false;
    if (p < end && *p == '-') {
        p++;
        if (!semver_ident(&p, end, "pre-release identifier", err, cap)) return false;
    }
    if (p < end && *p == '+') {
        p++;
        if (!semver_ident(&p, end, "build metadata", err, cap)) return false;
    }
    if (p != end) {
        snprintf(err, cap, "unexpected character '%c' after patch version number", *p);
        return false;
    }
    return true;
}

static bool semver(parser *ps, const char *s, size_t n)
{
    char e[256];
    if (cname_semver(s, n, e, sizeof e)) return true;
    return perr(ps, "`%.*s` is not a valid semver: %s", (int)n, s, e);
}

/* ---- names ------------------------------------------------------------------------------ */

static bool pkg_path(parser *ps, bool require_projection)
{
    if (!take_kebab(ps, true) || !expect(ps, ":") || !take_kebab(ps, true)) return false;
    while (ps->nested && ps->p < ps->end && *ps->p == ':') {
        ps->p++;
        if (!take_kebab(ps, true)) return false;
    }
    if (ps->p < ps->end && *ps->p == '/') {
        ps->p++;
        if (!take_kebab(ps, false)) return false;
        while (ps->nested && ps->p < ps->end && *ps->p == '/') {
            ps->p++;
            if (!take_kebab(ps, false)) return false;
        }
        return true;
    }
    if (require_projection) return perr(ps, "expected `/` after package name");
    return true;
}

static bool pkg_name(parser *ps, bool interface, cname_info *out)
{
    if (!pkg_path(ps, interface)) return false;
    if (eat(ps, "@")) {
        const char *v = ps->p, *gt = find(ps, '>');
        const char *ve = gt ? gt : ps->end;
        ps->p = ve;
        if (out) {
            out->has_version = true;
            out->version = v;
            out->version_len = (size_t)(ve - v);
        }
        if (!interface) return semver(ps, v, (size_t)(ve - v));
    }
    return true;
}

static bool is_base64(const char *s, size_t n)
{
    if (n == 0 || n % 4) return false;
    size_t pad = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '=') {
            pad++;
            continue;
        }
        if (pad) return false;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/'))
            return false;
    }
    return pad <= 2;
}

static bool hash(parser *ps)
{
    const char *gt = find(ps, '>');
    if (!gt) return perr(ps, "failed to find `>` character");
    const char *s = ps->p;
    ps->p = gt;
    bool any = false;
    while (s < gt) {
        while (s < gt && *s == ' ') s++;
        const char *e = s;
        while (e < gt && *e != ' ') e++;
        if (e == s) break;
        any = true;
        size_t n = (size_t)(e - s);
        if (!(n >= 6 && (!memcmp(s, "sha256", 6) || !memcmp(s, "sha384", 6) || !memcmp(s, "sha512", 6))))
            return perr(ps, "unrecognized hash algorithm: `%.*s`", (int)n, s);
        if (n < 7 || s[6] != '-') return perr(ps, "expected `-` after hash algorithm: %.*s", (int)n, s);
        const char *b = s + 7, *q = memchr(b, '?', (size_t)(e - b));
        const char *be = q ? q : e;
        if (!is_base64(b, (size_t)(be - b)))
            return perr(ps, "not valid base64: `%.*s`", (int)(be - b), b);
        s = e;
    }
    if (!any) return perr(ps, "integrity hash cannot be empty");
    return true;
}

static bool optional_hash(parser *ps)
{
    if (!eat(ps, ",")) return true;
    return expect(ps, "integrity=<") && hash(ps) && expect(ps, ">");
}

static bool semver_range(parser *ps, const char *s, size_t n)
{
    if (n == 1 && s[0] == '*') return true;
    if (n >= 2 && s[0] == '>' && s[1] == '=') {
        s += 2;
        n -= 2;
        const char *sp = memchr(s, ' ', n);
        if (!semver(ps, s, sp ? (size_t)(sp - s) : n)) return false;
        if (sp) {
            const char *u = sp + 1;
            size_t un = n - (size_t)(u - s);
            if (un == 0 || *u != '<') return perr(ps, "expected `<` at start of version range upper bounds");
            return semver(ps, u + 1, un - 1);
        }
        return true;
    }
    if (n >= 1 && s[0] == '<') return semver(ps, s + 1, n - 1);
    return perr(ps, "expected `>=` or `<` at start of version range");
}

bool cname_parse(const char *s, size_t n, cname_info *out, char *err, size_t cap)
{
    return cname_parse_ex(s, n, false, out, err, cap);
}

bool cname_parse_ex(const char *s, size_t n, bool nested, cname_info *out, char *err, size_t cap)
{
    parser ps = {s, s + n, err, cap, nested};
    memset(out, 0, sizeof *out);
    if (eat(&ps, "[constructor]")) {
        out->kind = CNAME_CONSTRUCTOR;
        out->resource = ps.p;
        out->resource_len = (size_t)(ps.end - ps.p);
        return expect_kebab(&ps);
    }
    bool method = eat(&ps, "[method]");
    if (method || eat(&ps, "[static]")) {
        out->kind = method ? CNAME_METHOD : CNAME_STATIC;
        const char *dot = find(&ps, '.');
        if (!dot) return perr(&ps, "failed to find `.` character");
        out->resource = ps.p;
        out->resource_len = (size_t)(dot - ps.p);
        if (!kebab(&ps, ps.p, out->resource_len)) return false;
        ps.p = dot + 1;
        out->method = ps.p;
        out->method_len = (size_t)(ps.end - ps.p);
        return expect_kebab(&ps);
    }
    if (eat(&ps, "unlocked-dep=")) {
        out->kind = CNAME_DEPENDENCY;
        if (!expect(&ps, "<") || !pkg_path(&ps, false)) return false;
        if (eat(&ps, "@")) {
            if (!eat(&ps, "*")) {
                if (!expect(&ps, "{")) return false;
                const char *rb = find(&ps, '}');
                if (!rb) return perr(&ps, "failed to find `}` character");
                const char *r = ps.p;
                ps.p = rb;
                if (!expect(&ps, "}") || !semver_range(&ps, r, (size_t)(rb - r))) return false;
            }
        }
        if (!expect(&ps, ">")) return false;
    } else if (eat(&ps, "locked-dep=")) {
        out->kind = CNAME_DEPENDENCY;
        if (!expect(&ps, "<") || !pkg_name(&ps, false, NULL) || !expect(&ps, ">") ||
            !optional_hash(&ps))
            return false;
    } else if (eat(&ps, "url=")) {
        out->kind = CNAME_URL;
        if (!expect(&ps, "<")) return false;
        const char *gt = find(&ps, '>');
        if (!gt) return perr(&ps, "failed to find `>` character");
        if (memchr(ps.p, '<', (size_t)(gt - ps.p))) return perr(&ps, "url cannot contain `<`");
        ps.p = gt;
        if (!expect(&ps, ">") || !optional_hash(&ps)) return false;
    } else if (eat(&ps, "integrity=")) {
        out->kind = CNAME_HASH;
        if (!expect(&ps, "<") || !hash(&ps) || !expect(&ps, ">")) return false;
    } else if (memchr(s, ':', n)) {
        out->kind = CNAME_INTERFACE;
        if (!pkg_name(&ps, true, out)) return false;
    } else {
        out->kind = CNAME_LABEL;
        return expect_kebab(&ps);
    }
    if (ps.p != ps.end) return perr(&ps, "trailing characters found: `%.*s`", (int)(ps.end - ps.p), ps.p);
    return true;
}
