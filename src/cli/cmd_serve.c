/* cmd_serve.c - `weld serve COMPONENT`: a wasi:http/proxy component behind an HTTP/1.1
 * server (libmicrohttpd: keep-alive, chunked request bodies, a thread pool). Each request
 * runs in a fresh instance of the component (weld/wasi2_http.h); a trap answers that
 * request with a 500 and a log line while the server goes on; SIGINT/SIGTERM let the
 * requests in flight finish, then stop.
 *
 * The component is read, validated and compiled once per runtime; a runtime (with its
 * WASI 0.2 context and linker) serves one request at a time and is taken from a pool.
 * The first runtime is made before listening (a bad component fails there), the others
 * by a thread in the background ("N runtimes ready" on stderr), or on demand.
 * The component runtime frees instances only with the runtime, so a runtime is rebuilt
 * after --recycle requests, sooner when the process's resident memory passes --max-rss,
 * and after a trap. */
#include "cli.h"
#include "weld/crt.h"
#include "weld/wasi2.h"
#include "weld/wasi2_http.h"
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

extern const weld_cmd cmd_serve;

/* One runtime with the component loaded and the WASI host linked. */
typedef struct worker {
    weld_crt *rt;
    weld_crt_component *c;
    weld_wasi2 *w;
    weld_crt_linker *l;
    unsigned used; /* requests served */
    struct worker *next;
} worker;

typedef struct server {
    const char *path;
    uint8_t *data;
    size_t len;
    weld_rt_limits lim;
    weld_wasi2_config wc;
    uint64_t timeout_ms, max_body, max_rss;
    unsigned recycle;
    bool json_log;
    pthread_mutex_t lock; /* the pool and the logs */
    worker *pool;
    atomic_int inflight;
    atomic_ulong served, traps;
    unsigned prewarm;     /* runtimes the warming thread makes after the first */
    atomic_bool stopping; /* the warming thread stops early */
} server;

/* What one request carries between the callbacks of libmicrohttpd. */
typedef struct request {
    char *uri; /* as sent: path and query */
    uint8_t *body;
    size_t len, cap;
    bool too_big, counted;
    struct timespec t0;
} request;

static uint64_t now_ns(clockid_t clk)
{
    struct timespec t;
    clock_gettime(clk, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void worker_free(worker *k)
{
    if (!k) return;
    weld_crt_free(k->rt); /* first: its teardown may drop host handles of w */
    weld_wasi2_free(k->w);
    free(k);
}

/* A new worker; NULL with d set on failure. */
static worker *worker_new(server *s, weld_diag *d)
{
    worker *k = calloc(1, sizeof *k);
    if (k && (k->rt = weld_crt_new(&s->lim))) {
        if (!weld_crt_component_load(k->rt, s->data, s->len, &k->c, d) && (k->w = weld_wasi2_new(&s->wc, k->rt, d))) {
            if ((k->l = weld_crt_linker_new(k->rt)) && !weld_wasi2_link(k->w, k->l, d)) return k;
        }
        if (d->status) {
            worker_free(k);
            return NULL;
        }
    }
    worker_free(k);
    d->status = WELD_ERR_NOMEM;
    snprintf(d->message, sizeof d->message, "out of memory");
    return NULL;
}

static worker *pool_take(server *s, weld_diag *d)
{
    pthread_mutex_lock(&s->lock);
    worker *k = s->pool;
    if (k) s->pool = k->next;
    pthread_mutex_unlock(&s->lock);
    return k ? k : worker_new(s, d);
}

/* The process's resident memory in bytes (0 when unknown). */
static uint64_t resident_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long long size = 0, res = 0;
    if (!f) return 0;
    int n = fscanf(f, "%llu %llu", &size, &res);
    fclose(f);
    return n == 2 ? (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
}

enum { MIN_USES = 4 }; /* requests a runtime serves before memory alone retires it */

static void pool_give(server *s, worker *k)
{
    /* its instances are freed with the runtime only: retire it after --recycle requests,
     * or sooner when the process holds more than --max-rss */
    if (k->used >= s->recycle || (k->used >= MIN_USES && s->max_rss && resident_bytes() > s->max_rss)) {
        worker_free(k);
        return;
    }
    pthread_mutex_lock(&s->lock);
    k->next = s->pool;
    s->pool = k;
    pthread_mutex_unlock(&s->lock);
}

/* The warming thread: the other runtimes of the pool, made while the server already
 * listens, so that the first burst of requests does not wait for them one by one. */
static void *prewarm(void *arg)
{
    server *s = arg;
    unsigned made = 0;
    for (; made < s->prewarm && !atomic_load(&s->stopping); made++) {
        weld_diag d;
        weld_diag_init(&d, s->path);
        worker *k = worker_new(s, &d);
        if (!k) break; /* requests will make (and report) it */
        pthread_mutex_lock(&s->lock);
        k->next = s->pool;
        s->pool = k;
        pthread_mutex_unlock(&s->lock);
    }
    if (made == s->prewarm) {
        pthread_mutex_lock(&s->lock);
        fprintf(stderr, "weld serve: %u runtimes ready\n", made + 1);
        pthread_mutex_unlock(&s->lock);
    }
    return NULL;
}

/* ---- logging ---------------------------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static void access_log(server *s, struct MHD_Connection *con, const char *method, const char *uri, unsigned status,
                       size_t bytes, double ms, const char *error)
{
    char addr[INET6_ADDRSTRLEN] = "-";
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET) inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, addr, sizeof addr);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, addr, sizeof addr);
    }
    time_t t = time(NULL);
    struct tm tm;
    char when[32];
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    pthread_mutex_lock(&s->lock);
    if (s->json_log) {
        printf("{\"time\":\"%s\",\"remote\":", when);
        json_str(stdout, addr);
        printf(",\"method\":");
        json_str(stdout, method);
        printf(",\"uri\":");
        json_str(stdout, uri);
        printf(",\"status\":%u,\"bytes\":%zu,\"ms\":%.3f", status, bytes, ms);
        if (error) {
            printf(",\"error\":");
            json_str(stdout, error);
        }
        printf("}\n");
    } else {
        printf("%s %s \"%s %s\" %u %zu %.3fms", when, addr, method, uri, status, bytes, ms);
        if (error) printf(" error: %s", error);
        printf("\n");
    }
    fflush(stdout);
    pthread_mutex_unlock(&s->lock);
}

/* ---- requests -------------------------------------------------------------------------- */

static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *con)
{
    request *r = calloc(1, sizeof *r);
    if (r) {
        r->uri = strdup(uri ? uri : "/");
        clock_gettime(CLOCK_MONOTONIC, &r->t0);
    }
    return r;
}

static void completed_cb(void *cls, struct MHD_Connection *con, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    server *s = cls;
    request *r = *con_cls;
    if (!r) return;
    if (r->counted) atomic_fetch_sub(&s->inflight, 1);
    free(r->uri);
    free(r->body);
    free(r);
    *con_cls = NULL;
}

typedef struct hdrs {
    weld_wasi2_http_field *v;
    uint32_t n, cap;
} hdrs;

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    hdrs *h = cls;
    if (h->n == h->cap) {
        uint32_t c = h->cap ? h->cap * 2 : 16;
        weld_wasi2_http_field *v = realloc(h->v, c * sizeof *v);
        if (!v) return MHD_NO;
        h->v = v;
        h->cap = c;
    }
    h->v[h->n++] = (weld_wasi2_http_field){key, (const uint8_t *)(value ? value : ""), value ? strlen(value) : 0};
    return MHD_YES;
}

static enum MHD_Result send_text(struct MHD_Connection *con, unsigned status, const char *text)
{
    struct MHD_Response *rs = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    if (!rs) return MHD_NO;
    MHD_add_response_header(rs, "content-type", "text/plain; charset=utf-8");
    enum MHD_Result ret = MHD_queue_response(con, status, rs);
    MHD_destroy_response(rs);
    return ret;
}

static double elapsed_ms(const request *r)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - r->t0.tv_sec) * 1e3 + (double)(t.tv_nsec - r->t0.tv_nsec) / 1e6;
}

/* A 500 for a request the component could not answer; logged with the reason. */
static enum MHD_Result fail(server *s, struct MHD_Connection *con, request *r, const char *method, const char *why)
{
    static const char body[] = "500 Internal Server Error\n";
    enum MHD_Result ret = send_text(con, MHD_HTTP_INTERNAL_SERVER_ERROR, body);
    access_log(s, con, method, r->uri, 500, sizeof body - 1, elapsed_ms(r), why);
    return ret;
}

/* Response fields libmicrohttpd writes itself (framing and the connection). */
static bool framing_field(const char *name)
{
    return !strcasecmp(name, "content-length") || !strcasecmp(name, "transfer-encoding") ||
           !strcasecmp(name, "connection") || !strcasecmp(name, "keep-alive");
}

static enum MHD_Result run_request(server *s, struct MHD_Connection *con, request *r, const char *method)
{
    weld_diag d;
    weld_diag_init(&d, s->path);
    worker *k = pool_take(s, &d);
    if (!k) return fail(s, con, r, method, d.message);
    k->used++;
    hdrs h = {0};
    MHD_get_connection_values(con, MHD_HEADER_KIND, collect_header, &h);
    const char *host = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "host");
    weld_wasi2_http_request rq = {.method = method, .scheme = "http", .authority = host,
                                  .path_with_query = r->uri, .headers = h.v, .nheaders = h.n,
                                  .body = r->body, .body_len = r->len};
    weld_wasi2_http_response rs;
    memset(&rs, 0, sizeof rs);
    weld_crt_instance *inst;
    weld_wasi2_set_deadline(k->w, s->timeout_ms ? now_ns(CLOCK_MONOTONIC) + s->timeout_ms * 1000000u : 0);
    weld_status st = weld_crt_instantiate(k->rt, k->c, k->l, &inst, &d);
    if (!st) st = weld_wasi2_http_handle(k->w, k->rt, inst, &rq, &rs, &d);
    weld_wasi2_set_deadline(k->w, 0);
    free(h.v);
    if (st) {
        char why[sizeof d.message + 32];
        snprintf(why, sizeof why, "%s%s", st == WELD_ERR_TRAP ? "trap: " : "", d.message);
        atomic_fetch_add(&s->traps, 1);
        pthread_mutex_lock(&s->lock);
        fprintf(stderr, "weld serve: %s %s: %s\n", method, r->uri, why);
        if (st == WELD_ERR_TRAP) fputs(weld_crt_backtrace(k->rt), stderr);
        pthread_mutex_unlock(&s->lock);
        k->used = s->recycle; /* a runtime that trapped is not reused */
        pool_give(s, k);
        return fail(s, con, r, method, why);
    }
    pool_give(s, k);
    size_t blen = rs.body_len;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(blen, blen ? rs.body : (void *)"", blen ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        weld_wasi2_http_response_free(&rs);
        return MHD_NO;
    }
    if (blen) rs.body = NULL; /* the response owns it now */
    for (uint32_t i = 0; i < rs.nheaders; i++) {
        if (framing_field(rs.headers[i].name)) continue;
        char *v = strndup((const char *)rs.headers[i].value, rs.headers[i].len);
        if (v) MHD_add_response_header(resp, rs.headers[i].name, v);
        free(v);
    }
    unsigned status = rs.status;
    weld_wasi2_http_response_free(&rs);
    enum MHD_Result ret = MHD_queue_response(con, status, resp);
    MHD_destroy_response(resp);
    atomic_fetch_add(&s->served, 1);
    access_log(s, con, method, r->uri, status, blen, elapsed_ms(r), NULL);
    return ret;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *con, const char *url, const char *method,
                                 const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
    server *s = cls;
    request *r = *con_cls;
    if (!r) return MHD_NO; /* out of memory in uri_cb: close the connection */
    if (!r->counted) {
        r->counted = true;
        atomic_fetch_add(&s->inflight, 1);
        const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "content-length");
        if (cl && strtoull(cl, NULL, 10) > s->max_body) r->too_big = true;
        if (!r->too_big) return MHD_YES; /* the body, if any, comes in the next calls */
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (r->too_big || n > s->max_body - r->len) {
            r->too_big = true;
            return MHD_YES;
        }
        if (r->len + n > r->cap) {
            size_t cap = r->cap ? r->cap : 4096;
            while (cap < r->len + n) cap *= 2;
            uint8_t *b = realloc(r->body, cap);
            if (!b) return MHD_NO;
            r->body = b;
            r->cap = cap;
        }
        memcpy(r->body + r->len, upload_data, n);
        r->len += n;
        return MHD_YES;
    }
    if (r->too_big) {
        char msg[96];
        snprintf(msg, sizeof msg, "413 Content Too Large: the limit is %llu bytes\n", (unsigned long long)s->max_body);
        enum MHD_Result ret = send_text(con, MHD_HTTP_CONTENT_TOO_LARGE, msg);
        access_log(s, con, method, r->uri, 413, strlen(msg), elapsed_ms(r), "request body over --max-body");
        return ret;
    }
    return run_request(s, con, r, method);
}

/* ---- the command -------------------------------------------------------------------------- */

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-') return false;
    uint64_t mul = 1;
    if (*end == 'K' || *end == 'k') mul = 1024, end++;
    else if (*end == 'M' || *end == 'm') mul = 1024 * 1024, end++;
    else if (*end == 'G' || *end == 'g') mul = 1024 * 1024 * 1024, end++;
    if (*end || (v && mul > UINT64_MAX / v)) return false;
    *out = (uint64_t)v * mul;
    return true;
}

/* HOST:PORT (an IPv4 address) into *sa. */
static bool parse_addr(const char *s, struct sockaddr_in *sa)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s) return false;
    char host[64];
    if ((size_t)(colon - s) >= sizeof host) return false;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = 0;
    uint64_t port;
    if (!parse_u64(colon + 1, &port) || port > 65535) return false;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0) strcpy(host, "127.0.0.1");
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

static bool exports_handler(const weld_tnode *ct)
{
    static const char name[] = "wasi:http/incoming-handler";
    size_t n = sizeof name - 1;
    for (uint32_t i = 0; ct && i < ct->u.ext.nexports; i++) {
        const weld_textern *ex = &ct->u.ext.exports[i];
        if (ex->sort == WELD_EXT_INSTANCE && ex->name.len >= n && !memcmp(ex->name.ptr, name, n) &&
            (ex->name.len == n || ex->name.ptr[n] == '@'))
            return true;
    }
    return false;
}

static int run_serve(int argc, char **argv)
{
    server s;
    memset(&s, 0, sizeof s);
    const char *addr = "127.0.0.1:8080";
    uint64_t workers = 4, recycle = 256;
    s.timeout_ms = 30000;
    s.max_body = 10 * 1024 * 1024;
    s.max_rss = 1024 * 1024 * 1024;
    s.lim.fuel = 0;
    const char **dirs = calloc((size_t)argc + 1, sizeof *dirs), **envs = calloc((size_t)argc + 1, sizeof *envs);
    char **genv = calloc((size_t)argc + 1, sizeof *genv);
    int ndirs = 0, nenv = 0, rc = CLI_OK;
    struct MHD_Daemon *daemon = NULL;
    if (!dirs || !envs || !genv) {
        fprintf(stderr, "weld serve: out of memory\n");
        rc = CLI_REJECTED;
        goto out;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(a, "--addr") == 0 && has) addr = argv[++i];
        else if (strcmp(a, "--dir") == 0 && has) dirs[ndirs++] = argv[++i];
        else if (strcmp(a, "--env") == 0 && has) envs[nenv++] = argv[++i];
        else if (strcmp(a, "--timeout") == 0 && has) {
            if (!parse_u64(argv[++i], &s.timeout_ms)) {
                rc = cli_usage_error(&cmd_serve, "--timeout takes milliseconds (0: none)");
                goto out;
            }
        } else if (strcmp(a, "--max-body") == 0 && has) {
            if (!parse_u64(argv[++i], &s.max_body)) {
                rc = cli_usage_error(&cmd_serve, "--max-body takes a byte count (K, M, G suffixes)");
                goto out;
            }
        } else if (strcmp(a, "--fuel") == 0 && has) {
            if (!parse_u64(argv[++i], &s.lim.fuel) || !s.lim.fuel) {
                rc = cli_usage_error(&cmd_serve, "--fuel takes a positive count");
                goto out;
            }
        } else if (strcmp(a, "--max-memory") == 0 && has) {
            if (!parse_u64(argv[++i], &s.lim.max_memory_bytes) || !s.lim.max_memory_bytes) {
                rc = cli_usage_error(&cmd_serve, "--max-memory takes a byte count (K, M, G suffixes)");
                goto out;
            }
        } else if (strcmp(a, "--max-rss") == 0 && has) {
            if (!parse_u64(argv[++i], &s.max_rss)) {
                rc = cli_usage_error(&cmd_serve, "--max-rss takes a byte count (K, M, G suffixes; 0: no limit)");
                goto out;
            }
        } else if (strcmp(a, "--workers") == 0 && has) {
            if (!parse_u64(argv[++i], &workers) || !workers || workers > 256) {
                rc = cli_usage_error(&cmd_serve, "--workers takes a count from 1 to 256");
                goto out;
            }
        } else if (strcmp(a, "--recycle") == 0 && has) {
            if (!parse_u64(argv[++i], &recycle) || !recycle || recycle > 1000000) {
                rc = cli_usage_error(&cmd_serve, "--recycle takes a positive count of requests");
                goto out;
            }
        } else if (strcmp(a, "--json-log") == 0) s.json_log = true;
        else if (a[0] == '-' && a[1]) {
            rc = cli_usage_error(&cmd_serve, "unknown option '%s'", a);
            goto out;
        } else if (s.path) {
            rc = cli_usage_error(&cmd_serve, "one component only (got '%s' and '%s')", s.path, a);
            goto out;
        } else s.path = a;
    }
    if (!s.path) {
        rc = cli_usage_error(&cmd_serve, "missing component file");
        goto out;
    }
    struct sockaddr_in sa;
    if (!parse_addr(addr, &sa)) {
        rc = cli_usage_error(&cmd_serve, "--addr %s: expected IPV4:PORT, e.g. 127.0.0.1:8080", addr);
        goto out;
    }
    s.recycle = (unsigned)recycle;
    for (int i = 0; i < nenv; i++) {
        const char *v = strchr(envs[i], '=') ? NULL : getenv(envs[i]);
        if (!strchr(envs[i], '=') && !v) {
            rc = cli_usage_error(&cmd_serve, "--env %s: no such variable in the environment (give NAME=VALUE)", envs[i]);
            goto out;
        }
        size_t l = strlen(envs[i]) + (v ? strlen(v) + 2 : 1);
        if (!(genv[i] = malloc(l))) {
            rc = CLI_REJECTED;
            goto out;
        }
        snprintf(genv[i], l, v ? "%s=%s" : "%s", envs[i], v);
    }
    static const char *const no_args[] = {NULL};
    s.wc = (weld_wasi2_config){.argc = 1, .argv = no_args, .envc = nenv, .envp = (const char *const *)genv,
                               .npreopens = ndirs, .preopens = dirs, .stdin_fd = -1, .stdout_fd = 1,
                               .stderr_fd = 2};
    const char *argv0[] = {s.path, NULL};
    s.wc.argv = argv0;
    weld_diag d;
    weld_diag_init(&d, s.path);
    if (weld_file_read(s.path, &s.data, &s.len, &d)) {
        rc = cli_report(&d, NULL, 0);
        goto out;
    }
    pthread_mutex_init(&s.lock, NULL);
    /* the first runtime, made before listening: a bad component or --dir fails here */
    worker *first = worker_new(&s, &d);
    if (!first) {
        rc = cli_report(&d, NULL, 0);
        goto out_lock;
    }
    if (!exports_handler(weld_crt_component_type(first->c))) {
        fprintf(stderr,
                "weld serve: %s exports no wasi:http/incoming-handler (not a wasi:http/proxy component)\n",
                s.path);
        worker_free(first);
        rc = CLI_REJECTED;
        goto out_lock;
    }
    s.pool = first;
    /* the signals are taken by sigwait below: block them before the threads start */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    daemon = MHD_start_daemon(MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC, 0, NULL, NULL, access_cb,
                              &s, MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
                              (unsigned)workers, MHD_OPTION_URI_LOG_CALLBACK, uri_cb, &s,
                              MHD_OPTION_NOTIFY_COMPLETED, completed_cb, &s, MHD_OPTION_CONNECTION_TIMEOUT,
                              (unsigned)60, MHD_OPTION_END);
    if (!daemon) {
        fprintf(stderr, "weld serve: cannot listen on %s: %s\n", addr, strerror(errno ? errno : EADDRINUSE));
        rc = CLI_REJECTED;
        goto out_lock;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    char shown[64];
    inet_ntop(AF_INET, &sa.sin_addr, shown, sizeof shown);
    fprintf(stderr, "weld serve: %s on http://%s:%u/ (%u workers)\n", s.path, shown,
            di ? di->port : ntohs(sa.sin_port), (unsigned)workers);
    pthread_t warm;
    s.prewarm = (unsigned)workers - 1;
    bool warming = s.prewarm && pthread_create(&warm, NULL, prewarm, &s) == 0;
    int sig = 0;
    sigwait(&sigs, &sig);
    atomic_store(&s.stopping, true);
    if (warming) pthread_join(warm, NULL);
    /* stop accepting, let the requests in flight finish, then stop */
    MHD_socket lfd = MHD_quiesce_daemon(daemon);
    if (lfd != MHD_INVALID_SOCKET) close(lfd);
    uint64_t limit = now_ns(CLOCK_MONOTONIC) + (s.timeout_ms ? s.timeout_ms : 30000) * 1000000u + 1000000000u;
    while (atomic_load(&s.inflight) > 0 && now_ns(CLOCK_MONOTONIC) < limit) {
        struct timespec t = {0, 10000000};
        nanosleep(&t, NULL);
    }
    int left = atomic_load(&s.inflight);
    if (left > 0) {
        /* a request still runs code that calls no host function (no --fuel): its thread
         * cannot be stopped, so neither can the server's threads be joined */
        fprintf(stderr,
                "weld serve: %s: %d request(s) still running after the drain limit (give --fuel to bound "
                "them); exiting without them\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM", left);
        fflush(stdout);
        _exit(CLI_REJECTED);
    }
    MHD_stop_daemon(daemon);
    fprintf(stderr, "weld serve: %s: stopped (%lu requests answered by the component, %lu failed)\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM", (unsigned long)atomic_load(&s.served),
            (unsigned long)atomic_load(&s.traps));
out_lock:
    while (s.pool) {
        worker *k = s.pool;
        s.pool = k->next;
        worker_free(k);
    }
    pthread_mutex_destroy(&s.lock);
out:
    free(s.data);
    for (int i = 0; genv && i < nenv; i++) free(genv[i]);
    free(genv);
    free(dirs);
    free(envs);
    return rc;
}

const weld_cmd cmd_serve = {
    "serve",
    "serve HTTP with a wasi:http/proxy component",
    "usage: weld serve COMPONENT [--addr IP:PORT] [OPTIONS]\n\n"
    "Serve HTTP/1.1 on IP:PORT (default 127.0.0.1:8080; port 0 picks a free one, printed on\n"
    "stderr) with COMPONENT, a wasi:http/proxy component: each request runs its\n"
    "wasi:http/incoming-handler export in a fresh instance. Its other wasi:* imports are\n"
    "served by weld's WASI 0.2 host (stdout/stderr of the server, --dir, --env); outgoing\n"
    "HTTP requests are refused (outgoing-handler returns HTTP-request-denied). A trap, a\n"
    "handler that sets no response or an error-code answers 500 and logs why; the server\n"
    "goes on. One access log line per request goes to stdout. SIGINT or SIGTERM stop\n"
    "accepting, let the requests in flight finish (for up to --timeout and a second more),\n"
    "and exit 0; exit 1 when a request was still running then.\n\n"
    "  --addr IP:PORT       where to listen (IPv4)\n"
    "  --dir HOST[::GUEST]  grant the host directory HOST to the component as GUEST\n"
    "  --env NAME=VALUE     set an environment variable (--env NAME: the host's value)\n"
    "  --timeout MS         host calls made after MS milliseconds trap (default 30000, 0:\n"
    "                       none); code that calls no host function is bounded by --fuel\n"
    "  --fuel N             trap a call running more than N Wasm instructions\n"
    "  --max-memory BYTES   the largest a linear memory may grow (K, M, G suffixes)\n"
    "  --max-body BYTES     answer 413 to request bodies larger (default 10M)\n"
    "  --workers N          threads serving requests (default 4)\n"
    "  --recycle N          rebuild a runtime after N requests (default 256): instances are\n"
    "                       freed with their runtime only\n"
    "  --max-rss BYTES      rebuild a runtime sooner (once it served 4 requests) while the\n"
    "                       process's resident memory exceeds BYTES (default 1G, 0: never)\n"
    "  --json-log           access log lines as JSON objects\n",
    run_serve,
};
