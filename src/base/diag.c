/* diag.c - filling and rendering diagnostics. */
#include "base.h"
#include <stdio.h>

void weld_diag_init(weld_diag *d, const char *file)
{
    memset(d, 0, sizeof *d);
    d->offset = WELD_NO_OFFSET;
    if (file) snprintf(d->file, sizeof d->file, "%s", file);
}

weld_status weld_diag_vset(weld_diag *d, weld_status st, uint64_t offset, const char *fmt,
                           va_list ap)
{
    if (!d) return st;
    d->status = st;
    d->offset = offset;
    d->line = d->col = d->span = 0;
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    return st;
}

weld_status weld_diag_set(weld_diag *d, weld_status st, uint64_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    weld_diag_vset(d, st, offset, fmt, ap);
    va_end(ap);
    return st;
}

weld_status weld_diag_set_text(weld_diag *d, weld_status st, uint32_t line, uint32_t col,
                               uint32_t span, const char *fmt, ...)
{
    if (!d) return st;
    va_list ap;
    va_start(ap, fmt);
    weld_diag_vset(d, st, WELD_NO_OFFSET, fmt, ap);
    va_end(ap);
    d->line = line;
    d->col = col;
    d->span = span;
    return st;
}

size_t weld_diag_format(const weld_diag *d, char *buf, size_t cap)
{
    int n;
    const char *file = d->file[0] ? d->file : "<input>";
    if (d->line)
        n = snprintf(buf, cap, "%s:%u:%u: %s", file, d->line, d->col, d->message);
    else if (d->offset != WELD_NO_OFFSET)
        n = snprintf(buf, cap, "%s: offset 0x%llx: %s", file, (unsigned long long)d->offset,
                     d->message);
    else
        n = snprintf(buf, cap, "%s: %s", file, d->message);
    return n < 0 ? 0 : (size_t)n;
}

const char *weld_status_name(weld_status s)
{
    switch (s) {
    case WELD_OK: return "ok";
    case WELD_ERR_IO: return "i/o error";
    case WELD_ERR_NOMEM: return "out of memory";
    case WELD_ERR_MALFORMED: return "malformed";
    case WELD_ERR_INVALID: return "invalid";
    case WELD_ERR_SYNTAX: return "syntax error";
    case WELD_ERR_UNSUPPORTED: return "unsupported";
    case WELD_ERR_LINK: return "link error";
    case WELD_ERR_TRAP: return "trap";
    case WELD_ERR_USAGE: return "usage error";
    case WELD_ERR_EXCEPTION: return "uncaught exception";
    }
    return "unknown";
}
