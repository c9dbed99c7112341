/* p2_io.c - wasi:io for the WASI 0.2 host: errors, pollables (waiting on several at once
 * with poll(2) and the monotonic clock) and streams over stdio host descriptors and
 * connected TCP sockets (read and write, readiness by poll(2)), files (pread/pwrite at the
 * stream's position) and memory buffers (HTTP bodies: read from the start, appended to). */
#include "wasi/p2_int.h"
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHUNK (1u << 20) /* the most one read returns / check-write permits */

uint64_t p2_mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}
#define mono_ns p2_mono_ns

/* ---- memory buffers ------------------------------------------------------------------------ */

p2_membuf *p2_membuf_new(void)
{
    p2_membuf *m = calloc(1, sizeof *m);
    if (m) m->refs = 1;
    return m;
}

void p2_membuf_unref(p2_membuf *m)
{
    if (!m || --m->refs) return;
    free(m->data);
    free(m);
}

/* Append (p, len) to m; 0 or ENOMEM. */
static int membuf_append(p2_membuf *m, const uint8_t *p, size_t len)
{
    if (len > m->cap - m->len) {
        size_t cap = m->cap ? m->cap : 256;
        while (cap - m->len < len) {
            if (cap > SIZE_MAX / 2) return ENOMEM;
            cap *= 2;
        }
        uint8_t *d = realloc(m->data, cap);
        if (!d) return ENOMEM;
        m->data = d;
        m->cap = cap;
    }
    if (len) memcpy(m->data + m->len, p, len);
    m->len += len;
    return 0;
}

uint32_t p2_stream_mem(weld_wasi2 *w, p2_kind k, p2_membuf *m)
{
    uint32_t rep = p2_new(w, k);
    if (!rep) return 0;
    p2_obj *o = p2_get(w, rep, k);
    o->sub = S_MEM;
    o->mem = m;
    m->refs++;
    return rep;
}

/* ---- errors ------------------------------------------------------------------------------ */

weld_status p2_stream_fail(weld_wasi2 *w, weld_crt_host_call *call, weld_cval *res, int e, bool sock)
{
    uint32_t rep = p2_new(w, P2_ERR);
    if (!rep) return p2_trap(call, "wasi: out of memory");
    p2_obj *o = p2_get(w, rep, P2_ERR);
    o->msg = strdup(strerror(e));
    o->code = (int32_t)p2_code_errno(e);
    if (sock) o->net_code = (int32_t)p2_net_code(e);
    weld_cval err = p2_own(w, P2_ERR, rep), se;
    if (!o->msg || !p2_var(&se, 0, &err) || !p2_var(res, 1, &se)) return p2_trap(call, "wasi: out of memory");
    return WELD_OK;
}

static weld_status closed_err(weld_crt_host_call *call, weld_cval *res)
{
    weld_cval se = p2_enum(1);
    return p2_var(res, 1, &se) ? WELD_OK : p2_trap(call, "wasi: out of memory");
}

static weld_status err_to_debug_string(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                       weld_cval *res)
{
    weld_wasi2 *w = ctx;
    P2_SELF(o, a[0], P2_ERR);
    const char *m = o->msg ? o->msg : "error";
    return p2_str(res, m, strlen(m)) ? WELD_OK : p2_trap(call, "wasi: out of memory");
}

/* ---- pollables ------------------------------------------------------------------------ */

uint32_t p2_poll_new(weld_wasi2 *w, int sub, int fd, uint64_t deadline)
{
    uint32_t rep = p2_new(w, P2_POLL);
    if (!rep) return 0;
    p2_obj *o = p2_get(w, rep, P2_POLL);
    o->sub = (uint8_t)(fd < 0 && sub != PL_TIMER ? PL_READY : sub);
    o->fd = fd;
    o->deadline = deadline;
    return rep;
}

uint32_t p2_poll_ready(weld_wasi2 *w) { return p2_poll_new(w, PL_READY, -1, 0); }

/* Wait until at least one of the pollables is ready (block: wait at all); ready[i] set
 * for each ready one. Returns false when a pollable is unknown or out of memory. */
static bool wait_any(weld_wasi2 *w, const uint32_t *reps, uint32_t n, bool block, bool *ready)
{
    struct pollfd small[8], *fds = n <= 8 ? small : malloc(n * sizeof *fds);
    if (!fds) return false;
    bool ok = true;
    for (;;) {
        uint64_t now = mono_ns(), next = UINT64_MAX;
        uint32_t nfds = 0, nready = 0;
        for (uint32_t i = 0; i < n; i++) {
            p2_obj *o = p2_get(w, reps[i], P2_POLL);
            if (!o) {
                ok = false;
                goto done;
            }
            ready[i] = false;
            if (o->sub == PL_READY) ready[i] = true;
            else if (o->sub == PL_TIMER) {
                if (o->deadline <= now) ready[i] = true;
                else if (o->deadline < next) next = o->deadline;
            } else {
                fds[nfds].fd = o->fd;
                fds[nfds].events = o->sub == PL_FD_IN ? POLLIN : POLLOUT;
                fds[nfds].revents = 0;
                nfds++;
            }
            nready += ready[i];
        }
        int timeout = -1;
        if (nready || !block) timeout = 0;
        else if (next != UINT64_MAX) {
            uint64_t ms = (next - now + 999999) / 1000000;
            timeout = ms > 3600000 ? 3600000 : (int)ms;
        }
        if (nfds || timeout > 0) {
            int k = poll(fds, nfds, timeout);
            if (k < 0 && errno != EINTR) {
                for (uint32_t j = 0; j < nfds; j++) fds[j].revents = POLLERR; /* report them ready */
            }
        }
        now = mono_ns();
        uint32_t j = 0;
        for (uint32_t i = 0; i < n; i++) {
            p2_obj *o = p2_get(w, reps[i], P2_POLL);
            if (o->sub == PL_FD_IN || o->sub == PL_FD_OUT) {
                if (fds[j++].revents) ready[i] = true;
            } else if (o->sub == PL_TIMER && o->deadline <= now) ready[i] = true;
            nready += ready[i];
        }
        if (nready || !block) break;
    }
done:
    if (fds != small) free(fds);
    return ok;
}

static weld_status pollable_ready(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                  weld_cval *res)
{
    weld_wasi2 *w = ctx;
    bool r = false;
    uint32_t rep = a[0].u.res.rep;
    if (!wait_any(w, &rep, 1, false, &r)) return p2_trap(call, "wasi: unknown pollable");
    memset(res, 0, sizeof *res);
    res->u.b = r;
    return WELD_OK;
}

static weld_status pollable_block(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                  weld_cval *res)
{
    weld_wasi2 *w = ctx;
    bool r = false;
    uint32_t rep = a[0].u.res.rep;
    if (!wait_any(w, &rep, 1, true, &r)) return p2_trap(call, "wasi: unknown pollable");
    return WELD_OK;
}

static weld_status poll_poll(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                             weld_cval *res)
{
    weld_wasi2 *w = ctx;
    uint32_t cnt = a[0].u.list.count;
    if (cnt == 0) return p2_trap(call, "wasi:io/poll poll: the list of pollables is empty");
    uint32_t *reps = malloc(cnt * sizeof *reps);
    bool *ready = malloc(cnt * sizeof *ready);
    uint8_t *out = malloc((size_t)cnt * 4);
    if (!reps || !ready || !out) {
        free(reps);
        free(ready);
        free(out);
        return p2_trap(call, "wasi: out of memory");
    }
    for (uint32_t i = 0; i < cnt; i++) reps[i] = a[0].u.list.items[i].u.res.rep;
    bool ok = wait_any(w, reps, cnt, true, ready);
    uint32_t k = 0;
    for (uint32_t i = 0; ok && i < cnt; i++)
        if (ready[i]) {
            for (int b = 0; b < 4; b++) out[4 * k + (uint32_t)b] = (uint8_t)(i >> (8 * b));
            k++;
        }
    free(reps);
    free(ready);
    if (!ok) {
        free(out);
        return p2_trap(call, "wasi: unknown pollable");
    }
    memset(res, 0, sizeof *res);
    res->u.list.bytes = out;
    res->u.list.count = k;
    return WELD_OK;
}

/* ---- streams ------------------------------------------------------------------------------ */

uint32_t p2_stream_new(weld_wasi2 *w, p2_kind k, int sub, int fd, bool own_fd, uint64_t off, bool append)
{
    uint32_t rep = p2_new(w, k);
    if (!rep) {
        if (own_fd && fd >= 0) close(fd);
        return 0;
    }
    p2_obj *o = p2_get(w, rep, k);
    o->sub = (uint8_t)(fd < 0 ? S_NONE : sub);
    o->fd = fd;
    o->own_fd = own_fd;
    o->off = off;
    o->append = append;
    return rep;
}

/* Read up to len bytes of input stream `rep` into a malloc'd buffer (*buf, *got).
 * Returns 0, -1 when the stream is closed (end of data), or a host errno. */
static int stream_read(weld_wasi2 *w, uint32_t rep, uint64_t len, bool block, uint8_t **buf, size_t *got)
{
    p2_obj *s = p2_get(w, rep, P2_IN);
    *buf = NULL;
    *got = 0;
    if (s->closed || s->sub == S_NONE) return -1;
    if (s->sub == S_MEM) {
        if (s->off >= s->mem->len) {
            s->closed = true;
            return -1;
        }
        if (len == 0) return 0;
        size_t left = s->mem->len - (size_t)s->off, k = len < left ? (size_t)len : left;
        if (k > MAX_CHUNK) k = MAX_CHUNK;
        if (!(*buf = malloc(k))) return ENOMEM;
        memcpy(*buf, s->mem->data + s->off, k);
        s->off += k;
        *got = k;
        return 0;
    }
    if (len == 0) return 0;
    size_t n = len > MAX_CHUNK ? MAX_CHUNK : (size_t)len;
    if ((s->sub == S_PIPE || s->sub == S_SOCK) && !block) {
        struct pollfd p = {s->fd, POLLIN, 0};
        if (poll(&p, 1, 0) == 0) return 0;
    }
    if (!(*buf = malloc(n))) return ENOMEM;
    ssize_t k;
    do {
        k = s->sub == S_FILE ? pread(s->fd, *buf, n, (off_t)s->off) : read(s->fd, *buf, n);
    } while (k < 0 && errno == EINTR);
    if (k < 0 && errno == EAGAIN && block) {
        struct pollfd p = {s->fd, POLLIN, 0};
        while (k < 0 && errno == EAGAIN) {
            poll(&p, 1, -1);
            k = read(s->fd, *buf, n);
        }
    }
    int e = errno;
    if (k <= 0) {
        free(*buf);
        *buf = NULL;
        if (k < 0 && e == EAGAIN) return 0;
        if (k < 0) return e;
        s->closed = true;
        return -1;
    }
    s->off += (uint64_t)k;
    *got = (size_t)k;
    return 0;
}

static weld_status in_read_common(weld_wasi2 *w, weld_crt_host_call *call, const weld_cval *a, weld_cval *res,
                                  bool block, bool skip)
{
    P2_SELF(s, a[0], P2_IN);
    (void)s;
    uint8_t *buf;
    size_t got;
    int e = stream_read(w, a[0].u.res.rep, a[1].u.u, block, &buf, &got);
    if (e == -1) return closed_err(call, res);
    if (e) {
        p2_obj *s2 = p2_get(w, a[0].u.res.rep, P2_IN);
        s2->closed = true;
        return p2_stream_fail(w, call, res, e, s2->sub == S_SOCK);
    }
    weld_cval v;
    memset(&v, 0, sizeof v);
    if (skip) {
        free(buf);
        v.u.u = got;
    } else {
        v.u.list.bytes = buf;
        v.u.list.count = (uint32_t)got;
    }
    if (!p2_var(res, 0, &v)) {
        free(buf);
        return p2_trap(call, "wasi: out of memory");
    }
    return WELD_OK;
}

static weld_status in_read(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    return in_read_common(ctx, call, a, res, false, false);
}
static weld_status in_blocking_read(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                    weld_cval *res)
{
    return in_read_common(ctx, call, a, res, true, false);
}
static weld_status in_skip(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    return in_read_common(ctx, call, a, res, false, true);
}
static weld_status in_blocking_skip(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                    weld_cval *res)
{
    return in_read_common(ctx, call, a, res, true, true);
}

static weld_status subscribe(weld_wasi2 *w, weld_crt_host_call *call, const weld_cval *a, weld_cval *res,
                             p2_kind k)
{
    P2_SELF(s, a[0], k);
    int sub = s->sub == S_PIPE || s->sub == S_SOCK ? (k == P2_IN ? PL_FD_IN : PL_FD_OUT) : PL_READY;
    uint32_t rep = p2_poll_new(w, sub, sub == PL_READY ? -1 : s->fd, 0);
    if (!rep) return p2_trap(call, "wasi: out of memory");
    *res = p2_own(w, P2_POLL, rep);
    return WELD_OK;
}
static weld_status in_subscribe(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                weld_cval *res)
{
    return subscribe(ctx, call, a, res, P2_IN);
}
static weld_status out_subscribe(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                 weld_cval *res)
{
    return subscribe(ctx, call, a, res, P2_OUT);
}

/* A socket's output stream never blocks in write: what the socket does not take at once
 * waits in the stream's buffer (data, count bytes, pos sent), and check-write grants
 * nothing until it has gone. Send the buffer (block: until all is sent); 0 or an errno. */
int p2_sock_drain(p2_obj *s, int timeout_ms)
{
    uint8_t *buf = s->data;
    while (s->pos < s->count) {
        ssize_t k = send(s->fd, buf + s->pos, s->count - s->pos, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) return errno;
            if (timeout_ms == 0) return 0;
            struct pollfd pf = {s->fd, POLLOUT, 0};
            if (poll(&pf, 1, timeout_ms) == 0) return ETIMEDOUT;
            continue;
        }
        s->pos += (uint32_t)k;
    }
    free(s->data);
    s->data = NULL;
    s->count = s->pos = 0;
    return 0;
}

/* Queue (p, len) on a socket's output stream and send what the socket takes now. */
static int sock_write(p2_obj *s, const uint8_t *p, size_t len)
{
    int e = p2_sock_drain(s, 0);
    if (e) return e;
    if (!s->count)
        while (len) { /* nothing waits: straight to the socket */
            ssize_t k = send(s->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL); /* EPIPE, not SIGPIPE */
            if (k < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                return errno;
            }
            p += k;
            len -= (size_t)k;
        }
    if (!len) return 0;
    if (len > UINT32_MAX - s->count) return ENOBUFS;
    uint8_t *buf = realloc(s->data, s->count + len);
    if (!buf) return ENOMEM;
    memcpy(buf + s->count, p, len);
    s->data = buf;
    s->count += (uint32_t)len;
    return 0;
}

/* Write all of (p, len) to output stream s; 0 or a host errno. */
static int write_all(p2_obj *s, const uint8_t *p, size_t len)
{
    if (s->sub == S_NONE) return 0;
    if (s->sub == S_SOCK) return sock_write(s, p, len);
    if (s->sub == S_MEM) return s->mem->finished ? EPIPE : membuf_append(s->mem, p, len);
    if (s->sub == S_FILE && s->append) {
        struct stat st;
        if (fstat(s->fd, &st) < 0) return errno;
        s->off = (uint64_t)st.st_size;
    }
    while (len) {
        ssize_t k = s->sub == S_FILE ? pwrite(s->fd, p, len, (off_t)s->off) : write(s->fd, p, len);
        if (k < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                struct pollfd pf = {s->fd, POLLOUT, 0};
                poll(&pf, 1, -1);
                continue;
            }
            return errno;
        }
        p += k;
        len -= (size_t)k;
        s->off += (uint64_t)k;
    }
    return 0;
}

/* A failed write or flush of s: the stream is closed, the error reported. */
static weld_status out_fail(weld_wasi2 *w, weld_crt_host_call *call, weld_cval *res, p2_obj *s, int e)
{
    s->closed = true;
    return p2_stream_fail(w, call, res, e, s->sub == S_SOCK);
}

static weld_status out_check_write(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                   weld_cval *res)
{
    weld_wasi2 *w = ctx;
    P2_SELF(s, a[0], P2_OUT);
    if (s->closed) return closed_err(call, res);
    weld_cval v = p2_u(MAX_CHUNK);
    if (s->sub == S_SOCK) { /* nothing while earlier bytes wait or the socket takes none */
        int e = p2_sock_drain(s, 0);
        if (e) return out_fail(w, call, res, s, e);
        struct pollfd p = {s->fd, POLLOUT, 0};
        if (s->count || poll(&p, 1, 0) == 0) v = p2_u(0);
    }
    return p2_ok(call, res, &v);
}

/* Write, and for the blocking-...-and-flush functions wait until a socket took it all. */
static weld_status out_write_bytes(weld_wasi2 *w, weld_crt_host_call *call, uint32_t rep, const uint8_t *p,
                                   size_t len, weld_cval *res, bool flush)
{
    p2_obj *s = p2_get(w, rep, P2_OUT);
    if (s->closed) return closed_err(call, res);
    int e = write_all(s, p, len);
    if (!e && flush && s->sub == S_SOCK) e = p2_sock_drain(s, -1);
    if (e) return out_fail(w, call, res, s, e);
    return p2_ok(call, res, NULL);
}

static weld_status out_write_common(weld_wasi2 *w, weld_crt_host_call *call, const weld_cval *a, weld_cval *res,
                                    bool flush)
{
    P2_SELF(s, a[0], P2_OUT);
    (void)s;
    return out_write_bytes(w, call, a[0].u.res.rep, a[1].u.list.bytes, a[1].u.list.count, res, flush);
}
static weld_status out_write(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    return out_write_common(ctx, call, a, res, false);
}
static weld_status out_blocking_write(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                      weld_cval *res)
{
    return out_write_common(ctx, call, a, res, true);
}

static weld_status out_flush_common(weld_wasi2 *w, weld_crt_host_call *call, const weld_cval *a, weld_cval *res,
                                    bool block)
{
    P2_SELF(s, a[0], P2_OUT);
    if (s->closed) return closed_err(call, res);
    int e = s->sub == S_SOCK ? p2_sock_drain(s, block ? -1 : 0) : 0;
    if (e) return out_fail(w, call, res, s, e);
    return p2_ok(call, res, NULL);
}
static weld_status out_flush(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    return out_flush_common(ctx, call, a, res, false);
}
static weld_status out_blocking_flush(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                      weld_cval *res)
{
    return out_flush_common(ctx, call, a, res, true);
}

static weld_status out_write_zeroes_common(weld_wasi2 *w, weld_crt_host_call *call, const weld_cval *a,
                                           weld_cval *res, bool flush)
{
    P2_SELF(s, a[0], P2_OUT);
    (void)s;
    static const uint8_t zeroes[4096];
    uint64_t left = a[1].u.u;
    do {
        size_t k = left > sizeof zeroes ? sizeof zeroes : (size_t)left;
        left -= k;
        weld_status st = out_write_bytes(w, call, a[0].u.res.rep, zeroes, k, res, flush && !left);
        if (st || res->u.var.tag) return st;
        if (left) free(res->u.var.payload), memset(res, 0, sizeof *res);
    } while (left);
    return WELD_OK;
}
static weld_status out_write_zeroes(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                    weld_cval *res)
{
    return out_write_zeroes_common(ctx, call, a, res, false);
}
static weld_status out_blocking_write_zeroes(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                             weld_cval *res)
{
    return out_write_zeroes_common(ctx, call, a, res, true);
}

static weld_status out_splice_common(weld_wasi2 *w, weld_crt_host_call *call, const weld_cval *a, weld_cval *res,
                                     bool block)
{
    P2_SELF(d, a[0], P2_OUT);
    P2_SELF(s, a[1], P2_IN);
    if (d->closed) return closed_err(call, res);
    (void)s;
    uint8_t *buf;
    size_t got;
    int e = stream_read(w, a[1].u.res.rep, a[2].u.u, block, &buf, &got);
    if (e == -1) return closed_err(call, res);
    if (e) return p2_stream_fail(w, call, res, e, p2_get(w, a[1].u.res.rep, P2_IN)->sub == S_SOCK);
    d = p2_get(w, a[0].u.res.rep, P2_OUT);
    e = write_all(d, buf, got);
    free(buf);
    if (!e && block && d->sub == S_SOCK) e = p2_sock_drain(d, -1);
    if (e) return out_fail(w, call, res, d, e);
    weld_cval v = p2_u(got);
    return p2_ok(call, res, &v);
}
static weld_status out_splice(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    return out_splice_common(ctx, call, a, res, false);
}
static weld_status out_blocking_splice(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                       weld_cval *res)
{
    return out_splice_common(ctx, call, a, res, true);
}

/* ---- wasi:clocks/monotonic-clock subscriptions (pollables live here) ----------------------- */

static weld_status mono_subscribe_instant(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                          weld_cval *res)
{
    weld_wasi2 *w = ctx;
    uint32_t rep = p2_poll_new(w, PL_TIMER, -1, a[0].u.u);
    if (!rep) return p2_trap(call, "wasi: out of memory");
    *res = p2_own(w, P2_POLL, rep);
    return WELD_OK;
}

static weld_status mono_subscribe_duration(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                           weld_cval *res)
{
    weld_wasi2 *w = ctx;
    uint64_t now = mono_ns(), d = a[0].u.u;
    uint32_t rep = p2_poll_new(w, PL_TIMER, -1, d > UINT64_MAX - now ? UINT64_MAX : now + d);
    if (!rep) return p2_trap(call, "wasi: out of memory");
    *res = p2_own(w, P2_POLL, rep);
    return WELD_OK;
}

const p2_def p2_io_defs[] = {
    {"wasi:io/error", "[method]error.to-debug-string", err_to_debug_string},
    {"wasi:io/poll", "[method]pollable.ready", pollable_ready},
    {"wasi:io/poll", "[method]pollable.block", pollable_block},
    {"wasi:io/poll", "poll", poll_poll},
    {"wasi:io/streams", "[method]input-stream.read", in_read},
    {"wasi:io/streams", "[method]input-stream.blocking-read", in_blocking_read},
    {"wasi:io/streams", "[method]input-stream.skip", in_skip},
    {"wasi:io/streams", "[method]input-stream.blocking-skip", in_blocking_skip},
    {"wasi:io/streams", "[method]input-stream.subscribe", in_subscribe},
    {"wasi:io/streams", "[method]output-stream.check-write", out_check_write},
    {"wasi:io/streams", "[method]output-stream.write", out_write},
    {"wasi:io/streams", "[method]output-stream.blocking-write-and-flush", out_blocking_write},
    {"wasi:io/streams", "[method]output-stream.flush", out_flush},
    {"wasi:io/streams", "[method]output-stream.blocking-flush", out_blocking_flush},
    {"wasi:io/streams", "[method]output-stream.subscribe", out_subscribe},
    {"wasi:io/streams", "[method]output-stream.write-zeroes", out_write_zeroes},
    {"wasi:io/streams", "[method]output-stream.blocking-write-zeroes-and-flush", out_blocking_write_zeroes},
    {"wasi:io/streams", "[method]output-stream.splice", out_splice},
    {"wasi:io/streams", "[method]output-stream.blocking-splice", out_blocking_splice},
    {"wasi:clocks/monotonic-clock", "subscribe-instant", mono_subscribe_instant},
    {"wasi:clocks/monotonic-clock", "subscribe-duration", mono_subscribe_duration},
    {NULL, NULL, NULL},
};
