/* buf.c - growable heap byte buffers and LEB128 encoding. */
#include "base.h"
#include <stdio.h>
#include <stdlib.h>

void weld_buf_init(weld_buf *b)
{
    memset(b, 0, sizeof *b);
}

void weld_buf_free(weld_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

bool weld_buf_reserve(weld_buf *b, size_t extra)
{
    if (b->oom) return false;
    if (b->cap - b->len >= extra) return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra) {
        if (cap > SIZE_MAX / 2) {
            b->oom = true;
            return false;
        }
        cap *= 2;
    }
    uint8_t *p = realloc(b->data, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void weld_buf_append(weld_buf *b, const void *p, size_t n)
{
    if (!n || !weld_buf_reserve(b, n)) return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void weld_buf_byte(weld_buf *b, uint8_t v)
{
    if (!weld_buf_reserve(b, 1)) return;
    b->data[b->len++] = v;
}

void weld_buf_u64leb(weld_buf *b, uint64_t v)
{
    if (!weld_buf_reserve(b, 10)) return;
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        if (v) byte |= 0x80;
        b->data[b->len++] = byte;
    } while (v);
}

void weld_buf_u32leb(weld_buf *b, uint32_t v)
{
    weld_buf_u64leb(b, v);
}

void weld_buf_s64leb(weld_buf *b, int64_t v)
{
    if (!weld_buf_reserve(b, 10)) return;
    for (;;) {
        uint8_t byte = (uint8_t)(v & 0x7f);
        /* arithmetic shift of a negative value is implementation-defined; do it by hand */
        v = v >= 0 ? v >> 7 : ~(~v >> 7);
        bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
        if (!done) byte |= 0x80;
        b->data[b->len++] = byte;
        if (done) break;
    }
}

void weld_buf_s32leb(weld_buf *b, int32_t v)
{
    weld_buf_s64leb(b, v);
}

void weld_buf_name(weld_buf *b, const char *s, size_t n)
{
    weld_buf_u32leb(b, (uint32_t)n);
    weld_buf_append(b, s, n);
}

void weld_buf_puts(weld_buf *b, const char *s)
{
    weld_buf_append(b, s, strlen(s));
}

void weld_buf_printf(weld_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        weld_buf_append(b, small, (size_t)n);
        return;
    }
    if (!weld_buf_reserve(b, (size_t)n + 1)) return;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

size_t weld_buf_size_begin(weld_buf *b)
{
    return b->len;
}

void weld_buf_size_end(weld_buf *b, size_t pos)
{
    if (b->oom) return;
    size_t size = b->len - pos;
    unsigned n = weld_leb_u64_size(size);
    if (!weld_buf_reserve(b, n)) return;
    memmove(b->data + pos + n, b->data + pos, size);
    uint64_t v = size;
    for (unsigned i = 0; i < n; i++) {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        if (i + 1 < n) byte |= 0x80;
        b->data[pos + i] = byte;
    }
    b->len += n;
}
