/* lexer.c - WIT tokens, the source map (global offsets -> file:line:col), semantic
 * version checks, and the arena vector helper the parser and resolver share. */
#include "wit/ast.h"
#include <stdio.h>
#include <stdlib.h>

#define K(s) {s, sizeof s - 1}
static const struct { const char *s; unsigned char n; } wit_keywords[] = {
    K("use"), K("type"), K("func"), K("u8"), K("u16"), K("u32"), K("u64"), K("s8"), K("s16"),
    K("s32"), K("s64"), K("f32"), K("f64"), K("char"), K("resource"), K("own"), K("borrow"),
    K("record"), K("flags"), K("variant"), K("enum"), K("bool"), K("string"), K("option"),
    K("result"), K("future"), K("stream"), K("error-context"), K("list"), K("map"), K("_"),
    K("as"), K("from"), K("static"), K("interface"), K("tuple"), K("world"), K("import"),
    K("export"), K("package"), K("constructor"), K("include"), K("with"), K("async"),
};
#undef K

static int keyword_index(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof wit_keywords / sizeof *wit_keywords; i++)
        if (wit_keywords[i].n == n && wit_keywords[i].s[0] == s[0] && memcmp(wit_keywords[i].s, s, n) == 0)
            return (int)i;
    return -1;
}

bool wit_is_keyword(const char *s, size_t n)
{
    /* the printer also escapes the old float names */
    if ((n == 7 && (memcmp(s, "float32", 7) == 0 || memcmp(s, "float64", 7) == 0))) return true;
    return keyword_index(s, n) >= 0;
}

const char *wit_tok_desc(wit_tok t)
{
    static const char *const punct[] = {
        "end of file", "an identifier", "an '%' identifier", "an integer", "a string literal",
        "`=`", "`,`", "`:`", "`.`", "`;`", "`(`", "`)`", "`{`", "`}`", "`<`", "`>`", "`->`",
        "`*`", "`@`", "`/`", "`+`", "`-`", "a character WIT does not use",
    };
    if (t < TK_KW_FIRST) return punct[t];
    if (t < TK_KW_END) return wit_keywords[t - TK_KW_FIRST].s; /* callers add "keyword `...`" */
    return "?";
}

/* ---- source map ---- */

void *wit_vec_push(weld_arena *a, void **v, uint32_t *n, uint32_t *cap, size_t size)
{
    if (*n == *cap) {
        uint32_t nc = *cap ? *cap * 2 : 4;
        if (nc < *cap) return NULL;
        char *nv = weld_arena_alloc(a, (size_t)nc * size);
        if (!nv) return NULL;
        if (*n) memcpy(nv, *v, (size_t)*n * size);
        *v = nv;
        *cap = nc;
    }
    char *p = (char *)*v + (size_t)(*n)++ * size;
    memset(p, 0, size);
    return p;
}

uint32_t wit_srcmap_add(wit_srcmap *m, const char *name, const char *text, uint32_t len)
{
    wit_source *s = WIT_PUSH(m->arena, m->v, m->n, m->cap);
    if (!s) return UINT32_MAX;
    s->name = weld_arena_strndup(m->arena, name, strlen(name));
    s->text = text;
    s->len = len;
    s->base = m->next_base;
    m->next_base += len + 1; /* +1: an offset at end of file stays inside this source */
    return s->base;
}

const wit_source *wit_srcmap_find(const wit_srcmap *m, uint32_t at)
{
    for (uint32_t i = m->n; i-- > 0;)
        if (at >= m->v[i].base) return &m->v[i];
    return NULL;
}

weld_status wit_error(const wit_srcmap *m, weld_diag *d, weld_status st, uint32_t at,
                      uint32_t span, const char *fmt, ...)
{
    if (!d) return st;
    va_list ap;
    va_start(ap, fmt);
    weld_diag_vset(d, st, WELD_NO_OFFSET, fmt, ap);
    va_end(ap);
    const wit_source *s = m ? wit_srcmap_find(m, at) : NULL;
    if (!s) return st;
    snprintf(d->file, sizeof d->file, "%s", s->name);
    uint32_t off = at - s->base, line = 1, col = 1;
    if (off > s->len) off = s->len;
    for (uint32_t i = 0; i < off; i++) {
        if (s->text[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)s->text[i] & 0xc0) != 0x80) {
            col++;
        }
    }
    d->line = line;
    d->col = col;
    /* the caret stays on the line */
    uint32_t maxspan = 0;
    while (off + maxspan < s->len && s->text[off + maxspan] != '\n') maxspan++;
    d->span = span < maxspan ? span : maxspan;
    if (d->span == 0) d->span = 1;
    return st;
}

/* ---- lexer ---- */

void wit_lex_init(wit_lexer *l, const wit_srcmap *m, const wit_source *s, weld_diag *d)
{
    memset(l, 0, sizeof *l);
    l->src = s->text;
    l->len = s->len;
    l->base = s->base;
    l->map = m;
    l->d = d;
    if (l->len >= 3 && memcmp(l->src, "\xef\xbb\xbf", 3) == 0) l->pos = 3; /* BOM */
}

static bool lex_fail(wit_lexer *l, uint32_t at, uint32_t span, const char *msg)
{
    wit_error(l->map, l->d, WELD_ERR_SYNTAX, l->base + at, span, "%s", msg);
    l->failed = true;
    l->tok = TK_EOF;
    return false;
}

static bool is_keylike_start(unsigned char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_keylike_continue(unsigned char c)
{
    return is_keylike_start(c) || c == '-' || (c >= '0' && c <= '9');
}

/* Identifiers: '-'-separated parts, each all-lowercase or all-uppercase (digits allowed),
 * the first part starting with a letter. */
static bool validate_id(wit_lexer *l, uint32_t s, uint32_t e, uint32_t tokstart)
{
    const char *p = l->src;
    uint32_t i = s;
    bool first = true;
    if (s == e) return lex_fail(l, tokstart, e - tokstart + 1, "identifiers must have at least one part");
    while (i <= e) {
        uint32_t j = i;
        while (j < e && p[j] != '-') j++;
        if (j == i) return lex_fail(l, tokstart, e - tokstart, "identifier parts may not be empty (check for a doubled, leading or trailing `-`)");
        if (first && !((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z'))) {
            char msg[96];
            snprintf(msg, sizeof msg, "invalid character `%c` in identifier: it must start with a letter", p[i]);
            return lex_fail(l, tokstart, e - tokstart, msg);
        }
        int upper = -1;
        for (uint32_t k = i; k < j; k++) {
            char c = p[k];
            if (c >= '0' && c <= '9') continue;
            int u = c >= 'A' && c <= 'Z' ? 1 : c >= 'a' && c <= 'z' ? 0 : -2;
            if (u == -2 || (upper >= 0 && u != upper)) {
                char msg[128];
                snprintf(msg, sizeof msg, "invalid character `%c` in identifier `%.*s`: each part must be all lowercase or all uppercase (kebab-case)", c,
                         (int)(e - s > 40 ? 40 : e - s), p + s);
                return lex_fail(l, k, 1, msg);
            }
            upper = u;
        }
        first = false;
        i = j + 1;
    }
    return true;
}

bool wit_lex_next(wit_lexer *l)
{
    const char *p = l->src;
    uint32_t n = l->len;
    if (l->failed) return false;
    l->trivia = l->pos;
    for (;;) {
        if (l->pos >= n) break;
        char c = p[l->pos];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            l->pos++;
        } else if (c == '/' && l->pos + 1 < n && p[l->pos + 1] == '/') {
            while (l->pos < n && p[l->pos] != '\n') l->pos++;
        } else if (c == '/' && l->pos + 1 < n && p[l->pos + 1] == '*') {
            uint32_t start = l->pos;
            int depth = 1;
            l->pos += 2;
            while (depth > 0) {
                if (l->pos >= n) return lex_fail(l, start, 2, "unterminated block comment: expected `*/`");
                if (p[l->pos] == '/' && l->pos + 1 < n && p[l->pos + 1] == '*') {
                    depth++;
                    l->pos += 2;
                } else if (p[l->pos] == '*' && l->pos + 1 < n && p[l->pos + 1] == '/') {
                    depth--;
                    l->pos += 2;
                } else {
                    l->pos++;
                }
            }
        } else {
            break;
        }
    }
    l->start = l->pos;
    if (l->pos >= n) {
        l->tok = TK_EOF;
        l->end = l->pos;
        return true;
    }
    unsigned char c = (unsigned char)p[l->pos++];
    wit_tok t;
    switch (c) {
    case '=': t = TK_EQ; break;
    case ',': t = TK_COMMA; break;
    case ':': t = TK_COLON; break;
    case '.': t = TK_PERIOD; break;
    case ';': t = TK_SEMI; break;
    case '(': t = TK_LPAREN; break;
    case ')': t = TK_RPAREN; break;
    case '{': t = TK_LBRACE; break;
    case '}': t = TK_RBRACE; break;
    case '<': t = TK_LT; break;
    case '>': t = TK_GT; break;
    case '*': t = TK_STAR; break;
    case '@': t = TK_AT; break;
    case '/': t = TK_SLASH; break;
    case '+': t = TK_PLUS; break;
    case '-':
        if (l->pos < n && p[l->pos] == '>') {
            l->pos++;
            t = TK_ARROW;
        } else {
            t = TK_MINUS;
        }
        break;
    case '%': {
        uint32_t s = l->pos;
        if (l->pos < n && is_keylike_start((unsigned char)p[l->pos]))
            while (l->pos < n && is_keylike_continue((unsigned char)p[l->pos])) l->pos++;
        if (!validate_id(l, s, l->pos, s - 1)) return false;
        t = TK_EXPLICIT_ID;
        break;
    }
    case '"': {
        while (l->pos < n && p[l->pos] != '"' && p[l->pos] != '\n') {
            if (p[l->pos] == '\\' && l->pos + 1 < n) l->pos++;
            l->pos++;
        }
        if (l->pos >= n || p[l->pos] != '"')
            return lex_fail(l, l->start, 1, "unterminated string literal: expected a closing `\"`");
        l->pos++;
        t = TK_STRING;
        break;
    }
    default:
        if (c >= '0' && c <= '9') {
            while (l->pos < n && p[l->pos] >= '0' && p[l->pos] <= '9') l->pos++;
            t = TK_INT;
        } else if (is_keylike_start(c)) {
            while (l->pos < n && is_keylike_continue((unsigned char)p[l->pos])) l->pos++;
            int k = keyword_index(p + l->start, l->pos - l->start);
            if (k >= 0) {
                t = (wit_tok)(TK_KW_FIRST + k);
            } else {
                if (!validate_id(l, l->start, l->pos, l->start)) return false;
                t = TK_ID;
            }
        } else {
            char msg[80];
            if (strchr("[]!#&|^~?\\'`$", (char)c) && c) {
                l->tok = TK_OTHER;
                l->end = l->pos;
                return true;
            }
            if (c >= 0x20 && c < 0x7f)
                snprintf(msg, sizeof msg, "unexpected character `%c`", c);
            else
                snprintf(msg, sizeof msg, "unexpected character (byte 0x%02x)", c);
            return lex_fail(l, l->start, 1, msg);
        }
    }
    l->tok = t;
    l->end = l->pos;
    return true;
}

/* ---- semantic versions (semver.org 2.0.0) ---- */

static bool num_ident(const char *s, size_t n)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return !(n > 1 && s[0] == '0');
}

static bool dot_idents(const char *s, size_t n, bool build)
{
    size_t i = 0;
    if (n == 0) return false;
    while (i <= n) {
        size_t j = i;
        bool digits = true;
        while (j < n && s[j] != '.') {
            char c = s[j];
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'))
                return false;
            if (c < '0' || c > '9') digits = false;
            j++;
        }
        if (j == i) return false;
        if (!build && digits && j - i > 1 && s[i] == '0') return false;
        i = j + 1;
    }
    return true;
}

bool wit_semver_valid(const char *s, size_t n)
{
    size_t i = 0;
    for (int part = 0; part < 3; part++) {
        size_t j = i;
        while (j < n && s[j] >= '0' && s[j] <= '9') j++;
        if (!num_ident(s + i, j - i) || j - i > 19) return false;
        i = j;
        if (part < 2) {
            if (i >= n || s[i] != '.') return false;
            i++;
        }
    }
    if (i < n && s[i] == '-') {
        size_t j = i + 1;
        while (j < n && s[j] != '+') j++;
        if (!dot_idents(s + i + 1, j - i - 1, false)) return false;
        i = j;
    }
    if (i < n && s[i] == '+') {
        if (!dot_idents(s + i + 1, n - i - 1, true)) return false;
        i = n;
    }
    return i == n;
}

int wit_semver_cmp(const char *a, const char *b)
{
    for (int part = 0; part < 3; part++) {
        unsigned long long x = strtoull(a, (char **)&a, 10), y = strtoull(b, (char **)&b, 10);
        if (x != y) return x < y ? -1 : 1;
        if (*a == '.') a++;
        if (*b == '.') b++;
    }
    bool pa = *a == '-', pb = *b == '-';
    if (!pa || !pb) return pa == pb ? 0 : pa ? -1 : 1;
    a++, b++;
    for (;;) {
        size_t na = strcspn(a, ".+"), nb = strcspn(b, ".+");
        bool da = num_ident(a, na), db = num_ident(b, nb);
        int c;
        if (da && db) c = na != nb ? (na < nb ? -1 : 1) : memcmp(a, b, na);
        else if (da || db) c = da ? -1 : 1;
        else {
            c = memcmp(a, b, na < nb ? na : nb);
            if (c == 0 && na != nb) c = na < nb ? -1 : 1;
        }
        if (c) return c < 0 ? -1 : 1;
        a += na, b += nb;
        bool ea = *a != '.', eb = *b != '.';
        if (ea || eb) return ea == eb ? 0 : ea ? -1 : 1;
        a++, b++;
    }
}
