/* parser.c - recursive descent over WIT text into the syntax tree of ast.h. The tree
 * keeps names and global offsets; all meaning (lookups, checks) is resolve.c's job. */
#include "wit/ast.h"
#include <stdio.h>
#include <stdlib.h>

enum { MAX_TYPE_DEPTH = 100 };

typedef struct parser {
    wit_lexer l;
    weld_arena *a;
    weld_diag *d;
    const wit_srcmap *map;
    int depth;
} parser;

#define TRY(x) do { if (!(x)) return false; } while (0)

static bool oom(parser *p)
{
    weld_diag_set(p->d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while parsing WIT");
    p->l.failed = true;
    return false;
}

static uint32_t at(const parser *p) { return p->l.base + p->l.start; }
static uint32_t toklen(const parser *p) { return p->l.end - p->l.start; }

/* "keyword `record`", "`]`", "identifier `foo`", "end of file" */
static void found_desc(const parser *p, char *buf, size_t cap)
{
    wit_tok t = p->l.tok;
    int n = (int)toklen(p);
    if (n > 40) n = 40;
    if (t >= TK_KW_FIRST && t < TK_KW_END)
        snprintf(buf, cap, "keyword `%s`", wit_tok_desc(t));
    else if (t == TK_ID || t == TK_EXPLICIT_ID)
        snprintf(buf, cap, "identifier `%.*s`", n, p->l.src + p->l.start);
    else if (t == TK_OTHER)
        snprintf(buf, cap, "`%c`", p->l.src[p->l.start]);
    else if (t == TK_INT)
        snprintf(buf, cap, "integer `%.*s`", n, p->l.src + p->l.start);
    else
        snprintf(buf, cap, "%s", wit_tok_desc(t));
}

/* Report "expected WHAT, found TOKEN" at the current token. */
static bool expected(parser *p, const char *what)
{
    char f[96];
    if (p->l.failed) return false;
    found_desc(p, f, sizeof f);
    wit_error(p->map, p->d, WELD_ERR_SYNTAX, at(p), toklen(p) ? toklen(p) : 1,
              "expected %s, found %s", what, f);
    p->l.failed = true;
    return false;
}

static bool next(parser *p) { return wit_lex_next(&p->l); }

static bool eat(parser *p, wit_tok t, bool *ate)
{
    *ate = p->l.tok == t;
    return !*ate || next(p);
}

static bool expect(parser *p, wit_tok t, const char *what)
{
    if (p->l.tok != t) return expected(p, what);
    return next(p);
}

/* An identifier (plain or %-escaped) into id; `what` names it in errors. */
static bool parse_id(parser *p, wit_id *id, const char *what)
{
    if (p->l.tok != TK_ID && p->l.tok != TK_EXPLICIT_ID) return expected(p, what);
    uint32_t s = p->l.start + (p->l.tok == TK_EXPLICIT_ID);
    id->name = weld_arena_strndup(p->a, p->l.src + s, p->l.end - s);
    if (!id->name) return oom(p);
    id->span = at(p);
    id->len = toklen(p);
    return next(p);
}

/* One more (pointer, length) slot for take_docs, moving to the heap past the stack arrays. */
static bool doc_slot(const char ***lp, uint32_t **ll, const char **lp_stack, uint32_t *ll_stack, uint32_t *n,
                     uint32_t *cap)
{
    if (*n == *cap) {
        uint32_t nc = *cap * 2;
        const char **np = malloc(sizeof *np * nc);
        uint32_t *nl = malloc(sizeof *nl * nc);
        if (!np || !nl) {
            free(np);
            free(nl);
            return false;
        }
        memcpy(np, *lp, sizeof *np * *n);
        memcpy(nl, *ll, sizeof *nl * *n);
        if (*lp != lp_stack) {
            free(*lp);
            free(*ll);
        }
        *lp = np;
        *ll = nl;
        *cap = nc;
    }
    (*n)++;
    return true;
}

/* Doc comments in the trivia before the current token: every comment counts, `///`
 * and `//` lose their slashes, block comments their delimiters; the common leading whitespace of
 * the non-empty lines is removed. */
static bool take_docs(parser *p, wit_docs *docs)
{
    const char *s = p->l.src;
    uint32_t i = p->l.trivia, e = p->l.start;
    docs->text = NULL;
    /* comment bodies as (pointer, length); on the stack unless there are many */
    enum { NSTACK = 64 };
    const char *lp_stack[NSTACK], **lp = lp_stack;
    uint32_t ll_stack[NSTACK], *ll = ll_stack, n = 0, cap = NSTACK;
    weld_buf raw;
    weld_buf_init(&raw);
    /* first pass: collect comment bodies (block comments may hold several lines) */
    while (i < e) {
        if (s[i] == '/' && i + 1 < e && s[i + 1] == '/') {
            uint32_t j = i;
            while (j < e && s[j] == '/') j++;
            uint32_t k = j;
            while (k < e && s[k] != '\n') k++;
            uint32_t end = k;
            while (end > j && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r')) end--;
            if (!doc_slot(&lp, &ll, lp_stack, ll_stack, &n, &cap)) goto fail;
            lp[n - 1] = s + j, ll[n - 1] = end - j;
            i = k;
        } else if (s[i] == '/' && i + 1 < e && s[i + 1] == '*') {
            /* find the end of this (nested) block comment */
            uint32_t j = i + 2;
            int depth = 1;
            while (j < e && depth) {
                if (s[j] == '/' && j + 1 < e && s[j + 1] == '*') depth++, j += 2;
                else if (s[j] == '*' && j + 1 < e && s[j + 1] == '/') depth--, j += 2;
                else j++;
            }
            uint32_t b = i, en = j;
            if (en - b >= 5 && s[b + 2] == '*') {
                b += 3;
                en -= 2;
            } else {
                while (b < en && s[b] == '/') b++;
            }
            while (en > b && (s[en - 1] == ' ' || s[en - 1] == '\t' || s[en - 1] == '\r' || s[en - 1] == '\n')) en--;
            /* each line of the block is a slot of its own, so the common indentation of
             * all lines is what gets removed (and printing as `///` lines reparses equal) */
            for (uint32_t q = b; q <= en;) {
                uint32_t le = q;
                while (le < en && s[le] != '\n') le++;
                uint32_t te = le;
                while (te > q && (s[te - 1] == ' ' || s[te - 1] == '\t' || s[te - 1] == '\r')) te--;
                if (!doc_slot(&lp, &ll, lp_stack, ll_stack, &n, &cap)) goto fail;
                lp[n - 1] = s + q, ll[n - 1] = te - q;
                q = le + 1;
            }
            i = j;
        } else {
            i++;
        }
    }
    if (n == 0) return true;
    uint32_t minws = UINT32_MAX;
    for (uint32_t k = 0; k < n; k++) {
        if (ll[k] == 0) continue;
        uint32_t w = 0;
        while (w < ll[k] && (lp[k][w] == ' ' || lp[k][w] == '\t' || lp[k][w] == '\n' || lp[k][w] == '\r')) w++;
        if (w < minws) minws = w;
    }
    if (minws == UINT32_MAX) minws = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t strip = 0;
        while (strip < minws && strip < ll[k] && lp[k][strip] == ' ') strip++;
        if (strip < minws) strip = 0; /* only an exact run of spaces is removed */
        const char *q = lp[k] + strip, *qe = lp[k] + ll[k];
        if (q == qe) weld_buf_byte(&raw, '\n');
        while (q < qe) { /* one line at a time, `\r\n` folded */
            const char *nl = memchr(q, '\n', (size_t)(qe - q));
            const char *le = nl ? nl : qe;
            size_t m = (size_t)(le - q);
            if (m && q[m - 1] == '\r') m--;
            weld_buf_append(&raw, q, m);
            weld_buf_byte(&raw, '\n');
            q = nl ? nl + 1 : qe;
        }
    }
    if (lp != lp_stack) {
        free(lp);
        free(ll);
    }
    if (0) {
    fail:
        if (lp != lp_stack) {
            free(lp);
            free(ll);
        }
        return oom(p);
    }
    while (raw.len && raw.data[raw.len - 1] == '\n') raw.len--;
    bool okm = !raw.oom;
    docs->text = okm ? weld_arena_strndup(p->a, (const char *)raw.data, raw.len) : NULL;
    weld_buf_free(&raw);
    if (!okm || !docs->text) return oom(p);
    return true;
}

/* Scan a version (semver characters) directly from the source after `@` or `=`. */
static bool parse_version_raw(parser *p, const char **out, const char *what)
{
    const char *s = p->l.src;
    uint32_t i = p->l.start, n = p->l.len;
    if (p->l.tok != TK_INT) return expected(p, what);
    uint32_t j = i;
    while (j < n && ((s[j] >= '0' && s[j] <= '9') || (s[j] >= 'a' && s[j] <= 'z') ||
                     (s[j] >= 'A' && s[j] <= 'Z') || s[j] == '.' || s[j] == '-' || s[j] == '+'))
        j++;
    if (j > i && s[j - 1] == '.' && j < n && s[j] == '{') j--; /* `@1.0.0.{a, b}` */
    if (!wit_semver_valid(s + i, j - i)) {
        wit_error(p->map, p->d, WELD_ERR_SYNTAX, p->l.base + i, j - i,
                  "invalid semantic version `%.*s`: expected MAJOR.MINOR.PATCH with optional -pre and +build parts",
                  (int)(j - i > 60 ? 60 : j - i), s + i);
        p->l.failed = true;
        return false;
    }
    *out = weld_arena_strndup(p->a, s + i, j - i);
    if (!*out) return oom(p);
    p->l.pos = j;
    return next(p);
}

/* attributes: @since(version = V), @unstable(feature = F), @deprecated(version = V) */
static bool parse_attrs(parser *p, wit_attrs *attrs)
{
    uint32_t cap = 0;
    while (p->l.tok == TK_AT) {
        uint32_t start = at(p);
        TRY(next(p));
        wit_id name;
        if (p->l.tok != TK_ID) return expected(p, "an attribute name (`since`, `unstable` or `deprecated`) after `@`");
        TRY(parse_id(p, &name, "an attribute name"));
        wit_attr *a = WIT_PUSH(p->a, attrs->v, attrs->n, cap);
        if (!a) return oom(p);
        a->span = start;
        bool since = strcmp(name.name, "since") == 0, dep = strcmp(name.name, "deprecated") == 0;
        if (since || dep) {
            a->kind = since ? ATTR_SINCE : ATTR_DEPRECATED;
            TRY(expect(p, TK_LPAREN, since ? "`(` after `@since`" : "`(` after `@deprecated`"));
            wit_id key;
            if (p->l.tok != TK_ID || toklen(p) != 7 || memcmp(p->l.src + p->l.start, "version", 7) != 0)
                return expected(p, "`version` in the attribute");
            TRY(parse_id(p, &key, "`version`"));
            TRY(expect(p, TK_EQ, "`=` after `version`"));
            TRY(parse_version_raw(p, &a->value, "a version after `version =`"));
            /* a trailing `, feature = f` from older WIT is accepted and ignored */
            bool comma;
            TRY(eat(p, TK_COMMA, &comma));
            if (comma) {
                wit_id k2, v2;
                TRY(parse_id(p, &k2, "`feature`"));
                TRY(expect(p, TK_EQ, "`=` after `feature`"));
                TRY(parse_id(p, &v2, "a feature name"));
            }
        } else if (strcmp(name.name, "unstable") == 0) {
            a->kind = ATTR_UNSTABLE;
            TRY(expect(p, TK_LPAREN, "`(` after `@unstable`"));
            wit_id key, v;
            if (p->l.tok != TK_ID || toklen(p) != 7 || memcmp(p->l.src + p->l.start, "feature", 7) != 0)
                return expected(p, "`feature` in `@unstable(feature = ...)`");
            TRY(parse_id(p, &key, "`feature`"));
            TRY(expect(p, TK_EQ, "`=` after `feature`"));
            TRY(parse_id(p, &v, "a feature name after `feature =`"));
            a->value = v.name;
        } else {
            wit_error(p->map, p->d, WELD_ERR_SYNTAX, name.span, name.len,
                      "unknown attribute `@%s`: expected `@since`, `@unstable` or `@deprecated`", name.name);
            p->l.failed = true;
            return false;
        }
        TRY(expect(p, TK_RPAREN, "`)` to close the attribute"));
        a->len = at(p) - start;
    }
    return true;
}

/* id | ns:pkg/name[@version] */
static bool parse_use_path(parser *p, wit_usepath *u, const char *what)
{
    u->span = at(p);
    wit_id first;
    TRY(parse_id(p, &first, what));
    if (p->l.tok == TK_COLON) {
        u->is_pkg = true;
        u->ns = first;
        TRY(next(p));
        TRY(parse_id(p, &u->pkg, "a package name after `:`"));
        TRY(expect(p, TK_SLASH, "`/` and an interface or world name after the package name"));
        TRY(parse_id(p, &u->name, "an interface or world name after `/`"));
        if (p->l.tok == TK_AT) {
            TRY(next(p));
            TRY(parse_version_raw(p, &u->version, "a version after `@`"));
        }
    } else {
        u->name = first;
    }
    u->len = p->l.base + (p->l.trivia > p->l.start ? p->l.start : p->l.trivia) - u->span;
    return true;
}

static bool parse_type(parser *p, wit_type **out);

static wit_type *new_type(parser *p, wit_tkind k)
{
    wit_type *t = weld_arena_alloc(p->a, sizeof *t);
    if (!t) {
        oom(p);
        return NULL;
    }
    t->kind = k;
    t->span = at(p);
    return t;
}

static bool type_args_end(parser *p, const char *ctx)
{
    return expect(p, TK_GT, ctx);
}

static bool parse_type_inner(parser *p, wit_type **out)
{
    wit_tok t = p->l.tok;
    wit_type *ty;
    static const struct { wit_tok tok; weld_wit_tref prim; } prims[] = {
        {TK_BOOL, WELD_WIT_T_BOOL}, {TK_S8, WELD_WIT_T_S8}, {TK_U8, WELD_WIT_T_U8},
        {TK_S16, WELD_WIT_T_S16}, {TK_U16, WELD_WIT_T_U16}, {TK_S32, WELD_WIT_T_S32},
        {TK_U32, WELD_WIT_T_U32}, {TK_S64, WELD_WIT_T_S64}, {TK_U64, WELD_WIT_T_U64},
        {TK_F32, WELD_WIT_T_F32}, {TK_F64, WELD_WIT_T_F64}, {TK_CHAR, WELD_WIT_T_CHAR},
        {TK_STRING_KW, WELD_WIT_T_STRING}, {TK_ERROR_CONTEXT, WELD_WIT_T_ERROR_CONTEXT},
    };
    for (size_t i = 0; i < sizeof prims / sizeof *prims; i++) {
        if (t == prims[i].tok) {
            if (!(ty = new_type(p, AT_PRIM))) return false;
            ty->prim = prims[i].prim;
            ty->len = toklen(p);
            *out = ty;
            return next(p);
        }
    }
    switch (t) {
    case TK_ID:
    case TK_EXPLICIT_ID:
        if (!(ty = new_type(p, AT_NAME))) return false;
        TRY(parse_id(p, &ty->name, "a type"));
        break;
    case TK_LIST:
        if (!(ty = new_type(p, AT_LIST))) return false;
        TRY(next(p));
        TRY(expect(p, TK_LT, "`<` after `list`"));
        TRY(parse_type(p, &ty->a));
        if (p->l.tok == TK_COMMA) {
            TRY(next(p));
            if (p->l.tok != TK_INT) return expected(p, "a list length (an integer) after `,`");
            unsigned long long v = 0;
            for (uint32_t i = p->l.start; i < p->l.end && v <= UINT32_MAX; i++) v = v * 10 + (unsigned)(p->l.src[i] - '0');
            if (v > UINT32_MAX || v == 0) {
                wit_error(p->map, p->d, WELD_ERR_SYNTAX, at(p), toklen(p),
                          "invalid fixed-size list length `%.*s`: expected an integer from 1 to 4294967295",
                          (int)(toklen(p) > 30 ? 30 : toklen(p)), p->l.src + p->l.start);
                p->l.failed = true;
                return false;
            }
            ty->kind = AT_FIXED_LIST;
            ty->n = (uint32_t)v;
            TRY(next(p));
        }
        TRY(type_args_end(p, "`>` or `,` after the list element type"));
        break;
    case TK_MAP:
        if (!(ty = new_type(p, AT_MAP))) return false;
        TRY(next(p));
        TRY(expect(p, TK_LT, "`<` after `map`"));
        TRY(parse_type(p, &ty->a));
        TRY(expect(p, TK_COMMA, "`,` after the map key type"));
        TRY(parse_type(p, &ty->b));
        TRY(type_args_end(p, "`>` after the map value type"));
        break;
    case TK_OPTION:
        if (!(ty = new_type(p, AT_OPTION))) return false;
        TRY(next(p));
        TRY(expect(p, TK_LT, "`<` after `option`"));
        TRY(parse_type(p, &ty->a));
        TRY(type_args_end(p, "`>` after the option payload type"));
        break;
    case TK_RESULT:
        if (!(ty = new_type(p, AT_RESULT))) return false;
        TRY(next(p));
        if (p->l.tok == TK_LT) {
            TRY(next(p));
            if (p->l.tok == TK_UNDERSCORE) {
                TRY(next(p));
                TRY(expect(p, TK_COMMA, "`,` and an error type after `result<_`"));
                TRY(parse_type(p, &ty->b));
            } else {
                TRY(parse_type(p, &ty->a));
                if (p->l.tok == TK_COMMA) {
                    TRY(next(p));
                    TRY(parse_type(p, &ty->b));
                }
            }
            TRY(type_args_end(p, "`,` or `>` after a result type argument"));
        }
        break;
    case TK_TUPLE:
        if (!(ty = new_type(p, AT_TUPLE))) return false;
        TRY(next(p));
        TRY(expect(p, TK_LT, "`<` after `tuple`"));
        {
            uint32_t cap = 0;
            while (p->l.tok != TK_GT) {
                wit_field *f = WIT_PUSH(p->a, ty->fields, ty->nfields, cap);
                if (!f) return oom(p);
                TRY(parse_type(p, &f->type));
                if (p->l.tok == TK_GT) break;
                TRY(expect(p, TK_COMMA, "`,` or `>` after a tuple member"));
            }
            TRY(next(p));
        }
        break;
    case TK_FUTURE:
    case TK_STREAM:
        if (!(ty = new_type(p, t == TK_FUTURE ? AT_FUTURE : AT_STREAM))) return false;
        TRY(next(p));
        if (p->l.tok == TK_LT) {
            TRY(next(p));
            TRY(parse_type(p, &ty->a));
            TRY(type_args_end(p, t == TK_FUTURE ? "`>` after the future payload type" : "`>` after the stream payload type"));
        }
        break;
    case TK_OWN:
    case TK_BORROW:
        if (!(ty = new_type(p, t == TK_OWN ? AT_OWN : AT_BORROW))) return false;
        TRY(next(p));
        TRY(expect(p, TK_LT, t == TK_OWN ? "`<` after `own`" : "`<` after `borrow`"));
        TRY(parse_id(p, &ty->name, "a resource name"));
        TRY(type_args_end(p, "`>` after the resource name"));
        break;
    default:
        return expected(p, "a type");
    }
    ty->len = p->l.base + p->l.trivia - ty->span;
    *out = ty;
    return true;
}

static bool parse_type(parser *p, wit_type **out)
{
    if (++p->depth > MAX_TYPE_DEPTH) {
        wit_error(p->map, p->d, WELD_ERR_SYNTAX, at(p), toklen(p),
                  "types are nested more than %d levels deep", MAX_TYPE_DEPTH);
        p->l.failed = true;
        return false;
    }
    bool ok = parse_type_inner(p, out);
    p->depth--;
    return ok;
}

/* `(a: T, b: U)` then optional `-> T` */
static bool parse_params(parser *p, wit_func *f)
{
    uint32_t cap = 0;
    TRY(expect(p, TK_LPAREN, "`(` to start the parameter list"));
    while (p->l.tok != TK_RPAREN) {
        wit_field *pa = WIT_PUSH(p->a, f->params, f->nparams, cap);
        if (!pa) return oom(p);
        TRY(parse_id(p, &pa->name, "a parameter name or `)`"));
        TRY(expect(p, TK_COLON, "`:` after the parameter name"));
        TRY(parse_type(p, &pa->type));
        if (p->l.tok == TK_RPAREN) break;
        TRY(expect(p, TK_COMMA, "`,` or `)` after a parameter"));
    }
    TRY(next(p));
    if (p->l.tok == TK_ARROW) {
        TRY(next(p));
        TRY(parse_type(p, &f->result));
    }
    return true;
}

static bool parse_func(parser *p, wit_func *f)
{
    f->span = at(p);
    if (p->l.tok == TK_ASYNC) {
        f->is_async = true;
        TRY(next(p));
    }
    TRY(expect(p, TK_FUNC, f->is_async ? "`func` after `async`" : "`func`"));
    return parse_params(p, f);
}

/* `{ name: T, ... }`-like bodies of records, variants, enums and flags */
static bool parse_fields(parser *p, wit_type *ty, bool typed, bool opt_payload, const char *what)
{
    uint32_t cap = 0;
    char msg[96];
    TRY(expect(p, TK_LBRACE, "`{` to start the body"));
    while (p->l.tok != TK_RBRACE) {
        wit_field *f = WIT_PUSH(p->a, ty->fields, ty->nfields, cap);
        if (!f) return oom(p);
        TRY(take_docs(p, &f->docs));
        snprintf(msg, sizeof msg, "a %s name or `}`", what);
        TRY(parse_id(p, &f->name, msg));
        if (typed) {
            TRY(expect(p, TK_COLON, "`:` after the field name"));
            TRY(parse_type(p, &f->type));
        } else if (opt_payload && p->l.tok == TK_LPAREN) {
            TRY(next(p));
            TRY(parse_type(p, &f->type));
            TRY(expect(p, TK_RPAREN, "`)` after the case payload type"));
        }
        if (p->l.tok == TK_RBRACE) break;
        snprintf(msg, sizeof msg, "`,` or `}` after %s %s", what[0] == 'e' ? "an" : "a", what);
        TRY(expect(p, TK_COMMA, msg));
    }
    return next(p);
}

static bool parse_resource_body(parser *p, wit_type *ty)
{
    uint32_t cap = 0;
    TRY(next(p)); /* `{` */
    while (p->l.tok != TK_RBRACE) {
        wit_rfunc *rf = WIT_PUSH(p->a, ty->funcs, ty->nfuncs, cap);
        if (!rf) return oom(p);
        TRY(take_docs(p, &rf->docs));
        TRY(parse_attrs(p, &rf->attrs));
        if (p->l.tok == TK_CONSTRUCTOR) {
            rf->kind = RF_CONSTRUCTOR;
            rf->name.span = at(p);
            rf->name.len = toklen(p);
            rf->name.name = "constructor";
            rf->func.span = at(p);
            TRY(next(p));
            TRY(parse_params(p, &rf->func));
        } else {
            TRY(parse_id(p, &rf->name, "`constructor`, a method name or `}` in the resource"));
            TRY(expect(p, TK_COLON, "`:` after the method name"));
            rf->kind = RF_METHOD;
            if (p->l.tok == TK_STATIC) {
                rf->kind = RF_STATIC;
                TRY(next(p));
            }
            TRY(parse_func(p, &rf->func));
        }
        TRY(expect(p, TK_SEMI, "`;` after the resource function"));
    }
    return next(p);
}

/* record/variant/enum/flags/resource/type declarations; the keyword is current */
static bool parse_typedef(parser *p, wit_typedef *td)
{
    wit_tok k = p->l.tok;
    uint32_t kwat = at(p);
    TRY(next(p));
    TRY(parse_id(p, &td->name, "a type name"));
    wit_type *ty;
    switch (k) {
    case TK_TYPE:
        td->alias = true;
        TRY(expect(p, TK_EQ, "`=` after the type name"));
        TRY(parse_type(p, &td->type));
        return expect(p, TK_SEMI, "`;` after the type definition");
    case TK_RECORD:
        if (!(ty = new_type(p, AT_RECORD))) return false;
        td->type = ty;
        return parse_fields(p, ty, true, false, "record field");
    case TK_VARIANT:
        if (!(ty = new_type(p, AT_VARIANT))) return false;
        td->type = ty;
        return parse_fields(p, ty, false, true, "variant case");
    case TK_ENUM:
        if (!(ty = new_type(p, AT_ENUM))) return false;
        td->type = ty;
        return parse_fields(p, ty, false, false, "enum case");
    case TK_FLAGS:
        if (!(ty = new_type(p, AT_FLAGS))) return false;
        td->type = ty;
        return parse_fields(p, ty, false, false, "flag");
    case TK_RESOURCE:
        if (!(ty = new_type(p, AT_RESOURCE))) return false;
        ty->span = kwat;
        td->type = ty;
        if (p->l.tok == TK_SEMI) return next(p);
        if (p->l.tok != TK_LBRACE) return expected(p, "`;` or `{` after the resource name");
        return parse_resource_body(p, ty);
    default:
        return false;
    }
}

static bool parse_use(parser *p, wit_use *u)
{
    uint32_t cap = 0;
    u->span = at(p);
    TRY(next(p)); /* `use` */
    TRY(parse_use_path(p, &u->path, "an interface name after `use`"));
    TRY(expect(p, TK_PERIOD, "`.` and `{` after the interface path in `use`"));
    TRY(expect(p, TK_LBRACE, "`{` after `.` in `use`"));
    while (p->l.tok != TK_RBRACE) {
        wit_usename *n = WIT_PUSH(p->a, u->names, u->nnames, cap);
        if (!n) return oom(p);
        TRY(parse_id(p, &n->name, "a type name or `}` in `use`"));
        if (p->l.tok == TK_AS) {
            TRY(next(p));
            n->has_as = true;
            TRY(parse_id(p, &n->as, "a new name after `as`"));
        }
        if (p->l.tok == TK_RBRACE) break;
        TRY(expect(p, TK_COMMA, "`,` or `}` after a name in `use`"));
    }
    TRY(next(p));
    return expect(p, TK_SEMI, "`;` after `use`");
}

static bool is_typedef_start(wit_tok t)
{
    return t == TK_TYPE || t == TK_RECORD || t == TK_VARIANT || t == TK_ENUM || t == TK_FLAGS ||
           t == TK_RESOURCE;
}

/* `{ items }` of an interface (named or inline) */
static bool parse_iface_items(parser *p, wit_iface *f)
{
    uint32_t cap = 0;
    TRY(expect(p, TK_LBRACE, "`{` after the interface name"));
    while (p->l.tok != TK_RBRACE) {
        wit_iitem *it = WIT_PUSH(p->a, f->items, f->nitems, cap);
        if (!it) return oom(p);
        wit_docs docs;
        wit_attrs attrs = {0};
        TRY(take_docs(p, &docs));
        TRY(parse_attrs(p, &attrs));
        if (p->l.tok == TK_USE) {
            it->kind = II_USE;
            it->use.attrs = attrs;
            TRY(parse_use(p, &it->use));
        } else if (is_typedef_start(p->l.tok)) {
            it->kind = II_TYPE;
            it->td.docs = docs;
            it->td.attrs = attrs;
            TRY(parse_typedef(p, &it->td));
        } else if (p->l.tok == TK_ID || p->l.tok == TK_EXPLICIT_ID) {
            it->kind = II_FUNC;
            it->fn.docs = docs;
            it->fn.attrs = attrs;
            TRY(parse_id(p, &it->fn.name, "a function name"));
            TRY(expect(p, TK_COLON, "`:` after the function name"));
            TRY(parse_func(p, &it->fn.func));
            TRY(expect(p, TK_SEMI, "`;` after the function type"));
        } else {
            return expected(p, "`use`, a type definition, a function or `}` in the interface");
        }
    }
    return next(p);
}

static bool parse_extern(parser *p, wit_witem *it)
{
    wit_lexer save = p->l;
    it->span = at(p);
    if (p->l.tok == TK_ID || p->l.tok == TK_EXPLICIT_ID) {
        wit_id id;
        TRY(parse_id(p, &id, "a name"));
        if (p->l.tok == TK_COLON) {
            TRY(next(p));
            if (p->l.tok == TK_FUNC || p->l.tok == TK_ASYNC) {
                it->ek = EK_FUNC;
                it->name = id;
                TRY(parse_func(p, &it->func));
                return expect(p, TK_SEMI, "`;` after the function type");
            }
            if (p->l.tok == TK_INTERFACE) {
                it->ek = EK_INTERFACE;
                it->name = id;
                it->inline_iface.name = id;
                TRY(next(p));
                return parse_iface_items(p, &it->inline_iface);
            }
            wit_lexer peek = p->l;
            bool qualified = (p->l.tok == TK_ID || p->l.tok == TK_EXPLICIT_ID) && wit_lex_next(&peek) &&
                             peek.tok == TK_SLASH;
            if (!qualified) {
                it->ek = EK_NAMED_PATH;
                it->name = id;
                TRY(parse_use_path(p, &it->path, "`func`, `interface` or an interface path after `:`"));
                return expect(p, TK_SEMI, "`;` after the interface path");
            }
        }
        p->l = save;
    }
    it->ek = EK_PATH;
    TRY(parse_use_path(p, &it->path, "an interface name, a function or `name: interface`"));
    return expect(p, TK_SEMI, "`;` after the interface path");
}

static bool parse_world(parser *p, wit_world *w)
{
    uint32_t cap = 0;
    TRY(next(p)); /* `world` */
    TRY(parse_id(p, &w->name, "a world name"));
    TRY(expect(p, TK_LBRACE, "`{` after the world name"));
    while (p->l.tok != TK_RBRACE) {
        wit_witem *it = WIT_PUSH(p->a, w->items, w->nitems, cap);
        if (!it) return oom(p);
        TRY(take_docs(p, &it->docs));
        TRY(parse_attrs(p, &it->attrs));
        switch (p->l.tok) {
        case TK_USE:
            it->kind = WI_USE;
            it->use.attrs = it->attrs;
            TRY(parse_use(p, &it->use));
            break;
        case TK_IMPORT:
        case TK_EXPORT:
            it->kind = p->l.tok == TK_IMPORT ? WI_IMPORT : WI_EXPORT;
            TRY(next(p));
            TRY(parse_extern(p, it));
            break;
        case TK_INCLUDE: {
            it->kind = WI_INCLUDE;
            it->span = at(p);
            TRY(next(p));
            TRY(parse_use_path(p, &it->path, "a world name after `include`"));
            if (p->l.tok == TK_WITH) {
                uint32_t wcap = 0;
                TRY(next(p));
                TRY(expect(p, TK_LBRACE, "`{` after `with`"));
                while (p->l.tok != TK_RBRACE) {
                    wit_with *wi = WIT_PUSH(p->a, it->with, it->nwith, wcap);
                    if (!wi) return oom(p);
                    TRY(parse_id(p, &wi->from, "a name or `}` in `with`"));
                    TRY(expect(p, TK_AS, "`as` after the name in `with`"));
                    TRY(parse_id(p, &wi->to, "a new name after `as`"));
                    if (p->l.tok == TK_RBRACE) break;
                    TRY(expect(p, TK_COMMA, "`,` or `}` after a rename in `with`"));
                }
                TRY(next(p));
            } else {
                TRY(expect(p, TK_SEMI, "`;` or `with` after the included world"));
            }
            break;
        }
        default:
            if (is_typedef_start(p->l.tok)) {
                it->kind = WI_TYPE;
                it->td.docs = it->docs;
                it->td.attrs = it->attrs;
                TRY(parse_typedef(p, &it->td));
                break;
            }
            return expected(p, "`import`, `export`, `include`, `use`, a type definition or `}` in the world");
        }
    }
    return next(p);
}

static bool parse_pkgname(parser *p, wit_pkgname *n)
{
    n->span = at(p);
    TRY(parse_id(p, &n->ns, "a package namespace after `package`"));
    TRY(expect(p, TK_COLON, "`:` between the package namespace and name"));
    TRY(parse_id(p, &n->name, "a package name after `:`"));
    while (p->l.tok == TK_COLON) { /* nested namespaces: ns:a:b joins into the name */
        wit_id more;
        TRY(next(p));
        TRY(parse_id(p, &more, "a package name after `:`"));
        size_t l1 = strlen(n->name.name), l2 = strlen(more.name);
        char *j = weld_arena_alloc(p->a, l1 + l2 + 2);
        if (!j) return oom(p);
        memcpy(j, n->name.name, l1);
        j[l1] = ':';
        memcpy(j + l1 + 1, more.name, l2 + 1);
        n->name.name = j;
    }
    if (p->l.tok == TK_AT) {
        TRY(next(p));
        TRY(parse_version_raw(p, &n->version, "a version after `@`"));
    }
    n->len = p->l.base + p->l.trivia - n->span;
    return true;
}

/* Items until `}` (nested) or end of file (top level). */
static bool parse_items(parser *p, wit_file *f, bool nested)
{
    uint32_t cap = 0;
    while (p->l.tok != (nested ? TK_RBRACE : TK_EOF)) {
        wit_titem *it = WIT_PUSH(p->a, f->items, f->nitems, cap);
        if (!it) return oom(p);
        wit_docs docs;
        wit_attrs attrs = {0};
        TRY(take_docs(p, &docs));
        TRY(parse_attrs(p, &attrs));
        switch (p->l.tok) {
        case TK_INTERFACE:
            it->kind = TI_INTERFACE;
            it->iface.docs = docs;
            it->iface.attrs = attrs;
            TRY(next(p));
            TRY(parse_id(p, &it->iface.name, "an interface name"));
            TRY(parse_iface_items(p, &it->iface));
            break;
        case TK_WORLD:
            it->kind = TI_WORLD;
            it->world.docs = docs;
            it->world.attrs = attrs;
            TRY(parse_world(p, &it->world));
            break;
        case TK_USE:
            it->kind = TI_USE;
            it->use.attrs = attrs;
            it->use.span = at(p);
            TRY(next(p));
            TRY(parse_use_path(p, &it->use.path, "an interface path after `use`"));
            if (p->l.tok == TK_AS) {
                TRY(next(p));
                it->use.has_as = true;
                TRY(parse_id(p, &it->use.as, "a name after `as`"));
            }
            TRY(expect(p, TK_SEMI, "`;` or `as` after the path in a top-level `use`"));
            break;
        case TK_PACKAGE: {
            if (nested) {
                wit_error(p->map, p->d, WELD_ERR_SYNTAX, at(p), toklen(p),
                          "nested packages must be placed at the top level, not inside another package");
                p->l.failed = true;
                return false;
            }
            uint32_t kw = at(p);
            it->kind = TI_PACKAGE;
            wit_file *sub = weld_arena_alloc(p->a, sizeof *sub);
            if (!sub) return oom(p);
            it->pkg = sub;
            sub->has_pkg = true;
            sub->pkg_docs = docs;
            sub->pkg_docs_span = kw;
            TRY(next(p));
            TRY(parse_pkgname(p, &sub->pkg));
            if (p->l.tok == TK_SEMI) {
                wit_error(p->map, p->d, WELD_ERR_SYNTAX, kw, 7,
                          "`package %s:%s;` must come first in the file, before any other item",
                          sub->pkg.ns.name, sub->pkg.name.name);
                p->l.failed = true;
                return false;
            }
            TRY(expect(p, TK_LBRACE, "`{` after the nested package name"));
            TRY(parse_items(p, sub, true));
            TRY(next(p));
            break;
        }
        default:
            return expected(p, nested ? "`interface`, `world`, `use` or `}`"
                                      : "`interface`, `world`, `use` or `package`");
        }
    }
    return true;
}

/* WIT text is UTF-8 without control characters (tabs and line breaks aside). */
static weld_status check_text(const wit_srcmap *m, const wit_source *s, weld_diag *d)
{
    const unsigned char *t = (const unsigned char *)s->text;
    uint32_t n = s->len;
    for (uint32_t i = 0; i < n;) {
        unsigned c = t[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
                return wit_error(m, d, WELD_ERR_SYNTAX, s->base + i, 1,
                                 "control character (byte 0x%02x) is not allowed in WIT text", c);
            i++;
            continue;
        }
        uint32_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
        if (c >= 0xe0 && c < 0xf0) len = 3;
        bool ok = len && i + len <= n;
        uint32_t cp = ok ? c & (0xff >> (len + 1)) : 0;
        for (uint32_t k = 1; ok && k < len; k++) {
            ok = (t[i + k] & 0xc0) == 0x80;
            cp = cp << 6 | (t[i + k] & 0x3f);
        }
        if (ok && ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff))))
            ok = false;
        if (!ok)
            return wit_error(m, d, WELD_ERR_SYNTAX, s->base + i, 1, "invalid UTF-8 (byte 0x%02x): WIT text must be UTF-8", c);
        i += len;
    }
    return WELD_OK;
}

weld_status wit_parse(weld_arena *a, const wit_srcmap *m, const wit_source *s, wit_file **out,
                      weld_diag *d)
{
    weld_status cst = check_text(m, s, d);
    if (cst != WELD_OK) return cst;
    parser p = {.a = a, .d = d, .map = m};
    wit_lex_init(&p.l, m, s, d);
    wit_file *f = weld_arena_alloc(a, sizeof *f);
    if (!f) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    if (!next(&p)) return d ? d->status : WELD_ERR_SYNTAX;
    /* `package a:b;` header (docs and attributes allowed before it) */
    wit_lexer save = p.l;
    wit_docs docs;
    wit_attrs attrs = {0};
    if (!take_docs(&p, &docs) || !parse_attrs(&p, &attrs)) return d ? d->status : WELD_ERR_SYNTAX;
    if (p.l.tok == TK_PACKAGE) {
        uint32_t kw = at(&p);
        wit_lexer before = p.l;
        if (!next(&p)) return d ? d->status : WELD_ERR_SYNTAX;
        wit_pkgname n = {0};
        if (!parse_pkgname(&p, &n)) return d ? d->status : WELD_ERR_SYNTAX;
        if (p.l.tok == TK_SEMI) {
            f->has_pkg = true;
            f->pkg = n;
            f->pkg_docs = docs;
            f->pkg_docs_span = kw;
            if (!next(&p)) return d ? d->status : WELD_ERR_SYNTAX;
        } else {
            p.l = save; /* a nested package block: parse it as an item */
            (void)before;
        }
    } else {
        p.l = save;
    }
    if (!parse_items(&p, f, false)) return d && d->status ? d->status : WELD_ERR_SYNTAX;
    *out = f;
    return WELD_OK;
}
