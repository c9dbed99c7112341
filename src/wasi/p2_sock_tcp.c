/* p2_sock_tcp.c - wasi:sockets tcp and tcp-create-socket for the WASI 0.2 host: a
 * tcp-socket is a non-blocking host socket with the state machine of the interface
 * (unbound -> bind-started -> bound -> listen-started -> listening, or -> connecting ->
 * connected; a failed connect closes it). start-* makes the host call (bind, connect,
 * listen) and finish-* completes the state change; finish-connect and accept report
 * would-block until the socket's pollable (subscribe) is ready. A connected socket's
 * input and output streams are wasi:io streams (p2_io.c, S_SOCK) over duplicates of its
 * descriptor, so dropping the socket before them leaves the connection open until the
 * streams go too; the output stream buffers what the socket cannot take at once.
 * Networking off (see p2_sock.c): create-tcp-socket is access-denied. */
#include "wasi/p2_int.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
    T_UNBOUND, T_BIND_STARTED, T_BOUND, T_LISTEN_STARTED, T_LISTENING, T_CONNECTING, T_CONNECTED,
    T_CLOSED /* a connect failed */
};

#define DEFAULT_BACKLOG 128
#define OOM(call) p2_trap(call, "wasi: out of memory")
#define TCP_SELF(var) P2_SELF(var, a[0], P2_TCP)

static weld_status errno_err(weld_crt_host_call *call, weld_cval *res, int e)
{
    return p2_err(call, res, p2_net_code(e));
}

static weld_status create_tcp(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                              weld_cval *res)
{
    weld_wasi2 *w = ctx;
    if (!w->allow_net) return p2_err(call, res, NE_ACCESS_DENIED);
    if (a[0].u.var.tag > 1) return p2_err(call, res, NE_INVALID_ARGUMENT);
    int e = 0;
    uint32_t rep = p2_socket_new(w, P2_TCP, (int)a[0].u.var.tag, &e);
    if (!rep) return errno_err(call, res, e);
    p2_get(w, rep, P2_TCP)->permit = DEFAULT_BACKLOG;
    weld_cval h = p2_own(w, P2_TCP, rep);
    return p2_ok(call, res, &h);
}

static weld_status start_bind(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                              weld_cval *res)
{
    weld_wasi2 *w = ctx;
    TCP_SELF(s);
    P2_SELF(net, a[1], P2_NET);
    (void)net;
    if (!w->allow_net) return p2_err(call, res, NE_ACCESS_DENIED);
    if (s->state != T_UNBOUND) return p2_err(call, res, NE_INVALID_STATE);
    struct sockaddr_storage sa;
    unsigned len;
    if (!p2_sockaddr_in(&a[2], s->family, &sa, &len) || !p2_sockaddr_ok(&sa, false))
        return p2_err(call, res, NE_INVALID_ARGUMENT);
    int one = 1; /* as other hosts do: a port in TIME_WAIT can be bound again at once */
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s->fd, (struct sockaddr *)&sa, len) < 0) return errno_err(call, res, errno);
    s->state = T_BIND_STARTED;
    return p2_ok(call, res, NULL);
}

static weld_status finish_bind(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                               weld_cval *res)
{
    weld_wasi2 *w = ctx;
    TCP_SELF(s);
    if (s->state != T_BIND_STARTED) return p2_err(call, res, NE_NOT_IN_PROGRESS);
    s->state = T_BOUND;
    return p2_ok(call, res, NULL);
}

static weld_status start_connect(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                 weld_cval *res)
{
    weld_wasi2 *w = ctx;
    TCP_SELF(s);
    P2_SELF(net, a[1], P2_NET);
    (void)net;
    if (!w->allow_net) return p2_err(call, res, NE_ACCESS_DENIED);
    if (s->state == T_CONNECTING || s->state == T_BIND_STARTED || s->state == T_LISTEN_STARTED)
        return p2_err(call, res, NE_CONCURRENCY_CONFLICT);
    if (s->state != T_UNBOUND && s->state != T_BOUND) return p2_err(call, res, NE_INVALID_STATE);
    struct sockaddr_storage sa;
    unsigned len;
    if (!p2_sockaddr_in(&a[2], s->family, &sa, &len) || !p2_sockaddr_ok(&sa, true))
        return p2_err(call, res, NE_INVALID_ARGUMENT);
    int r;
    do r = connect(s->fd, (struct sockaddr *)&sa, len);
    while (r < 0 && errno == EINTR);
    s->code = 0;
    if (r < 0 && errno != EINPROGRESS) {
        int e = errno;
        if (e == EINVAL || e == EAFNOSUPPORT || e == EACCES || e == EPERM || e == EADDRNOTAVAIL)
            return errno_err(call, res, e); /* the address, not the connection: nothing started */
        s->code = e;                        /* refused at once: finish-connect reports it */
    }
    s->state = T_CONNECTING;
    return p2_ok(call, res, NULL);
}

/* New input and output streams over duplicates of fd into the tuple items it[0..1]; the
 * socket `sock` remembers its output stream (shutdown sends what waits in it). */
static bool socket_streams(weld_wasi2 *w, uint32_t sock, int fd, weld_cval *it, int *e)
{
    int in = fcntl(fd, F_DUPFD_CLOEXEC, 0), out = in < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (out < 0) {
        *e = errno;
        if (in >= 0) close(in);
        return false;
    }
    uint32_t ri = p2_stream_new(w, P2_IN, S_SOCK, in, true, 0, false);
    uint32_t ro = p2_stream_new(w, P2_OUT, S_SOCK, out, true, 0, false);
    if (!ri || !ro) {
        p2_release(w, ri);
        p2_release(w, ro);
        *e = ENOMEM;
        return false;
    }
    it[0] = p2_own(w, P2_IN, ri);
    it[1] = p2_own(w, P2_OUT, ro);
    p2_get(w, sock, P2_TCP)->count = ro;
    return true;
}

static weld_status finish_connect(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                  weld_cval *res)
{
    weld_wasi2 *w = ctx;
    TCP_SELF(s);
    if (s->state != T_CONNECTING) return p2_err(call, res, NE_NOT_IN_PROGRESS);
    int e = s->code;
    if (!e) {
        struct pollfd p = {s->fd, POLLOUT, 0};
        if (poll(&p, 1, 0) == 0) return p2_err(call, res, NE_WOULD_BLOCK);
        socklen_t len = sizeof e;
        if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0) e = errno;
    }
    if (e) {
        s->state = T_CLOSED;
        return errno_err(call, res, e);
    }
    weld_cval t;
    weld_cval *it = p2_items(&t, 2);
    if (!it) return OOM(call);
    if (!socket_streams(w, a[0].u.res.rep, s->fd, it, &e)) {
        free(it);
        return e == ENOMEM ? OOM(call) : errno_err(call, res, e);
    }
    p2_get(w, a[0].u.res.rep, P2_TCP)->state = T_CONNECTED;
    return p2_ok(call, res, &t);
}

static weld_status start_listen(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                weld_cval *res)
{
    weld_wasi2 *w = ctx;
    TCP_SELF(s);
    if (s->state == T_LISTEN_STARTED) return p2_err(call, res, NE_CONCURRENCY_CONFLICT);
    if (s->state != T_BOUND) return p2_err(call, res, NE_INVALID_STATE);
    if (listen(s->fd, (int)s->permit) < 0) return errno_err(call, res, errno);
    s->state = T_LISTEN_STARTED;
    return p2_ok(call, res, NULL);
}

static weld_status finish_listen(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                 weld_cval *res)
{
    weld_wasi2 *w = ctx;
    TCP_SELF(s);
    if (s->state != T_LISTEN_STARTED) return p2_err(call, res, NE_NOT_IN_PROGRESS);
    s->state = T_LISTENING;
    return p2_ok(call, res, NULL);
}

static weld_status accept_(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    TCP_SELF(s);
    if (s->state != T_LISTENING) return p2_err(call, res, NE_INVALID_STATE);
    int fd;
    do fd = accept(s->fd, NULL, NULL);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int e = errno;
        return e == EAGAIN || e == EWOULDBLOCK ? p2_err(call, res, NE_WOULD_BLOCK) : errno_err(call, res, e);
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        int e = errno;
        close(fd);
        return errno_err(call, res, e);
    }
    uint8_t family = s->family;
    uint32_t rep = p2_new(w, P2_TCP);
    if (!rep) {
        close(fd);
        return OOM(call);
    }
    p2_obj *c = p2_get(w, rep, P2_TCP);
    c->fd = fd;
    c->own_fd = true;
    c->family = family;
    c->state = T_CONNECTED;
    c->permit = DEFAULT_BACKLOG;
    weld_cval t;
    weld_cval *it = p2_items(&t, 3);
    int e = 0;
    if (!it || !socket_streams(w, rep, fd, it + 1, &e)) {
        free(it);
        p2_release(w, rep);
        return !it || e == ENOMEM ? OOM(call) : errno_err(call, res, e);
    }
    it[0] = p2_own(w, P2_TCP, rep);
    return p2_ok(call, res, &t);
}

static weld_status address(weld_wasi2 *w, weld_crt_host_call *call, const weld_cval *a, weld_cval *res, bool peer)
{
    TCP_SELF(s);
    bool ok = peer ? s->state == T_CONNECTED
                   : s->state != T_UNBOUND && s->state != T_BIND_STARTED && s->state != T_CLOSED;
    if (!ok) return p2_err(call, res, NE_INVALID_STATE);
    struct sockaddr_storage sa;
    socklen_t len = sizeof sa;
    memset(&sa, 0, sizeof sa);
    if ((peer ? getpeername(s->fd, (struct sockaddr *)&sa, &len) : getsockname(s->fd, (struct sockaddr *)&sa, &len)) <
        0)
        return errno_err(call, res, errno);
    weld_cval v;
    if (!p2_sockaddr_out(&v, &sa)) return OOM(call);
    return p2_ok(call, res, &v);
}
static weld_status local_address(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                 weld_cval *res)
{
    return address(ctx, call, a, res, false);
}
static weld_status remote_address(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                  weld_cval *res)
{
    return address(ctx, call, a, res, true);
}

static weld_status is_listening(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                weld_cval *res)
{
    weld_wasi2 *w = ctx;
    TCP_SELF(s);
    memset(res, 0, sizeof *res);
    res->u.b = s->state == T_LISTENING;
    return WELD_OK;
}

static weld_status address_family(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                  weld_cval *res)
{
    weld_wasi2 *w = ctx;
    TCP_SELF(s);
    *res = p2_enum(s->family);
    return WELD_OK;
}

static weld_status set_backlog(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                               weld_cval *res)
{
    weld_wasi2 *w = ctx;
    TCP_SELF(s);
    if (a[1].u.u == 0) return p2_err(call, res, NE_INVALID_ARGUMENT);
    if (s->state == T_CONNECTING || s->state == T_CONNECTED || s->state == T_CLOSED)
        return p2_err(call, res, NE_INVALID_STATE);
    uint64_t v = a[1].u.u > INT_MAX ? INT_MAX : a[1].u.u;
    if ((s->state == T_LISTEN_STARTED || s->state == T_LISTENING) && listen(s->fd, (int)v) < 0)
        return p2_err(call, res, NE_NOT_SUPPORTED);
    s->permit = v;
    return p2_ok(call, res, NULL);
}

/* An int socket option: get into result<T>, or set from a[1] (0 is invalid-argument
 * unless zero_ok); scale: nanoseconds per unit of the option (durations in seconds). */
static weld_status int_opt(weld_wasi2 *w, weld_crt_host_call *call, const weld_cval *a, weld_cval *res, int lvl,
                           int opt, bool set, uint64_t scale, bool zero_ok, int max)
{
    TCP_SELF(s);
    int v;
    if (set) {
        uint64_t x = a[1].u.u;
        if (!zero_ok && x == 0) return p2_err(call, res, NE_INVALID_ARGUMENT);
        x = scale > 1 ? (x + scale - 1) / scale : x; /* round durations up to whole seconds */
        v = x > (uint64_t)max ? max : (int)x;
        if (setsockopt(s->fd, lvl, opt, &v, sizeof v) < 0) return errno_err(call, res, errno);
        return p2_ok(call, res, NULL);
    }
    socklen_t len = sizeof v;
    if (getsockopt(s->fd, lvl, opt, &v, &len) < 0) return errno_err(call, res, errno);
    weld_cval r = p2_u((uint64_t)(v < 0 ? 0 : v) * scale);
    if (scale == 0) {
        memset(&r, 0, sizeof r);
        r.u.b = v != 0;
    }
    return p2_ok(call, res, &r);
}

#define OPT_FN(name, lvl, opt, set, scale, zero_ok, max)                                              \
    static weld_status name(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, \
                            weld_cval *res)                                                         \
    {                                                                                               \
        return int_opt(ctx, call, a, res, lvl, opt, set, scale, zero_ok, max);                    \
    }
/* keep-alive-enabled is a bool (scale 0 marks it); durations are in nanoseconds. */
static weld_status keepalive(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    return int_opt(ctx, call, a, res, SOL_SOCKET, SO_KEEPALIVE, false, 0, true, 1);
}
static weld_status set_keepalive(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                 weld_cval *res)
{
    weld_wasi2 *w = ctx;
    TCP_SELF(s);
    int v = a[1].u.b;
    if (setsockopt(s->fd, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v) < 0) return errno_err(call, res, errno);
    return p2_ok(call, res, NULL);
}
OPT_FN(keep_idle, IPPROTO_TCP, TCP_KEEPIDLE, false, 1000000000u, false, 32767)
OPT_FN(set_keep_idle, IPPROTO_TCP, TCP_KEEPIDLE, true, 1000000000u, false, 32767)
OPT_FN(keep_intvl, IPPROTO_TCP, TCP_KEEPINTVL, false, 1000000000u, false, 32767)
OPT_FN(set_keep_intvl, IPPROTO_TCP, TCP_KEEPINTVL, true, 1000000000u, false, 32767)
OPT_FN(keep_count, IPPROTO_TCP, TCP_KEEPCNT, false, 1, false, 127)
OPT_FN(set_keep_count, IPPROTO_TCP, TCP_KEEPCNT, true, 1, false, 127)

static weld_status hop(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    TCP_SELF(s);
    return p2_sock_hoplimit(w, call, s, NULL, res);
}
static weld_status set_hop(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    TCP_SELF(s);
    return p2_sock_hoplimit(w, call, s, &a[1], res);
}
static weld_status rcvbuf(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    TCP_SELF(s);
    return p2_sock_bufsize(w, call, s, false, NULL, res);
}
static weld_status set_rcvbuf(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                              weld_cval *res)
{
    weld_wasi2 *w = ctx;
    TCP_SELF(s);
    return p2_sock_bufsize(w, call, s, false, &a[1], res);
}
static weld_status sndbuf(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    TCP_SELF(s);
    return p2_sock_bufsize(w, call, s, true, NULL, res);
}
static weld_status set_sndbuf(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                              weld_cval *res)
{
    weld_wasi2 *w = ctx;
    TCP_SELF(s);
    return p2_sock_bufsize(w, call, s, true, &a[1], res);
}

/* Ready when the pending operation can finish: a connect has completed (writable), a
 * listener has a connection to accept (readable); otherwise at once. */
static weld_status subscribe(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    TCP_SELF(s);
    int sub = s->state == T_CONNECTING && !s->code ? PL_FD_OUT : s->state == T_LISTENING ? PL_FD_IN : PL_READY;
    uint32_t rep = p2_poll_new(w, sub, sub == PL_READY ? -1 : s->fd, 0);
    if (!rep) return OOM(call);
    *res = p2_own(w, P2_POLL, rep);
    return WELD_OK;
}

static weld_status shutdown_(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                             weld_cval *res)
{
    weld_wasi2 *w = ctx;
    TCP_SELF(s);
    if (s->state != T_CONNECTED) return p2_err(call, res, NE_INVALID_STATE);
    static const int HOW[3] = {SHUT_RD, SHUT_WR, SHUT_RDWR};
    if (a[1].u.var.tag > 2) return p2_err(call, res, NE_INVALID_ARGUMENT);
    p2_obj *out = a[1].u.var.tag ? p2_get(w, s->count, P2_OUT) : NULL;
    if (out && out->sub == S_SOCK && out->count) p2_sock_drain(out, 10000); /* written before: sent before */
    if (shutdown(s->fd, HOW[a[1].u.var.tag]) < 0 && errno != ENOTCONN) return errno_err(call, res, errno);
    return p2_ok(call, res, NULL);
}

const p2_def p2_tcp_defs[] = {
    {"wasi:sockets/tcp-create-socket", "create-tcp-socket", create_tcp},
    {"wasi:sockets/tcp", "[method]tcp-socket.start-bind", start_bind},
    {"wasi:sockets/tcp", "[method]tcp-socket.finish-bind", finish_bind},
    {"wasi:sockets/tcp", "[method]tcp-socket.start-connect", start_connect},
    {"wasi:sockets/tcp", "[method]tcp-socket.finish-connect", finish_connect},
    {"wasi:sockets/tcp", "[method]tcp-socket.start-listen", start_listen},
    {"wasi:sockets/tcp", "[method]tcp-socket.finish-listen", finish_listen},
    {"wasi:sockets/tcp", "[method]tcp-socket.accept", accept_},
    {"wasi:sockets/tcp", "[method]tcp-socket.local-address", local_address},
    {"wasi:sockets/tcp", "[method]tcp-socket.remote-address", remote_address},
    {"wasi:sockets/tcp", "[method]tcp-socket.is-listening", is_listening},
    {"wasi:sockets/tcp", "[method]tcp-socket.address-family", address_family},
    {"wasi:sockets/tcp", "[method]tcp-socket.set-listen-backlog-size", set_backlog},
    {"wasi:sockets/tcp", "[method]tcp-socket.keep-alive-enabled", keepalive},
    {"wasi:sockets/tcp", "[method]tcp-socket.set-keep-alive-enabled", set_keepalive},
    {"wasi:sockets/tcp", "[method]tcp-socket.keep-alive-idle-time", keep_idle},
    {"wasi:sockets/tcp", "[method]tcp-socket.set-keep-alive-idle-time", set_keep_idle},
    {"wasi:sockets/tcp", "[method]tcp-socket.keep-alive-interval", keep_intvl},
    {"wasi:sockets/tcp", "[method]tcp-socket.set-keep-alive-interval", set_keep_intvl},
    {"wasi:sockets/tcp", "[method]tcp-socket.keep-alive-count", keep_count},
    {"wasi:sockets/tcp", "[method]tcp-socket.set-keep-alive-count", set_keep_count},
    {"wasi:sockets/tcp", "[method]tcp-socket.hop-limit", hop},
    {"wasi:sockets/tcp", "[method]tcp-socket.set-hop-limit", set_hop},
    {"wasi:sockets/tcp", "[method]tcp-socket.receive-buffer-size", rcvbuf},
    {"wasi:sockets/tcp", "[method]tcp-socket.set-receive-buffer-size", set_rcvbuf},
    {"wasi:sockets/tcp", "[method]tcp-socket.send-buffer-size", sndbuf},
    {"wasi:sockets/tcp", "[method]tcp-socket.set-send-buffer-size", set_sndbuf},
    {"wasi:sockets/tcp", "[method]tcp-socket.subscribe", subscribe},
    {"wasi:sockets/tcp", "[method]tcp-socket.shutdown", shutdown_},
    {NULL, NULL, NULL},
};
