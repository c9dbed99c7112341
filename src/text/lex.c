/* lex.c - the WebAssembly text format's tokens, numeric literals and strings. */
#include "text_int.h"
#include "weld/insn.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>

static bool idchar(unsigned char c)
{
    if (c <= ' ' || c >= 0x7f) return false;
    switch (c) {
    case '"': case ',': case ';': case '(': case ')': case '[': case ']': case '{': case '}':
        return false;
    default:
        return true;
    }
}

weld_status text_err(weld_diag *d, const tok *t, const char *fmt, ...)
{
    char msg[sizeof d->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!d) return WELD_ERR_SYNTAX;
    return weld_diag_set_text(d, WELD_ERR_SYNTAX, t->line, t->col, t->kind == TK_EOF ? 1 : t->len,
                              "%s", msg);
}

static weld_status lex_err(lexer *lx, const char *at, weld_diag *d, const char *what)
{
    if (!d) return WELD_ERR_SYNTAX;
    return weld_diag_set_text(d, WELD_ERR_SYNTAX, lx->line, (uint32_t)(at - lx->line_start) + 1, 1,
                              "%s", what);
}

static bool push(lexer *lx, uint8_t kind, const char *p, size_t len, uint32_t line, uint32_t col)
{
    if (lx->ntoks == lx->cap) {
        size_t nc = lx->cap ? lx->cap * 2 : 1024;
        tok *n = realloc(lx->toks, nc * sizeof *n);
        if (!n) return false;
        lx->toks = n;
        lx->cap = nc;
    }
    lx->toks[lx->ntoks++] = (tok){kind, (uint32_t)len, p, line, col};
    return true;
}

weld_status text_lex(lexer *lx, const char *src, size_t len, uint32_t line, uint32_t col,
                     weld_diag *d)
{
    memset(lx, 0, sizeof *lx);
    lx->src = lx->p = src;
    lx->end = src + len;
    lx->line = line ? line : 1;
    lx->line_start = src - (col ? col - 1 : 0);
    const char *p = src, *end = lx->end;
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c == '\n') {
            lx->line++;
            lx->line_start = ++p;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r') {
            p++;
            continue;
        }
        uint32_t tcol = (uint32_t)(p - lx->line_start) + 1;
        if (c == ';' && p + 1 < end && p[1] == ';') {
            while (p < end && *p != '\n') p++;
            continue;
        }
        if (c == '(' && p + 1 < end && p[1] == ';') {
            const char *start = p, *start_ls = lx->line_start;
            uint32_t start_line = lx->line;
            int depth = 1;
            p += 2;
            while (depth && p < end) {
                if (*p == '\n') {
                    lx->line++;
                    lx->line_start = ++p;
                } else if (*p == '(' && p + 1 < end && p[1] == ';') {
                    depth++;
                    p += 2;
                } else if (*p == ';' && p + 1 < end && p[1] == ')') {
                    depth--;
                    p += 2;
                } else p++;
            }
            if (depth) {
                lx->line = start_line;
                lx->line_start = start_ls;
                return lex_err(lx, start, d, "unclosed block comment (expected ';)')");
            }
            continue;
        }
        if (c == '(' || c == ')') {
            if (!push(lx, c == '(' ? TK_LPAR : TK_RPAR, p, 1, lx->line, tcol)) goto oom;
            p++;
            continue;
        }
        if (c == '"') {
            const char *start = p++;
            while (p < end && *p != '"') {
                if (*p == '\n') return lex_err(lx, start, d, "unterminated string (expected '\"' before the end of the line)");
                if (*p == '\\' && p + 1 < end) p++;
                p++;
            }
            if (p >= end) return lex_err(lx, start, d, "unterminated string (expected '\"')");
            p++;
            if (p < end && (idchar((unsigned char)*p) || *p == '"'))
                return lex_err(lx, p, d, "unknown operator: a string runs into other characters (expected a space or a parenthesis)");
            if (!push(lx, TK_STRING, start, (size_t)(p - start), lx->line, tcol)) goto oom;
            continue;
        }
        if (idchar(c)) {
            const char *start = p;
            while (p < end && idchar((unsigned char)*p)) p++;
            uint8_t kind = c == '$' ? TK_ID
                         : (c >= 'a' && c <= 'z') ? TK_KEYWORD
                         : ((c >= '0' && c <= '9') || c == '+' || c == '-') ? TK_NUM
                                                                            : TK_RESERVED;
            if (kind == TK_ID && p - start == 1) kind = TK_RESERVED;
            if (p < end && *p == '"')
                return lex_err(lx, p, d, "unknown operator: a token runs into a string (expected a space or a parenthesis)");
            if (!push(lx, kind, start, (size_t)(p - start), lx->line, tcol)) goto oom;
            continue;
        }
        return lex_err(lx, p, d, c < 0x80 ? "unexpected character" : "unexpected non-ASCII character outside a string or comment");
    }
    if (!push(lx, TK_EOF, p, 0, lx->line, (uint32_t)(p - lx->line_start) + 1)) goto oom;
    return WELD_OK;
oom:
    return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while tokenizing");
}

void text_lex_free(lexer *lx)
{
    free(lx->toks);
    lx->toks = NULL;
    lx->ntoks = lx->cap = 0;
}

bool tok_is(const tok *t, const char *kw)
{
    size_t n = strlen(kw);
    return t->kind == TK_KEYWORD && t->len == n && memcmp(t->p, kw, n) == 0;
}

/* ---- numbers ---------------------------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Digits with single underscores between them: value into *v (false on overflow of u64 or
 * bad form). */
static bool digits(const char *p, const char *e, bool hex, uint64_t *v)
{
    uint64_t x = 0;
    bool last_digit = false, any = false;
    for (; p < e; p++) {
        if (*p == '_') {
            if (!last_digit) return false;
            last_digit = false;
            continue;
        }
        int dv = hex ? hexval(*p) : (*p >= '0' && *p <= '9' ? *p - '0' : -1);
        if (dv < 0) return false;
        unsigned base = hex ? 16 : 10;
        if (x > (UINT64_MAX - (uint64_t)dv) / base) return false;
        x = x * base + (uint64_t)dv;
        last_digit = any = true;
    }
    if (!any || !last_digit) return false;
    *v = x;
    return true;
}

static bool parse_uint(const char *p, const char *e, uint64_t *v)
{
    if (e - p > 2 && p[0] == '0' && p[1] == 'x') return digits(p + 2, e, true, v);
    return digits(p, e, false, v);
}

bool text_u64(const tok *t, uint64_t *out)
{
    if (t->kind != TK_NUM || t->p[0] == '+' || t->p[0] == '-') return false;
    return parse_uint(t->p, t->p + t->len, out);
}

bool text_u32(const tok *t, uint32_t *out)
{
    uint64_t v;
    if (!text_u64(t, &v) || v > UINT32_MAX) return false;
    *out = (uint32_t)v;
    return true;
}

bool text_int(const tok *t, unsigned bits, uint64_t *out)
{
    if (t->kind != TK_NUM) return false;
    const char *p = t->p, *e = t->p + t->len;
    bool neg = false, sign = false;
    if (*p == '+' || *p == '-') {
        neg = *p == '-';
        sign = true;
        p++;
    }
    uint64_t v;
    if (!parse_uint(p, e, &v)) return false;
    uint64_t umax = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
    uint64_t smax_neg = (uint64_t)1 << (bits - 1); /* magnitude of the most negative */
    if (neg) {
        if (v > smax_neg) return false;
        v = (uint64_t)0 - v;
    } else if (sign) {
        if (v > smax_neg - 1) return false;
    } else if (v > umax) return false;
    if (bits < 64) v &= umax;
    *out = v;
    return true;
}

/* Copy the float literal without underscores into buf, checking their placement; the
 * literal's sign and body are split. Returns false on a malformed form. */
static bool float_clean(const char *p, const char *e, char *buf, size_t cap, bool *hex)
{
    size_t n = 0;
    bool prev_digit = false;
    *hex = e - p > 2 && p[0] == '0' && p[1] == 'x';
    const char *q = p;
    if (*hex) {
        buf[n++] = '0';
        buf[n++] = 'x';
        q += 2;
    }
    bool seen_digit = false, seen_dot = false, seen_exp = false, exp_digit = false;
    for (; q < e; q++) {
        char c = *q;
        if (n + 2 >= cap) return false;
        if (c == '_') {
            if (!prev_digit || q + 1 >= e) return false;
            int nv = *hex && !seen_exp ? hexval(q[1]) : (q[1] >= '0' && q[1] <= '9' ? 0 : -1);
            if (nv < 0) return false;
            prev_digit = false;
            continue;
        }
        bool isd = *hex && !seen_exp ? hexval(c) >= 0 : (c >= '0' && c <= '9');
        if (isd) {
            prev_digit = true;
            if (seen_exp) exp_digit = true;
            else seen_digit = true;
        } else if (c == '.' && !seen_dot && !seen_exp) {
            if (!seen_digit) return false;
            seen_dot = true;
            prev_digit = false;
        } else if ((*hex ? (c == 'p' || c == 'P') : (c == 'e' || c == 'E')) && !seen_exp) {
            if (!seen_digit) return false;
            seen_exp = true;
            prev_digit = false;
            if (q + 1 < e && (q[1] == '+' || q[1] == '-')) {
                buf[n++] = c;
                c = *++q;
            }
        } else return false;
        buf[n++] = c;
    }
    if (!seen_digit || (seen_exp && !exp_digit)) return false;
    buf[n] = 0;
    return true;
}

/* A float literal: *kind 0 number (value in *d or *f), 1 inf, 2 nan, 3 nan:0xN. */
static bool float_parts(const tok *t, bool *neg, const char **body, const char **e)
{
    if (t->kind != TK_NUM && t->kind != TK_KEYWORD) return false;
    const char *p = t->p;
    *e = t->p + t->len;
    *neg = false;
    if (*p == '+' || *p == '-') {
        *neg = *p == '-';
        p++;
    }
    *body = p;
    return p < *e;
}

static bool float_bits(const tok *t, bool is32, uint64_t *out)
{
    bool neg;
    const char *p, *e;
    if (!float_parts(t, &neg, &p, &e)) return false;
    unsigned mbits = is32 ? 23 : 52;
    uint64_t sign = neg ? (uint64_t)1 << (is32 ? 31 : 63) : 0;
    uint64_t expmask = is32 ? 0x7f800000ull : 0x7ff0000000000000ull;
    size_t n = (size_t)(e - p);
    if (n == 3 && !memcmp(p, "inf", 3)) {
        *out = sign | expmask;
        return true;
    }
    if (n == 3 && !memcmp(p, "nan", 3)) {
        *out = sign | expmask | ((uint64_t)1 << (mbits - 1));
        return true;
    }
    if (n > 6 && !memcmp(p, "nan:0x", 6)) {
        uint64_t pl;
        if (!digits(p + 6, e, true, &pl) || pl == 0 || pl >= ((uint64_t)1 << mbits)) return false;
        *out = sign | expmask | pl;
        return true;
    }
    if (!(*p >= '0' && *p <= '9')) return false;
    char buf[512];
    bool hex;
    if (!float_clean(p, e, buf, sizeof buf, &hex)) return false;
    errno = 0;
    if (is32) {
        float f = strtof(buf, NULL);
        if (isinf(f)) return false;
        uint32_t b;
        memcpy(&b, &f, 4);
        *out = sign | b;
    } else {
        double f = strtod(buf, NULL);
        if (isinf(f)) return false;
        uint64_t b;
        memcpy(&b, &f, 8);
        *out = sign | b;
    }
    return true;
}

bool text_f32(const tok *t, uint32_t *out)
{
    uint64_t v;
    if (!float_bits(t, true, &v)) return false;
    *out = (uint32_t)v;
    return true;
}

bool text_f64(const tok *t, uint64_t *out)
{
    return float_bits(t, false, out);
}

/* ---- strings ---------------------------------------------------------------------- */

static void put_utf8(weld_buf *b, uint32_t c)
{
    if (c < 0x80) weld_buf_byte(b, (uint8_t)c);
    else if (c < 0x800) {
        weld_buf_byte(b, (uint8_t)(0xC0 | (c >> 6)));
        weld_buf_byte(b, (uint8_t)(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        weld_buf_byte(b, (uint8_t)(0xE0 | (c >> 12)));
        weld_buf_byte(b, (uint8_t)(0x80 | ((c >> 6) & 0x3F)));
        weld_buf_byte(b, (uint8_t)(0x80 | (c & 0x3F)));
    } else {
        weld_buf_byte(b, (uint8_t)(0xF0 | (c >> 18)));
        weld_buf_byte(b, (uint8_t)(0x80 | ((c >> 12) & 0x3F)));
        weld_buf_byte(b, (uint8_t)(0x80 | ((c >> 6) & 0x3F)));
        weld_buf_byte(b, (uint8_t)(0x80 | (c & 0x3F)));
    }
}

bool text_string(const tok *t, weld_buf *b, const char **why)
{
    const char *p = t->p + 1, *e = t->p + t->len - 1;
    while (p < e) {
        unsigned char c = (unsigned char)*p++;
        if (c != '\\') {
            if (c < 0x20 || c == 0x7f) {
                *why = "control character in a string (expected an escape)";
                return false;
            }
            weld_buf_byte(b, c);
            continue;
        }
        if (p >= e) {
            *why = "unterminated escape";
            return false;
        }
        c = (unsigned char)*p++;
        switch (c) {
        case 't': weld_buf_byte(b, '\t'); break;
        case 'n': weld_buf_byte(b, '\n'); break;
        case 'r': weld_buf_byte(b, '\r'); break;
        case '"': weld_buf_byte(b, '"'); break;
        case '\'': weld_buf_byte(b, '\''); break;
        case '\\': weld_buf_byte(b, '\\'); break;
        case 'u': {
            if (p >= e || *p != '{') {
                *why = "malformed \\u escape (expected \\u{HEX})";
                return false;
            }
            const char *q = ++p;
            while (q < e && *q != '}') q++;
            uint64_t v;
            if (q >= e || !digits(p, q, true, &v) || v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) {
                *why = "malformed \\u escape (expected \\u{HEX} naming a Unicode scalar value)";
                return false;
            }
            put_utf8(b, (uint32_t)v);
            p = q + 1;
            break;
        }
        default: {
            int h = hexval((char)c), l = p < e ? hexval(*p) : -1;
            if (h < 0 || l < 0) {
                *why = "unknown escape in a string (expected \\t \\n \\r \\\" \\' \\\\ \\HH or \\u{HEX})";
                return false;
            }
            p++;
            weld_buf_byte(b, (uint8_t)(h * 16 + l));
        }
        }
    }
    return true;
}

bool text_utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        unsigned len;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
        else return false;
        if (i + len > n) return false;
        for (unsigned k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp < 0xE000))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return false;
        i += len;
    }
    return true;
}

/* ---- instruction names ------------------------------------------------------------ */

static int cmp_name(const char *a, size_t an, const char *b)
{
    size_t bn = strlen(b);
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c) return c;
    return an < bn ? -1 : an > bn;
}

bool text_op_index_init(op_index *ix)
{
    ix->n = 0;
    ix->sorted = malloc(WELD_OP_COUNT * sizeof *ix->sorted);
    if (!ix->sorted) return false;
    /* insertion sort by name (the table is a few hundred entries, mostly in order) */
    for (unsigned op = 0; op < WELD_OP_COUNT; op++) {
        if (op == WELD_OP_SELECT_T) continue; /* "select" names the untyped form */
        const char *nm = weld_opinfos[op].name;
        unsigned i = ix->n++;
        while (i > 0 && strcmp(weld_opinfos[ix->sorted[i - 1]].name, nm) > 0) {
            ix->sorted[i] = ix->sorted[i - 1];
            i--;
        }
        ix->sorted[i] = (uint16_t)op;
    }
    return true;
}

void text_op_index_free(op_index *ix)
{
    free(ix->sorted);
    ix->sorted = NULL;
}

int text_op_lookup(const op_index *ix, const char *name, size_t len)
{
    unsigned lo = 0, hi = ix->n;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        int c = cmp_name(name, len, weld_opinfos[ix->sorted[mid]].name);
        if (!c) return ix->sorted[mid];
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return -1;
}
