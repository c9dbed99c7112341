/* wave.c - WAVE text for component values (weld/wave.h): a lexer, a parser driven by the
 * expected type (so flattened options and results, records and flags need no
 * backtracking beyond one token), a printer, and the function-call form of --invoke. */
#include "base/base.h"
#include "weld/wave.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { WAVE_MAX_DEPTH = 100 };

/* ---- types ------------------------------------------------------------------------- */

static const weld_tnode *strip(const weld_tnode *t) { return weld_tnode_strip(t); }

static const char *prim_name(uint8_t p)
{
    switch (p) {
    case WELD_CV_BOOL: return "bool";
    case WELD_CV_S8: return "s8";
    case WELD_CV_U8: return "u8";
    case WELD_CV_S16: return "s16";
    case WELD_CV_U16: return "u16";
    case WELD_CV_S32: return "s32";
    case WELD_CV_U32: return "u32";
    case WELD_CV_S64: return "s64";
    case WELD_CV_U64: return "u64";
    case WELD_CV_F32: return "f32";
    case WELD_CV_F64: return "f64";
    case WELD_CV_CHAR: return "char";
    case WELD_CV_STRING: return "string";
    case WELD_CV_ERROR_CONTEXT: return "error-context";
    default: return "?";
    }
}

/* The byte size of a packed list element of type t (number types), else 0. */
static uint32_t packed_size(const weld_tnode *t) { return weld_cval_list_packed(t); }

static bool is_int_prim(uint8_t p)
{
    return p == WELD_CV_S8 || p == WELD_CV_U8 || p == WELD_CV_S16 || p == WELD_CV_U16 ||
           p == WELD_CV_S32 || p == WELD_CV_U32 || p == WELD_CV_S64 || p == WELD_CV_U64;
}

static void put_name(weld_buf *b, weld_str s) { weld_buf_append(b, s.ptr, s.len); }

/* A type in WIT terms for messages; records, variants, enums and flags list their
 * members (structural: component types carry no names for them). */
static void describe(weld_buf *b, const weld_tnode *t, int depth)
{
    t = strip(t);
    if (!t) {
        weld_buf_puts(b, "_");
        return;
    }
    if (depth > 3) {
        weld_buf_puts(b, "...");
        return;
    }
    uint32_t n, i, shown = 8;
    switch (t->kind) {
    case WELD_TK_PRIM: weld_buf_puts(b, prim_name(t->u.prim)); return;
    case WELD_TK_LIST:
    case WELD_TK_FIXED_LIST:
        weld_buf_puts(b, "list<");
        describe(b, t->u.list.elem, depth + 1);
        if (t->kind == WELD_TK_FIXED_LIST) weld_buf_printf(b, ", %u", t->u.list.len);
        weld_buf_puts(b, ">");
        return;
    case WELD_TK_OPTION:
        weld_buf_puts(b, "option<");
        describe(b, t->u.option, depth + 1);
        weld_buf_puts(b, ">");
        return;
    case WELD_TK_RESULT:
        weld_buf_puts(b, "result");
        if (t->u.result.ok || t->u.result.err) {
            weld_buf_puts(b, "<");
            describe(b, t->u.result.ok, depth + 1);
            if (t->u.result.err) {
                weld_buf_puts(b, ", ");
                describe(b, t->u.result.err, depth + 1);
            }
            weld_buf_puts(b, ">");
        }
        return;
    case WELD_TK_TUPLE:
        weld_buf_puts(b, "tuple<");
        for (i = 0; i < t->u.tuple.count; i++) {
            if (i) weld_buf_puts(b, ", ");
            describe(b, t->u.tuple.types[i], depth + 1);
        }
        weld_buf_puts(b, ">");
        return;
    case WELD_TK_RECORD:
    case WELD_TK_VARIANT: {
        bool rec = t->kind == WELD_TK_RECORD;
        n = rec ? t->u.record.count : t->u.variant.count;
        const weld_tfield *f = rec ? t->u.record.fields : t->u.variant.cases;
        weld_buf_puts(b, rec ? "record {" : "variant {");
        for (i = 0; i < n && i < shown; i++) {
            if (i) weld_buf_puts(b, ", ");
            put_name(b, f[i].name);
            if (rec) weld_buf_puts(b, ": ");
            if (f[i].type) {
                if (!rec) weld_buf_puts(b, "(");
                describe(b, f[i].type, depth + 1);
                if (!rec) weld_buf_puts(b, ")");
            }
        }
        if (n > shown) weld_buf_puts(b, ", ...");
        weld_buf_puts(b, "}");
        return;
    }
    case WELD_TK_ENUM:
    case WELD_TK_FLAGS:
        weld_buf_puts(b, t->kind == WELD_TK_ENUM ? "enum {" : "flags {");
        n = t->u.labels.count;
        for (i = 0; i < n && i < shown; i++) {
            if (i) weld_buf_puts(b, ", ");
            put_name(b, t->u.labels.names[i]);
        }
        if (n > shown) weld_buf_puts(b, ", ...");
        weld_buf_puts(b, "}");
        return;
    default: {
        char tmp[256];
        weld_tnode_describe(t, tmp, sizeof tmp);
        weld_buf_puts(b, tmp);
        return;
    }
    }
}

/* describe() into a fixed buffer (truncated), for messages. */
typedef struct tdesc {
    char s[320];
} tdesc;

static tdesc desc(const weld_tnode *t)
{
    tdesc r;
    weld_buf b;
    weld_buf_init(&b);
    describe(&b, t, 0);
    size_t n = b.oom ? 0 : b.len;
    if (n >= sizeof r.s) {
        n = sizeof r.s - 4;
        memcpy(r.s + n, "...", 4);
    } else r.s[n] = 0;
    if (n) memcpy(r.s, b.data, n);
    weld_buf_free(&b);
    return r;
}

/* ---- values ------------------------------------------------------------------------ */

static void val_free(weld_cval *v) { weld_cval_free(v); }

static void store_le(uint8_t *p, uint64_t x, uint32_t size)
{
    for (uint32_t i = 0; i < size; i++) p[i] = (uint8_t)(x >> (8 * i));
}

static uint64_t load_le(const uint8_t *p, uint32_t size)
{
    uint64_t x = 0;
    for (uint32_t i = 0; i < size; i++) x |= (uint64_t)p[i] << (8 * i);
    return x;
}

/* The bits of a number value as its packed element. */
static uint64_t number_bits(const weld_cval *v, uint8_t prim)
{
    switch (prim) {
    case WELD_CV_F32: {
        uint32_t u;
        memcpy(&u, &v->u.f32, 4);
        return u;
    }
    case WELD_CV_F64: {
        uint64_t u;
        memcpy(&u, &v->u.f64, 8);
        return u;
    }
    case WELD_CV_S8: case WELD_CV_S16: case WELD_CV_S32: case WELD_CV_S64: return (uint64_t)v->u.s;
    default: return v->u.u;
    }
}

/* A packed element back as a value. */
static void number_from_bits(weld_cval *v, uint8_t prim, uint64_t x, uint32_t size)
{
    switch (prim) {
    case WELD_CV_F32: {
        uint32_t u = (uint32_t)x;
        memcpy(&v->u.f32, &u, 4);
        return;
    }
    case WELD_CV_F64: memcpy(&v->u.f64, &x, 8); return;
    case WELD_CV_S8: case WELD_CV_S16: case WELD_CV_S32: case WELD_CV_S64: {
        unsigned sh = 64 - 8 * size;
        v->u.s = sh ? (int64_t)(x << sh) >> sh : (int64_t)x;
        return;
    }
    default: v->u.u = x; return;
    }
}

/* ---- UTF-8 ------------------------------------------------------------------------- */

/* Decode one scalar value from s[0..n); its length, or 0 when not valid UTF-8. */
static size_t utf8_dec(const char *str, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    if (!n) return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len;
    uint32_t c, min;
    if ((s[0] & 0xe0) == 0xc0) len = 2, c = s[0] & 0x1f, min = 0x80;
    else if ((s[0] & 0xf0) == 0xe0) len = 3, c = s[0] & 0x0f, min = 0x800;
    else if ((s[0] & 0xf8) == 0xf0) len = 4, c = s[0] & 0x07, min = 0x10000;
    else return 0;
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        c = c << 6 | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
    *cp = c;
    return len;
}

static void utf8_enc(weld_buf *b, uint32_t c)
{
    uint8_t o[4];
    size_t n;
    if (c < 0x80) o[0] = (uint8_t)c, n = 1;
    else if (c < 0x800) o[0] = (uint8_t)(0xc0 | c >> 6), o[1] = (uint8_t)(0x80 | (c & 0x3f)), n = 2;
    else if (c < 0x10000)
        o[0] = (uint8_t)(0xe0 | c >> 12), o[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f)),
        o[2] = (uint8_t)(0x80 | (c & 0x3f)), n = 3;
    else
        o[0] = (uint8_t)(0xf0 | c >> 18), o[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f)),
        o[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f)), o[3] = (uint8_t)(0x80 | (c & 0x3f)), n = 4;
    weld_buf_append(b, o, n);
}

static bool is_scalar(uint32_t c) { return c <= 0x10ffff && (c < 0xd800 || c > 0xdfff); }

/* An escape at s[0..n) (s[0] is the backslash): its length, or 0 when invalid. */
static size_t unescape(const char *s, size_t n, uint32_t *cp)
{
    if (n < 2) return 0;
    switch (s[1]) {
    case '\\': *cp = '\\'; return 2;
    case '\'': *cp = '\''; return 2;
    case '"': *cp = '"'; return 2;
    case 't': *cp = '\t'; return 2;
    case 'n': *cp = '\n'; return 2;
    case 'r': *cp = '\r'; return 2;
    case 'u': {
        if (n < 3 || s[2] != '{') return 0;
        uint32_t v = 0;
        size_t i = 3, digits = 0;
        for (; i < n && s[i] != '}'; i++, digits++) {
            int c = s[i], x = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (x < 0 || digits >= 6) return 0;
            v = v << 4 | (uint32_t)x;
        }
        if (i >= n || !digits || !is_scalar(v)) return 0;
        *cp = v;
        return i + 1;
    }
    default: return 0;
    }
}

/* ---- lexer ------------------------------------------------------------------------- */

typedef enum {
    TK_EOF, TK_LBRACE, TK_RBRACE, TK_LPAREN, TK_RPAREN, TK_LBRACKET, TK_RBRACKET, TK_COLON,
    TK_COMMA, TK_NUMBER, TK_LABEL, TK_CHAR, TK_STRING, TK_MSTRING
} tkind;

typedef struct tok {
    tkind k;
    size_t pos, len;
} tok;

typedef struct wp {
    const char *s;
    size_t len, pos;
    weld_diag *d;
    int depth;
    const char *prefix;          /* put before every message ("argument `x`: ") */
    const weld_tnode *flat;      /* an option/result being parsed in its flat form ... */
    size_t flat_pos;             /* ... whose payload starts here */
} wp;

static weld_status verr(wp *p, weld_status st, size_t pos, size_t span, const char *fmt, va_list ap)
{
    char msg[900];
    vsnprintf(msg, sizeof msg, fmt, ap);
    uint32_t line = 1, col = 1;
    for (size_t i = 0; i < pos && i < p->len; i++) {
        if (p->s[i] == '\n') line++, col = 1;
        else col++;
    }
    return weld_diag_set_text(p->d, st, line, col, (uint32_t)(span ? span : 1), "%s%s",
                              p->prefix ? p->prefix : "", msg);
}

static weld_status err(wp *p, size_t pos, size_t span, const char *fmt, ...) WELD_PRINTF(4, 5);
static weld_status err(wp *p, size_t pos, size_t span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    weld_status st = verr(p, WELD_ERR_SYNTAX, pos, span, fmt, ap);
    va_end(ap);
    return st;
}

static weld_status unsupported(wp *p, size_t pos, const char *fmt, ...) WELD_PRINTF(3, 4);
static weld_status unsupported(wp *p, size_t pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    weld_status st = verr(p, WELD_ERR_UNSUPPORTED, pos, 1, fmt, ap);
    va_end(ap);
    return st;
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Is s[0..n) a kebab-case label (words of one case, the first starting with a letter)? */
static bool valid_label(const char *s, size_t n)
{
    if (!n || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
    size_t i = 0;
    while (i < n) {
        bool lower = false, upper = false;
        size_t w = i;
        for (; i < n && s[i] != '-'; i++) {
            if (s[i] >= 'a' && s[i] <= 'z') lower = true;
            else if (s[i] >= 'A' && s[i] <= 'Z') upper = true;
            else if (!is_digit(s[i])) return false;
        }
        if (i == w || (lower && upper)) return false;
        if (i < n) {
            i++;
            if (i == n) return false; /* a trailing hyphen */
        }
    }
    return true;
}

static weld_status lex(wp *p, tok *t)
{
    const char *s = p->s;
    size_t n = p->len, i = p->pos;
    for (;;) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
        if (i + 1 < n && s[i] == '/' && s[i + 1] == '/') {
            while (i < n && s[i] != '\n') i++;
            continue;
        }
        break;
    }
    t->pos = i;
    t->len = 1;
    if (i >= n) {
        t->k = TK_EOF;
        t->len = 0;
        p->pos = i;
        return WELD_OK;
    }
    char c = s[i];
    switch (c) {
    case '{': t->k = TK_LBRACE; break;
    case '}': t->k = TK_RBRACE; break;
    case '(': t->k = TK_LPAREN; break;
    case ')': t->k = TK_RPAREN; break;
    case '[': t->k = TK_LBRACKET; break;
    case ']': t->k = TK_RBRACKET; break;
    case ':': t->k = TK_COLON; break;
    case ',': t->k = TK_COMMA; break;
    case '\'': {
        size_t j = i + 1;
        while (j < n && s[j] != '\'' && s[j] != '\n') j += s[j] == '\\' && j + 1 < n && s[j + 1] != '\n' ? 2 : 1;
        if (j >= n || s[j] != '\'') return err(p, i, j - i, "unterminated char literal");
        t->k = TK_CHAR;
        t->len = j + 1 - i;
        break;
    }
    case '"': {
        if (i + 2 < n && s[i + 1] == '"' && s[i + 2] == '"') {
            size_t j = i + 3;
            while (j + 2 < n && !(s[j] == '"' && s[j + 1] == '"' && s[j + 2] == '"')) j++;
            if (j + 2 >= n) return err(p, i, 3, "unterminated multiline string (no closing `\"\"\"`)");
            t->k = TK_MSTRING;
            t->len = j + 3 - i;
            break;
        }
        size_t j = i + 1;
        while (j < n && s[j] != '"' && s[j] != '\n') j += s[j] == '\\' && j + 1 < n && s[j + 1] != '\n' ? 2 : 1;
        if (j >= n || s[j] != '"')
            return err(p, i, j - i,
                       j < n ? "unterminated string literal (a newline in a string is written \\n)"
                             : "unterminated string literal");
        t->k = TK_STRING;
        t->len = j + 1 - i;
        break;
    }
    default:
        if (c == '-' || is_digit(c)) {
            size_t j = i;
            if (s[j] == '-') j++;
            if (j + 3 <= n && memcmp(s + j, "inf", 3) == 0 && j == i + 1 &&
                (j + 3 == n || !(is_alnum(s[j + 3]) || s[j + 3] == '-'))) {
                j += 3;
            } else {
                bool bad = false;
                if (j < n && s[j] == '0') j++;
                else if (j < n && is_digit(s[j])) while (j < n && is_digit(s[j])) j++;
                else bad = true;
                if (!bad && j < n && s[j] == '.') {
                    j++;
                    if (j >= n || !is_digit(s[j])) bad = true;
                    while (j < n && is_digit(s[j])) j++;
                }
                if (!bad && j < n && (s[j] == 'e' || s[j] == 'E')) {
                    j++;
                    if (j < n && (s[j] == '+' || s[j] == '-')) j++;
                    if (j >= n || !is_digit(s[j])) bad = true;
                    while (j < n && is_digit(s[j])) j++;
                }
                if (bad || (j < n && (is_alnum(s[j]) || s[j] == '.' || s[j] == '_' || s[j] == '-'))) {
                    while (j < n && (is_alnum(s[j]) || s[j] == '.' || s[j] == '_' || s[j] == '-' ||
                                     s[j] == '+'))
                        j++;
                    return err(p, i, j - i, "invalid number `%.*s` (numbers are decimal: -12, 3.5, 1e-3)",
                               (int)(j - i > 60 ? 60 : j - i), s + i);
                }
            }
            t->k = TK_NUMBER;
            t->len = j - i;
        } else if (c == '%' || is_alnum(c) || c == '_') {
            size_t j = i + (c == '%');
            while (j < n && (is_alnum(s[j]) || s[j] == '-' || s[j] == '_')) j++;
            size_t st = i + (c == '%');
            if (!valid_label(s + st, j - st))
                return err(p, i, j - i,
                           "invalid label `%.*s` (labels are kebab-case: words of letters and digits "
                           "joined by `-`, each word all lowercase or all uppercase)",
                           (int)(j - i > 60 ? 60 : j - i), s + i);
            t->k = TK_LABEL;
            t->len = j - i;
        } else {
            uint32_t cp;
            size_t l = utf8_dec(s + i, n - i, &cp);
            return err(p, i, l ? l : 1, "unexpected character `%.*s`", (int)(l ? l : 1), s + i);
        }
    }
    p->pos = t->pos + t->len;
    return WELD_OK;
}

static weld_status peek(wp *p, tok *t)
{
    size_t save = p->pos;
    weld_status st = lex(p, t);
    p->pos = save;
    return st;
}

static const char *const keywords[] = {"true", "false", "some", "none", "ok", "err", "inf", "nan"};

static bool is_keyword(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
        if (strlen(keywords[i]) == n && memcmp(keywords[i], s, n) == 0) return true;
    return false;
}

/* An unprefixed label token spelling keyword kw. */
static bool tok_is(const wp *p, const tok *t, const char *kw)
{
    return t->k == TK_LABEL && t->len == strlen(kw) && memcmp(p->s + t->pos, kw, t->len) == 0;
}

static bool tok_keyword(const wp *p, const tok *t)
{
    return t->k == TK_LABEL && is_keyword(p->s + t->pos, t->len);
}

/* A label token's name without its `%`. */
static weld_str tok_label(const wp *p, const tok *t)
{
    weld_str r = {p->s + t->pos, (uint32_t)t->len};
    if (r.len && r.ptr[0] == '%') r.ptr++, r.len--;
    return r;
}

static bool str_eq(weld_str a, weld_str b) { return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0; }

typedef struct tokdesc {
    char s[96];
} tokdesc;

static tokdesc tdescr(const wp *p, const tok *t)
{
    tokdesc r;
    int n = t->len > 40 ? 40 : (int)t->len;
    const char *s = p->s + t->pos;
    switch (t->k) {
    case TK_EOF: snprintf(r.s, sizeof r.s, "end of input"); break;
    case TK_NUMBER: snprintf(r.s, sizeof r.s, "number %.*s%s", n, s, t->len > 40 ? "..." : ""); break;
    case TK_LABEL:
        snprintf(r.s, sizeof r.s, "%s `%.*s`%s", tok_keyword(p, t) ? "keyword" : "label", n, s,
                 t->len > 40 ? "..." : "");
        break;
    case TK_CHAR: snprintf(r.s, sizeof r.s, "char literal"); break;
    case TK_STRING:
    case TK_MSTRING: snprintf(r.s, sizeof r.s, "string literal"); break;
    default: snprintf(r.s, sizeof r.s, "`%c`", s[0]); break;
    }
    return r;
}

/* "expected `T`, found X" (T the flattened option/result when X starts its payload). */
static weld_status mismatch(wp *p, const tok *t, const weld_tnode *type, const char *hint)
{
    if (p->flat && t->pos == p->flat_pos) type = p->flat;
    return err(p, t->pos, t->len, "expected `%s`, found %s%s", desc(type).s, tdescr(p, t).s,
               hint ? hint : "");
}

static weld_status expect(wp *p, tkind k, const char *what, const char *context)
{
    tok t;
    weld_status st = lex(p, &t);
    if (st) return st;
    if (t.k != k) return err(p, t.pos, t.len, "expected %s%s, found %s", what, context, tdescr(p, &t).s);
    return WELD_OK;
}

/* ---- parser ------------------------------------------------------------------------ */

static weld_status parse_val(wp *p, const weld_tnode *type, weld_cval *out);

static weld_status parse_int(wp *p, const tok *t, const weld_tnode *type, uint8_t prim, weld_cval *out)
{
    const char *s = p->s + t->pos;
    size_t n = t->len;
    if (t->k != TK_NUMBER) return mismatch(p, t, type, NULL);
    bool neg = s[0] == '-';
    for (size_t i = neg; i < n; i++)
        if (!is_digit(s[i])) return mismatch(p, t, type, " (not an integer)");
    uint64_t mag = 0;
    bool over = false;
    for (size_t i = neg; i < n; i++) {
        unsigned dgt = (unsigned)(s[i] - '0');
        if (mag > (UINT64_MAX - dgt) / 10) over = true;
        else mag = mag * 10 + dgt;
    }
    unsigned bits = prim == WELD_CV_S8 || prim == WELD_CV_U8 ? 8 : prim == WELD_CV_S16 || prim == WELD_CV_U16 ? 16
                  : prim == WELD_CV_S32 || prim == WELD_CV_U32 ? 32 : 64;
    bool sign = prim == WELD_CV_S8 || prim == WELD_CV_S16 || prim == WELD_CV_S32 || prim == WELD_CV_S64;
    if (sign) {
        uint64_t lim = (uint64_t)1 << (bits - 1); /* |min|; max is lim - 1 */
        if (over || (neg ? mag > lim : mag >= lim))
            return err(p, t->pos, n, "number %.*s is out of range for `%s` (-%llu to %llu)", (int)(n > 40 ? 40 : n),
                       s, prim_name(prim), (unsigned long long)lim, (unsigned long long)(lim - 1));
        out->u.s = neg ? (mag == lim ? (bits == 64 ? INT64_MIN : -(int64_t)lim) : -(int64_t)mag) : (int64_t)mag;
    } else {
        uint64_t max = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
        if (over || mag > max || (neg && mag))
            return err(p, t->pos, n, "number %.*s is out of range for `%s` (0 to %llu)", (int)(n > 40 ? 40 : n), s,
                       prim_name(prim), (unsigned long long)max);
        out->u.u = mag;
    }
    return WELD_OK;
}

static weld_status parse_float(wp *p, const tok *t, const weld_tnode *type, uint8_t prim, weld_cval *out)
{
    double x;
    if (tok_is(p, t, "nan")) x = NAN;
    else if (tok_is(p, t, "inf")) x = INFINITY;
    else if (t->k == TK_NUMBER && t->len == 4 && memcmp(p->s + t->pos, "-inf", 4) == 0) x = -INFINITY;
    else if (t->k == TK_NUMBER) {
        char small[64], *buf = t->len < sizeof small ? small : malloc(t->len + 1);
        if (!buf) return weld_diag_set(p->d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
        memcpy(buf, p->s + t->pos, t->len);
        buf[t->len] = 0;
        if (prim == WELD_CV_F32) out->u.f32 = strtof(buf, NULL);
        else out->u.f64 = strtod(buf, NULL);
        if (buf != small) free(buf);
        return WELD_OK;
    } else return mismatch(p, t, type, NULL);
    if (prim == WELD_CV_F32) out->u.f32 = (float)x;
    else out->u.f64 = x;
    return WELD_OK;
}

static weld_status parse_char(wp *p, const tok *t, const weld_tnode *type, weld_cval *out)
{
    if (t->k != TK_CHAR) return mismatch(p, t, type, NULL);
    const char *s = p->s + t->pos + 1;
    size_t n = t->len - 2, l;
    uint32_t cp;
    if (!n) return err(p, t->pos, t->len, "empty char literal (expected `char`)");
    if (s[0] == '\\') {
        if (!(l = unescape(s, n, &cp)))
            return err(p, t->pos + 1, n, "invalid escape in char literal (escapes: \\n \\t \\r \\\\ \\' \\\" \\u{X})");
    } else if (!(l = utf8_dec(s, n, &cp))) return err(p, t->pos + 1, 1, "invalid UTF-8 in char literal");
    if (l != n) return err(p, t->pos, t->len, "a char literal holds one character (a string is written \"...\")");
    out->u.c = cp;
    return WELD_OK;
}

/* Decode s[0..n) (string contents at text position pos) with escapes into b. */
static weld_status decode_str(wp *p, const char *s, size_t n, size_t pos, weld_buf *b)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t l;
        if (s[i] == '\\') {
            if (!(l = unescape(s + i, n - i, &cp)))
                return err(p, pos + i, 2, "invalid escape in string literal (escapes: \\n \\t \\r \\\\ \\' \\\" \\u{X})");
            utf8_enc(b, cp);
        } else {
            if (!(l = utf8_dec(s + i, n - i, &cp))) return err(p, pos + i, 1, "invalid UTF-8 in string literal");
            weld_buf_append(b, s + i, l);
        }
        i += l;
    }
    return WELD_OK;
}

static weld_status decode_multiline(wp *p, const tok *t, weld_buf *b)
{
    const char *s = p->s + t->pos + 3;
    size_t n = t->len - 6, base = t->pos + 3, i;
    if (n >= 1 && s[0] == '\n') i = 1;
    else if (n >= 2 && s[0] == '\r' && s[1] == '\n') i = 2;
    else return err(p, t->pos, 3, "the opening `\"\"\"` of a multiline string must be followed by a line break");
    /* the last line holds the closing delimiter's indentation */
    size_t last = n;
    while (last > i && s[last - 1] != '\n') last--;
    for (size_t k = last; k < n; k++)
        if (s[k] != ' ')
            return err(p, t->pos + t->len - 3, 3,
                       "the closing `\"\"\"` of a multiline string must be on its own line, after spaces only");
    if (last == i) return WELD_OK; /* no line between the delimiters: the empty string */
    size_t indent = n - last, end = last - 1; /* lines are s[i..end), the break at end dropped */
    bool first = true;
    while (i <= end) {
        size_t e = i;
        while (e < end && s[e] != '\n') e++;
        for (size_t k = 0; k < indent; k++)
            if (i + k >= e || s[i + k] != ' ')
                return err(p, base + i, 1,
                           "a line of a multiline string must be indented at least as much as the closing `\"\"\"`");
        size_t le = e;
        if (le > i + indent && s[le - 1] == '\r') le--;
        if (!first) weld_buf_byte(b, '\n');
        first = false;
        weld_status st = decode_str(p, s + i + indent, le - i - indent, base + i + indent, b);
        if (st) return st;
        i = e + 1;
    }
    return WELD_OK;
}

static weld_status parse_string(wp *p, const tok *t, const weld_tnode *type, weld_cval *out)
{
    if (t->k != TK_STRING && t->k != TK_MSTRING) return mismatch(p, t, type, NULL);
    weld_buf b;
    weld_buf_init(&b);
    weld_status st = t->k == TK_STRING ? decode_str(p, p->s + t->pos + 1, t->len - 2, t->pos + 1, &b)
                                       : decode_multiline(p, t, &b);
    if (!st) weld_buf_byte(&b, 0);
    if (!st && (b.oom || b.len - 1 > UINT32_MAX))
        st = weld_diag_set(p->d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    if (st) {
        weld_buf_free(&b);
        return st;
    }
    out->u.str.ptr = (char *)b.data;
    out->u.str.len = (uint32_t)(b.len - 1);
    return WELD_OK;
}

static weld_status nomem(wp *p) { return weld_diag_set(p->d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory"); }

/* After an element: `,` (then maybe the closer) or the closer. *done when closed. */
static weld_status sep(wp *p, tkind close, const char *what, bool *done)
{
    tok t;
    weld_status st = lex(p, &t);
    if (st) return st;
    if (t.k == close) {
        *done = true;
        return WELD_OK;
    }
    if (t.k != TK_COMMA)
        return err(p, t.pos, t.len, "expected `,` or `%c` %s, found %s",
                   close == TK_RBRACKET ? ']' : close == TK_RPAREN ? ')' : '}', what, tdescr(p, &t).s);
    if ((st = peek(p, &t))) return st;
    if (t.k == close) {
        lex(p, &t);
        *done = true;
    }
    return WELD_OK;
}

static weld_status parse_list(wp *p, const tok *t0, const weld_tnode *type, const weld_tnode *t, weld_cval *out)
{
    if (t0->k != TK_LBRACKET) return mismatch(p, t0, type, NULL);
    const weld_tnode *et = t->u.list.elem, *es = strip(et);
    uint32_t psz = packed_size(et);
    weld_buf bytes;
    weld_buf_init(&bytes);
    uint32_t cap = 0;
    weld_status st = WELD_OK;
    tok t1;
    bool done = false;
    if ((st = peek(p, &t1))) return st;
    if (t1.k == TK_RBRACKET) {
        lex(p, &t1);
        done = true;
    }
    while (!done) {
        if (out->u.list.count == UINT32_MAX) {
            st = nomem(p);
            break;
        }
        if (psz) {
            weld_cval e = {0};
            if ((st = parse_val(p, et, &e))) break;
            uint8_t le[8];
            store_le(le, number_bits(&e, es->u.prim), psz);
            weld_buf_append(&bytes, le, psz);
            if (bytes.oom) {
                st = nomem(p);
                break;
            }
        } else {
            if (out->u.list.count == cap) {
                uint32_t nc = cap ? cap * 2 : 4;
                weld_cval *ni = realloc(out->u.list.items, (size_t)nc * sizeof *ni);
                if (!ni) {
                    st = nomem(p);
                    break;
                }
                out->u.list.items = ni;
                cap = nc;
            }
            weld_cval *e = &out->u.list.items[out->u.list.count];
            memset(e, 0, sizeof *e);
            if ((st = parse_val(p, et, e))) break;
        }
        out->u.list.count++;
        if ((st = sep(p, TK_RBRACKET, "in a list", &done))) break;
    }
    if (!st && t->kind == WELD_TK_FIXED_LIST && out->u.list.count != t->u.list.len)
        st = err(p, t0->pos, p->pos - t0->pos, "expected %u elements for `%s`, found %u", t->u.list.len,
                 desc(type).s, out->u.list.count);
    if (psz && !st && bytes.len) {
        out->u.list.bytes = bytes.data;
        bytes.data = NULL;
    }
    weld_buf_free(&bytes);
    return st;
}

static weld_status parse_record(wp *p, const tok *t0, const weld_tnode *type, const weld_tnode *t, weld_cval *out)
{
    if (t0->k != TK_LBRACE) return mismatch(p, t0, type, NULL);
    uint32_t n = t->u.record.count;
    tok t1;
    weld_status st;
    if ((st = peek(p, &t1))) return st;
    if (t1.k == TK_RBRACE)
        return err(p, t0->pos, t1.pos + 1 - t0->pos,
                   "expected `%s`, found `{}` (empty flags); a record with every field left out is written `{:}`",
                   desc(type).s);
    if (!(out->u.list.items = calloc(n ? n : 1, sizeof(weld_cval)))) return nomem(p);
    out->u.list.count = n;
    bool *given = calloc(n ? n : 1, sizeof *given);
    if (!given) return nomem(p);
    if (t1.k == TK_COLON) {
        lex(p, &t1);
        st = expect(p, TK_RBRACE, "`}`", " after `{:`");
    } else {
        bool done = false;
        while (!done) {
            tok lt;
            if ((st = lex(p, &lt))) break;
            if (lt.k != TK_LABEL) {
                st = err(p, lt.pos, lt.len, "expected a field name of `%s`, found %s", desc(type).s, tdescr(p, &lt).s);
                break;
            }
            weld_str name = tok_label(p, &lt);
            uint32_t i = 0;
            while (i < n && !str_eq(t->u.record.fields[i].name, name)) i++;
            if (i == n) {
                st = err(p, lt.pos, lt.len, "`%s` has no field `%.*s`", desc(type).s, (int)name.len, name.ptr);
                break;
            }
            if (given[i]) {
                st = err(p, lt.pos, lt.len, "field `%.*s` is given twice", (int)name.len, name.ptr);
                break;
            }
            char ctx[160];
            snprintf(ctx, sizeof ctx, " after field name `%.*s`", (int)(name.len > 100 ? 100 : name.len), name.ptr);
            if ((st = expect(p, TK_COLON, "`:`", ctx))) break;
            given[i] = true;
            if ((st = parse_val(p, t->u.record.fields[i].type, &out->u.list.items[i]))) break;
            if ((st = sep(p, TK_RBRACE, "in a record", &done))) break;
        }
    }
    for (uint32_t i = 0; !st && i < n; i++) {
        if (given[i]) continue;
        const weld_tnode *ft = strip(t->u.record.fields[i].type);
        if (ft && ft->kind == WELD_TK_OPTION) {
            out->u.list.items[i].type = t->u.record.fields[i].type; /* none */
            continue;
        }
        st = err(p, t0->pos, p->pos - t0->pos, "missing field `%.*s` (of type `%s`) of `%s`",
                 (int)t->u.record.fields[i].name.len, t->u.record.fields[i].name.ptr,
                 desc(t->u.record.fields[i].type).s, desc(type).s);
    }
    free(given);
    return st;
}

static weld_status parse_tuple(wp *p, const tok *t0, const weld_tnode *type, const weld_tnode *t, weld_cval *out)
{
    if (t0->k != TK_LPAREN) return mismatch(p, t0, type, NULL);
    uint32_t n = t->u.tuple.count, k = 0;
    if (!(out->u.list.items = calloc(n ? n : 1, sizeof(weld_cval)))) return nomem(p);
    out->u.list.count = n;
    weld_status st;
    tok t1;
    bool done = false;
    if ((st = peek(p, &t1))) return st;
    if (t1.k == TK_RPAREN) lex(p, &t1), done = true;
    while (!done) {
        if (k == n) {
            if ((st = peek(p, &t1))) return st;
            return err(p, t1.pos, t1.len, "too many members for `%s` (it has %u)", desc(type).s, n);
        }
        if ((st = parse_val(p, t->u.tuple.types[k], &out->u.list.items[k]))) return st;
        k++;
        if ((st = sep(p, TK_RPAREN, "in a tuple", &done))) return st;
    }
    if (k != n)
        return err(p, t0->pos, p->pos - t0->pos, "expected %u members for `%s`, found %u", n, desc(type).s, k);
    return WELD_OK;
}

/* `(payload)` after a case label, or nothing; `ptype` NULL when the case has none. */
static weld_status parse_payload(wp *p, const tok *lt, const char *what, const weld_tnode *ptype, weld_cval *out)
{
    tok t;
    weld_status st;
    weld_str name = tok_label(p, lt);
    if ((st = peek(p, &t))) return st;
    if (t.k != TK_LPAREN) {
        if (ptype)
            return err(p, lt->pos, lt->len, "%s%s`%.*s` needs a payload of type `%s`: `%.*s(...)`", what ? what : "",
                       what ? " " : "", (int)name.len, name.ptr, desc(ptype).s, (int)name.len, name.ptr);
        return WELD_OK;
    }
    if (!ptype)
        return err(p, t.pos, 1, "%s%s`%.*s` has no payload", what ? what : "", what ? " " : "", (int)name.len, name.ptr);
    lex(p, &t);
    if (!(out->u.var.payload = calloc(1, sizeof(weld_cval)))) return nomem(p);
    if ((st = parse_val(p, ptype, out->u.var.payload))) return st;
    char ctx[160];
    snprintf(ctx, sizeof ctx, " to close the payload of `%.*s`", (int)(name.len > 100 ? 100 : name.len), name.ptr);
    return expect(p, TK_RPAREN, "`)`", ctx);
}

/* Find a case by label; a keyword without `%` is refused with a hint. */
static weld_status parse_case(wp *p, const tok *lt, const weld_tnode *type, const weld_str *names,
                              const weld_tfield *cases, uint32_t n, uint32_t *out)
{
    if (lt->k != TK_LABEL) return mismatch(p, lt, type, NULL);
    weld_str name = tok_label(p, lt);
    uint32_t i = 0;
    while (i < n && !str_eq(names ? names[i] : cases[i].name, name)) i++;
    if (tok_keyword(p, lt)) {
        char hint[128];
        snprintf(hint, sizeof hint, " (write `%%%.*s` for the case of that name)", (int)name.len, name.ptr);
        return mismatch(p, lt, type, i < n ? hint : NULL);
    }
    if (i == n) {
        if (p->flat && lt->pos == p->flat_pos) return mismatch(p, lt, type, NULL);
        return err(p, lt->pos, lt->len, "`%s` has no case `%.*s`", desc(type).s, (int)name.len, name.ptr);
    }
    *out = i;
    return WELD_OK;
}

/* The flat form of some(x) / ok(x): x itself, when x is not an option or result. */
static weld_status parse_flat(wp *p, const tok *t0, const weld_tnode *type, const weld_tnode *ptype, weld_cval *out)
{
    const weld_tnode *ps = strip(ptype);
    if (!ps || ps->kind == WELD_TK_OPTION || ps->kind == WELD_TK_RESULT) return mismatch(p, t0, type, NULL);
    if (!(out->u.var.payload = calloc(1, sizeof(weld_cval)))) return nomem(p);
    out->u.var.tag = 1 - (strip(type)->kind == WELD_TK_RESULT); /* option: some (1); result: ok (0) */
    const weld_tnode *sf = p->flat;
    size_t sp = p->flat_pos;
    if (!p->flat || p->flat_pos != t0->pos) p->flat = type, p->flat_pos = t0->pos;
    p->pos = t0->pos; /* read the token again as the payload's */
    p->depth--;
    weld_status st = parse_val(p, ptype, out->u.var.payload);
    p->depth++;
    p->flat = sf, p->flat_pos = sp;
    return st;
}

static weld_status parse_flags(wp *p, const tok *t0, const weld_tnode *type, const weld_tnode *t, weld_cval *out)
{
    if (t0->k != TK_LBRACE) return mismatch(p, t0, type, NULL);
    uint32_t n = t->u.labels.count;
    if (n > 32) return unsupported(p, t0->pos, "flags with more than 32 labels are not supported");
    tok t1;
    weld_status st;
    bool done = false;
    if ((st = peek(p, &t1))) return st;
    if (t1.k == TK_RBRACE) lex(p, &t1), done = true;
    while (!done) {
        if ((st = lex(p, &t1))) return st;
        if (t1.k != TK_LABEL)
            return err(p, t1.pos, t1.len, "expected a flag of `%s`, found %s", desc(type).s, tdescr(p, &t1).s);
        weld_str name = tok_label(p, &t1);
        uint32_t i = 0;
        while (i < n && !str_eq(t->u.labels.names[i], name)) i++;
        if (i == n) return err(p, t1.pos, t1.len, "`%s` has no flag `%.*s`", desc(type).s, (int)name.len, name.ptr);
        if (out->u.flags & (1u << i))
            return err(p, t1.pos, t1.len, "flag `%.*s` is given twice", (int)name.len, name.ptr);
        out->u.flags |= 1u << i;
        if ((st = sep(p, TK_RBRACE, "in flags", &done))) return st;
    }
    return WELD_OK;
}

static weld_status parse_val(wp *p, const weld_tnode *type, weld_cval *out)
{
    memset(out, 0, sizeof *out);
    const weld_tnode *t = strip(type);
    tok t0;
    weld_status st = lex(p, &t0);
    if (st) return st;
    if (!t) return unsupported(p, t0.pos, "no type for this value");
    if (p->depth >= WAVE_MAX_DEPTH) return err(p, t0.pos, t0.len, "values nest deeper than %d levels", WAVE_MAX_DEPTH);
    p->depth++;
    out->type = type;
    switch (t->kind) {
    case WELD_TK_PRIM:
        switch (t->u.prim) {
        case WELD_CV_BOOL:
            if (tok_is(p, &t0, "true")) out->u.b = true;
            else if (!tok_is(p, &t0, "false")) st = mismatch(p, &t0, type, NULL);
            break;
        case WELD_CV_F32:
        case WELD_CV_F64: st = parse_float(p, &t0, type, t->u.prim, out); break;
        case WELD_CV_CHAR: st = parse_char(p, &t0, type, out); break;
        case WELD_CV_STRING: st = parse_string(p, &t0, type, out); break;
        default:
            if (is_int_prim(t->u.prim)) st = parse_int(p, &t0, type, t->u.prim, out);
            else st = unsupported(p, t0.pos, "`%s` values have no WAVE syntax", prim_name(t->u.prim));
        }
        break;
    case WELD_TK_LIST:
    case WELD_TK_FIXED_LIST: st = parse_list(p, &t0, type, t, out); break;
    case WELD_TK_RECORD: st = parse_record(p, &t0, type, t, out); break;
    case WELD_TK_TUPLE: st = parse_tuple(p, &t0, type, t, out); break;
    case WELD_TK_FLAGS: st = parse_flags(p, &t0, type, t, out); break;
    case WELD_TK_VARIANT: {
        uint32_t i;
        if (!(st = parse_case(p, &t0, type, NULL, t->u.variant.cases, t->u.variant.count, &i))) {
            out->u.var.tag = i;
            st = parse_payload(p, &t0, "case", t->u.variant.cases[i].type, out);
        }
        break;
    }
    case WELD_TK_ENUM: {
        uint32_t i;
        if (!(st = parse_case(p, &t0, type, t->u.labels.names, NULL, t->u.labels.count, &i))) {
            out->u.var.tag = i;
            st = parse_payload(p, &t0, "enum case", NULL, out);
        }
        break;
    }
    case WELD_TK_OPTION:
        if (tok_is(p, &t0, "none")) st = parse_payload(p, &t0, NULL, NULL, out);
        else if (tok_is(p, &t0, "some")) {
            out->u.var.tag = 1;
            st = parse_payload(p, &t0, NULL, t->u.option, out);
        } else st = parse_flat(p, &t0, type, t->u.option, out);
        break;
    case WELD_TK_RESULT:
        if (tok_is(p, &t0, "ok")) st = parse_payload(p, &t0, NULL, t->u.result.ok, out);
        else if (tok_is(p, &t0, "err")) {
            out->u.var.tag = 1;
            st = parse_payload(p, &t0, NULL, t->u.result.err, out);
        } else st = parse_flat(p, &t0, type, t->u.result.ok, out);
        break;
    case WELD_TK_OWN:
    case WELD_TK_BORROW:
        st = unsupported(p, t0.pos, "`%s`: resource handles have no WAVE syntax and cannot be given as text",
                         desc(type).s);
        break;
    default: st = unsupported(p, t0.pos, "`%s` values have no WAVE syntax", desc(type).s); break;
    }
    p->depth--;
    if (st) {
        val_free(out);
        out->type = NULL;
    }
    return st;
}

static void wp_init(wp *p, const char *text, size_t len, weld_diag *d)
{
    memset(p, 0, sizeof *p);
    p->s = text ? text : "";
    p->len = text ? len : 0;
    p->d = d;
}

weld_status weld_wave_parse(const weld_tnode *type, const char *text, size_t len, weld_cval *out, weld_diag *d)
{
    wp p;
    wp_init(&p, text, len, d);
    memset(out, 0, sizeof *out);
    if (!type) return weld_diag_set(d, WELD_ERR_USAGE, WELD_NO_OFFSET, "weld_wave_parse: no type");
    weld_status st = parse_val(&p, type, out);
    if (st) return st;
    tok t;
    if ((st = lex(&p, &t)) || t.k != TK_EOF) {
        if (!st) st = err(&p, t.pos, t.len, "unexpected %s after the value", tdescr(&p, &t).s);
        val_free(out);
    }
    return st;
}

/* "(a: u32, b: string)" */
static void describe_params(weld_buf *b, const weld_tnode *ft)
{
    weld_buf_puts(b, "(");
    for (uint32_t i = 0; i < ft->u.func.nparams; i++) {
        if (i) weld_buf_puts(b, ", ");
        put_name(b, ft->u.func.params[i].name);
        weld_buf_puts(b, ": ");
        describe(b, ft->u.func.params[i].type, 1);
    }
    weld_buf_puts(b, ")");
}

static weld_status arg_count_error(wp *p, size_t pos, size_t span, const weld_tnode *ft, const char *what)
{
    weld_buf b;
    weld_buf_init(&b);
    describe_params(&b, ft);
    weld_buf_byte(&b, 0);
    uint32_t n = ft->u.func.nparams;
    weld_status st = err(p, pos, span, "%s: the function takes %u argument%s %s", what, n, n == 1 ? "" : "s",
                         b.oom ? "" : (const char *)b.data);
    weld_buf_free(&b);
    return st;
}

weld_status weld_wave_parse_args(const weld_tnode *ft, const char *text, size_t len, weld_cval *out, weld_diag *d)
{
    ft = strip(ft);
    if (!ft || ft->kind != WELD_TK_FUNC)
        return weld_diag_set(d, WELD_ERR_USAGE, WELD_NO_OFFSET, "weld_wave_parse_args: not a function type");
    uint32_t n = ft->u.func.nparams;
    for (uint32_t i = 0; i < n; i++) memset(&out[i], 0, sizeof out[i]);
    wp p;
    wp_init(&p, text, len, d);
    weld_status st = WELD_OK;
    bool ended = false;
    tok t;
    uint32_t i = 0;
    for (; i < n && !st; i++) {
        const weld_tfield *prm = &ft->u.func.params[i];
        if (!ended) {
            if ((st = peek(&p, &t))) break;
            if (t.k == TK_EOF) ended = true;
        }
        if (ended) { /* trailing option parameters may be left out */
            const weld_tnode *pt = strip(prm->type);
            if (pt && pt->kind == WELD_TK_OPTION) {
                out[i].type = prm->type;
                continue;
            }
            char what[480];
            snprintf(what, sizeof what, "missing argument `%.*s` (of type `%s`)", (int)(prm->name.len > 60 ? 60 : prm->name.len),
                     prm->name.ptr, desc(prm->type).s);
            st = arg_count_error(&p, p.len, 0, ft, what);
            break;
        }
        char prefix[128];
        snprintf(prefix, sizeof prefix, "argument `%.*s`: ", (int)(prm->name.len > 60 ? 60 : prm->name.len), prm->name.ptr);
        p.prefix = prefix;
        st = parse_val(&p, prm->type, &out[i]);
        if (!st && !(st = lex(&p, &t))) {
            if (t.k == TK_EOF) ended = true;
            else if (t.k != TK_COMMA)
                st = err(&p, t.pos, t.len, "expected `,` after the argument, found %s", tdescr(&p, &t).s);
        }
        p.prefix = NULL;
    }
    if (!st && !ended) {
        if (!(st = peek(&p, &t)) && t.k != TK_EOF) st = arg_count_error(&p, t.pos, t.len, ft, "too many arguments");
    }
    if (st)
        for (uint32_t k = 0; k < n; k++) val_free(&out[k]);
    return st;
}

weld_status weld_wave_split_call(const char *text, weld_str *name, weld_str *args, weld_diag *d)
{
    wp p;
    wp_init(&p, text, text ? strlen(text) : 0, d);
    const char *s = p.s;
    size_t n = p.len, i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    size_t ns = i;
    while (i < n && s[i] != '(' && s[i] != ')' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' &&
           s[i] != '"' && s[i] != '\'')
        i++;
    size_t ne = i;
    if (ne == ns) {
        return err(&p, i, 1, "expected a function name (`name(args)`), found %s",
                   i >= n ? "end of input" : s[i] == '(' ? "`(`" : "other text");
    }
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    name->ptr = s + ns;
    name->len = (uint32_t)(ne - ns);
    if (i >= n) { /* a bare name: no arguments */
        args->ptr = s + n;
        args->len = 0;
        return WELD_OK;
    }
    if (s[i] != '(')
        return err(&p, i, 1, "expected `(` after the function name `%.*s`", (int)(ne - ns > 100 ? 100 : ne - ns), s + ns);
    size_t open = i, close = n;
    while (close > open + 1 && (s[close - 1] == ' ' || s[close - 1] == '\t' || s[close - 1] == '\n' || s[close - 1] == '\r'))
        close--;
    if (close <= open + 1 || s[close - 1] != ')')
        return err(&p, close, 1, "expected `)` to close the arguments of `%.*s`", (int)(ne - ns > 100 ? 100 : ne - ns),
                   s + ns);
    args->ptr = s + open + 1;
    args->len = (uint32_t)(close - 1 - (open + 1));
    return WELD_OK;
}

/* ---- printer ----------------------------------------------------------------------- */

static void pr_char(weld_buf *b, uint32_t c, char quote)
{
    switch (c) {
    case '\\': weld_buf_puts(b, "\\\\"); return;
    case '\n': weld_buf_puts(b, "\\n"); return;
    case '\t': weld_buf_puts(b, "\\t"); return;
    case '\r': weld_buf_puts(b, "\\r"); return;
    default: break;
    }
    if (c == (uint32_t)quote) {
        weld_buf_byte(b, '\\');
        weld_buf_byte(b, (uint8_t)quote);
    } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029 || c == 0xfeff ||
               !is_scalar(c))
        weld_buf_printf(b, "\\u{%x}", c);
    else utf8_enc(b, c);
}

static void pr_label(weld_buf *b, weld_str s, bool keyword_escape)
{
    if (keyword_escape && is_keyword(s.ptr, s.len)) weld_buf_byte(b, '%');
    put_name(b, s);
}

static void pr_float(weld_buf *b, double x, bool f32)
{
    if (isnan(x)) {
        weld_buf_puts(b, "nan");
        return;
    }
    if (isinf(x)) {
        weld_buf_puts(b, x < 0 ? "-inf" : "inf");
        return;
    }
    /* the fewest significant digits that read back to x; positional notation for
     * exponents -5..20 (as JSON writers do), else d.ddde+XX */
    char s[400];
    int prec = 1;
    for (; prec < 17; prec++) {
        snprintf(s, sizeof s, "%.*e", prec - 1, x);
        if (f32 ? strtof(s, NULL) == (float)x : strtod(s, NULL) == x) break;
    }
    snprintf(s, sizeof s, "%.*e", prec - 1, x);
    char *e = strchr(s, 'e');
    int ex = e ? atoi(e + 1) : 0;
    if (!e || ex < -5 || ex > 20) {
        weld_buf_puts(b, s);
        return;
    }
    char dg[24];
    int nd = 0;
    for (const char *q = s; q < e; q++)
        if (is_digit(*q) && nd < (int)sizeof dg) dg[nd++] = *q;
    if (s[0] == '-') weld_buf_byte(b, '-');
    if (ex < 0) {
        weld_buf_puts(b, "0.");
        for (int k = 0; k < -ex - 1; k++) weld_buf_byte(b, '0');
        weld_buf_append(b, dg, (size_t)nd);
    } else if (nd <= ex + 1) {
        weld_buf_append(b, dg, (size_t)nd);
        for (int k = nd; k < ex + 1; k++) weld_buf_byte(b, '0');
    } else {
        weld_buf_append(b, dg, (size_t)ex + 1);
        weld_buf_byte(b, '.');
        weld_buf_append(b, dg + ex + 1, (size_t)(nd - ex - 1));
    }
}

static void pr(weld_buf *b, const weld_cval *v, const weld_tnode *type, int depth)
{
    const weld_tnode *t = strip(type);
    if (!t || depth > 1000) {
        weld_buf_puts(b, "#invalid");
        return;
    }
    uint32_t i;
    switch (t->kind) {
    case WELD_TK_PRIM:
        switch (t->u.prim) {
        case WELD_CV_BOOL: weld_buf_puts(b, v->u.b ? "true" : "false"); return;
        case WELD_CV_S8: case WELD_CV_S16: case WELD_CV_S32: case WELD_CV_S64:
            weld_buf_printf(b, "%lld", (long long)v->u.s);
            return;
        case WELD_CV_U8: case WELD_CV_U16: case WELD_CV_U32: case WELD_CV_U64:
            weld_buf_printf(b, "%llu", (unsigned long long)v->u.u);
            return;
        case WELD_CV_F32: pr_float(b, v->u.f32, true); return;
        case WELD_CV_F64: pr_float(b, v->u.f64, false); return;
        case WELD_CV_CHAR:
            weld_buf_byte(b, '\'');
            pr_char(b, v->u.c, '\'');
            weld_buf_byte(b, '\'');
            return;
        case WELD_CV_STRING: {
            weld_buf_byte(b, '"');
            const char *s = v->u.str.ptr;
            size_t n = s ? v->u.str.len : 0, k = 0;
            while (k < n) {
                uint32_t cp;
                size_t l = utf8_dec(s + k, n - k, &cp);
                if (!l) cp = 0xfffd, l = 1; /* not UTF-8: the replacement character */
                pr_char(b, cp, '"');
                k += l;
            }
            weld_buf_byte(b, '"');
            return;
        }
        default: weld_buf_printf(b, "#%s", prim_name(t->u.prim)); return;
        }
    case WELD_TK_LIST:
    case WELD_TK_FIXED_LIST: {
        uint32_t psz = packed_size(t->u.list.elem);
        const weld_tnode *es = strip(t->u.list.elem);
        weld_buf_byte(b, '[');
        for (i = 0; i < v->u.list.count; i++) {
            if (i) weld_buf_puts(b, ", ");
            if (psz && v->u.list.bytes) {
                weld_cval e = {0};
                number_from_bits(&e, es->u.prim, load_le((const uint8_t *)v->u.list.bytes + (size_t)i * psz, psz), psz);
                pr(b, &e, t->u.list.elem, depth + 1);
            } else if (v->u.list.items) pr(b, &v->u.list.items[i], t->u.list.elem, depth + 1);
        }
        weld_buf_byte(b, ']');
        return;
    }
    case WELD_TK_RECORD: {
        bool any = false;
        weld_buf_byte(b, '{');
        for (i = 0; i < t->u.record.count && v->u.list.items && i < v->u.list.count; i++) {
            const weld_tnode *ft = strip(t->u.record.fields[i].type);
            const weld_cval *fv = &v->u.list.items[i];
            if (ft && ft->kind == WELD_TK_OPTION && fv->u.var.tag == 0) continue;
            if (any) weld_buf_puts(b, ", ");
            any = true;
            pr_label(b, t->u.record.fields[i].name, false);
            weld_buf_puts(b, ": ");
            pr(b, fv, t->u.record.fields[i].type, depth + 1);
        }
        if (!any) weld_buf_byte(b, ':');
        weld_buf_byte(b, '}');
        return;
    }
    case WELD_TK_TUPLE:
        weld_buf_byte(b, '(');
        for (i = 0; i < t->u.tuple.count && v->u.list.items && i < v->u.list.count; i++) {
            if (i) weld_buf_puts(b, ", ");
            pr(b, &v->u.list.items[i], t->u.tuple.types[i], depth + 1);
        }
        weld_buf_byte(b, ')');
        return;
    case WELD_TK_VARIANT:
        if (v->u.var.tag >= t->u.variant.count) {
            weld_buf_printf(b, "#invalid-case-%u", v->u.var.tag);
            return;
        }
        pr_label(b, t->u.variant.cases[v->u.var.tag].name, true);
        if (t->u.variant.cases[v->u.var.tag].type) {
            weld_buf_byte(b, '(');
            if (v->u.var.payload) pr(b, v->u.var.payload, t->u.variant.cases[v->u.var.tag].type, depth + 1);
            weld_buf_byte(b, ')');
        }
        return;
    case WELD_TK_ENUM:
        if (v->u.var.tag >= t->u.labels.count) {
            weld_buf_printf(b, "#invalid-case-%u", v->u.var.tag);
            return;
        }
        pr_label(b, t->u.labels.names[v->u.var.tag], true);
        return;
    case WELD_TK_OPTION:
        if (!v->u.var.tag) {
            weld_buf_puts(b, "none");
            return;
        }
        weld_buf_puts(b, "some(");
        if (v->u.var.payload) pr(b, v->u.var.payload, t->u.option, depth + 1);
        weld_buf_byte(b, ')');
        return;
    case WELD_TK_RESULT: {
        const weld_tnode *pt = v->u.var.tag ? t->u.result.err : t->u.result.ok;
        weld_buf_puts(b, v->u.var.tag ? "err" : "ok");
        if (pt) {
            weld_buf_byte(b, '(');
            if (v->u.var.payload) pr(b, v->u.var.payload, pt, depth + 1);
            weld_buf_byte(b, ')');
        }
        return;
    }
    case WELD_TK_FLAGS: {
        bool any = false;
        weld_buf_byte(b, '{');
        for (i = 0; i < t->u.labels.count && i < 32; i++) {
            if (!(v->u.flags & (1u << i))) continue;
            if (any) weld_buf_puts(b, ", ");
            any = true;
            pr_label(b, t->u.labels.names[i], false);
        }
        weld_buf_byte(b, '}');
        return;
    }
    case WELD_TK_OWN:
    case WELD_TK_BORROW: {
        const weld_tnode *r = t->u.handle;
        weld_buf_byte(b, '#');
        if (v->u.res.rt && *weld_crt_resource_type_name(v->u.res.rt)) weld_buf_puts(b, weld_crt_resource_type_name(v->u.res.rt));
        else if (r && r->kind == WELD_TK_RESOURCE && r->u.resource.name.len) put_name(b, r->u.resource.name);
        else weld_buf_puts(b, "resource");
        weld_buf_printf(b, "<%u>", v->u.res.rep);
        return;
    }
    default: weld_buf_printf(b, "#%s", weld_tkind_name(t->kind)); return;
    }
}

char *weld_wave_print(const weld_cval *v, const weld_tnode *type)
{
    weld_buf b;
    weld_buf_init(&b);
    pr(&b, v, type, 0);
    weld_buf_byte(&b, 0);
    if (b.oom) {
        weld_buf_free(&b);
        return NULL;
    }
    return (char *)b.data;
}
