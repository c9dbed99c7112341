/* test_wasi2_sock.c - wasi:sockets of the WASI 0.2 host: its host functions called directly
 * with the values the runtime would pass (borrow handles as reps, ip-socket-address
 * variants of records of tuples, enums, packed byte lists), on a context with the network
 * allowed: a TCP listener on 127.0.0.1 and a client connect, accept, exchange bytes through
 * their wasi:io streams both ways with poll waiting on the pollables, shut down; writes
 * that never block (8 MB to a peer that reads later, all of it arriving in order), and
 * shutdown sending what still waits to a reader outside the host (a thread); UDP
 * datagrams on loopback, unconnected and connected; name lookup; the socket options; the
 * state machine's errors (invalid-state, not-in-progress, would-block,
 * concurrency-conflict, invalid-argument); the errno mapping and network-error-code. A
 * context without the network refuses every socket and lookup with access-denied. Then
 * fixtures/wasi2/sockets.wasm, a Rust wasm32-wasip2 command, runs through the API with
 * and without the network. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "weld/wasi2.h"
#include "wasi/p2_int.h"

typedef struct fx {
    weld_crt *rt;
    weld_wasi2 *w;
    uint32_t net;
} fx;

#define TCP "wasi:sockets/tcp"
#define UDP "wasi:sockets/udp"
#define T(x) "[method]tcp-socket." x
#define U_(x) "[method]udp-socket." x

static int setup_net(void **state, bool allow)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    weld_wasi2_config c = {.stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1, .allow_net = allow};
    weld_diag d;
    weld_diag_init(&d, NULL);
    f->rt = weld_crt_new(NULL);
    assert_non_null(f->rt);
    f->w = weld_wasi2_new(&c, f->rt, &d);
    assert_non_null(f->w);
    weld_cval r;
    weld_crt_host_fn fn = p2_find("wasi:sockets/instance-network", "instance-network");
    assert_non_null(fn);
    assert_int_equal(fn(f->w, NULL, NULL, 0, &r), WELD_OK);
    assert_ptr_equal(r.u.res.rt, f->w->types[P2_NET]);
    f->net = r.u.res.rep;
    *state = f;
    return 0;
}
static int setup_on(void **state) { return setup_net(state, true); }
static int setup_off(void **state) { return setup_net(state, false); }

static int teardown(void **state)
{
    fx *f = *state;
    weld_crt_free(f->rt);
    weld_wasi2_free(f->w);
    free(f);
    return 0;
}

/* ---- calling host functions ------------------------------------------------------------ */

static weld_status call(fx *f, const char *iface, const char *name, const weld_cval *args, uint32_t n,
                        weld_cval *res)
{
    weld_crt_host_fn fn = p2_find(iface, name);
    assert_non_null(fn);
    memset(res, 0, sizeof *res);
    return fn(f->w, NULL, args, n, res);
}

static weld_cval H(uint32_t rep)
{
    weld_cval v;
    memset(&v, 0, sizeof v);
    v.u.res.rep = rep;
    return v;
}
static weld_cval N(uint64_t x)
{
    weld_cval v;
    memset(&v, 0, sizeof v);
    v.u.u = x;
    return v;
}
static weld_cval E(uint32_t tag)
{
    weld_cval v;
    memset(&v, 0, sizeof v);
    v.u.var.tag = tag;
    return v;
}

/* An ip-socket-address argument, in storage the caller keeps. */
typedef struct sa_arg {
    weld_cval v, rec, fields[4], tuple, parts[8];
} sa_arg;

static weld_cval *v4(sa_arg *s, uint16_t port, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    memset(s, 0, sizeof *s);
    uint8_t x[4] = {a, b, c, d};
    for (int i = 0; i < 4; i++) s->parts[i] = N(x[i]);
    s->tuple.u.list.items = s->parts;
    s->tuple.u.list.count = 4;
    s->fields[0] = N(port);
    s->fields[1] = s->tuple;
    s->rec.u.list.items = s->fields;
    s->rec.u.list.count = 2;
    s->v.u.var.tag = 0;
    s->v.u.var.payload = &s->rec;
    return &s->v;
}

static weld_cval *v6(sa_arg *s, uint16_t port, uint16_t last)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < 8; i++) s->parts[i] = N(i == 7 ? last : 0);
    s->tuple.u.list.items = s->parts;
    s->tuple.u.list.count = 8;
    s->fields[0] = N(port);
    s->fields[1] = N(0);
    s->fields[2] = s->tuple;
    s->fields[3] = N(0);
    s->rec.u.list.items = s->fields;
    s->rec.u.list.count = 4;
    s->v.u.var.tag = 1;
    s->v.u.var.payload = &s->rec;
    return &s->v;
}

/* The error-code of a result<_, error-code> or of a result whose ok payload holds no
 * allocation (-1 for ok); frees the result. */
static int rc_of(weld_cval *res)
{
    int code = res->u.var.tag ? (int)res->u.var.payload->u.var.tag : -1;
    free(res->u.var.payload);
    return code;
}

/* Call and give the error-code (-1 for ok). */
static int code_of(fx *f, const char *iface, const char *name, const weld_cval *args, uint32_t n)
{
    weld_cval r;
    assert_int_equal(call(f, iface, name, args, n, &r), WELD_OK);
    return rc_of(&r);
}

/* An ip-socket-address the host returned: family, port, and (IPv4) the address as a
 * host-order number; frees it. */
typedef struct sa_out {
    int fam;
    uint16_t port;
    uint32_t a4;
    uint16_t a6[8];
} sa_out;

static sa_out take_addr(weld_cval *v)
{
    sa_out o;
    memset(&o, 0, sizeof o);
    o.fam = (int)v->u.var.tag;
    weld_cval *rec = v->u.var.payload;
    o.port = (uint16_t)rec->u.list.items[0].u.u;
    weld_cval *t = &rec->u.list.items[o.fam ? 2 : 1];
    for (uint32_t i = 0; i < t->u.list.count; i++) {
        if (o.fam) o.a6[i] = (uint16_t)t->u.list.items[i].u.u;
        else o.a4 = o.a4 << 8 | (uint32_t)t->u.list.items[i].u.u;
    }
    free(t->u.list.items);
    free(rec->u.list.items);
    free(rec);
    return o;
}

/* local-address / remote-address of a socket: ok (its error code in *code otherwise). */
static sa_out addr_of(fx *f, const char *iface, const char *name, uint32_t sock, int *code)
{
    weld_cval a[1] = {H(sock)}, r;
    sa_out o;
    memset(&o, 0, sizeof o);
    assert_int_equal(call(f, iface, name, a, 1, &r), WELD_OK);
    *code = -1;
    if (r.u.var.tag) *code = rc_of(&r);
    else {
        o = take_addr(r.u.var.payload);
        free(r.u.var.payload);
    }
    return o;
}

/* An own handle of a successful result<own<T>, error-code>. */
static uint32_t ok_handle(weld_cval *r, const weld_crt_resource_type *t)
{
    assert_int_equal(r->u.var.tag, 0);
    assert_ptr_equal(r->u.var.payload->u.res.rt, t);
    uint32_t rep = r->u.var.payload->u.res.rep;
    free(r->u.var.payload);
    return rep;
}

static uint32_t new_socket(fx *f, bool tcp, uint32_t fam)
{
    weld_cval a[1] = {E(fam)}, r;
    assert_int_equal(call(f, tcp ? "wasi:sockets/tcp-create-socket" : "wasi:sockets/udp-create-socket",
                          tcp ? "create-tcp-socket" : "create-udp-socket", a, 1, &r),
                     WELD_OK);
    return ok_handle(&r, f->w->types[tcp ? P2_TCP : P2_UDP]);
}

static uint32_t pollable(fx *f, const char *iface, const char *name, uint32_t rep)
{
    weld_cval a[1] = {H(rep)}, r;
    assert_int_equal(call(f, iface, name, a, 1, &r), WELD_OK);
    assert_ptr_equal(r.u.res.rt, f->w->types[P2_POLL]);
    return r.u.res.rep;
}

static bool ready(fx *f, uint32_t p)
{
    weld_cval a[1] = {H(p)}, r;
    assert_int_equal(call(f, "wasi:io/poll", "[method]pollable.ready", a, 1, &r), WELD_OK);
    return r.u.b;
}

/* wasi:io/poll poll on the pollables (a timer guards against waiting forever): the
 * indexes ready, as a bit set. */
static unsigned poll_on(fx *f, const uint32_t *ps, uint32_t n)
{
    weld_cval d[1] = {N(5000000000u)}, r, items[9], list;
    assert_int_equal(call(f, "wasi:clocks/monotonic-clock", "subscribe-duration", d, 1, &r), WELD_OK);
    assert_true(n < 9);
    for (uint32_t i = 0; i < n; i++) items[i] = H(ps[i]);
    items[n] = H(r.u.res.rep);
    memset(&list, 0, sizeof list);
    list.u.list.items = items;
    list.u.list.count = n + 1;
    assert_int_equal(call(f, "wasi:io/poll", "poll", &list, 1, &r), WELD_OK);
    unsigned set = 0;
    for (uint32_t i = 0; i < r.u.list.count; i++) {
        uint32_t k;
        memcpy(&k, (uint8_t *)r.u.list.bytes + 4 * i, 4);
        assert_true(k < n); /* not the 5 s timer */
        set |= 1u << k;
    }
    free(r.u.list.bytes);
    return set;
}

/* ---- networking off --------------------------------------------------------------------- */

static void test_off(void **state)
{
    fx *f = *state;
    enum { ACCESS_DENIED = 1 };
    weld_cval fam[1] = {E(0)}, r;
    assert_int_equal(code_of(f, "wasi:sockets/tcp-create-socket", "create-tcp-socket", fam, 1), ACCESS_DENIED);
    fam[0] = E(1);
    assert_int_equal(code_of(f, "wasi:sockets/tcp-create-socket", "create-tcp-socket", fam, 1), ACCESS_DENIED);
    assert_int_equal(code_of(f, "wasi:sockets/udp-create-socket", "create-udp-socket", fam, 1), ACCESS_DENIED);
    weld_cval rs[2] = {H(f->net), {0}};
    rs[1].u.str.ptr = "localhost";
    rs[1].u.str.len = 9;
    assert_int_equal(code_of(f, "wasi:sockets/ip-name-lookup", "resolve-addresses", rs, 2), ACCESS_DENIED);
    rs[1].u.str.ptr = "127.0.0.1"; /* even a literal */
    assert_int_equal(code_of(f, "wasi:sockets/ip-name-lookup", "resolve-addresses", rs, 2), ACCESS_DENIED);
    /* nothing was made */
    for (uint32_t i = 0; i < f->w->nobjs; i++) {
        uint8_t k = f->w->objs[i].kind;
        assert_true(k != P2_TCP && k != P2_UDP && k != P2_RESOLVE);
    }
    /* an unknown network handle traps */
    rs[0] = H(999);
    assert_int_equal(call(f, "wasi:sockets/ip-name-lookup", "resolve-addresses", rs, 2, &r), WELD_ERR_TRAP);
}

/* ---- TCP ----------------------------------------------------------------------------------- */

/* Write all of s to output stream `out` (check-write first), then flush. */
static void put(fx *f, uint32_t out, const char *s)
{
    weld_cval a[2] = {H(out), {0}}, r;
    assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.check-write", a, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    assert_true(r.u.var.payload->u.u >= strlen(s));
    free(r.u.var.payload);
    a[1].u.list.bytes = (void *)s;
    a[1].u.list.count = (uint32_t)strlen(s);
    assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.write", a, 2, &r), WELD_OK);
    assert_int_equal(rc_of(&r), -1);
    assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.flush", a, 1, &r), WELD_OK);
    assert_int_equal(rc_of(&r), -1);
}

/* Read from input stream `in` once it is ready (polling its pollable): the bytes into buf
 * (NUL-terminated), or -1 when the stream is closed. */
static int get(fx *f, uint32_t in, char *buf, size_t cap)
{
    uint32_t p = pollable(f, "wasi:io/streams", "[method]input-stream.subscribe", in);
    assert_int_equal(poll_on(f, &p, 1), 1);
    weld_cval a[2] = {H(in), N(cap - 1)}, r;
    assert_int_equal(call(f, "wasi:io/streams", "[method]input-stream.read", a, 2, &r), WELD_OK);
    p2_release(f->w, p);
    if (r.u.var.tag) {
        int closed = r.u.var.payload->u.var.tag == 1;
        free(r.u.var.payload);
        return closed ? -1 : -2;
    }
    int n = (int)r.u.var.payload->u.list.count;
    memcpy(buf, r.u.var.payload->u.list.bytes, (size_t)n);
    buf[n] = 0;
    free(r.u.var.payload->u.list.bytes);
    free(r.u.var.payload);
    return n;
}

enum {
    NE_ACCESS = 1, NE_INVAL = 3, NE_CONFLICT = 6, NE_NOT_IN_PROG = 7, NE_WOULD = 8, NE_STATE = 9,
    NE_REFUSED = 14, NE_RESET = 15, NE_UNRESOLVABLE = 18, NE_TEMP = 19
};

static void test_tcp(void **state)
{
    fx *f = *state;
    sa_arg sa;
    weld_cval r;
    uint32_t L = new_socket(f, true, 0);
    weld_cval l1[1] = {H(L)};
    /* unbound: what needs a state fails */
    assert_int_equal(code_of(f, TCP, T("finish-bind"), l1, 1), NE_NOT_IN_PROG);
    assert_int_equal(code_of(f, TCP, T("start-listen"), l1, 1), NE_STATE);
    assert_int_equal(code_of(f, TCP, T("finish-listen"), l1, 1), NE_NOT_IN_PROG);
    assert_int_equal(code_of(f, TCP, T("finish-connect"), l1, 1), NE_NOT_IN_PROG);
    assert_int_equal(code_of(f, TCP, T("accept"), l1, 1), NE_STATE);
    weld_cval sd[2] = {H(L), E(2)};
    assert_int_equal(code_of(f, TCP, T("shutdown"), sd, 2), NE_STATE);
    int code;
    addr_of(f, TCP, T("local-address"), L, &code);
    assert_int_equal(code, NE_STATE);
    addr_of(f, TCP, T("remote-address"), L, &code);
    assert_int_equal(code, NE_STATE);
    /* bind: an IPv6 address on an IPv4 socket, a multicast address: invalid-argument */
    weld_cval b[3] = {H(L), H(f->net), {0}};
    b[2] = *v6(&sa, 0, 1);
    assert_int_equal(code_of(f, TCP, T("start-bind"), b, 3), NE_INVAL);
    b[2] = *v4(&sa, 0, 224, 0, 0, 1);
    assert_int_equal(code_of(f, TCP, T("start-bind"), b, 3), NE_INVAL);
    b[2] = *v4(&sa, 0, 127, 0, 0, 1);
    assert_int_equal(code_of(f, TCP, T("start-bind"), b, 3), -1);
    assert_int_equal(code_of(f, TCP, T("start-bind"), b, 3), NE_STATE); /* once */
    addr_of(f, TCP, T("local-address"), L, &code);
    assert_int_equal(code, NE_STATE); /* not bound until finish-bind */
    assert_int_equal(code_of(f, TCP, T("finish-bind"), l1, 1), -1);
    assert_int_equal(code_of(f, TCP, T("finish-bind"), l1, 1), NE_NOT_IN_PROG);
    sa_out la = addr_of(f, TCP, T("local-address"), L, &code);
    assert_int_equal(code, -1);
    assert_int_equal(la.fam, 0);
    assert_int_equal(la.a4, 0x7f000001u);
    assert_true(la.port > 0);
    /* backlog, listen */
    weld_cval bl[2] = {H(L), N(0)};
    assert_int_equal(code_of(f, TCP, T("set-listen-backlog-size"), bl, 2), NE_INVAL);
    bl[1] = N(16);
    assert_int_equal(code_of(f, TCP, T("set-listen-backlog-size"), bl, 2), -1);
    assert_int_equal(call(f, TCP, T("is-listening"), l1, 1, &r), WELD_OK);
    assert_false(r.u.b);
    assert_int_equal(code_of(f, TCP, T("finish-listen"), l1, 1), NE_NOT_IN_PROG);
    assert_int_equal(code_of(f, TCP, T("start-listen"), l1, 1), -1);
    assert_int_equal(code_of(f, TCP, T("start-listen"), l1, 1), NE_CONFLICT);
    assert_int_equal(code_of(f, TCP, T("finish-listen"), l1, 1), -1);
    assert_int_equal(call(f, TCP, T("is-listening"), l1, 1, &r), WELD_OK);
    assert_true(r.u.b);
    assert_int_equal(code_of(f, TCP, T("set-listen-backlog-size"), bl, 2), -1); /* while listening too */
    /* nothing to accept yet: would-block, the pollable is not ready */
    assert_int_equal(code_of(f, TCP, T("accept"), l1, 1), NE_WOULD);
    uint32_t pl = pollable(f, TCP, T("subscribe"), L);
    assert_false(ready(f, pl));
    /* a listener neither connects nor binds again */
    weld_cval cn[3] = {H(L), H(f->net), *v4(&sa, la.port, 127, 0, 0, 1)};
    assert_int_equal(code_of(f, TCP, T("start-connect"), cn, 3), NE_STATE);

    /* the client */
    uint32_t C = new_socket(f, true, 0);
    weld_cval c1[1] = {H(C)};
    cn[0] = H(C);
    cn[2] = *v4(&sa, 0, 127, 0, 0, 1); /* port 0 */
    assert_int_equal(code_of(f, TCP, T("start-connect"), cn, 3), NE_INVAL);
    cn[2] = *v4(&sa, la.port, 0, 0, 0, 0); /* unspecified */
    assert_int_equal(code_of(f, TCP, T("start-connect"), cn, 3), NE_INVAL);
    cn[2] = *v6(&sa, la.port, 1); /* the other family */
    assert_int_equal(code_of(f, TCP, T("start-connect"), cn, 3), NE_INVAL);
    cn[2] = *v4(&sa, la.port, 127, 0, 0, 1);
    assert_int_equal(code_of(f, TCP, T("start-connect"), cn, 3), -1);
    assert_int_equal(code_of(f, TCP, T("start-connect"), cn, 3), NE_CONFLICT);
    uint32_t pc = pollable(f, TCP, T("subscribe"), C);
    uint32_t both[2] = {pc, pl};
    unsigned set = 0;
    while (set != 3) set |= poll_on(f, both, 2); /* connected, and the listener has it */
    assert_int_equal(call(f, TCP, T("finish-connect"), c1, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    weld_cval *st = r.u.var.payload->u.list.items;
    assert_ptr_equal(st[0].u.res.rt, f->w->types[P2_IN]);
    assert_ptr_equal(st[1].u.res.rt, f->w->types[P2_OUT]);
    uint32_t cin = st[0].u.res.rep, cout = st[1].u.res.rep;
    free(st);
    free(r.u.var.payload);
    assert_int_equal(code_of(f, TCP, T("finish-connect"), c1, 1), NE_NOT_IN_PROG); /* once */
    assert_true(ready(f, pl));
    assert_int_equal(call(f, TCP, T("accept"), l1, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    st = r.u.var.payload->u.list.items;
    assert_ptr_equal(st[0].u.res.rt, f->w->types[P2_TCP]);
    uint32_t S = st[0].u.res.rep, sin = st[1].u.res.rep, sout = st[2].u.res.rep;
    free(st);
    free(r.u.var.payload);
    assert_int_equal(code_of(f, TCP, T("accept"), l1, 1), NE_WOULD); /* only one came */
    /* the ends see each other */
    sa_out cl = addr_of(f, TCP, T("local-address"), C, &code);
    sa_out cr = addr_of(f, TCP, T("remote-address"), C, &code);
    assert_int_equal(code, -1);
    assert_int_equal(cr.port, la.port);
    assert_int_equal(cr.a4, 0x7f000001u);
    sa_out sr = addr_of(f, TCP, T("remote-address"), S, &code);
    assert_int_equal(code, -1);
    assert_int_equal(sr.port, cl.port);
    weld_cval s1[1] = {H(S)};
    assert_int_equal(call(f, TCP, T("is-listening"), s1, 1, &r), WELD_OK);
    assert_false(r.u.b);
    /* a connected socket does not bind, listen or connect again */
    b[0] = H(C);
    assert_int_equal(code_of(f, TCP, T("start-bind"), b, 3), NE_STATE);
    assert_int_equal(code_of(f, TCP, T("start-listen"), c1, 1), NE_STATE);
    assert_int_equal(code_of(f, TCP, T("start-connect"), cn, 3), NE_STATE);
    bl[0] = H(C);
    assert_int_equal(code_of(f, TCP, T("set-listen-backlog-size"), bl, 2), NE_STATE);
    /* bytes both ways */
    char buf[64];
    put(f, cout, "hello, server");
    assert_int_equal(get(f, sin, buf, sizeof buf), 13);
    assert_string_equal(buf, "hello, server");
    put(f, sout, "hello, client");
    assert_int_equal(get(f, cin, buf, sizeof buf), 13);
    assert_string_equal(buf, "hello, client");
    /* nothing more yet: a read gives nothing, the pollable is not ready */
    uint32_t pin = pollable(f, "wasi:io/streams", "[method]input-stream.subscribe", sin);
    assert_false(ready(f, pin));
    weld_cval rd[2] = {H(sin), N(10)};
    assert_int_equal(call(f, "wasi:io/streams", "[method]input-stream.read", rd, 2, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    assert_int_equal(r.u.var.payload->u.list.count, 0);
    free(r.u.var.payload);
    /* the client shuts its sending side: the server reads the end */
    weld_cval sh[2] = {H(C), E(1)};
    assert_int_equal(code_of(f, TCP, T("shutdown"), sh, 2), -1);
    assert_true(ready(f, pin));
    assert_int_equal(get(f, sin, buf, sizeof buf), -1);
    /* ... and can still receive */
    put(f, sout, "still here");
    assert_int_equal(get(f, cin, buf, sizeof buf), 10);
    assert_string_equal(buf, "still here");

    /* options */
    weld_cval o[2] = {H(C), {0}};
    o[1].u.b = true;
    assert_int_equal(code_of(f, TCP, T("set-keep-alive-enabled"), o, 2), -1);
    assert_int_equal(call(f, TCP, T("keep-alive-enabled"), c1, 1, &r), WELD_OK);
    assert_true(r.u.var.payload->u.b);
    free(r.u.var.payload);
    o[1] = N(0);
    assert_int_equal(code_of(f, TCP, T("set-keep-alive-idle-time"), o, 2), NE_INVAL);
    assert_int_equal(code_of(f, TCP, T("set-keep-alive-interval"), o, 2), NE_INVAL);
    assert_int_equal(code_of(f, TCP, T("set-keep-alive-count"), o, 2), NE_INVAL);
    assert_int_equal(code_of(f, TCP, T("set-hop-limit"), o, 2), NE_INVAL);
    assert_int_equal(code_of(f, TCP, T("set-receive-buffer-size"), o, 2), NE_INVAL);
    assert_int_equal(code_of(f, TCP, T("set-send-buffer-size"), o, 2), NE_INVAL);
    o[1] = N(1500000000u); /* 1.5 s: whole seconds, rounded up */
    assert_int_equal(code_of(f, TCP, T("set-keep-alive-idle-time"), o, 2), -1);
    assert_int_equal(call(f, TCP, T("keep-alive-idle-time"), c1, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.payload->u.u, 2000000000u);
    free(r.u.var.payload);
    o[1] = N(3000000000u);
    assert_int_equal(code_of(f, TCP, T("set-keep-alive-interval"), o, 2), -1);
    assert_int_equal(call(f, TCP, T("keep-alive-interval"), c1, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.payload->u.u, 3000000000u);
    free(r.u.var.payload);
    o[1] = N(5);
    assert_int_equal(code_of(f, TCP, T("set-keep-alive-count"), o, 2), -1);
    assert_int_equal(call(f, TCP, T("keep-alive-count"), c1, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.payload->u.u, 5);
    free(r.u.var.payload);
    o[1] = N(33);
    assert_int_equal(code_of(f, TCP, T("set-hop-limit"), o, 2), -1);
    assert_int_equal(call(f, TCP, T("hop-limit"), c1, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.payload->u.u, 33);
    free(r.u.var.payload);
    o[1] = N(65536);
    assert_int_equal(code_of(f, TCP, T("set-receive-buffer-size"), o, 2), -1);
    assert_int_equal(call(f, TCP, T("receive-buffer-size"), c1, 1, &r), WELD_OK);
    assert_true(r.u.var.payload->u.u >= 65536); /* Linux doubles it for bookkeeping */
    free(r.u.var.payload);
    assert_int_equal(code_of(f, TCP, T("set-send-buffer-size"), o, 2), -1);
    assert_int_equal(call(f, TCP, T("send-buffer-size"), c1, 1, &r), WELD_OK);
    assert_true(r.u.var.payload->u.u >= 65536);
    free(r.u.var.payload);
    assert_int_equal(call(f, TCP, T("address-family"), c1, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);

    /* the server goes (socket and streams): the client's writes fail, connection-reset */
    p2_release(f->w, pin);
    p2_release(f->w, sin);
    p2_release(f->w, sout);
    p2_release(f->w, S);
    weld_cval wr[2] = {H(cout), {0}};
    wr[1].u.list.bytes = "x";
    wr[1].u.list.count = 1;
    int tries = 0;
    for (;; tries++) {
        assert_true(tries < 200);
        assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.write", wr, 2, &r), WELD_OK);
        if (r.u.var.tag) break;
        free(r.u.var.payload);
        usleep(5000);
    }
    weld_cval *se = r.u.var.payload;
    assert_int_equal(se->u.var.tag, 0); /* last-operation-failed(error) */
    weld_cval ea[1] = {H(se->u.var.payload->u.res.rep)};
    free(se->u.var.payload);
    free(se);
    assert_int_equal(call(f, "wasi:sockets/network", "network-error-code", ea, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 1);
    assert_int_equal(r.u.var.payload->u.var.tag, NE_RESET);
    free(r.u.var.payload);

    /* the listener goes: a connect to its port is refused, in finish-connect */
    p2_release(f->w, pl);
    p2_release(f->w, L);
    uint32_t D = new_socket(f, true, 0);
    weld_cval d1[1] = {H(D)};
    cn[0] = H(D);
    cn[2] = *v4(&sa, la.port, 127, 0, 0, 1);
    assert_int_equal(code_of(f, TCP, T("start-connect"), cn, 3), -1);
    uint32_t pd = pollable(f, TCP, T("subscribe"), D);
    assert_int_equal(poll_on(f, &pd, 1), 1);
    assert_int_equal(code_of(f, TCP, T("finish-connect"), d1, 1), NE_REFUSED);
    /* a failed socket is done */
    assert_int_equal(code_of(f, TCP, T("finish-connect"), d1, 1), NE_NOT_IN_PROG);
    assert_int_equal(code_of(f, TCP, T("start-connect"), cn, 3), NE_STATE);
    addr_of(f, TCP, T("local-address"), D, &code);
    assert_int_equal(code, NE_STATE);
    /* an IPv6 socket on ::1 (when the host has IPv6) */
    weld_cval fam6[1] = {E(1)};
    assert_int_equal(call(f, "wasi:sockets/tcp-create-socket", "create-tcp-socket", fam6, 1, &r), WELD_OK);
    if (r.u.var.tag) {
        assert_int_equal(rc_of(&r), 2); /* not-supported: no IPv6 in this kernel */
        return;
    }
    uint32_t V = ok_handle(&r, f->w->types[P2_TCP]);
    weld_cval v1[1] = {H(V)};
    assert_int_equal(call(f, TCP, T("address-family"), v1, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 1);
    b[0] = H(V);
    b[2] = *v4(&sa, 0, 127, 0, 0, 1); /* the other family */
    assert_int_equal(code_of(f, TCP, T("start-bind"), b, 3), NE_INVAL);
    b[2] = *v6(&sa, 0, 0x0001);
    sa.parts[5] = N(0xffff); /* ::ffff:0.0.0.1, IPv4-mapped: refused */
    assert_int_equal(code_of(f, TCP, T("start-bind"), b, 3), NE_INVAL);
    b[2] = *v6(&sa, 0, 1);
    int c6 = code_of(f, TCP, T("start-bind"), b, 3);
    if (c6 == -1) {
        assert_int_equal(code_of(f, TCP, T("finish-bind"), v1, 1), -1);
        sa_out va = addr_of(f, TCP, T("local-address"), V, &code);
        assert_int_equal(code, -1);
        assert_int_equal(va.fam, 1);
        assert_int_equal(va.a6[7], 1);
        assert_true(va.port > 0);
    } else
        assert_int_equal(c6, 11); /* address-not-bindable: no IPv6 loopback here */
}

/* A connected pair on 127.0.0.1: the client's and the accepted socket's streams. */
static void tcp_pair(fx *f, uint32_t *cin, uint32_t *cout, uint32_t *sin, uint32_t *sout)
{
    sa_arg sa;
    weld_cval r;
    uint32_t L = new_socket(f, true, 0), C = new_socket(f, true, 0);
    weld_cval l1[1] = {H(L)}, c1[1] = {H(C)}, b[3] = {H(L), H(f->net), *v4(&sa, 0, 127, 0, 0, 1)};
    assert_int_equal(code_of(f, TCP, T("start-bind"), b, 3), -1);
    assert_int_equal(code_of(f, TCP, T("finish-bind"), l1, 1), -1);
    assert_int_equal(code_of(f, TCP, T("start-listen"), l1, 1), -1);
    assert_int_equal(code_of(f, TCP, T("finish-listen"), l1, 1), -1);
    int code;
    sa_out la = addr_of(f, TCP, T("local-address"), L, &code);
    weld_cval cn[3] = {H(C), H(f->net), *v4(&sa, la.port, 127, 0, 0, 1)};
    assert_int_equal(code_of(f, TCP, T("start-connect"), cn, 3), -1);
    uint32_t pc = pollable(f, TCP, T("subscribe"), C);
    assert_int_equal(poll_on(f, &pc, 1), 1);
    assert_int_equal(call(f, TCP, T("finish-connect"), c1, 1, &r), WELD_OK);
    weld_cval *st = r.u.var.payload->u.list.items;
    *cin = st[0].u.res.rep;
    *cout = st[1].u.res.rep;
    free(st);
    free(r.u.var.payload);
    uint32_t pl = pollable(f, TCP, T("subscribe"), L);
    assert_int_equal(poll_on(f, &pl, 1), 1);
    assert_int_equal(call(f, TCP, T("accept"), l1, 1, &r), WELD_OK);
    st = r.u.var.payload->u.list.items;
    *sin = st[1].u.res.rep;
    *sout = st[2].u.res.rep;
    free(st);
    free(r.u.var.payload);
}

/* Writes to a socket never block: what the peer has no room for waits in the stream,
 * check-write grants nothing meanwhile and its pollable wakes when the socket has room;
 * everything arrives, in order, as the peer reads. */
static void test_tcp_buffered(void **state)
{
    fx *f = *state;
    uint32_t cin, cout, sin, sout;
    tcp_pair(f, &cin, &cout, &sin, &sout);
    enum { TOTAL = 8 << 20 }; /* more than loopback buffers hold */
    uint8_t *big = malloc(TOTAL), *got = malloc(TOTAL);
    assert_non_null(big);
    assert_non_null(got);
    for (uint32_t i = 0; i < TOTAL; i++) big[i] = (uint8_t)(i * 7 % 251);
    weld_cval a[2] = {H(cout), {0}}, r;
    size_t sent = 0, recvd = 0;
    int zero_grants = 0;
    while (sent < TOTAL) { /* the peer does not read: the writes return at once */
        assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.check-write", a, 1, &r), WELD_OK);
        uint64_t can = r.u.var.payload->u.u;
        free(r.u.var.payload);
        if (!can) {
            zero_grants++;
            break;
        }
        size_t k = TOTAL - sent < can ? TOTAL - sent : (size_t)can;
        a[1].u.list.bytes = big + sent;
        a[1].u.list.count = (uint32_t)k;
        assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.write", a, 2, &r), WELD_OK);
        assert_int_equal(rc_of(&r), -1);
        sent += k;
    }
    assert_true(sent < TOTAL); /* the writer was told to wait, not blocked */
    assert_int_equal(zero_grants, 1);
    uint32_t pout = pollable(f, "wasi:io/streams", "[method]output-stream.subscribe", cout);
    uint32_t pin = pollable(f, "wasi:io/streams", "[method]input-stream.subscribe", sin);
    uint32_t ps[2] = {pout, pin};
    while (recvd < TOTAL) {
        unsigned set = poll_on(f, ps, 2);
        if (set & 2) {
            weld_cval rd[2] = {H(sin), N(1 << 20)};
            assert_int_equal(call(f, "wasi:io/streams", "[method]input-stream.read", rd, 2, &r), WELD_OK);
            assert_int_equal(r.u.var.tag, 0);
            uint32_t n = r.u.var.payload->u.list.count;
            assert_true(recvd + n <= TOTAL);
            if (n) memcpy(got + recvd, r.u.var.payload->u.list.bytes, n);
            recvd += n;
            free(r.u.var.payload->u.list.bytes);
            free(r.u.var.payload);
        }
        if ((set & 1) && sent < TOTAL) {
            assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.check-write", a, 1, &r), WELD_OK);
            uint64_t can = r.u.var.payload->u.u;
            free(r.u.var.payload);
            if (can) {
                size_t k = TOTAL - sent < can ? TOTAL - sent : (size_t)can;
                a[1].u.list.bytes = big + sent;
                a[1].u.list.count = (uint32_t)k;
                assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.write", a, 2, &r), WELD_OK);
                assert_int_equal(rc_of(&r), -1);
                sent += k;
            }
        }
        if (sent == TOTAL) ps[0] = pin; /* only reading is left */
    }
    assert_memory_equal(got, big, TOTAL);
    /* blocking-write-and-flush returns when the socket took it all */
    a[1].u.list.bytes = "end";
    a[1].u.list.count = 3;
    assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.blocking-write-and-flush", a, 2, &r), WELD_OK);
    assert_int_equal(rc_of(&r), -1);
    char buf[8];
    assert_int_equal(get(f, sin, buf, sizeof buf), 3);
    assert_string_equal(buf, "end");
    free(big);
    free(got);
}

/* A reader outside the host (a thread on a plain socket): reads to the end. */
typedef struct reader {
    int fd;
    uint8_t *buf;
    size_t cap, got;
} reader;

static void *read_all(void *arg)
{
    reader *r = arg;
    usleep(200000); /* let the writer fill the socket first */
    for (;;) {
        ssize_t k = read(r->fd, r->buf + r->got, r->cap - r->got);
        if (k <= 0) break;
        r->got += (size_t)k;
        if (r->got == r->cap) break;
    }
    return NULL;
}

/* shutdown(send) first sends what waits in the output stream: a peer outside reads every
 * byte written before it, then the end. */
static void test_tcp_shutdown_sends(void **state)
{
    fx *f = *state;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(lfd >= 0);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(0x7f000001u);
    socklen_t sl = sizeof sin;
    int small = 8192; /* the accepted socket's receive window stays small */
    assert_int_equal(setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
    assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof sin), 0);
    assert_int_equal(listen(lfd, 1), 0);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &sl), 0);
    sa_arg sa;
    weld_cval r;
    uint32_t C = new_socket(f, true, 0);
    weld_cval c1[1] = {H(C)}, cn[3] = {H(C), H(f->net), *v4(&sa, ntohs(sin.sin_port), 127, 0, 0, 1)};
    assert_int_equal(code_of(f, TCP, T("start-connect"), cn, 3), -1);
    uint32_t pc = pollable(f, TCP, T("subscribe"), C);
    assert_int_equal(poll_on(f, &pc, 1), 1);
    assert_int_equal(call(f, TCP, T("finish-connect"), c1, 1, &r), WELD_OK);
    weld_cval *st = r.u.var.payload->u.list.items;
    uint32_t cout = st[1].u.res.rep;
    free(st);
    free(r.u.var.payload);
    int fd = accept(lfd, NULL, NULL);
    assert_true(fd >= 0);
    enum { TOTAL = 8 << 20 };
    uint8_t *big = malloc(TOTAL);
    assert_non_null(big);
    for (uint32_t i = 0; i < TOTAL; i++) big[i] = (uint8_t)(i * 13 % 253);
    reader rd = {fd, malloc(TOTAL), TOTAL, 0};
    assert_non_null(rd.buf);
    weld_cval a[2] = {H(cout), {0}};
    size_t sent = 0;
    weld_cval sb[2] = {H(C), N(8192)}; /* small buffers both sides: the stream must hold some */
    assert_int_equal(code_of(f, TCP, T("set-send-buffer-size"), sb, 2), -1);
    while (p2_get(f->w, cout, P2_OUT)->count == 0 && sent < TOTAL) {
        assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.check-write", a, 1, &r), WELD_OK);
        uint64_t can = r.u.var.payload->u.u;
        free(r.u.var.payload);
        if (!can) {
            uint32_t po = pollable(f, "wasi:io/streams", "[method]output-stream.subscribe", cout);
            assert_int_equal(poll_on(f, &po, 1), 1);
            p2_release(f->w, po);
            continue;
        }
        size_t k = TOTAL - sent < can ? TOTAL - sent : (size_t)can;
        a[1].u.list.bytes = big + sent;
        a[1].u.list.count = (uint32_t)k;
        assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.write", a, 2, &r), WELD_OK);
        assert_int_equal(rc_of(&r), -1);
        sent += k;
    }
    assert_true(sent < TOTAL);
    assert_true(p2_get(f->w, cout, P2_OUT)->count > 0); /* bytes wait in the stream */
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, read_all, &rd), 0);
    weld_cval sh[2] = {H(C), E(1)};
    assert_int_equal(code_of(f, TCP, T("shutdown"), sh, 2), -1);
    assert_int_equal(p2_get(f->w, cout, P2_OUT)->count, 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(rd.got, sent);
    assert_memory_equal(rd.buf, big, sent);
    free(rd.buf);
    free(big);
    close(fd);
    close(lfd);
}

/* ---- UDP ----------------------------------------------------------------------------------- */

/* (incoming, outgoing) of udp-socket.stream(remote) on s, or the error code in *code. */
static void dgram_streams(fx *f, uint32_t s, const weld_cval *remote, uint32_t *in, uint32_t *out, int *code)
{
    weld_cval a[2] = {H(s), {0}}, r;
    if (remote) {
        a[1].u.var.tag = 1;
        a[1].u.var.payload = (weld_cval *)remote;
    }
    assert_int_equal(call(f, UDP, U_("stream"), a, 2, &r), WELD_OK);
    *code = -1;
    if (r.u.var.tag) {
        *code = rc_of(&r);
        return;
    }
    weld_cval *t = r.u.var.payload->u.list.items;
    assert_ptr_equal(t[0].u.res.rt, f->w->types[P2_UDP_IN]);
    assert_ptr_equal(t[1].u.res.rt, f->w->types[P2_UDP_OUT]);
    *in = t[0].u.res.rep;
    *out = t[1].u.res.rep;
    free(t);
    free(r.u.var.payload);
}

/* check-send, then send one datagram (to `to`, or none): the count sent or -(code) - 1. */
static int send1(fx *f, uint32_t out, const char *data, const weld_cval *to)
{
    weld_cval a[2] = {H(out), {0}}, r, dg, fields[2];
    assert_int_equal(call(f, UDP, "[method]outgoing-datagram-stream.check-send", a, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    assert_true(r.u.var.payload->u.u >= 1);
    free(r.u.var.payload);
    memset(fields, 0, sizeof fields);
    fields[0].u.list.bytes = (void *)data;
    fields[0].u.list.count = (uint32_t)strlen(data);
    if (to) {
        fields[1].u.var.tag = 1;
        fields[1].u.var.payload = (weld_cval *)to;
    }
    memset(&dg, 0, sizeof dg);
    dg.u.list.items = fields;
    dg.u.list.count = 2;
    a[1].u.list.items = &dg;
    a[1].u.list.count = 1;
    assert_int_equal(call(f, UDP, "[method]outgoing-datagram-stream.send", a, 2, &r), WELD_OK);
    if (r.u.var.tag) return -rc_of(&r) - 1;
    int n = (int)r.u.var.payload->u.u;
    free(r.u.var.payload);
    return n;
}

/* Wait for and receive one datagram on `in` (receive with max-results 1): its text into
 * buf and its sender. */
static sa_out recv1(fx *f, uint32_t in, char *buf)
{
    uint32_t p = pollable(f, UDP, "[method]incoming-datagram-stream.subscribe", in);
    assert_int_equal(poll_on(f, &p, 1), 1);
    weld_cval a[2] = {H(in), N(1)}, r; /* at most one, though more may be there */
    assert_int_equal(call(f, UDP, "[method]incoming-datagram-stream.receive", a, 2, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    assert_int_equal(r.u.var.payload->u.list.count, 1);
    weld_cval *dg = r.u.var.payload->u.list.items[0].u.list.items;
    memcpy(buf, dg[0].u.list.bytes, dg[0].u.list.count);
    buf[dg[0].u.list.count] = 0;
    free(dg[0].u.list.bytes);
    sa_out from = take_addr(&dg[1]);
    free(dg);
    free(r.u.var.payload->u.list.items);
    free(r.u.var.payload);
    return from;
}

static void test_udp(void **state)
{
    fx *f = *state;
    sa_arg sa, sb;
    weld_cval r;
    uint32_t A = new_socket(f, false, 0), B = new_socket(f, false, 0), ia, oa, ib, ob;
    weld_cval a1[1] = {H(A)};
    int code;
    /* unbound */
    dgram_streams(f, A, NULL, &ia, &oa, &code);
    assert_int_equal(code, NE_STATE);
    addr_of(f, UDP, U_("local-address"), A, &code);
    assert_int_equal(code, NE_STATE);
    assert_int_equal(code_of(f, UDP, U_("finish-bind"), a1, 1), NE_NOT_IN_PROG);
    /* bind both on loopback */
    weld_cval b[3] = {H(A), H(f->net), *v6(&sa, 0, 1)};
    assert_int_equal(code_of(f, UDP, U_("start-bind"), b, 3), NE_INVAL);
    b[2] = *v4(&sa, 0, 127, 0, 0, 1);
    assert_int_equal(code_of(f, UDP, U_("start-bind"), b, 3), -1);
    assert_int_equal(code_of(f, UDP, U_("start-bind"), b, 3), NE_STATE);
    assert_int_equal(code_of(f, UDP, U_("finish-bind"), a1, 1), -1);
    b[0] = H(B);
    assert_int_equal(code_of(f, UDP, U_("start-bind"), b, 3), -1);
    assert_int_equal(code_of(f, UDP, U_("finish-bind"), (weld_cval[]){H(B)}, 1), -1);
    sa_out la = addr_of(f, UDP, U_("local-address"), A, &code), lb = addr_of(f, UDP, U_("local-address"), B, &code);
    assert_int_equal(code, -1);
    assert_true(la.port > 0 && lb.port > 0 && la.port != lb.port);
    assert_int_equal(la.a4, 0x7f000001u);
    addr_of(f, UDP, U_("remote-address"), A, &code);
    assert_int_equal(code, NE_STATE); /* not connected */
    dgram_streams(f, A, NULL, &ia, &oa, &code);
    assert_int_equal(code, -1);
    dgram_streams(f, B, NULL, &ib, &ob, &code);
    assert_int_equal(code, -1);
    /* nothing there yet: receive gives an empty list, its pollable is not ready */
    weld_cval rv[2] = {H(ib), N(10)};
    assert_int_equal(call(f, UDP, "[method]incoming-datagram-stream.receive", rv, 2, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    assert_int_equal(r.u.var.payload->u.list.count, 0);
    free(r.u.var.payload->u.list.items);
    free(r.u.var.payload);
    uint32_t pib = pollable(f, UDP, "[method]incoming-datagram-stream.subscribe", ib);
    assert_false(ready(f, pib));
    /* send without check-send: a trap */
    weld_cval sn[2] = {H(oa), {0}}, dg, fields[2];
    memset(fields, 0, sizeof fields);
    memset(&dg, 0, sizeof dg);
    dg.u.list.items = fields;
    dg.u.list.count = 2;
    sn[1].u.list.items = &dg;
    sn[1].u.list.count = 1;
    assert_int_equal(call(f, UDP, "[method]outgoing-datagram-stream.send", sn, 2, &r), WELD_ERR_TRAP);
    /* A -> B, addressed */
    weld_cval *to_b = v4(&sb, lb.port, 127, 0, 0, 1);
    assert_int_equal(send1(f, oa, "ping", to_b), 1);
    char buf[128];
    sa_out from = recv1(f, ib, buf);
    assert_string_equal(buf, "ping");
    assert_int_equal(from.port, la.port);
    assert_int_equal(from.a4, 0x7f000001u);
    /* no address on an unconnected stream; a bad address: invalid-argument */
    assert_int_equal(send1(f, ob, "pong", NULL), -NE_INVAL - 1);
    assert_int_equal(send1(f, ob, "pong", v4(&sa, 0, 127, 0, 0, 1)), -NE_INVAL - 1);
    assert_int_equal(send1(f, ob, "pong", v6(&sa, la.port, 1)), -NE_INVAL - 1);
    /* B connected to A: no address needed, another address refused */
    p2_release(f->w, pib);
    p2_release(f->w, ib);
    p2_release(f->w, ob);
    dgram_streams(f, B, v4(&sa, la.port, 127, 0, 0, 1), &ib, &ob, &code);
    assert_int_equal(code, -1);
    sa_out rb = addr_of(f, UDP, U_("remote-address"), B, &code);
    assert_int_equal(code, -1);
    assert_int_equal(rb.port, la.port);
    assert_int_equal(send1(f, ob, "pong", NULL), 1);
    assert_int_equal(send1(f, ob, "pong!", v4(&sa, la.port, 127, 0, 0, 1)), 1); /* its own peer: fine */
    assert_int_equal(send1(f, ob, "pong", v4(&sa, (uint16_t)(la.port + 1), 127, 0, 0, 1)), -NE_INVAL - 1);
    from = recv1(f, ia, buf);
    assert_string_equal(buf, "pong");
    assert_int_equal(from.port, lb.port);
    from = recv1(f, ia, buf);
    assert_string_equal(buf, "pong!");
    /* receive(0) returns nothing and consumes nothing */
    assert_int_equal(send1(f, oa, "kept", to_b), 1);
    weld_cval r0[2] = {H(ib), N(0)};
    assert_int_equal(call(f, UDP, "[method]incoming-datagram-stream.receive", r0, 2, &r), WELD_OK);
    assert_int_equal(r.u.var.payload->u.list.count, 0);
    free(r.u.var.payload->u.list.items);
    free(r.u.var.payload);
    from = recv1(f, ib, buf);
    assert_string_equal(buf, "kept");
    /* more than a datagram holds: datagram-too-large */
    char *huge = malloc(70001);
    assert_non_null(huge);
    memset(huge, 'x', 70000);
    huge[70000] = 0;
    assert_int_equal(send1(f, oa, huge, to_b), -17 - 1);
    free(huge);
    /* options */
    weld_cval o[2] = {H(A), N(0)};
    assert_int_equal(code_of(f, UDP, U_("set-unicast-hop-limit"), o, 2), NE_INVAL);
    assert_int_equal(code_of(f, UDP, U_("set-receive-buffer-size"), o, 2), NE_INVAL);
    o[1] = N(9);
    assert_int_equal(code_of(f, UDP, U_("set-unicast-hop-limit"), o, 2), -1);
    assert_int_equal(call(f, UDP, U_("unicast-hop-limit"), a1, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.payload->u.u, 9);
    free(r.u.var.payload);
    o[1] = N(32768);
    assert_int_equal(code_of(f, UDP, U_("set-send-buffer-size"), o, 2), -1);
    assert_int_equal(call(f, UDP, U_("send-buffer-size"), a1, 1, &r), WELD_OK);
    assert_true(r.u.var.payload->u.u >= 32768);
    free(r.u.var.payload);
    assert_int_equal(call(f, UDP, U_("address-family"), a1, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    uint32_t pu = pollable(f, UDP, U_("subscribe"), A);
    assert_true(ready(f, pu));
}

/* ---- name lookup ----------------------------------------------------------------------------- */

/* resolve-addresses(name): the stream, or the error code in *code. */
static uint32_t resolve(fx *f, const char *name, int *code)
{
    weld_cval a[2] = {H(f->net), {0}}, r;
    a[1].u.str.ptr = (char *)name;
    a[1].u.str.len = (uint32_t)strlen(name);
    assert_int_equal(call(f, "wasi:sockets/ip-name-lookup", "resolve-addresses", a, 2, &r), WELD_OK);
    *code = -1;
    if (r.u.var.tag) {
        *code = rc_of(&r);
        return 0;
    }
    return ok_handle(&r, f->w->types[P2_RESOLVE]);
}

/* The addresses of a resolve-address-stream until none: IPv4 as a host-order number in
 * v4[], IPv6 counted; returns how many IPv4 ones. */
static int drain(fx *f, uint32_t s, uint32_t *v4s, int cap, int *n6, uint16_t *last6)
{
    int n4 = 0;
    *n6 = 0;
    weld_cval a[1] = {H(s)}, r;
    for (;;) {
        assert_int_equal(call(f, "wasi:sockets/ip-name-lookup",
                              "[method]resolve-address-stream.resolve-next-address", a, 1, &r),
                         WELD_OK);
        assert_int_equal(r.u.var.tag, 0);
        weld_cval *opt = r.u.var.payload;
        if (!opt->u.var.tag) {
            free(opt);
            break;
        }
        weld_cval *ip = opt->u.var.payload, *t = ip->u.var.payload;
        if (ip->u.var.tag == 0) {
            assert_int_equal(t->u.list.count, 4);
            uint32_t x = 0;
            for (int i = 0; i < 4; i++) x = x << 8 | (uint32_t)t->u.list.items[i].u.u;
            if (n4 < cap) v4s[n4] = x;
            n4++;
        } else {
            assert_int_equal(t->u.list.count, 8);
            if (last6) *last6 = (uint16_t)t->u.list.items[7].u.u;
            (*n6)++;
        }
        free(t->u.list.items);
        free(t);
        free(ip);
        free(opt);
    }
    /* and none again */
    assert_int_equal(call(f, "wasi:sockets/ip-name-lookup", "[method]resolve-address-stream.resolve-next-address",
                          a, 1, &r),
                     WELD_OK);
    assert_int_equal(r.u.var.payload->u.var.tag, 0);
    free(r.u.var.payload);
    return n4;
}

static void test_lookup(void **state)
{
    fx *f = *state;
    int code, n6;
    uint32_t v4s[8];
    uint16_t last6 = 0;
    uint32_t s = resolve(f, "localhost", &code);
    assert_int_equal(code, -1);
    uint32_t p = pollable(f, "wasi:sockets/ip-name-lookup", "[method]resolve-address-stream.subscribe", s);
    assert_true(ready(f, p));
    int n4 = drain(f, s, v4s, 8, &n6, &last6);
    bool loop = false;
    for (int i = 0; i < n4 && i < 8; i++) loop |= v4s[i] == 0x7f000001u;
    assert_true(loop);
    /* literals resolve to themselves */
    s = resolve(f, "10.1.2.3", &code);
    assert_int_equal(code, -1);
    assert_int_equal(drain(f, s, v4s, 8, &n6, NULL), 1);
    assert_int_equal(n6, 0);
    assert_int_equal(v4s[0], 0x0a010203u);
    s = resolve(f, "[::1]", &code);
    assert_int_equal(code, -1);
    assert_int_equal(drain(f, s, v4s, 8, &n6, &last6), 0);
    assert_int_equal(n6, 1);
    assert_int_equal(last6, 1);
    s = resolve(f, "::1", &code);
    assert_int_equal(code, -1);
    /* not a name: invalid-argument */
    resolve(f, "", &code);
    assert_int_equal(code, NE_INVAL);
    resolve(f, "bad name!", &code);
    assert_int_equal(code, NE_INVAL);
    resolve(f, "a..b", &code);
    assert_int_equal(code, NE_INVAL);
    /* a name under .invalid never resolves (a resolver that cannot be reached says
     * temporary-resolver-failure) */
    resolve(f, "no-such-host.invalid", &code);
    assert_true(code == NE_UNRESOLVABLE || code == NE_TEMP);
}

/* ---- error codes ------------------------------------------------------------------------------ */

static void test_error_codes(void **state)
{
    (void)state;
    assert_int_equal(p2_net_code(EACCES), NE_ACCESS);
    assert_int_equal(p2_net_code(EPERM), NE_ACCESS);
    assert_int_equal(p2_net_code(EAFNOSUPPORT), 2); /* not-supported */
    assert_int_equal(p2_net_code(EINVAL), NE_INVAL);
    assert_int_equal(p2_net_code(ENOBUFS), 4); /* out-of-memory */
    assert_int_equal(p2_net_code(ETIMEDOUT), 5);
    assert_int_equal(p2_net_code(EAGAIN), NE_WOULD);
    assert_int_equal(p2_net_code(EMFILE), 10); /* new-socket-limit */
    assert_int_equal(p2_net_code(EADDRNOTAVAIL), 11);
    assert_int_equal(p2_net_code(EADDRINUSE), 12);
    assert_int_equal(p2_net_code(EHOSTUNREACH), 13);
    assert_int_equal(p2_net_code(ENETUNREACH), 13);
    assert_int_equal(p2_net_code(ECONNREFUSED), NE_REFUSED);
    assert_int_equal(p2_net_code(ECONNRESET), NE_RESET);
    assert_int_equal(p2_net_code(ECONNABORTED), 16);
    assert_int_equal(p2_net_code(EMSGSIZE), 17); /* datagram-too-large */
    assert_int_equal(p2_net_code(EDOM), 0);      /* unknown */
}

/* network-error-code of an error that is no socket's: none. */
static void test_foreign_error(void **state)
{
    fx *f = *state;
    weld_cval r;
    assert_int_equal(p2_stream_fail(f->w, NULL, &r, ENOSPC, false), WELD_OK);
    weld_cval *se = r.u.var.payload;
    weld_cval a[1] = {H(se->u.var.payload->u.res.rep)};
    free(se->u.var.payload);
    free(se);
    assert_int_equal(call(f, "wasi:sockets/network", "network-error-code", a, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    assert_int_equal(p2_stream_fail(f->w, NULL, &r, ECONNREFUSED, true), WELD_OK);
    se = r.u.var.payload;
    a[0] = H(se->u.var.payload->u.res.rep);
    free(se->u.var.payload);
    free(se);
    assert_int_equal(call(f, "wasi:sockets/network", "network-error-code", a, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 1);
    assert_int_equal(r.u.var.payload->u.var.tag, NE_REFUSED);
    free(r.u.var.payload);
}

/* ---- a component through the library API -------------------------------------------------- */

/* Run fixtures/wasi2/sockets.wasm with ARGS `part`; its exit code and stdout into out. */
static int run_fixture(bool net, const char *part, char *out, size_t cap)
{
    char path[512], tmp[] = "/tmp/weld-sock-XXXXXX";
    const char *root = getenv("WELD_ROOT");
    snprintf(path, sizeof path, "%s/fixtures/wasi2/sockets.wasm", root ? root : ".");
    uint8_t *data;
    size_t len;
    weld_diag d;
    weld_diag_init(&d, path);
    assert_int_equal(weld_file_read(path, &data, &len, &d), WELD_OK);
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    unlink(tmp);
    weld_crt *rt = weld_crt_new(NULL);
    weld_crt_component *c;
    assert_int_equal(weld_crt_component_load(rt, data, len, &c, &d), WELD_OK);
    free(data);
    const char *argv[] = {"sockets", part};
    weld_wasi2_config cfg = {.argc = 2, .argv = argv, .stdin_fd = -1, .stdout_fd = fd, .stderr_fd = -1,
                             .allow_net = net};
    weld_wasi2 *w = weld_wasi2_new(&cfg, rt, &d);
    assert_non_null(w);
    weld_crt_linker *l = weld_crt_linker_new(rt);
    weld_crt_instance *in;
    assert_int_equal(weld_wasi2_link(w, l, &d), WELD_OK);
    assert_int_equal(weld_crt_instantiate(rt, c, l, &in, &d), WELD_OK);
    int code = -1;
    assert_int_equal(weld_wasi2_run(w, rt, in, &code, &d), WELD_OK);
    weld_crt_free(rt);
    weld_wasi2_free(w);
    memset(out, 0, cap);
    assert_true(pread(fd, out, cap - 1, 0) >= 0);
    close(fd);
    return code;
}

static void test_component(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(run_fixture(true, "tcp", out, sizeof out), 0);
    assert_non_null(strstr(out, "server got 14 bytes: hello over tcp\n"));
    assert_non_null(strstr(out, "client got 14 bytes: pct revo olleh\n"));
    assert_non_null(strstr(out, "connect to a dropped listener: ConnectionRefused\n"));
    assert_null(strstr(out, "false"));
    assert_int_equal(run_fixture(true, "udp", out, sizeof out), 0);
    assert_non_null(strstr(out, "udp b got 4: ping from a true\nudp a got 5: pong! from b true\n"));
    assert_int_equal(run_fixture(true, "lookup", out, sizeof out), 0);
    assert_non_null(strstr(out, "lookup localhost: has 127.0.0.1 true port 80 true\n"));
    /* without the network: refused */
    assert_int_equal(run_fixture(false, "tcp", out, sizeof out), 1);
    assert_string_equal(out, "tcp failed: PermissionDenied\n");
    assert_int_equal(run_fixture(false, "lookup", out, sizeof out), 1);
    assert_string_equal(out, "lookup failed: PermissionDenied\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_off, setup_off, teardown),
        cmocka_unit_test_setup_teardown(test_tcp, setup_on, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_buffered, setup_on, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_shutdown_sends, setup_on, teardown),
        cmocka_unit_test_setup_teardown(test_udp, setup_on, teardown),
        cmocka_unit_test_setup_teardown(test_lookup, setup_on, teardown),
        cmocka_unit_test(test_error_codes),
        cmocka_unit_test_setup_teardown(test_foreign_error, setup_on, teardown),
        cmocka_unit_test(test_component),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
