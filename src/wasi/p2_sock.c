/* p2_sock.c - wasi:sockets for the WASI 0.2 host, over the host's BSD sockets: network
 * (error codes mapped from errno), instance-network, ip-name-lookup (getaddrinfo), udp
 * and udp-create-socket, and what tcp (p2_sock_tcp.c) shares: socket creation, address
 * conversion and checks, buffer-size and hop-limit options.
 *
 * Networking is off unless the configuration allows it (weld_wasi2_config.allow_net,
 * `weld run --net`): then creating a socket and resolving a name fail with access-denied,
 * so no socket exists and every other operation is unreachable. Every socket is
 * non-blocking; the operations that wait (connect, accept, receive) report would-block
 * and their pollables wait with poll(2) among the other pollables of wasi:io/poll. Name
 * resolution is synchronous: resolve-addresses returns when getaddrinfo has answered. */
#include "wasi/p2_int.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define OOM(call) p2_trap(call, "wasi: out of memory")

/* ---- errors ----------------------------------------------------------------------------- */

uint32_t p2_net_code(int e)
{
    switch (e) {
    case EACCES:
    case EPERM: return NE_ACCESS_DENIED;
    case EOPNOTSUPP:
    case ENOPROTOOPT:
    case EPFNOSUPPORT:
    case EPROTONOSUPPORT:
    case ESOCKTNOSUPPORT:
    case EAFNOSUPPORT: return NE_NOT_SUPPORTED;
    case EINVAL:
    case EDESTADDRREQ: return NE_INVALID_ARGUMENT;
    case ENOMEM:
    case ENOBUFS: return NE_OUT_OF_MEMORY;
    case ETIMEDOUT: return NE_TIMEOUT;
    case EALREADY: return NE_CONCURRENCY_CONFLICT;
    case EAGAIN:
    case EINPROGRESS: return NE_WOULD_BLOCK;
    case EISCONN:
    case ENOTCONN: return NE_INVALID_STATE;
    case EMFILE:
    case ENFILE: return NE_NEW_SOCKET_LIMIT;
    case EADDRNOTAVAIL: return NE_ADDRESS_NOT_BINDABLE;
    case EADDRINUSE: return NE_ADDRESS_IN_USE;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case ENETDOWN:
    case EHOSTDOWN:
    case ENONET: return NE_REMOTE_UNREACHABLE;
    case ECONNREFUSED: return NE_CONNECTION_REFUSED;
    case ECONNRESET:
    case EPIPE: return NE_CONNECTION_RESET;
    case ECONNABORTED: return NE_CONNECTION_ABORTED;
    case EMSGSIZE: return NE_DATAGRAM_TOO_LARGE;
    default: return NE_UNKNOWN;
    }
}

/* ---- addresses ------------------------------------------------------------------------------ */

static bool field_u(const weld_cval *rec, uint32_t i, uint64_t max, uint64_t *out)
{
    if (!rec->u.list.items || rec->u.list.count <= i || rec->u.list.items[i].u.u > max) return false;
    *out = rec->u.list.items[i].u.u;
    return true;
}

bool p2_sockaddr_in(const weld_cval *v, int fam, struct sockaddr_storage *sa, unsigned *len)
{
    memset(sa, 0, sizeof *sa);
    const weld_cval *p = v->u.var.payload;
    if (!p || v->u.var.tag != (uint32_t)fam || fam > 1) return false;
    uint64_t port, x;
    if (!field_u(p, 0, 0xffff, &port)) return false;
    if (fam == 0) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
        const weld_cval *t = p->u.list.count > 1 ? &p->u.list.items[1] : NULL;
        if (!t || !t->u.list.items || t->u.list.count != 4) return false;
        uint8_t b[4];
        for (uint32_t i = 0; i < 4; i++) {
            if (!field_u(t, i, 0xff, &x)) return false;
            b[i] = (uint8_t)x;
        }
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        memcpy(&s4->sin_addr, b, 4);
        *len = sizeof *s4;
        return true;
    }
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
    uint64_t flow, scope;
    const weld_cval *t = p->u.list.count > 2 ? &p->u.list.items[2] : NULL;
    if (!field_u(p, 1, UINT32_MAX, &flow) || !field_u(p, 3, UINT32_MAX, &scope) || !t || !t->u.list.items ||
        t->u.list.count != 8)
        return false;
    for (uint32_t i = 0; i < 8; i++) {
        if (!field_u(t, i, 0xffff, &x)) return false;
        s6->sin6_addr.s6_addr[2 * i] = (uint8_t)(x >> 8);
        s6->sin6_addr.s6_addr[2 * i + 1] = (uint8_t)x;
    }
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons((uint16_t)port);
    s6->sin6_flowinfo = htonl((uint32_t)flow);
    s6->sin6_scope_id = (uint32_t)scope;
    *len = sizeof *s6;
    return true;
}

/* An ip-address tuple (4 u8 or 8 u16) of the address bytes; false when out of memory. */
static bool ip_tuple(weld_cval *out, int fam, const uint8_t *b)
{
    uint32_t n = fam == 0 ? 4 : 8;
    weld_cval *it = p2_items(out, n);
    if (!it) return false;
    for (uint32_t i = 0; i < n; i++) it[i] = p2_u(fam == 0 ? b[i] : (uint64_t)b[2 * i] << 8 | b[2 * i + 1]);
    return true;
}

bool p2_sockaddr_out(weld_cval *out, const struct sockaddr_storage *sa)
{
    weld_cval rec;
    int fam = sa->ss_family == AF_INET6;
    weld_cval *f = p2_items(&rec, fam ? 4 : 2);
    if (!f) return false;
    bool ok;
    if (!fam) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        f[0] = p2_u(ntohs(s4->sin_port));
        ok = ip_tuple(&f[1], 0, (const uint8_t *)&s4->sin_addr);
    } else {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        f[0] = p2_u(ntohs(s6->sin6_port));
        f[1] = p2_u(ntohl(s6->sin6_flowinfo));
        f[3] = p2_u(s6->sin6_scope_id);
        ok = ip_tuple(&f[2], 1, s6->sin6_addr.s6_addr);
    }
    if (ok && p2_var(out, (uint32_t)fam, &rec)) return true;
    free(f[fam ? 2 : 1].u.list.items);
    free(f);
    return false;
}

bool p2_sockaddr_ok(const struct sockaddr_storage *sa, bool remote)
{
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        uint32_t a = ntohl(s4->sin_addr.s_addr);
        if ((a >> 28) == 0xe || a == 0xffffffffu) return false; /* multicast, broadcast */
        return !remote || (a != 0 && s4->sin_port != 0);
    }
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
    if (IN6_IS_ADDR_MULTICAST(&s6->sin6_addr) || IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) return false;
    return !remote || (!IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr) && s6->sin6_port != 0);
}

/* ---- sockets ---------------------------------------------------------------------------------- */

uint32_t p2_socket_new(weld_wasi2 *w, p2_kind k, int family, int *e)
{
    int type = (k == P2_TCP ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC;
    int fd = socket(family ? AF_INET6 : AF_INET, type, 0);
    if (fd < 0) {
        *e = errno;
        return 0;
    }
    int one = 1;
    if (family) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one); /* IPv4 only on IPv4 sockets */
    uint32_t rep = p2_new(w, k);
    if (!rep) {
        close(fd);
        *e = ENOMEM;
        return 0;
    }
    p2_obj *o = p2_get(w, rep, k);
    o->fd = fd;
    o->own_fd = true;
    o->family = (uint8_t)family;
    return rep;
}

static weld_status errno_err(weld_crt_host_call *call, weld_cval *res, int e)
{
    return p2_err(call, res, p2_net_code(e));
}

static weld_status ok_u(weld_crt_host_call *call, weld_cval *res, uint64_t v)
{
    weld_cval x = p2_u(v);
    return p2_ok(call, res, &x);
}

weld_status p2_sock_bufsize(weld_wasi2 *w, weld_crt_host_call *call, const p2_obj *s, bool send,
                            const weld_cval *set, weld_cval *res)
{
    (void)w;
    int opt = send ? SO_SNDBUF : SO_RCVBUF, v;
    socklen_t len = sizeof v;
    if (set) {
        if (set->u.u == 0) return p2_err(call, res, NE_INVALID_ARGUMENT);
        v = set->u.u > INT_MAX / 2 ? INT_MAX / 2 : (int)set->u.u;
        if (setsockopt(s->fd, SOL_SOCKET, opt, &v, sizeof v) < 0) return errno_err(call, res, errno);
        return p2_ok(call, res, NULL);
    }
    if (getsockopt(s->fd, SOL_SOCKET, opt, &v, &len) < 0) return errno_err(call, res, errno);
    return ok_u(call, res, (uint64_t)(v < 0 ? 0 : v));
}

weld_status p2_sock_hoplimit(weld_wasi2 *w, weld_crt_host_call *call, const p2_obj *s, const weld_cval *set,
                             weld_cval *res)
{
    (void)w;
    int lvl = s->family ? IPPROTO_IPV6 : IPPROTO_IP, opt = s->family ? IPV6_UNICAST_HOPS : IP_TTL, v;
    socklen_t len = sizeof v;
    if (set) {
        if (set->u.u == 0 || set->u.u > 255) return p2_err(call, res, NE_INVALID_ARGUMENT);
        v = (int)set->u.u;
        if (setsockopt(s->fd, lvl, opt, &v, sizeof v) < 0) return errno_err(call, res, errno);
        return p2_ok(call, res, NULL);
    }
    if (getsockopt(s->fd, lvl, opt, &v, &len) < 0) return errno_err(call, res, errno);
    return ok_u(call, res, (uint64_t)(v < 0 ? 0 : v > 255 ? 255 : v));
}

/* ---- network, instance-network ----------------------------------------------------------- */

static weld_status instance_network(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                    weld_cval *res)
{
    weld_wasi2 *w = ctx;
    uint32_t rep = p2_new(w, P2_NET);
    if (!rep) return OOM(call);
    *res = p2_own(w, P2_NET, rep);
    return WELD_OK;
}

static weld_status network_error_code(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                      weld_cval *res)
{
    weld_wasi2 *w = ctx;
    P2_SELF(e, a[0], P2_ERR);
    if (e->net_code < 0) return p2_var(res, 0, NULL) ? WELD_OK : OOM(call); /* none */
    weld_cval c = p2_enum((uint32_t)e->net_code);
    return p2_var(res, 1, &c) ? WELD_OK : OOM(call);
}

/* ---- ip-name-lookup ------------------------------------------------------------------------ */

typedef struct addr16 {
    uint8_t fam; /* 0 ipv4, 1 ipv6 */
    uint8_t b[16];
} addr16;

/* A name resolve-addresses accepts: an IP address (IPv6 possibly in brackets) or a domain
 * name of letters, digits, '-', '_' and '.', labels of 1..63, 253 at most. */
static bool valid_name(const char *s, size_t n)
{
    if (n == 0 || n > 253) return false;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                   c == '_') {
            if (++label > 63) return false;
        } else
            return false;
    }
    return true;
}

static weld_status resolve_addresses(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                     weld_cval *res)
{
    weld_wasi2 *w = ctx;
    P2_SELF(net, a[0], P2_NET);
    (void)net;
    if (!w->allow_net) return p2_err(call, res, NE_ACCESS_DENIED);
    const char *name = a[1].u.str.ptr ? a[1].u.str.ptr : "";
    size_t len = a[1].u.str.len;
    char host[256];
    if (len >= 2 && name[0] == '[' && name[len - 1] == ']') name++, len -= 2; /* [v6] */
    if (len >= sizeof host || memchr(name, 0, len)) return p2_err(call, res, NE_INVALID_ARGUMENT);
    memcpy(host, name, len);
    host[len] = 0;
    addr16 lit;
    addr16 *list = NULL;
    uint32_t cnt = 0;
    if (inet_pton(AF_INET, host, lit.b) == 1) lit.fam = 0;
    else if (inet_pton(AF_INET6, host, lit.b) == 1) lit.fam = 1;
    else {
        if (!valid_name(host, len)) return p2_err(call, res, NE_INVALID_ARGUMENT);
        struct addrinfo hints, *ai = NULL;
        memset(&hints, 0, sizeof hints);
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        int r = getaddrinfo(host, NULL, &hints, &ai);
        if (r) {
            uint32_t code = r == EAI_NONAME
#ifdef EAI_NODATA
                                    || r == EAI_NODATA
#endif
                                ? NE_NAME_UNRESOLVABLE
                            : r == EAI_AGAIN  ? NE_TEMPORARY_RESOLVER_FAILURE
                            : r == EAI_MEMORY ? NE_OUT_OF_MEMORY
                                              : NE_PERMANENT_RESOLVER_FAILURE;
            return p2_err(call, res, code);
        }
        uint32_t total = 0;
        for (struct addrinfo *p = ai; p; p = p->ai_next) total++;
        list = calloc(total ? total : 1, sizeof *list);
        if (!list) {
            freeaddrinfo(ai);
            return OOM(call);
        }
        for (struct addrinfo *p = ai; p; p = p->ai_next) {
            addr16 x;
            memset(&x, 0, sizeof x);
            if (p->ai_family == AF_INET) memcpy(x.b, &((struct sockaddr_in *)p->ai_addr)->sin_addr, 4);
            else if (p->ai_family == AF_INET6) {
                x.fam = 1;
                memcpy(x.b, &((struct sockaddr_in6 *)p->ai_addr)->sin6_addr, 16);
            } else
                continue;
            bool dup = false;
            for (uint32_t i = 0; i < cnt && !dup; i++) dup = memcmp(&list[i], &x, sizeof x) == 0;
            if (!dup) list[cnt++] = x;
        }
        freeaddrinfo(ai);
    }
    if (!list) {
        if (!(list = malloc(sizeof *list))) return OOM(call);
        list[0] = lit;
        cnt = 1;
    }
    uint32_t rep = p2_new(w, P2_RESOLVE);
    if (!rep) {
        free(list);
        return OOM(call);
    }
    p2_obj *o = p2_get(w, rep, P2_RESOLVE);
    o->data = list;
    o->count = cnt;
    weld_cval h = p2_own(w, P2_RESOLVE, rep);
    return p2_ok(call, res, &h);
}

static weld_status resolve_next(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                weld_cval *res)
{
    weld_wasi2 *w = ctx;
    P2_SELF(o, a[0], P2_RESOLVE);
    weld_cval opt, ip;
    if (o->pos >= o->count) {
        if (!p2_var(&opt, 0, NULL)) return OOM(call);
        return p2_ok(call, res, &opt);
    }
    const addr16 *x = &((const addr16 *)o->data)[o->pos++];
    weld_cval t;
    if (!ip_tuple(&t, x->fam, x->b)) return OOM(call);
    if (!p2_var(&ip, x->fam, &t)) {
        free(t.u.list.items);
        return OOM(call);
    }
    if (!p2_var(&opt, 1, &ip)) {
        free(t.u.list.items);
        free(ip.u.var.payload);
        return OOM(call);
    }
    return p2_ok(call, res, &opt);
}

/* A pollable that is always ready (name lookup is done when the stream exists; UDP
 * sockets have nothing to wait for). */
static weld_status ready_pollable(weld_wasi2 *w, weld_crt_host_call *call, weld_cval *res)
{
    uint32_t rep = p2_poll_new(w, PL_READY, -1, 0);
    if (!rep) return OOM(call);
    *res = p2_own(w, P2_POLL, rep);
    return WELD_OK;
}

static weld_status resolve_subscribe(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                     weld_cval *res)
{
    weld_wasi2 *w = ctx;
    P2_SELF(o, a[0], P2_RESOLVE);
    (void)o;
    return ready_pollable(w, call, res);
}

/* ---- udp ------------------------------------------------------------------------------------- */

enum { U_UNBOUND, U_BIND_STARTED, U_BOUND };

#define UDP_SELF(var) P2_SELF(var, a[0], P2_UDP)
#define UDP_MAX_BATCH 64 /* the most check-send permits / receive returns at once */

static weld_status create_udp(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                              weld_cval *res)
{
    weld_wasi2 *w = ctx;
    if (!w->allow_net) return p2_err(call, res, NE_ACCESS_DENIED);
    if (a[0].u.var.tag > 1) return p2_err(call, res, NE_INVALID_ARGUMENT);
    int e = 0;
    uint32_t rep = p2_socket_new(w, P2_UDP, (int)a[0].u.var.tag, &e);
    if (!rep) return errno_err(call, res, e);
    weld_cval h = p2_own(w, P2_UDP, rep);
    return p2_ok(call, res, &h);
}

static weld_status udp_start_bind(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                  weld_cval *res)
{
    weld_wasi2 *w = ctx;
    UDP_SELF(s);
    P2_SELF(net, a[1], P2_NET);
    (void)net;
    if (!w->allow_net) return p2_err(call, res, NE_ACCESS_DENIED);
    if (s->state != U_UNBOUND) return p2_err(call, res, NE_INVALID_STATE);
    struct sockaddr_storage sa;
    unsigned len;
    if (!p2_sockaddr_in(&a[2], s->family, &sa, &len) || !p2_sockaddr_ok(&sa, false))
        return p2_err(call, res, NE_INVALID_ARGUMENT);
    if (bind(s->fd, (struct sockaddr *)&sa, len) < 0) return errno_err(call, res, errno);
    s->state = U_BIND_STARTED;
    return p2_ok(call, res, NULL);
}

static weld_status udp_finish_bind(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                   weld_cval *res)
{
    weld_wasi2 *w = ctx;
    UDP_SELF(s);
    if (s->state != U_BIND_STARTED) return p2_err(call, res, NE_NOT_IN_PROGRESS);
    s->state = U_BOUND;
    return p2_ok(call, res, NULL);
}

/* A datagram stream entry of kind k over a duplicate of s's descriptor; its rep or 0. */
static uint32_t dgram_stream(weld_wasi2 *w, uint32_t sock, p2_kind k, int *e)
{
    int fd = fcntl(p2_get(w, sock, P2_UDP)->fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        *e = errno;
        return 0;
    }
    uint32_t rep = p2_new(w, k);
    if (!rep) {
        close(fd);
        *e = ENOMEM;
        return 0;
    }
    p2_obj *s = p2_get(w, sock, P2_UDP), *o = p2_get(w, rep, k);
    o->fd = fd;
    o->own_fd = true;
    o->family = s->family;
    o->connected = s->connected;
    return rep;
}

static weld_status udp_stream(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                              weld_cval *res)
{
    weld_wasi2 *w = ctx;
    UDP_SELF(s);
    if (s->state != U_BOUND) return p2_err(call, res, NE_INVALID_STATE);
    if (a[1].u.var.tag) { /* some(remote-address): connect */
        struct sockaddr_storage sa;
        unsigned len;
        if (!p2_sockaddr_in(a[1].u.var.payload, s->family, &sa, &len) || !p2_sockaddr_ok(&sa, true))
            return p2_err(call, res, NE_INVALID_ARGUMENT);
        if (connect(s->fd, (struct sockaddr *)&sa, len) < 0) return errno_err(call, res, errno);
        s->connected = true;
    } else if (s->connected) { /* none: disconnect */
        struct sockaddr un;
        memset(&un, 0, sizeof un);
        un.sa_family = AF_UNSPEC;
        if (connect(s->fd, &un, sizeof un) < 0 && errno != EAFNOSUPPORT) return errno_err(call, res, errno);
        s->connected = false;
    }
    int e = 0;
    uint32_t in = dgram_stream(w, a[0].u.res.rep, P2_UDP_IN, &e);
    uint32_t out = in ? dgram_stream(w, a[0].u.res.rep, P2_UDP_OUT, &e) : 0;
    if (!out) {
        p2_release(w, in);
        return e == ENOMEM ? OOM(call) : errno_err(call, res, e);
    }
    weld_cval t;
    weld_cval *it = p2_items(&t, 2);
    if (!it) {
        p2_release(w, in);
        p2_release(w, out);
        return OOM(call);
    }
    it[0] = p2_own(w, P2_UDP_IN, in);
    it[1] = p2_own(w, P2_UDP_OUT, out);
    return p2_ok(call, res, &t);
}

static weld_status addr_result(weld_crt_host_call *call, weld_cval *res, int fd, bool peer)
{
    struct sockaddr_storage sa;
    socklen_t len = sizeof sa;
    memset(&sa, 0, sizeof sa);
    if ((peer ? getpeername(fd, (struct sockaddr *)&sa, &len) : getsockname(fd, (struct sockaddr *)&sa, &len)) < 0)
        return errno_err(call, res, errno);
    weld_cval v;
    if (!p2_sockaddr_out(&v, &sa)) return OOM(call);
    return p2_ok(call, res, &v);
}

static weld_status udp_local_address(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                     weld_cval *res)
{
    weld_wasi2 *w = ctx;
    UDP_SELF(s);
    if (s->state != U_BOUND) return p2_err(call, res, NE_INVALID_STATE);
    return addr_result(call, res, s->fd, false);
}

static weld_status udp_remote_address(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                      weld_cval *res)
{
    weld_wasi2 *w = ctx;
    UDP_SELF(s);
    if (!s->connected) return p2_err(call, res, NE_INVALID_STATE);
    return addr_result(call, res, s->fd, true);
}

static weld_status udp_address_family(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                      weld_cval *res)
{
    weld_wasi2 *w = ctx;
    UDP_SELF(s);
    *res = p2_enum(s->family);
    return WELD_OK;
}

static weld_status udp_hop(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    UDP_SELF(s);
    return p2_sock_hoplimit(w, call, s, NULL, res);
}
static weld_status udp_set_hop(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                               weld_cval *res)
{
    weld_wasi2 *w = ctx;
    UDP_SELF(s);
    return p2_sock_hoplimit(w, call, s, &a[1], res);
}
static weld_status udp_rcvbuf(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    UDP_SELF(s);
    return p2_sock_bufsize(w, call, s, false, NULL, res);
}
static weld_status udp_set_rcvbuf(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                  weld_cval *res)
{
    weld_wasi2 *w = ctx;
    UDP_SELF(s);
    return p2_sock_bufsize(w, call, s, false, &a[1], res);
}
static weld_status udp_sndbuf(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    UDP_SELF(s);
    return p2_sock_bufsize(w, call, s, true, NULL, res);
}
static weld_status udp_set_sndbuf(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                  weld_cval *res)
{
    weld_wasi2 *w = ctx;
    UDP_SELF(s);
    return p2_sock_bufsize(w, call, s, true, &a[1], res);
}

static weld_status udp_subscribe(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                 weld_cval *res)
{
    weld_wasi2 *w = ctx;
    UDP_SELF(s);
    (void)s;
    return ready_pollable(w, call, res);
}

static weld_status fd_pollable(weld_wasi2 *w, weld_crt_host_call *call, weld_cval *res, int sub, int fd)
{
    uint32_t rep = p2_poll_new(w, sub, fd, 0);
    if (!rep) return OOM(call);
    *res = p2_own(w, P2_POLL, rep);
    return WELD_OK;
}

/* Free the datagrams received so far (on failure). */
static void free_datagrams(weld_cval *items, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        weld_cval *f = items[i].u.list.items;
        if (!f) continue;
        free(f[0].u.list.bytes);
        weld_cval *addr = f[1].u.var.payload;
        if (addr) {
            weld_cval *af = addr->u.list.items;
            free(af[addr->u.list.count == 4 ? 2 : 1].u.list.items);
            free(af);
            free(addr);
        }
        free(f);
    }
    free(items);
}

static weld_status in_receive(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                              weld_cval *res)
{
    weld_wasi2 *w = ctx;
    P2_SELF(s, a[0], P2_UDP_IN);
    uint64_t max = a[1].u.u > UDP_MAX_BATCH ? UDP_MAX_BATCH : a[1].u.u;
    weld_cval list;
    weld_cval *items = p2_items(&list, (uint32_t)max);
    uint8_t *buf = malloc(65536);
    if (!items || !buf) {
        free(items);
        free(buf);
        return OOM(call);
    }
    uint32_t got = 0;
    int err = 0;
    while (got < max) {
        struct sockaddr_storage sa;
        socklen_t sl = sizeof sa;
        memset(&sa, 0, sizeof sa);
        ssize_t k = recvfrom(s->fd, buf, 65536, MSG_DONTWAIT, (struct sockaddr *)&sa, &sl);
        if (k < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK && got == 0) err = errno;
            break;
        }
        weld_cval *f = p2_items(&items[got], 2);
        if (!f) goto oom;
        got++;
        if (k && !(f[0].u.list.bytes = malloc((size_t)k))) goto oom;
        if (k) memcpy(f[0].u.list.bytes, buf, (size_t)k);
        f[0].u.list.count = (uint32_t)k;
        if (!p2_sockaddr_out(&f[1], &sa)) goto oom;
    }
    free(buf);
    if (err) {
        free(items);
        return errno_err(call, res, err);
    }
    list.u.list.count = got;
    return p2_ok(call, res, &list);
oom:
    free(buf);
    free_datagrams(items, got);
    return OOM(call);
}

static weld_status in_subscribe(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                weld_cval *res)
{
    weld_wasi2 *w = ctx;
    P2_SELF(s, a[0], P2_UDP_IN);
    return fd_pollable(w, call, res, PL_FD_IN, s->fd);
}

static weld_status out_check_send(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                  weld_cval *res)
{
    weld_wasi2 *w = ctx;
    P2_SELF(s, a[0], P2_UDP_OUT);
    struct pollfd p = {s->fd, POLLOUT, 0};
    s->permit = poll(&p, 1, 0) == 1 ? UDP_MAX_BATCH : 0;
    return ok_u(call, res, s->permit);
}

static weld_status out_send(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    P2_SELF(s, a[0], P2_UDP_OUT);
    uint32_t cnt = a[1].u.list.count;
    if (cnt > s->permit)
        return p2_trap(call, "wasi:sockets outgoing-datagram-stream.send: more datagrams than check-send permitted");
    s->permit = 0;
    struct sockaddr_storage peer;
    socklen_t pl = sizeof peer;
    memset(&peer, 0, sizeof peer);
    if (s->connected && getpeername(s->fd, (struct sockaddr *)&peer, &pl) < 0) return errno_err(call, res, errno);
    uint64_t sent = 0;
    for (uint32_t i = 0; i < cnt; i++) {
        const weld_cval *dg = &a[1].u.list.items[i];
        const weld_cval *data = &dg->u.list.items[0], *ra = &dg->u.list.items[1];
        struct sockaddr_storage sa;
        unsigned len = 0;
        int code = -1;
        if (ra->u.var.tag) {
            if (!p2_sockaddr_in(ra->u.var.payload, s->family, &sa, &len) || !p2_sockaddr_ok(&sa, true))
                code = NE_INVALID_ARGUMENT;
            else if (s->connected && (len != pl || memcmp(&sa, &peer, len) != 0))
                code = NE_INVALID_ARGUMENT; /* not the address the stream is connected to */
        } else if (!s->connected)
            code = NE_INVALID_ARGUMENT; /* no address and none connected */
        if (code >= 0) {
            if (sent) break;
            return p2_err(call, res, (uint32_t)code);
        }
        ssize_t k;
        do {
            k = s->connected ? send(s->fd, data->u.list.bytes, data->u.list.count, MSG_DONTWAIT | MSG_NOSIGNAL)
                             : sendto(s->fd, data->u.list.bytes, data->u.list.count, MSG_DONTWAIT | MSG_NOSIGNAL,
                                      (struct sockaddr *)&sa, len);
        } while (k < 0 && errno == EINTR);
        if (k < 0) {
            if (sent || errno == EAGAIN || errno == EWOULDBLOCK) break;
            return errno_err(call, res, errno);
        }
        sent++;
    }
    return ok_u(call, res, sent);
}

static weld_status out_subscribe(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                 weld_cval *res)
{
    weld_wasi2 *w = ctx;
    P2_SELF(s, a[0], P2_UDP_OUT);
    return fd_pollable(w, call, res, PL_FD_OUT, s->fd);
}

const p2_def p2_sock_defs[] = {
    {"wasi:sockets/instance-network", "instance-network", instance_network},
    {"wasi:sockets/network", "network-error-code", network_error_code},
    {"wasi:sockets/udp-create-socket", "create-udp-socket", create_udp},
    {"wasi:sockets/ip-name-lookup", "resolve-addresses", resolve_addresses},
    {"wasi:sockets/udp", "[method]udp-socket.start-bind", udp_start_bind},
    {"wasi:sockets/udp", "[method]udp-socket.finish-bind", udp_finish_bind},
    {"wasi:sockets/udp", "[method]udp-socket.stream", udp_stream},
    {"wasi:sockets/udp", "[method]udp-socket.local-address", udp_local_address},
    {"wasi:sockets/udp", "[method]udp-socket.remote-address", udp_remote_address},
    {"wasi:sockets/udp", "[method]udp-socket.address-family", udp_address_family},
    {"wasi:sockets/udp", "[method]udp-socket.unicast-hop-limit", udp_hop},
    {"wasi:sockets/udp", "[method]udp-socket.set-unicast-hop-limit", udp_set_hop},
    {"wasi:sockets/udp", "[method]udp-socket.receive-buffer-size", udp_rcvbuf},
    {"wasi:sockets/udp", "[method]udp-socket.set-receive-buffer-size", udp_set_rcvbuf},
    {"wasi:sockets/udp", "[method]udp-socket.send-buffer-size", udp_sndbuf},
    {"wasi:sockets/udp", "[method]udp-socket.set-send-buffer-size", udp_set_sndbuf},
    {"wasi:sockets/udp", "[method]udp-socket.subscribe", udp_subscribe},
    {"wasi:sockets/udp", "[method]incoming-datagram-stream.receive", in_receive},
    {"wasi:sockets/udp", "[method]incoming-datagram-stream.subscribe", in_subscribe},
    {"wasi:sockets/udp", "[method]outgoing-datagram-stream.check-send", out_check_send},
    {"wasi:sockets/udp", "[method]outgoing-datagram-stream.send", out_send},
    {"wasi:sockets/udp", "[method]outgoing-datagram-stream.subscribe", out_subscribe},
    {"wasi:sockets/ip-name-lookup", "[method]resolve-address-stream.resolve-next-address", resolve_next},
    {"wasi:sockets/ip-name-lookup", "[method]resolve-address-stream.subscribe", resolve_subscribe},
    {NULL, NULL, NULL},
};
