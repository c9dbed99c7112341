/* base.h - internal helpers every layer of libweld shares: growable buffers,
 * LEB128, diagnostics with printf formatting. Not part of the public API. */
#ifndef WELD_BASE_H
#define WELD_BASE_H

#include "weld/weld.h"
#include <stdarg.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define WELD_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define WELD_LIKELY(x) __builtin_expect(!!(x), 1)
#define WELD_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define WELD_PRINTF(f, a)
#define WELD_LIKELY(x) (x)
#define WELD_UNLIKELY(x) (x)
#endif

/* Fill d (if non-NULL) with status, byte offset and a formatted message; returns status. */
weld_status weld_diag_set(weld_diag *d, weld_status st, uint64_t offset, const char *fmt, ...)
    WELD_PRINTF(4, 5);
/* Same, for text inputs: a 1-based line and column and the span length. */
weld_status weld_diag_set_text(weld_diag *d, weld_status st, uint32_t line, uint32_t col,
                               uint32_t span, const char *fmt, ...) WELD_PRINTF(6, 7);
weld_status weld_diag_vset(weld_diag *d, weld_status st, uint64_t offset, const char *fmt,
                           va_list ap);

/* ---- growable byte buffer (heap, not arena: the writer's output) ------------------ */

typedef struct weld_buf {
    uint8_t *data;
    size_t len, cap;
    bool oom; /* set once an allocation failed; later appends are ignored */
} weld_buf;

void weld_buf_init(weld_buf *b);
void weld_buf_free(weld_buf *b);
bool weld_buf_reserve(weld_buf *b, size_t extra);
void weld_buf_append(weld_buf *b, const void *p, size_t n);
void weld_buf_byte(weld_buf *b, uint8_t v);
void weld_buf_u32leb(weld_buf *b, uint32_t v);
void weld_buf_u64leb(weld_buf *b, uint64_t v);
void weld_buf_s32leb(weld_buf *b, int32_t v);
void weld_buf_s64leb(weld_buf *b, int64_t v);
/* Appends a length-prefixed (u32 LEB) string. */
void weld_buf_name(weld_buf *b, const char *s, size_t n);
void weld_buf_printf(weld_buf *b, const char *fmt, ...) WELD_PRINTF(2, 3);
void weld_buf_puts(weld_buf *b, const char *s);
/* Leaves room for a section/body size: returns the position of the size; after writing the
 * contents call weld_buf_patch_size(b, pos) which inserts the minimal LEB128 of the size. */
size_t weld_buf_size_begin(weld_buf *b);
void weld_buf_size_end(weld_buf *b, size_t pos);

/* ---- LEB128 decoding ----------------------------------------------------------------
 * All decoders take [*p, end) and advance *p. They return false on truncation, on an
 * over-long encoding (more bytes than the type allows) or on unused bits that are not a
 * sign extension (the spec's "integer representation too long" / "integer too large"). */

static inline bool weld_leb_u32(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
    const uint8_t *q = *p;
    if (WELD_LIKELY(q < end && !(q[0] & 0x80))) { /* one byte: the common case */
        *out = q[0];
        *p = q + 1;
        return true;
    }
    uint32_t result = 0;
    for (unsigned shift = 0; shift < 35; shift += 7) {
        if (q >= end) return false;
        uint8_t byte = *q++;
        if (shift == 28 && (byte & 0x70)) return false; /* integer too large / too long */
        result |= (uint32_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *out = result;
            *p = q;
            return true;
        }
    }
    return false;
}

static inline bool weld_leb_u64(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    const uint8_t *q = *p;
    uint64_t result = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (q >= end) return false;
        uint8_t byte = *q++;
        if (shift == 63 && (byte & 0x7e)) return false;
        result |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *out = result;
            *p = q;
            return true;
        }
    }
    return false;
}

static inline bool weld_leb_s32(const uint8_t **p, const uint8_t *end, int32_t *out)
{
    const uint8_t *q = *p;
    uint32_t result = 0;
    for (unsigned shift = 0; shift < 35; shift += 7) {
        if (q >= end) return false;
        uint8_t byte = *q++;
        if (shift == 28) {
            /* 4 payload bits used; the remaining 3 must extend the sign bit (bit 3) */
            uint8_t rest = byte & 0x70, sign = byte & 0x08;
            if (byte & 0x80) return false;
            if (sign ? rest != 0x70 : rest != 0) return false;
        }
        result |= (uint32_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            if (shift < 25 && (byte & 0x40)) result |= ~(uint32_t)0 << (shift + 7);
            *out = (int32_t)result;
            *p = q;
            return true;
        }
    }
    return false;
}

static inline bool weld_leb_s64(const uint8_t **p, const uint8_t *end, int64_t *out)
{
    const uint8_t *q = *p;
    uint64_t result = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (q >= end) return false;
        uint8_t byte = *q++;
        if (shift == 63) {
            /* one payload bit; the other 6 must extend it */
            if (byte & 0x80) return false;
            uint8_t v = byte & 0x7f;
            if (v != 0 && v != 0x7f) return false;
        }
        result |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            if (shift < 57 && (byte & 0x40)) result |= ~(uint64_t)0 << (shift + 7);
            *out = (int64_t)result;
            *p = q;
            return true;
        }
    }
    return false;
}

/* The signed 33-bit block type immediate: returns it in an int64_t. */
static inline bool weld_leb_s33(const uint8_t **p, const uint8_t *end, int64_t *out)
{
    const uint8_t *q = *p;
    uint64_t result = 0;
    for (unsigned shift = 0; shift < 35; shift += 7) {
        if (q >= end) return false;
        uint8_t byte = *q++;
        if (shift == 28) {
            /* 5 payload bits (bits 28..32); bits 5,6 must extend bit 4 */
            if (byte & 0x80) return false;
            uint8_t rest = byte & 0x60, sign = byte & 0x10;
            if (sign ? rest != 0x60 : rest != 0) return false;
        }
        result |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            if (shift < 57 && (byte & 0x40)) result |= ~(uint64_t)0 << (shift + 7);
            *out = (int64_t)result;
            *p = q;
            return true;
        }
    }
    return false;
}

/* Number of bytes the minimal unsigned LEB128 encoding of v takes. */
static inline unsigned weld_leb_u64_size(uint64_t v)
{
    unsigned n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

#endif
