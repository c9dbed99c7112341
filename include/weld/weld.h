/* weld.h - the umbrella header of libweld: status codes, diagnostics, arenas.
 *
 * Conventions that hold for the whole library:
 *  - No function prints or exits. Every fallible function returns a weld_status and,
 *    on failure, fills the weld_diag its caller passed (which may be NULL).
 *  - Every tree the library builds (a module, a component, a WIT resolve, ...) is owned
 *    by one weld_arena; freeing the arena frees the tree.
 *  - No global mutable state: two threads may use the library on distinct objects.
 */
#ifndef WELD_WELD_H
#define WELD_WELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WELD_VERSION "0.1.0"

typedef enum weld_status {
    WELD_OK = 0,
    WELD_ERR_IO,          /* a file could not be read or written */
    WELD_ERR_NOMEM,       /* an allocation failed */
    WELD_ERR_MALFORMED,   /* binary input does not follow the binary format */
    WELD_ERR_INVALID,     /* well-formed input breaks a validation rule */
    WELD_ERR_SYNTAX,      /* text input (WIT, WAT, YAML) does not parse */
    WELD_ERR_UNSUPPORTED, /* recognised but not supported by weld (named in the message) */
    WELD_ERR_LINK,        /* imports cannot be satisfied */
    WELD_ERR_TRAP,        /* a WebAssembly trap */
    WELD_ERR_USAGE,       /* an API misuse or a bad argument */
    WELD_ERR_EXCEPTION    /* a WebAssembly exception was thrown and not caught */
} weld_status;

/* Where a diagnostic points: a byte offset into a binary, or a line:col into text. */
#define WELD_NO_OFFSET UINT64_MAX

typedef struct weld_diag {
    weld_status status;
    char file[256];      /* the input's name as the caller gave it ("" if none) */
    uint64_t offset;     /* byte offset in a binary input, or WELD_NO_OFFSET */
    uint32_t line, col;  /* 1-based position in a text input; 0 when not text */
    uint32_t span;       /* length of the offending text span (for a caret line), 0 if unknown */
    char message[1024];  /* what was found and what was expected */
} weld_diag;

/* Initialise a diagnostic for an input named `file` (may be NULL). */
void weld_diag_init(weld_diag *d, const char *file);

/* Render "FILE: offset 0x1a3: MESSAGE" or "FILE:LINE:COL: MESSAGE" into buf. */
size_t weld_diag_format(const weld_diag *d, char *buf, size_t cap);

/* A short, stable name of a status ("malformed", "invalid", ...). */
const char *weld_status_name(weld_status s);

/* ---- arenas --------------------------------------------------------------------- */

typedef struct weld_arena weld_arena;

weld_arena *weld_arena_new(void);
void weld_arena_free(weld_arena *a);
/* Zeroed memory, aligned for any type; NULL on exhaustion. */
void *weld_arena_alloc(weld_arena *a, size_t size);
/* A NUL-terminated copy of n bytes. */
char *weld_arena_strndup(weld_arena *a, const char *s, size_t n);
/* Bytes handed out so far (for statistics and benchmarks). */
size_t weld_arena_used(const weld_arena *a);

/* ---- byte strings ----------------------------------------------------------------- */

/* A name or byte string that may contain NUL; `ptr` is also NUL-terminated. */
typedef struct weld_str {
    const char *ptr;
    uint32_t len;
} weld_str;

/* ---- files ------------------------------------------------------------------------ */

/* Read a whole file into a malloc'd buffer (free with free()). */
weld_status weld_file_read(const char *path, uint8_t **data, size_t *len, weld_diag *d);
/* Write atomically: to a temporary file beside `path`, then rename over it. */
weld_status weld_file_write_atomic(const char *path, const void *data, size_t len, weld_diag *d);

#ifdef __cplusplus
}
#endif
#endif
