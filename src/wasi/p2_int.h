/* p2_int.h - internals of the WASI 0.2 host (weld/wasi2.h) shared by its sources:
 *
 *   p2_ctx.c   the context, its object table, value helpers, linking, running a command
 *   p2_io.c    wasi:io (error, poll, streams)
 *   p2_cli.c   wasi:cli, wasi:clocks, wasi:random
 *   p2_fs.c    wasi:filesystem (types, preopens) over the preview1 sandbox (path.c)
 *   p2_sock.c  wasi:sockets network, instance-network, ip-name-lookup, udp (+ create)
 *   p2_sock_tcp.c  wasi:sockets tcp, tcp-create-socket
 *   p2_http.c  wasi:http (types, incoming-handler calls, outgoing-handler refusing)
 *
 * Every resource the host hands out is an entry of one object table; its representation
 * is the entry's index + 1 and its kind says which resource type it belongs to. */
#ifndef WELD_P2_INT_H
#define WELD_P2_INT_H

#include "weld/wasi2.h"
#include <dirent.h>

typedef enum p2_kind {
    P2_FREE,
    P2_DESC,   /* wasi:filesystem descriptor */
    P2_DIRS,   /* directory-entry-stream */
    P2_IN,     /* wasi:io input-stream */
    P2_OUT,    /* output-stream */
    P2_POLL,   /* pollable */
    P2_ERR,    /* wasi:io error */
    P2_TIN,    /* wasi:cli terminal-input */
    P2_TOUT,   /* terminal-output */
    P2_NET,    /* wasi:sockets network */
    P2_TCP,    /* tcp-socket */
    P2_UDP,    /* udp-socket */
    P2_UDP_IN, /* incoming-datagram-stream */
    P2_UDP_OUT, /* outgoing-datagram-stream */
    P2_RESOLVE, /* resolve-address-stream */
    P2_NKINDS
} p2_kind;

/* How a stream reaches its data / what a pollable waits for. */
enum {
    S_NONE,    /* no host descriptor: reads end, writes are dropped */
    S_PIPE,    /* a stdio host descriptor: read/write, readiness by poll(2) */
    S_FILE,    /* a file: pread/pwrite at `off` (always ready) */
    S_SOCK,    /* a connected TCP socket: read/send, readiness by poll(2) */
    S_MEM,     /* a memory buffer (`mem`): an HTTP body (always ready) */
};
enum { PL_READY, PL_FD_IN, PL_FD_OUT, PL_TIMER };

/* Descriptor flags (wasi:filesystem descriptor-flags bits). */
enum {
    DF_READ = 1,
    DF_WRITE = 2,
    DF_FILE_SYNC = 4,
    DF_DATA_SYNC = 8,
    DF_REQ_SYNC = 16,
    DF_MUTATE = 32
};

/* A shared, reference-counted byte buffer: an HTTP body a stream reads or appends to. */
typedef struct p2_membuf {
    uint8_t *data;
    size_t len, cap;
    uint32_t refs;
    bool finished; /* outgoing bodies: finish was called (writes fail) */
} p2_membuf;
p2_membuf *p2_membuf_new(void);
void p2_membuf_unref(p2_membuf *m);

typedef struct p2_obj {
    uint8_t kind;      /* p2_kind */
    uint8_t sub;       /* streams: S_*; pollables: PL_* */
    uint8_t ftype;     /* descriptors: descriptor-type */
    bool own_fd;       /* close fd with the object */
    bool closed;       /* streams: the end was reached / a write failed */
    bool append;       /* output streams: write at the end of the file */
    int fd;
    uint32_t dflags;   /* descriptors: DF_* */
    uint64_t off;      /* file streams: the position */
    uint64_t deadline; /* PL_TIMER: CLOCK_MONOTONIC ns */
    DIR *dir;          /* P2_DIRS */
    char *msg;         /* P2_ERR: the debug string */
    int32_t code;      /* P2_ERR: filesystem error-code, -1 if none */
    uint8_t state;     /* sockets: their state (p2_sock*.c) */
    uint8_t family;    /* sockets: ip-address-family (0 ipv4, 1 ipv6) */
    bool connected;    /* udp sockets and their outgoing streams: connect(2)ed */
    int32_t net_code;  /* P2_ERR: wasi:sockets error-code, -1 if none */
    uint64_t permit;   /* outgoing datagram streams: what check-send allowed; tcp: backlog */
    void *data;        /* P2_RESOLVE: the addresses; S_SOCK output streams: the bytes the
                          socket has not taken yet (malloc'd, freed with the entry) */
    uint32_t count, pos; /* P2_RESOLVE: how many, the next; S_SOCK: bytes buffered, sent;
                            P2_TCP: count is the rep of its output stream */
    p2_membuf *mem;    /* S_MEM streams: the buffer (a reference) */
    uint32_t next_free;
} p2_obj;

typedef struct p2_preopen {
    int fd;
    char *name;
} p2_preopen;

/* What the linker's context for one host function is: the runtime frees a host result
 * with weld_cval_free, which goes by the `type` fields: dispatch() sets them. */
typedef struct p2_bind {
    weld_wasi2 *w;
    weld_crt_host_fn fn;
} p2_bind;

/* wasi:http resource types (p2_http.c); their objects live in the p2_http table. */
#define P2_NHTTP 11
extern const char *const p2_http_resources[P2_NHTTP];
struct p2_http;
/* The destructor of every wasi:http resource type (ctx: the context). */
void p2_http_dtor(void *ctx, uint32_t rep);
/* Free the wasi:http objects of the context (weld_wasi2_free). */
void p2_http_free(weld_wasi2 *w);

struct weld_wasi2 {
    weld_crt *rt;
    int argc, envc;
    char **argv, **envp;
    char *cwd;
    int stdio[3];
    p2_preopen *pre;
    uint32_t npre;
    p2_obj *objs;
    uint32_t nobjs, cap, free_head; /* free_head: index + 1 of a free entry, 0: none */
    weld_crt_resource_type *types[P2_NKINDS];
    bool exited;
    uint32_t exit_code;
    bool allow_net;
    p2_bind *binds;  /* one per function of the tables, in their order */
    weld_crt_resource_type *http[P2_NHTTP];
    struct p2_http *hs;  /* wasi:http objects (p2_http.c), NULL until the first */
    uint64_t deadline;   /* CLOCK_MONOTONIC ns after which host calls trap (0: none) */
};

/* A host function of an interface; tables end with a NULL name. */
typedef struct p2_def {
    const char *iface; /* "wasi:io/streams" (the version is added when linking) */
    const char *name;
    weld_crt_host_fn fn;
} p2_def;
extern const p2_def p2_io_defs[], p2_cli_defs[], p2_fs_defs[], p2_sock_defs[], p2_http_defs[];
/* Bind the wasi:http resource types (and the io types it uses) at `version`. */
weld_status p2_http_link(weld_wasi2 *w, weld_crt_linker *l, const char *version, weld_diag *d);

/* The host function `name` of interface `iface` (no version), NULL if none (tests). */
weld_crt_host_fn p2_find(const char *iface, const char *name);

/* ---- the object table (p2_ctx.c) --------------------------------------------------- */

/* A new zeroed entry of kind k (fd -1); its rep, 0 when out of memory. Pointers into the
 * table are invalidated by the next p2_new. */
uint32_t p2_new(weld_wasi2 *w, p2_kind k);
/* The live entry `rep` of kind k, or NULL. */
p2_obj *p2_get(weld_wasi2 *w, uint32_t rep, p2_kind k);
/* Close and free entry rep (the destructor of every host resource type). */
void p2_release(weld_wasi2 *w, uint32_t rep);

/* A trap for the call (call may be NULL: tests). Returns WELD_ERR_TRAP. */
weld_status p2_trap(weld_crt_host_call *call, const char *msg);
/* The entry of kind k an argument (own/borrow) names, or a trap. */
#define P2_SELF(var, arg, k)                                                        \
    p2_obj *var = p2_get(w, (arg).u.res.rep, (k));                                   \
    if (!var) return p2_trap(call, "wasi: unknown resource handle")

/* ---- values (p2_ctx.c) -------------------------------------------------------------- */

weld_cval *p2_box(weld_cval v);            /* a malloc'd copy, NULL when out of memory */
weld_cval p2_u(uint64_t v);
weld_cval p2_enum(uint32_t tag);
weld_cval p2_own(weld_wasi2 *w, p2_kind k, uint32_t rep);
/* A string copied from (s, n); false when out of memory. */
bool p2_str(weld_cval *out, const char *s, size_t n);
/* result / option / variant with an optional payload (boxed); false when out of memory. */
bool p2_var(weld_cval *out, uint32_t tag, const weld_cval *payload);
/* Items for a record or tuple of n fields (calloc'd), NULL when out of memory. */
weld_cval *p2_items(weld_cval *out, uint32_t n);

/* Common results: ok / err(error-code) of result<_, error-code>. */
weld_status p2_ok(weld_crt_host_call *call, weld_cval *res, const weld_cval *payload);
weld_status p2_err(weld_crt_host_call *call, weld_cval *res, uint32_t code);

/* ---- error codes (p2_fs.c) -------------------------------------------------------- */

/* wasi:filesystem error-code cases used by name. */
enum {
    EC_ACCESS = 0, EC_WOULD_BLOCK = 1, EC_BADF = 3, EC_ILSEQ = 9, EC_EXIST = 7, EC_INVALID = 12, EC_IO = 13,
    EC_ISDIR = 14, EC_LOOP = 15, EC_NAMETOOLONG = 18, EC_NOENT = 20, EC_NOMEM = 22,
    EC_NOTDIR = 24, EC_NOTEMPTY = 25, EC_UNSUPPORTED = 27, EC_OVERFLOW = 30,
    EC_NOT_PERMITTED = 31, EC_PIPE = 32, EC_READ_ONLY = 33, EC_SPIPE = 34, EC_XDEV = 36
};
/* The error-code of a preview1 errno (what wasi_resolve returns) / of a host errno. */
uint32_t p2_code_p1(uint16_t p1);
uint32_t p2_code_errno(int e);

/* ---- streams (p2_io.c) -------------------------------------------------------------- */

/* CLOCK_MONOTONIC in ns. */
uint64_t p2_mono_ns(void);
/* A new stream entry over buffer m (S_MEM; takes a reference); its rep or 0. */
uint32_t p2_stream_mem(weld_wasi2 *w, p2_kind k, p2_membuf *m);
/* A pollable that is always ready; its rep or 0. */
uint32_t p2_poll_ready(weld_wasi2 *w);
/* A new stream entry; its rep or 0. fd is owned by the stream when own_fd. */
uint32_t p2_stream_new(weld_wasi2 *w, p2_kind k, int sub, int fd, bool own_fd, uint64_t off,
                       bool append);
/* A stream-error last-operation-failed(error) for host errno e into *out (a trap status
 * when out of memory); sock: the stream is a socket's (network-error-code maps e). */
weld_status p2_stream_fail(weld_wasi2 *w, weld_crt_host_call *call, weld_cval *res, int e, bool sock);
/* Send what waits in the buffer of a TCP output stream (S_SOCK), waiting up to
 * timeout_ms for room each time the socket takes nothing (0: not at all, -1: as long as
 * it takes); 0 once all is sent (or when nothing waits), else an errno (ETIMEDOUT). */
int p2_sock_drain(p2_obj *s, int timeout_ms);
/* A new pollable: PL_FD_IN / PL_FD_OUT on fd (not owned; -1: always ready), PL_READY or
 * PL_TIMER at deadline; its rep or 0. */
uint32_t p2_poll_new(weld_wasi2 *w, int sub, int fd, uint64_t deadline);

/* ---- wasi:sockets (p2_sock.c) ------------------------------------------------------- */

/* wasi:sockets/network error-code cases. */
enum {
    NE_UNKNOWN, NE_ACCESS_DENIED, NE_NOT_SUPPORTED, NE_INVALID_ARGUMENT, NE_OUT_OF_MEMORY, NE_TIMEOUT,
    NE_CONCURRENCY_CONFLICT, NE_NOT_IN_PROGRESS, NE_WOULD_BLOCK, NE_INVALID_STATE, NE_NEW_SOCKET_LIMIT,
    NE_ADDRESS_NOT_BINDABLE, NE_ADDRESS_IN_USE, NE_REMOTE_UNREACHABLE, NE_CONNECTION_REFUSED,
    NE_CONNECTION_RESET, NE_CONNECTION_ABORTED, NE_DATAGRAM_TOO_LARGE, NE_NAME_UNRESOLVABLE,
    NE_TEMPORARY_RESOLVER_FAILURE, NE_PERMANENT_RESOLVER_FAILURE
};
/* The error-code of a host errno. */
uint32_t p2_net_code(int e);
struct sockaddr_storage;
/* An ip-socket-address value into a host address (*len its size) for a socket of family
 * fam (0/1); false when its family is not fam. */
bool p2_sockaddr_in(const weld_cval *v, int fam, struct sockaddr_storage *sa, unsigned *len);
/* A host address into an ip-socket-address value; false when out of memory. */
bool p2_sockaddr_out(weld_cval *out, const struct sockaddr_storage *sa);
/* Whether the address (family checked by p2_sockaddr_in) may be used as `what`:
 * unicast (not multicast nor the IPv4 broadcast), not IPv4-mapped on an IPv6 socket, and
 * for a remote address not unspecified nor port 0. */
bool p2_sockaddr_ok(const struct sockaddr_storage *sa, bool remote);
/* A new non-blocking, close-on-exec socket entry of kind k (P2_TCP/P2_UDP) and family; its
 * rep, or 0 with *e a host errno. */
uint32_t p2_socket_new(weld_wasi2 *w, p2_kind k, int family, int *e);
/* Common socket options (SO_RCVBUF/SO_SNDBUF, hop limit) for tcp and udp. */
weld_status p2_sock_bufsize(weld_wasi2 *w, weld_crt_host_call *call, const p2_obj *s, bool send, const weld_cval *set,
                            weld_cval *res);
weld_status p2_sock_hoplimit(weld_wasi2 *w, weld_crt_host_call *call, const p2_obj *s, const weld_cval *set,
                             weld_cval *res);
extern const p2_def p2_tcp_defs[];

#endif
