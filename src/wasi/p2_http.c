/* p2_http.c - wasi:http for the WASI 0.2 host: wasi:http/types (fields with the header
 * rules, requests, responses, bodies as wasi:io streams over memory buffers, trailers),
 * the host side of wasi:http/incoming-handler (weld_wasi2_http_handle: one request in,
 * one response out) and wasi:http/outgoing-handler, which refuses every request with the
 * error-code HTTP-request-denied (weld makes no outgoing HTTP request).
 *
 * The objects behind the wasi:http resources live in a table of their own (struct
 * p2_http); a resource's representation is its entry's index + 1. Streams and pollables
 * they hand out are entries of the context's object table (p2_io.c). */
#include "wasi/p2_int.h"
#include "base/base.h"
#include "weld/wasi2_http.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const p2_http_resources[P2_NHTTP] = {
    "fields",
    "incoming-request",
    "outgoing-request",
    "request-options",
    "response-outparam",
    "incoming-response",
    "incoming-body",
    "future-trailers",
    "outgoing-response",
    "outgoing-body",
    "future-incoming-response",
};
enum { H_FIELDS, H_INREQ, H_OUTREQ, H_OPTS, H_OUTPARAM, H_INRESP, H_INBODY, H_FTRAIL, H_OUTRESP, H_OUTBODY, H_FINRESP };

/* header-error cases */
enum { HE_SYNTAX, HE_FORBIDDEN, HE_IMMUTABLE };
/* error-code cases used by the host (the variant has 39) */
enum { EC_HTTP_REQUEST_DENIED = 15, EC_HTTP_PROTOCOL_ERROR = 35, EC_INTERNAL = 38, EC_NCASES = 39 };
static const char *const ERROR_CODES[EC_NCASES] = {
    "DNS-timeout", "DNS-error", "destination-not-found", "destination-unavailable",
    "destination-IP-prohibited", "destination-IP-unroutable", "connection-refused",
    "connection-terminated", "connection-timeout", "connection-read-timeout",
    "connection-write-timeout", "connection-limit-reached", "TLS-protocol-error",
    "TLS-certificate-error", "TLS-alert-received", "HTTP-request-denied",
    "HTTP-request-length-required", "HTTP-request-body-size", "HTTP-request-method-invalid",
    "HTTP-request-URI-invalid", "HTTP-request-URI-too-long", "HTTP-request-header-section-size",
    "HTTP-request-header-size", "HTTP-request-trailer-section-size", "HTTP-request-trailer-size",
    "HTTP-response-incomplete", "HTTP-response-header-section-size", "HTTP-response-header-size",
    "HTTP-response-body-size", "HTTP-response-trailer-section-size", "HTTP-response-trailer-size",
    "HTTP-response-transfer-coding", "HTTP-response-content-coding", "HTTP-response-timeout",
    "HTTP-upgrade-failed", "HTTP-protocol-error", "loop-detected", "configuration-error",
    "internal-error",
};

static const char *const METHODS[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
enum { M_OTHER = 9 };

typedef struct hfield {
    char *name;
    uint8_t *val;
    size_t len;
} hfield;

typedef struct hfields {
    hfield *v;
    uint32_t n, cap;
} hfields;

typedef struct hobj {
    int8_t kind;        /* H_*, -1: free */
    bool immutable;     /* fields */
    bool taken;         /* consume / stream / body / write already handed out */
    bool got;           /* future-trailers: get returned the trailers */
    uint16_t status;    /* outgoing-response */
    hfields f;          /* fields; the headers of requests and responses */
    p2_membuf *body;    /* incoming-request, incoming-body, outgoing-response, outgoing-body */
    uint32_t method;    /* requests: a method case; M_OTHER with `other` */
    char *method_other;
    bool has_scheme, has_authority, has_path;
    uint32_t scheme;    /* 0 HTTP, 1 HTTPS, 2 other */
    char *scheme_other, *authority, *path;
    bool has_timeout[3];
    uint64_t timeout[3];
    uint32_t next_free;
} hobj;

struct p2_http {
    hobj *v;
    uint32_t n, cap, free_head;
    /* the call of weld_wasi2_http_handle in progress */
    bool set, set_err;
    uint32_t err_tag, resp_rep;
};

/* ---- the table ------------------------------------------------------------------------- */

static void fields_clear(hfields *f)
{
    for (uint32_t i = 0; i < f->n; i++) {
        free(f->v[i].name);
        free(f->v[i].val);
    }
    free(f->v);
    memset(f, 0, sizeof *f);
}

static uint32_t hnew(weld_wasi2 *w, int kind)
{
    if (!w->hs && !(w->hs = calloc(1, sizeof *w->hs))) return 0;
    struct p2_http *h = w->hs;
    uint32_t i;
    if (h->free_head) {
        i = h->free_head - 1;
        h->free_head = h->v[i].next_free;
    } else {
        if (h->n == h->cap) {
            if (h->cap >= 1u << 24) return 0;
            uint32_t c = h->cap ? h->cap * 2 : 16;
            hobj *v = realloc(h->v, c * sizeof *v);
            if (!v) return 0;
            h->v = v;
            h->cap = c;
        }
        i = h->n++;
    }
    memset(&h->v[i], 0, sizeof h->v[i]);
    h->v[i].kind = (int8_t)kind;
    return i + 1;
}

static hobj *hget(weld_wasi2 *w, uint32_t rep, int kind)
{
    if (!w->hs || rep == 0 || rep > w->hs->n) return NULL;
    hobj *o = &w->hs->v[rep - 1];
    return o->kind == kind ? o : NULL;
}

static void hrelease(weld_wasi2 *w, uint32_t rep)
{
    if (!w->hs || rep == 0 || rep > w->hs->n || w->hs->v[rep - 1].kind < 0) return;
    hobj *o = &w->hs->v[rep - 1];
    fields_clear(&o->f);
    p2_membuf_unref(o->body);
    free(o->method_other);
    free(o->scheme_other);
    free(o->authority);
    free(o->path);
    memset(o, 0, sizeof *o);
    o->kind = -1;
    o->next_free = w->hs->free_head;
    w->hs->free_head = rep;
}

void p2_http_dtor(void *ctx, uint32_t rep) { hrelease(ctx, rep); }

void p2_http_free(weld_wasi2 *w)
{
    if (!w->hs) return;
    for (uint32_t i = 0; i < w->hs->n; i++) hrelease(w, i + 1);
    free(w->hs->v);
    free(w->hs);
    w->hs = NULL;
}

void weld_wasi2_set_deadline(weld_wasi2 *w, uint64_t monotonic_ns) { w->deadline = monotonic_ns; }

#define H_SELF(var, arg, k)                                                         \
    hobj *var = hget(w, (arg).u.res.rep, (k));                                       \
    if (!var) return p2_trap(call, "wasi:http: unknown resource handle")
#define NOMEM() p2_trap(call, "wasi:http: out of memory")

static weld_cval hown(weld_wasi2 *w, int k, uint32_t rep)
{
    weld_cval c;
    memset(&c, 0, sizeof c);
    c.u.res.rep = rep;
    c.u.res.rt = w->http[k];
    return c;
}

/* ---- fields ------------------------------------------------------------------------------ */

static bool tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool name_ok(const char *s, size_t n)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (!tchar((unsigned char)s[i])) return false;
    return true;
}

static bool value_ok(const uint8_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((v[i] < 0x20 && v[i] != '\t') || v[i] == 0x7f) return false;
    return true;
}

static bool forbidden(const char *s)
{
    static const char *const names[] = {"connection", "keep-alive", "proxy-authenticate",
                                        "proxy-authorization", "proxy-connection", "te",
                                        "transfer-encoding", "upgrade", "http2-settings"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcasecmp(s, names[i]) == 0) return true;
    return false;
}

/* -1 when the name and value are acceptable, else the header-error case. */
static int field_check(const char *name, size_t nlen, const uint8_t *val, size_t vlen, bool check_value)
{
    if (!name_ok(name, nlen) || (check_value && !value_ok(val, vlen))) return HE_SYNTAX;
    if (forbidden(name)) return HE_FORBIDDEN;
    return -1;
}

static bool fields_add(hfields *f, const char *name, size_t nlen, const uint8_t *val, size_t vlen)
{
    if (f->n == f->cap) {
        uint32_t c = f->cap ? f->cap * 2 : 8;
        hfield *v = realloc(f->v, c * sizeof *v);
        if (!v) return false;
        f->v = v;
        f->cap = c;
    }
    hfield *e = &f->v[f->n];
    e->name = strndup(name, nlen);
    e->val = malloc(vlen ? vlen : 1);
    if (!e->name || !e->val) {
        free(e->name);
        free(e->val);
        return false;
    }
    if (vlen) memcpy(e->val, val, vlen);
    e->len = vlen;
    f->n++;
    return true;
}

static bool fields_copy(hfields *dst, const hfields *src)
{
    for (uint32_t i = 0; i < src->n; i++)
        if (!fields_add(dst, src->v[i].name, strlen(src->v[i].name), src->v[i].val, src->v[i].len)) return false;
    return true;
}

static void fields_delete(hfields *f, const char *name)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < f->n; i++) {
        if (strcasecmp(f->v[i].name, name) == 0) {
            free(f->v[i].name);
            free(f->v[i].val);
        } else f->v[k++] = f->v[i];
    }
    f->n = k;
}

/* A new fields object holding a copy of src; its rep or 0. */
static uint32_t fields_new_copy(weld_wasi2 *w, const hfields *src, bool immutable)
{
    uint32_t rep = hnew(w, H_FIELDS);
    if (!rep) return 0;
    hobj *o = hget(w, rep, H_FIELDS);
    o->immutable = immutable;
    if (src && !fields_copy(&o->f, src)) {
        hrelease(w, rep);
        return 0;
    }
    return rep;
}

static weld_status header_err(weld_crt_host_call *call, weld_cval *res, int he)
{
    weld_cval e = p2_enum((uint32_t)he);
    return p2_var(res, 1, &e) ? WELD_OK : NOMEM();
}

static weld_status fields_new(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    uint32_t rep = fields_new_copy(w, NULL, false);
    if (!rep) return NOMEM();
    *res = hown(w, H_FIELDS, rep);
    return WELD_OK;
}

static weld_status fields_from_list(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                    weld_cval *res)
{
    weld_wasi2 *w = ctx;
    const weld_cval *l = &a[0];
    for (uint32_t i = 0; i < l->u.list.count; i++) {
        const weld_cval *t = l->u.list.items[i].u.list.items;
        int he = field_check(t[0].u.str.ptr, t[0].u.str.len, t[1].u.list.bytes, t[1].u.list.count, true);
        if (he >= 0) return header_err(call, res, he);
    }
    uint32_t rep = fields_new_copy(w, NULL, false);
    if (!rep) return NOMEM();
    hobj *o = hget(w, rep, H_FIELDS);
    for (uint32_t i = 0; i < l->u.list.count; i++) {
        const weld_cval *t = l->u.list.items[i].u.list.items;
        if (!fields_add(&o->f, t[0].u.str.ptr, t[0].u.str.len, t[1].u.list.bytes, t[1].u.list.count)) {
            hrelease(w, rep);
            return NOMEM();
        }
    }
    weld_cval v = hown(w, H_FIELDS, rep);
    return p2_ok(call, res, &v);
}

static bool bytes_val(weld_cval *out, const uint8_t *p, size_t len)
{
    memset(out, 0, sizeof *out);
    out->u.list.bytes = malloc(len ? len : 1);
    if (!out->u.list.bytes) return false;
    if (len) memcpy(out->u.list.bytes, p, len);
    out->u.list.count = (uint32_t)len;
    return true;
}

static weld_status fields_get(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_FIELDS);
    uint32_t k = 0;
    for (uint32_t i = 0; i < o->f.n; i++) k += strcasecmp(o->f.v[i].name, a[1].u.str.ptr) == 0;
    weld_cval *items = p2_items(res, k);
    if (!items) return NOMEM();
    k = 0;
    for (uint32_t i = 0; i < o->f.n; i++)
        if (strcasecmp(o->f.v[i].name, a[1].u.str.ptr) == 0 && !bytes_val(&items[k++], o->f.v[i].val, o->f.v[i].len))
            return NOMEM();
    return WELD_OK;
}

static weld_status fields_has(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_FIELDS);
    memset(res, 0, sizeof *res);
    for (uint32_t i = 0; i < o->f.n; i++)
        if (strcasecmp(o->f.v[i].name, a[1].u.str.ptr) == 0) res->u.b = true;
    return WELD_OK;
}

static weld_status fields_set(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_FIELDS);
    if (o->immutable) return header_err(call, res, HE_IMMUTABLE);
    const weld_cval *name = &a[1], *vals = &a[2];
    int he = field_check(name->u.str.ptr, name->u.str.len, NULL, 0, false);
    for (uint32_t i = 0; he < 0 && i < vals->u.list.count; i++)
        if (!value_ok(vals->u.list.items[i].u.list.bytes, vals->u.list.items[i].u.list.count)) he = HE_SYNTAX;
    if (he >= 0) return header_err(call, res, he);
    fields_delete(&o->f, name->u.str.ptr);
    for (uint32_t i = 0; i < vals->u.list.count; i++)
        if (!fields_add(&o->f, name->u.str.ptr, name->u.str.len, vals->u.list.items[i].u.list.bytes,
                        vals->u.list.items[i].u.list.count))
            return NOMEM();
    return p2_ok(call, res, NULL);
}

static weld_status fields_del(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_FIELDS);
    if (o->immutable) return header_err(call, res, HE_IMMUTABLE);
    int he = field_check(a[1].u.str.ptr, a[1].u.str.len, NULL, 0, false);
    if (he >= 0) return header_err(call, res, he);
    fields_delete(&o->f, a[1].u.str.ptr);
    return p2_ok(call, res, NULL);
}

static weld_status fields_append(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                 weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_FIELDS);
    if (o->immutable) return header_err(call, res, HE_IMMUTABLE);
    int he = field_check(a[1].u.str.ptr, a[1].u.str.len, a[2].u.list.bytes, a[2].u.list.count, true);
    if (he >= 0) return header_err(call, res, he);
    if (!fields_add(&o->f, a[1].u.str.ptr, a[1].u.str.len, a[2].u.list.bytes, a[2].u.list.count)) return NOMEM();
    return p2_ok(call, res, NULL);
}

static weld_status fields_entries(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                  weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_FIELDS);
    weld_cval *items = p2_items(res, o->f.n);
    if (!items) return NOMEM();
    for (uint32_t i = 0; i < o->f.n; i++) {
        weld_cval *t = p2_items(&items[i], 2);
        if (!t || !p2_str(&t[0], o->f.v[i].name, strlen(o->f.v[i].name)) ||
            !bytes_val(&t[1], o->f.v[i].val, o->f.v[i].len))
            return NOMEM();
    }
    return WELD_OK;
}

static weld_status fields_clone(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_FIELDS);
    uint32_t rep = fields_new_copy(w, &o->f, false);
    if (!rep) return NOMEM();
    *res = hown(w, H_FIELDS, rep);
    return WELD_OK;
}

/* The fields of an own headers argument, taken over (the fields object is freed). */
static void take_fields(weld_wasi2 *w, uint32_t rep, hfields *dst)
{
    hobj *f = hget(w, rep, H_FIELDS);
    if (!f) return;
    *dst = f->f;
    memset(&f->f, 0, sizeof f->f);
    hrelease(w, rep);
}

/* ---- requests ------------------------------------------------------------------------------ */

static bool opt_str(weld_cval *res, bool has, const char *s)
{
    if (!has) return p2_var(res, 0, NULL);
    weld_cval v;
    return p2_str(&v, s ? s : "", s ? strlen(s) : 0) && p2_var(res, 1, &v);
}

static bool method_val(weld_cval *res, const hobj *o)
{
    if (o->method != M_OTHER) {
        *res = p2_enum(o->method);
        return true;
    }
    weld_cval v;
    return p2_str(&v, o->method_other, strlen(o->method_other)) && p2_var(res, M_OTHER, &v);
}

static bool scheme_val(weld_cval *res, const hobj *o)
{
    if (!o->has_scheme) return p2_var(res, 0, NULL);
    weld_cval s, v;
    if (o->scheme != 2) s = p2_enum(o->scheme);
    else if (!p2_str(&v, o->scheme_other, strlen(o->scheme_other)) || !p2_var(&s, 2, &v)) return false;
    return p2_var(res, 1, &s);
}

static weld_status req_method(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    hobj *o = hget(w, a[0].u.res.rep, H_INREQ);
    if (!o) o = hget(w, a[0].u.res.rep, H_OUTREQ);
    if (!o) return p2_trap(call, "wasi:http: unknown resource handle");
    return method_val(res, o) ? WELD_OK : NOMEM();
}

static hobj *any_req(weld_wasi2 *w, uint32_t rep)
{
    hobj *o = hget(w, rep, H_INREQ);
    return o ? o : hget(w, rep, H_OUTREQ);
}

static weld_status req_path(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    hobj *o = any_req(w, a[0].u.res.rep);
    if (!o) return p2_trap(call, "wasi:http: unknown resource handle");
    return opt_str(res, o->has_path, o->path) ? WELD_OK : NOMEM();
}

static weld_status req_scheme(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    hobj *o = any_req(w, a[0].u.res.rep);
    if (!o) return p2_trap(call, "wasi:http: unknown resource handle");
    return scheme_val(res, o) ? WELD_OK : NOMEM();
}

static weld_status req_authority(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                 weld_cval *res)
{
    weld_wasi2 *w = ctx;
    hobj *o = any_req(w, a[0].u.res.rep);
    if (!o) return p2_trap(call, "wasi:http: unknown resource handle");
    return opt_str(res, o->has_authority, o->authority) ? WELD_OK : NOMEM();
}

/* headers() of requests and responses: an immutable copy. */
static weld_status any_headers(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                               weld_cval *res)
{
    weld_wasi2 *w = ctx;
    hobj *o = any_req(w, a[0].u.res.rep);
    if (!o) o = hget(w, a[0].u.res.rep, H_OUTRESP);
    if (!o) return p2_trap(call, "wasi:http: unknown resource handle");
    uint32_t rep = fields_new_copy(w, &o->f, true);
    if (!rep) return NOMEM();
    *res = hown(w, H_FIELDS, rep);
    return WELD_OK;
}

static weld_status req_consume(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                               weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_INREQ);
    if (o->taken) return p2_var(res, 1, NULL) ? WELD_OK : NOMEM();
    uint32_t rep = hnew(w, H_INBODY);
    if (!rep) return NOMEM();
    o = hget(w, a[0].u.res.rep, H_INREQ); /* hnew may move the table */
    o->taken = true;
    hobj *b = hget(w, rep, H_INBODY);
    b->body = o->body;
    b->body->refs++;
    weld_cval v = hown(w, H_INBODY, rep);
    return p2_ok(call, res, &v);
}

static weld_status outreq_new(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                              weld_cval *res)
{
    weld_wasi2 *w = ctx;
    if (!hget(w, a[0].u.res.rep, H_FIELDS)) return p2_trap(call, "wasi:http: unknown resource handle");
    uint32_t rep = hnew(w, H_OUTREQ);
    if (!rep) return NOMEM();
    hobj *o = hget(w, rep, H_OUTREQ);
    take_fields(w, a[0].u.res.rep, &o->f);
    *res = hown(w, H_OUTREQ, rep);
    return WELD_OK;
}

/* body() of outgoing requests and responses: the outgoing-body, once. */
static weld_status any_body(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    uint32_t self = a[0].u.res.rep;
    hobj *o = hget(w, self, H_OUTREQ);
    if (!o) o = hget(w, self, H_OUTRESP);
    if (!o) return p2_trap(call, "wasi:http: unknown resource handle");
    if (o->taken) return p2_var(res, 1, NULL) ? WELD_OK : NOMEM();
    p2_membuf *m = p2_membuf_new();
    uint32_t rep = m ? hnew(w, H_OUTBODY) : 0;
    if (!rep) {
        p2_membuf_unref(m);
        return NOMEM();
    }
    o = hget(w, self, H_OUTREQ);
    if (!o) o = hget(w, self, H_OUTRESP);
    o->taken = true;
    o->body = m;
    m->refs++;
    hget(w, rep, H_OUTBODY)->body = m;
    weld_cval v = hown(w, H_OUTBODY, rep);
    return p2_ok(call, res, &v);
}

static bool set_str(char **dst, bool *has, const weld_cval *opt)
{
    char *s = NULL;
    if (opt->u.var.tag && !(s = strndup(opt->u.var.payload->u.str.ptr, opt->u.var.payload->u.str.len))) return false;
    free(*dst);
    *dst = s;
    *has = opt->u.var.tag != 0;
    return true;
}

static weld_status outreq_set_method(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                     weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_OUTREQ);
    const weld_cval *m = &a[1];
    if (m->u.var.tag == M_OTHER) {
        if (!name_ok(m->u.var.payload->u.str.ptr, m->u.var.payload->u.str.len))
            return p2_var(res, 1, NULL) ? WELD_OK : NOMEM();
        char *s = strndup(m->u.var.payload->u.str.ptr, m->u.var.payload->u.str.len);
        if (!s) return NOMEM();
        free(o->method_other);
        o->method_other = s;
    }
    o->method = m->u.var.tag;
    return p2_ok(call, res, NULL);
}

static weld_status outreq_set_path(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                   weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_OUTREQ);
    return set_str(&o->path, &o->has_path, &a[1]) ? p2_ok(call, res, NULL) : NOMEM();
}

static weld_status outreq_set_authority(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                        weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_OUTREQ);
    return set_str(&o->authority, &o->has_authority, &a[1]) ? p2_ok(call, res, NULL) : NOMEM();
}

static weld_status outreq_set_scheme(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                     weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_OUTREQ);
    const weld_cval *opt = &a[1];
    o->has_scheme = opt->u.var.tag != 0;
    if (o->has_scheme) {
        const weld_cval *s = opt->u.var.payload;
        o->scheme = s->u.var.tag;
        if (s->u.var.tag == 2) {
            char *x = strndup(s->u.var.payload->u.str.ptr, s->u.var.payload->u.str.len);
            if (!x) return NOMEM();
            free(o->scheme_other);
            o->scheme_other = x;
        }
    }
    return p2_ok(call, res, NULL);
}

static weld_status opts_new(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    uint32_t rep = hnew(w, H_OPTS);
    if (!rep) return NOMEM();
    *res = hown(w, H_OPTS, rep);
    return WELD_OK;
}

static weld_status opts_get(weld_wasi2 *w, weld_crt_host_call *call, const weld_cval *a, weld_cval *res, int i)
{
    H_SELF(o, a[0], H_OPTS);
    weld_cval v = p2_u(o->timeout[i]);
    return p2_var(res, o->has_timeout[i], o->has_timeout[i] ? &v : NULL) ? WELD_OK : NOMEM();
}
static weld_status opts_set(weld_wasi2 *w, weld_crt_host_call *call, const weld_cval *a, weld_cval *res, int i)
{
    H_SELF(o, a[0], H_OPTS);
    o->has_timeout[i] = a[1].u.var.tag != 0;
    o->timeout[i] = o->has_timeout[i] ? a[1].u.var.payload->u.u : 0;
    return p2_ok(call, res, NULL);
}
#define OPT_FNS(name, i)                                                                                  \
    static weld_status name##_get(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,    \
                                  weld_cval *res)                                                         \
    {                                                                                                     \
        return opts_get(ctx, call, a, res, i);                                                            \
    }                                                                                                     \
    static weld_status name##_set(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,    \
                                  weld_cval *res)                                                         \
    {                                                                                                     \
        return opts_set(ctx, call, a, res, i);                                                            \
    }
OPT_FNS(connect_timeout, 0)
OPT_FNS(first_byte_timeout, 1)
OPT_FNS(between_bytes_timeout, 2)

/* ---- bodies, trailers ---------------------------------------------------------------------- */

static weld_status inbody_stream(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                 weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_INBODY);
    if (o->taken) return p2_var(res, 1, NULL) ? WELD_OK : NOMEM();
    uint32_t rep = p2_stream_mem(w, P2_IN, o->body);
    if (!rep) return NOMEM();
    o->taken = true;
    weld_cval v = p2_own(w, P2_IN, rep);
    return p2_ok(call, res, &v);
}

static weld_status inbody_finish(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                 weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_INBODY);
    (void)o;
    hrelease(w, a[0].u.res.rep);
    uint32_t rep = hnew(w, H_FTRAIL);
    if (!rep) return NOMEM();
    *res = hown(w, H_FTRAIL, rep);
    return WELD_OK;
}

static weld_status ready_pollable(weld_wasi2 *w, weld_crt_host_call *call, weld_cval *res)
{
    uint32_t rep = p2_poll_ready(w);
    if (!rep) return NOMEM();
    *res = p2_own(w, P2_POLL, rep);
    return WELD_OK;
}

static weld_status ftrail_subscribe(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                    weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_FTRAIL);
    (void)o;
    return ready_pollable(w, call, res);
}

/* option<result<result<option<trailers>, error-code>>>: the request had no trailers
 * (some(ok(ok(none))) once, then some(err)). */
static weld_status ftrail_get(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_FTRAIL);
    weld_cval none, inner, outer;
    if (o->got) {
        if (!p2_var(&outer, 1, NULL) || !p2_var(res, 1, &outer)) return NOMEM();
        return WELD_OK;
    }
    o->got = true;
    if (!p2_var(&none, 0, NULL) || !p2_var(&inner, 0, &none) || !p2_var(&outer, 0, &inner) ||
        !p2_var(res, 1, &outer))
        return NOMEM();
    return WELD_OK;
}

static weld_status outbody_write(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                 weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_OUTBODY);
    if (o->taken) return p2_var(res, 1, NULL) ? WELD_OK : NOMEM();
    uint32_t rep = p2_stream_mem(w, P2_OUT, o->body);
    if (!rep) return NOMEM();
    o = hget(w, a[0].u.res.rep, H_OUTBODY);
    o->taken = true;
    weld_cval v = p2_own(w, P2_OUT, rep);
    return p2_ok(call, res, &v);
}

/* finish(this, option<trailers>) -> result<_, error-code>; trailers are accepted and
 * dropped (the server sends none). */
static weld_status outbody_finish(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                  weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_OUTBODY);
    o->body->finished = true;
    hrelease(w, a[0].u.res.rep);
    if (a[1].u.var.tag) hrelease(w, a[1].u.var.payload->u.res.rep);
    return p2_ok(call, res, NULL);
}

/* ---- responses ------------------------------------------------------------------------------- */

static weld_status outresp_new(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                               weld_cval *res)
{
    weld_wasi2 *w = ctx;
    if (!hget(w, a[0].u.res.rep, H_FIELDS)) return p2_trap(call, "wasi:http: unknown resource handle");
    uint32_t rep = hnew(w, H_OUTRESP);
    if (!rep) return NOMEM();
    hobj *o = hget(w, rep, H_OUTRESP);
    o->status = 200;
    take_fields(w, a[0].u.res.rep, &o->f);
    *res = hown(w, H_OUTRESP, rep);
    return WELD_OK;
}

static weld_status outresp_status(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                  weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_OUTRESP);
    *res = p2_u(o->status);
    return WELD_OK;
}

static weld_status outresp_set_status(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                      weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_OUTRESP);
    uint64_t s = a[1].u.u;
    if (s < 100 || s > 999) return p2_var(res, 1, NULL) ? WELD_OK : NOMEM();
    o->status = (uint16_t)s;
    return p2_ok(call, res, NULL);
}

static weld_status outparam_inform(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                   weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_OUTPARAM);
    (void)o;
    hrelease(w, a[2].u.res.rep);
    return p2_err(call, res, EC_HTTP_PROTOCOL_ERROR);
}

static weld_status outparam_set(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                weld_cval *res)
{
    weld_wasi2 *w = ctx;
    H_SELF(o, a[0], H_OUTPARAM);
    (void)o;
    hrelease(w, a[0].u.res.rep);
    struct p2_http *h = w->hs;
    if (a[1].u.var.tag == 0) {
        uint32_t rep = a[1].u.var.payload->u.res.rep;
        if (!hget(w, rep, H_OUTRESP)) return p2_trap(call, "wasi:http: unknown resource handle");
        h->set = true;
        h->set_err = false;
        h->resp_rep = rep;
    } else {
        h->set = h->set_err = true;
        h->err_tag = a[1].u.var.payload->u.var.tag;
    }
    return WELD_OK;
}

static weld_status unknown_handle(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                  weld_cval *res)
{
    /* incoming-response and future-incoming-response: the host never makes one */
    return p2_trap(call, "wasi:http: unknown resource handle");
}

static weld_status http_error_code(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                   weld_cval *res)
{
    weld_wasi2 *w = ctx;
    P2_SELF(o, a[0], P2_ERR);
    (void)o;
    return p2_var(res, 0, NULL) ? WELD_OK : NOMEM(); /* stream errors of bodies in memory are never HTTP errors */
}

/* outgoing-handler.handle: weld makes no outgoing request. */
static weld_status outgoing_handle(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                   weld_cval *res)
{
    weld_wasi2 *w = ctx;
    hrelease(w, a[0].u.res.rep);
    if (a[1].u.var.tag) hrelease(w, a[1].u.var.payload->u.res.rep);
    return p2_err(call, res, EC_HTTP_REQUEST_DENIED);
}

const p2_def p2_http_defs[] = {
    {"wasi:http/types", "http-error-code", http_error_code},
    {"wasi:http/types", "[constructor]fields", fields_new},
    {"wasi:http/types", "[static]fields.from-list", fields_from_list},
    {"wasi:http/types", "[method]fields.get", fields_get},
    {"wasi:http/types", "[method]fields.has", fields_has},
    {"wasi:http/types", "[method]fields.set", fields_set},
    {"wasi:http/types", "[method]fields.delete", fields_del},
    {"wasi:http/types", "[method]fields.append", fields_append},
    {"wasi:http/types", "[method]fields.entries", fields_entries},
    {"wasi:http/types", "[method]fields.clone", fields_clone},
    {"wasi:http/types", "[method]incoming-request.method", req_method},
    {"wasi:http/types", "[method]incoming-request.path-with-query", req_path},
    {"wasi:http/types", "[method]incoming-request.scheme", req_scheme},
    {"wasi:http/types", "[method]incoming-request.authority", req_authority},
    {"wasi:http/types", "[method]incoming-request.headers", any_headers},
    {"wasi:http/types", "[method]incoming-request.consume", req_consume},
    {"wasi:http/types", "[constructor]outgoing-request", outreq_new},
    {"wasi:http/types", "[method]outgoing-request.body", any_body},
    {"wasi:http/types", "[method]outgoing-request.method", req_method},
    {"wasi:http/types", "[method]outgoing-request.set-method", outreq_set_method},
    {"wasi:http/types", "[method]outgoing-request.path-with-query", req_path},
    {"wasi:http/types", "[method]outgoing-request.set-path-with-query", outreq_set_path},
    {"wasi:http/types", "[method]outgoing-request.scheme", req_scheme},
    {"wasi:http/types", "[method]outgoing-request.set-scheme", outreq_set_scheme},
    {"wasi:http/types", "[method]outgoing-request.authority", req_authority},
    {"wasi:http/types", "[method]outgoing-request.set-authority", outreq_set_authority},
    {"wasi:http/types", "[method]outgoing-request.headers", any_headers},
    {"wasi:http/types", "[constructor]request-options", opts_new},
    {"wasi:http/types", "[method]request-options.connect-timeout", connect_timeout_get},
    {"wasi:http/types", "[method]request-options.set-connect-timeout", connect_timeout_set},
    {"wasi:http/types", "[method]request-options.first-byte-timeout", first_byte_timeout_get},
    {"wasi:http/types", "[method]request-options.set-first-byte-timeout", first_byte_timeout_set},
    {"wasi:http/types", "[method]request-options.between-bytes-timeout", between_bytes_timeout_get},
    {"wasi:http/types", "[method]request-options.set-between-bytes-timeout", between_bytes_timeout_set},
    {"wasi:http/types", "[method]response-outparam.send-informational", outparam_inform},
    {"wasi:http/types", "[static]response-outparam.set", outparam_set},
    {"wasi:http/types", "[method]incoming-response.status", unknown_handle},
    {"wasi:http/types", "[method]incoming-response.headers", unknown_handle},
    {"wasi:http/types", "[method]incoming-response.consume", unknown_handle},
    {"wasi:http/types", "[method]incoming-body.stream", inbody_stream},
    {"wasi:http/types", "[static]incoming-body.finish", inbody_finish},
    {"wasi:http/types", "[method]future-trailers.subscribe", ftrail_subscribe},
    {"wasi:http/types", "[method]future-trailers.get", ftrail_get},
    {"wasi:http/types", "[constructor]outgoing-response", outresp_new},
    {"wasi:http/types", "[method]outgoing-response.status-code", outresp_status},
    {"wasi:http/types", "[method]outgoing-response.set-status-code", outresp_set_status},
    {"wasi:http/types", "[method]outgoing-response.headers", any_headers},
    {"wasi:http/types", "[method]outgoing-response.body", any_body},
    {"wasi:http/types", "[method]outgoing-body.write", outbody_write},
    {"wasi:http/types", "[static]outgoing-body.finish", outbody_finish},
    {"wasi:http/types", "[method]future-incoming-response.subscribe", unknown_handle},
    {"wasi:http/types", "[method]future-incoming-response.get", unknown_handle},
    {"wasi:http/outgoing-handler", "handle", outgoing_handle},
    {NULL, NULL, NULL},
};

weld_status p2_http_link(weld_wasi2 *w, weld_crt_linker *l, const char *version, weld_diag *d)
{
    static const struct {
        const char *iface, *name, *as;
    } alias[] = {
        {"wasi:http/types", "headers", "fields"},
        {"wasi:http/types", "trailers", "fields"},
        {"wasi:http/outgoing-handler", "outgoing-request", NULL},
        {"wasi:http/outgoing-handler", "request-options", NULL},
        {"wasi:http/outgoing-handler", "future-incoming-response", NULL},
        {"wasi:http/incoming-handler", "incoming-request", NULL},
        {"wasi:http/incoming-handler", "response-outparam", NULL},
    };
    static const struct {
        const char *name;
        p2_kind kind;
    } io[] = {{"input-stream", P2_IN}, {"output-stream", P2_OUT}, {"io-error", P2_ERR}, {"pollable", P2_POLL}};
    char inst[128];
    snprintf(inst, sizeof inst, "wasi:http/types%s", version);
    for (uint32_t i = 0; i < P2_NHTTP; i++)
        if (weld_crt_linker_resource(l, inst, p2_http_resources[i], w->http[i]))
            return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "cannot define %s", inst);
    for (size_t i = 0; i < sizeof io / sizeof *io; i++)
        if (weld_crt_linker_resource(l, inst, io[i].name, w->types[io[i].kind]))
            return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "cannot define %s", inst);
    for (size_t i = 0; i < sizeof alias / sizeof *alias; i++) {
        const char *target = alias[i].as ? alias[i].as : alias[i].name;
        for (uint32_t k = 0; k < P2_NHTTP; k++) {
            if (strcmp(p2_http_resources[k], target)) continue;
            snprintf(inst, sizeof inst, "%s%s", alias[i].iface, version);
            if (weld_crt_linker_resource(l, inst, alias[i].name, w->http[k]))
                return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "cannot define %s", inst);
        }
    }
    return WELD_OK;
}

/* ---- serving one request --------------------------------------------------------------------- */

void weld_wasi2_http_response_free(weld_wasi2_http_response *r)
{
    if (!r) return;
    for (uint32_t i = 0; i < r->nheaders; i++) {
        free((char *)r->headers[i].name);
        free((uint8_t *)r->headers[i].value);
    }
    free(r->headers);
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* The incoming-request object for req (and its body); its rep or 0. */
static uint32_t make_request(weld_wasi2 *w, const weld_wasi2_http_request *req)
{
    uint32_t rep = hnew(w, H_INREQ);
    if (!rep) return 0;
    hobj *o = hget(w, rep, H_INREQ);
    bool ok = (o->body = p2_membuf_new()) != NULL;
    if (ok && req->body_len) {
        ok = (o->body->data = malloc(req->body_len)) != NULL;
        if (ok) {
            memcpy(o->body->data, req->body, req->body_len);
            o->body->len = o->body->cap = req->body_len;
        }
    }
    o->method = M_OTHER;
    for (uint32_t i = 0; i < M_OTHER; i++)
        if (req->method && strcmp(req->method, METHODS[i]) == 0) o->method = i;
    if (o->method == M_OTHER) ok = ok && (o->method_other = strdup(req->method ? req->method : "")) != NULL;
    if ((o->has_scheme = req->scheme != NULL)) {
        o->scheme = strcasecmp(req->scheme, "http") == 0 ? 0 : strcasecmp(req->scheme, "https") == 0 ? 1 : 2;
        if (o->scheme == 2) ok = ok && (o->scheme_other = strdup(req->scheme)) != NULL;
    }
    if ((o->has_authority = req->authority != NULL)) ok = ok && (o->authority = strdup(req->authority)) != NULL;
    if ((o->has_path = req->path_with_query != NULL)) ok = ok && (o->path = strdup(req->path_with_query)) != NULL;
    for (uint32_t i = 0; ok && i < req->nheaders; i++)
        ok = fields_add(&o->f, req->headers[i].name, strlen(req->headers[i].name), req->headers[i].value,
                        req->headers[i].len);
    if (!ok) {
        hrelease(w, rep);
        return 0;
    }
    return rep;
}

weld_status weld_wasi2_http_handle(weld_wasi2 *w, weld_crt *rt, weld_crt_instance *inst,
                                   const weld_wasi2_http_request *req, weld_wasi2_http_response *resp,
                                   weld_diag *d)
{
    memset(resp, 0, sizeof *resp);
    weld_crt_func *f = weld_crt_instance_func(inst, "wasi:http/incoming-handler#handle"); /* any version */
    if (!f)
        return weld_diag_set(d, WELD_ERR_LINK, WELD_NO_OFFSET,
                             "the component exports no wasi:http/incoming-handler@0.2.x handle function "
                             "(not a wasi:http/proxy component)");
    uint32_t rq = make_request(w, req), op = rq ? hnew(w, H_OUTPARAM) : 0;
    if (!op) {
        hrelease(w, rq);
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory making the request");
    }
    struct p2_http *h = w->hs;
    h->set = h->set_err = false;
    h->resp_rep = 0;
    weld_cval args[2] = {hown(w, H_INREQ, rq), hown(w, H_OUTPARAM, op)}, res;
    memset(&res, 0, sizeof res);
    weld_status st = weld_crt_call(rt, f, args, 2, &res, d);
    if (st) return st;
    if (!h->set)
        return weld_diag_set(d, WELD_ERR_TRAP, WELD_NO_OFFSET,
                             "the handler returned without setting a response (response-outparam.set)");
    if (h->set_err)
        return weld_diag_set(d, WELD_ERR_TRAP, WELD_NO_OFFSET, "the handler answered with the error-code %s",
                             h->err_tag < EC_NCASES ? ERROR_CODES[h->err_tag] : "(unknown)");
    hobj *o = hget(w, h->resp_rep, H_OUTRESP);
    if (!o) return weld_diag_set(d, WELD_ERR_TRAP, WELD_NO_OFFSET, "the response was dropped");
    if (o->body && !o->body->finished) {
        hrelease(w, h->resp_rep);
        return weld_diag_set(d, WELD_ERR_TRAP, WELD_NO_OFFSET,
                             "the handler did not finish the response body (outgoing-body.finish)");
    }
    resp->status = o->status;
    bool ok = true;
    if (o->f.n && !(resp->headers = calloc(o->f.n, sizeof *resp->headers))) ok = false;
    for (uint32_t i = 0; ok && i < o->f.n; i++) {
        resp->headers[i].name = o->f.v[i].name;
        resp->headers[i].value = o->f.v[i].val;
        resp->headers[i].len = o->f.v[i].len;
        o->f.v[i].name = NULL;
        o->f.v[i].val = NULL;
        resp->nheaders++;
    }
    if (ok && o->body && o->body->len) {
        if (o->body->refs == 1) { /* the buffer is ours alone: keep it */
            resp->body = o->body->data;
            o->body->data = NULL;
        } else if ((resp->body = malloc(o->body->len)))
            memcpy(resp->body, o->body->data, o->body->len);
        else ok = false;
        if (ok) resp->body_len = o->body->len;
    }
    hrelease(w, h->resp_rep);
    h->resp_rep = 0;
    if (!ok) {
        weld_wasi2_http_response_free(resp);
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory collecting the response");
    }
    return WELD_OK;
}
