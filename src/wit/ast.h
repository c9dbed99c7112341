/* ast.h - internal to src/wit: tokens, the syntax tree of WIT files, and the source map
 * that turns a global byte offset into file:line:col. */
#ifndef WELD_WIT_AST_H
#define WELD_WIT_AST_H

#include "base/base.h"
#include "weld/wit.h"

/* ---- sources: every parsed text gets a base offset; spans are global offsets ---- */
typedef struct wit_source {
    const char *name, *text;
    uint32_t len, base;
} wit_source;

typedef struct wit_srcmap {
    weld_arena *arena;
    wit_source *v;
    uint32_t n, cap, next_base;
} wit_srcmap;

/* Register a text; returns its base offset (UINT32_MAX on exhaustion). */
uint32_t wit_srcmap_add(wit_srcmap *m, const char *name, const char *text, uint32_t len);
/* Fill d with a syntax/semantic error at global offset `at` spanning `span` bytes. */
weld_status wit_error(const wit_srcmap *m, weld_diag *d, weld_status st, uint32_t at,
                      uint32_t span, const char *fmt, ...) WELD_PRINTF(6, 7);
const wit_source *wit_srcmap_find(const wit_srcmap *m, uint32_t at);

/* ---- tokens ---- */
typedef enum wit_tok {
    TK_EOF, TK_ID, TK_EXPLICIT_ID, TK_INT, TK_STRING,
    TK_EQ, TK_COMMA, TK_COLON, TK_PERIOD, TK_SEMI, TK_LPAREN, TK_RPAREN, TK_LBRACE,
    TK_RBRACE, TK_LT, TK_GT, TK_ARROW, TK_STAR, TK_AT, TK_SLASH, TK_PLUS, TK_MINUS,
    TK_OTHER, /* a punctuation character WIT does not use (`[`, `]`, `!`, ...) */
    /* keywords, in the order of wit_keywords[] */
    TK_KW_FIRST,
    TK_USE = TK_KW_FIRST, TK_TYPE, TK_FUNC, TK_U8, TK_U16, TK_U32, TK_U64, TK_S8, TK_S16,
    TK_S32, TK_S64, TK_F32, TK_F64, TK_CHAR, TK_RESOURCE, TK_OWN, TK_BORROW, TK_RECORD,
    TK_FLAGS, TK_VARIANT, TK_ENUM, TK_BOOL, TK_STRING_KW, TK_OPTION, TK_RESULT, TK_FUTURE,
    TK_STREAM, TK_ERROR_CONTEXT, TK_LIST, TK_MAP, TK_UNDERSCORE, TK_AS, TK_FROM, TK_STATIC,
    TK_INTERFACE, TK_TUPLE, TK_WORLD, TK_IMPORT, TK_EXPORT, TK_PACKAGE, TK_CONSTRUCTOR,
    TK_INCLUDE, TK_WITH, TK_ASYNC,
    TK_KW_END
} wit_tok;

/* "keyword `use`", "`,`", "an identifier": how errors name a token kind. */
const char *wit_tok_desc(wit_tok t);
/* Is `s` (n bytes) a WIT keyword? (printing escapes those with `%`) */
bool wit_is_keyword(const char *s, size_t n);

typedef struct wit_lexer {
    const char *src;
    uint32_t len, pos, base; /* base: the global offset of src[0] */
    /* the current token */
    wit_tok tok;
    uint32_t start, end;      /* local offsets of the current token */
    uint32_t trivia;          /* local offset where the comments before it start */
    const wit_srcmap *map;
    weld_diag *d;
    bool failed;
} wit_lexer;

void wit_lex_init(wit_lexer *l, const wit_srcmap *m, const wit_source *s, weld_diag *d);
/* Advance to the next token; false (diag filled) on a lexical error. */
bool wit_lex_next(wit_lexer *l);

/* ---- syntax tree ---- */
typedef struct wit_id {
    const char *name; /* arena copy, `%` stripped */
    uint32_t span;    /* global offset */
    uint32_t len;     /* length in the source (including `%`) */
} wit_id;

typedef struct wit_docs {
    const char *text; /* processed doc text, NULL when none */
} wit_docs;

typedef enum { ATTR_SINCE, ATTR_UNSTABLE, ATTR_DEPRECATED } wit_attr_kind;
typedef struct wit_attr {
    wit_attr_kind kind;
    const char *value;
    uint32_t span, len;
} wit_attr;
typedef struct wit_attrs {
    wit_attr *v;
    uint32_t n;
} wit_attrs;

typedef enum wit_tkind {
    AT_PRIM, AT_NAME, AT_LIST, AT_FIXED_LIST, AT_MAP, AT_OPTION, AT_RESULT, AT_TUPLE,
    AT_FUTURE, AT_STREAM, AT_OWN, AT_BORROW, AT_RECORD, AT_VARIANT, AT_ENUM, AT_FLAGS,
    AT_RESOURCE
} wit_tkind;

struct wit_type;
typedef struct wit_field {
    wit_id name;
    wit_docs docs;
    struct wit_type *type; /* NULL when absent */
} wit_field;

typedef struct wit_func {
    bool is_async;
    uint32_t nparams;
    wit_field *params;
    struct wit_type *result; /* NULL when none */
    uint32_t span;
} wit_func;

typedef enum { RF_METHOD, RF_STATIC, RF_CONSTRUCTOR } wit_rf_kind;
typedef struct wit_rfunc {
    wit_rf_kind kind;
    wit_id name;
    wit_docs docs;
    wit_attrs attrs;
    wit_func func;
} wit_rfunc;

typedef struct wit_type {
    wit_tkind kind;
    uint32_t span, len;
    weld_wit_tref prim;
    wit_id name;                /* AT_NAME, AT_OWN, AT_BORROW */
    struct wit_type *a, *b;     /* element, payload, ok/err, key/value */
    uint32_t n;                 /* fixed list length */
    uint32_t nfields;
    wit_field *fields;          /* record, variant, enum, flags, tuple (name empty) */
    uint32_t nfuncs;
    wit_rfunc *funcs;           /* resource */
} wit_type;

typedef struct wit_typedef {
    wit_id name;
    wit_docs docs;
    wit_attrs attrs;
    wit_type *type; /* AT_RECORD.. AT_RESOURCE for declarations, anything for `type x = T` */
    bool alias;
} wit_typedef;

typedef struct wit_usepath {
    bool is_pkg;
    wit_id ns, pkg;       /* package form */
    const char *version;  /* NULL when none */
    wit_id name;          /* interface/world */
    uint32_t span, len;   /* the whole path */
} wit_usepath;

typedef struct wit_usename {
    wit_id name, as;
    bool has_as;
} wit_usename;

typedef struct wit_use {
    wit_attrs attrs;
    wit_usepath path;
    uint32_t nnames;
    wit_usename *names;
    /* top-level `use path as x;` */
    wit_id as;
    bool has_as;
    uint32_t span;
} wit_use;

typedef enum { II_USE, II_TYPE, II_FUNC } wit_ii_kind;
typedef struct wit_iitem {
    wit_ii_kind kind;
    wit_use use;
    wit_typedef td;
    struct {
        wit_id name;
        wit_docs docs;
        wit_attrs attrs;
        wit_func func;
    } fn;
} wit_iitem;

typedef struct wit_iface {
    wit_id name;
    wit_docs docs;
    wit_attrs attrs;
    uint32_t nitems;
    wit_iitem *items;
} wit_iface;

typedef enum { EK_INTERFACE, EK_PATH, EK_NAMED_PATH, EK_FUNC } wit_ek;
typedef enum { WI_USE, WI_TYPE, WI_IMPORT, WI_EXPORT, WI_INCLUDE } wit_wi_kind;
typedef struct wit_with {
    wit_id from, to;
} wit_with;
typedef struct wit_witem {
    wit_wi_kind kind;
    wit_use use;
    wit_typedef td;
    /* import/export */
    wit_docs docs;
    wit_attrs attrs;
    wit_ek ek;
    wit_id name;       /* EK_INTERFACE, EK_NAMED_PATH, EK_FUNC */
    wit_usepath path;  /* EK_PATH, EK_NAMED_PATH, include */
    wit_iface inline_iface;
    wit_func func;
    uint32_t span;
    /* include */
    uint32_t nwith;
    wit_with *with;
} wit_witem;

typedef struct wit_world {
    wit_id name;
    wit_docs docs;
    wit_attrs attrs;
    uint32_t nitems;
    wit_witem *items;
} wit_world;

struct wit_file;
typedef enum { TI_INTERFACE, TI_WORLD, TI_USE, TI_PACKAGE } wit_ti_kind;
typedef struct wit_titem {
    wit_ti_kind kind;
    wit_iface iface;
    wit_world world;
    wit_use use;
    struct wit_file *pkg; /* nested `package a:b { ... }` */
} wit_titem;

typedef struct wit_pkgname {
    wit_id ns, name;
    const char *version;
    uint32_t span, len;
} wit_pkgname;

typedef struct wit_file {
    bool has_pkg;
    wit_pkgname pkg;
    wit_docs pkg_docs;
    uint32_t pkg_docs_span;
    uint32_t nitems;
    wit_titem *items;
} wit_file;

/* Parse one source into a file tree (arena-owned). */
weld_status wit_parse(weld_arena *a, const wit_srcmap *m, const wit_source *s, wit_file **out,
                      weld_diag *d);

/* ---- semantic versions ---- */
/* Validate a semver string; false when malformed. */
bool wit_semver_valid(const char *s, size_t n);
/* <0, 0, >0 like strcmp, by semver precedence. */
int wit_semver_cmp(const char *a, const char *b);

/* Grow an arena-owned array `*v` of `*n` elements of `size` bytes (capacity `*cap`) by one;
 * returns the new (zeroed) element or NULL. */
void *wit_vec_push(weld_arena *a, void **v, uint32_t *n, uint32_t *cap, size_t size);
#define WIT_PUSH(a, v, n, cap) ((__typeof__(*(v)) *)wit_vec_push((a), (void **)&(v), &(n), &(cap), sizeof *(v)))

#endif
