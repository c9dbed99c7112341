/* text_int.h - internal to src/text: the WAT/WAST lexer, numeric literals and strings,
 * shared by the module parser (parse_core.c) and the script parser (wast.c). */
#ifndef WELD_TEXT_INT_H
#define WELD_TEXT_INT_H

#include "base/base.h"
#include "weld/text.h"
#include <stdio.h>

typedef enum tok_kind {
    TK_EOF,
    TK_LPAR,
    TK_RPAR,
    TK_KEYWORD,  /* idchars starting with a lowercase letter */
    TK_ID,       /* $name */
    TK_NUM,      /* idchars starting with a digit, '+' or '-' (numbers and reserved words) */
    TK_STRING,   /* "..." (p/len include the quotes) */
    TK_RESERVED  /* anything else made of idchars */
} tok_kind;

typedef struct tok {
    uint8_t kind;
    uint32_t len;
    const char *p;
    uint32_t line, col;
} tok;

typedef struct lexer {
    const char *src, *end;
    const char *p;
    uint32_t line;
    const char *line_start;
    tok *toks;
    size_t ntoks, cap;
} lexer;

/* Tokenize [src, src+len) (positions start at line:col given); the tokens end with TK_EOF.
 * On a lexical error fills d and returns WELD_ERR_SYNTAX. */
weld_status text_lex(lexer *lx, const char *src, size_t len, uint32_t line, uint32_t col,
                     weld_diag *d);
void text_lex_free(lexer *lx);

/* Set a syntax error at token t. */
weld_status text_err(weld_diag *d, const tok *t, const char *fmt, ...) WELD_PRINTF(3, 4);

bool tok_is(const tok *t, const char *kw);

/* Numbers: false when the token is not a number of that kind or is out of range. */
bool text_u32(const tok *t, uint32_t *out);
bool text_u64(const tok *t, uint64_t *out);
/* An integer literal of `bits` bits (signed or unsigned range), as its bits. */
bool text_int(const tok *t, unsigned bits, uint64_t *out);
bool text_f32(const tok *t, uint32_t *out);
bool text_f64(const tok *t, uint64_t *out);

/* Decode a string token's escapes into b; false with *why set on a bad escape. */
bool text_string(const tok *t, weld_buf *b, const char **why);
bool text_utf8_valid(const uint8_t *s, size_t n);

/* The opcode named `name` (for "select", the untyped one); -1 if none. */
typedef struct op_index {
    uint16_t *sorted;  /* opcodes sorted by name */
    unsigned n;
} op_index;
bool text_op_index_init(op_index *ix);
void text_op_index_free(op_index *ix);
int text_op_lookup(const op_index *ix, const char *name, size_t len);

/* Parse one module's fields from tokens [*pos ...): either "(module $id? field*)" or bare
 * fields up to TK_EOF. Used by weld_parse_wat and the script parser. */
weld_status text_parse_module(weld_arena *arena, const tok *toks, size_t ntoks, size_t *pos,
                              bool wrapped, bool names, weld_module **out, weld_diag *d);

#endif
