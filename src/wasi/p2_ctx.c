/* p2_ctx.c - the WASI 0.2 host's context: configuration copies, preopened directories, the
 * object table behind every host resource, value helpers, linking every interface at
 * 0.2.0, and running a command's wasi:cli/run export. */
#include "wasi/p2_int.h"
#include "base/base.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const p2_def *const TABLES[] = {p2_io_defs, p2_cli_defs, p2_fs_defs, p2_sock_defs, p2_tcp_defs, p2_http_defs};

/* ---- the object table ---------------------------------------------------------------- */

uint32_t p2_new(weld_wasi2 *w, p2_kind k)
{
    uint32_t i;
    if (w->free_head) {
        i = w->free_head - 1;
        w->free_head = w->objs[i].next_free;
    } else {
        if (w->nobjs == w->cap) {
            if (w->cap >= 1u << 24) return 0;
            uint32_t n = w->cap ? w->cap * 2 : 32;
            p2_obj *o = realloc(w->objs, n * sizeof *o);
            if (!o) return 0;
            w->objs = o;
            w->cap = n;
        }
        i = w->nobjs++;
    }
    memset(&w->objs[i], 0, sizeof w->objs[i]);
    w->objs[i].kind = (uint8_t)k;
    w->objs[i].fd = -1;
    w->objs[i].code = -1;
    w->objs[i].net_code = -1;
    return i + 1;
}

p2_obj *p2_get(weld_wasi2 *w, uint32_t rep, p2_kind k)
{
    if (rep == 0 || rep > w->nobjs) return NULL;
    p2_obj *o = &w->objs[rep - 1];
    return o->kind == k && k != P2_FREE ? o : NULL;
}

void p2_release(weld_wasi2 *w, uint32_t rep)
{
    if (rep == 0 || rep > w->nobjs || w->objs[rep - 1].kind == P2_FREE) return;
    p2_obj *o = &w->objs[rep - 1];
    if (o->kind == P2_OUT && o->sub == S_SOCK && o->count) p2_sock_drain(o, 10000); /* at most 10 s a wait */
    if (o->dir) closedir(o->dir);
    else if (o->own_fd && o->fd >= 0) close(o->fd);
    free(o->msg);
    free(o->data);
    p2_membuf_unref(o->mem);
    memset(o, 0, sizeof *o);
    o->next_free = w->free_head;
    w->free_head = rep;
}

static void dtor(void *ctx, uint32_t rep) { p2_release(ctx, rep); }

weld_status p2_trap(weld_crt_host_call *call, const char *msg)
{
    if (call) weld_crt_trap(call, "%s", msg);
    return WELD_ERR_TRAP;
}

/* ---- values ---------------------------------------------------------------------------- */

weld_cval *p2_box(weld_cval v)
{
    weld_cval *p = malloc(sizeof *p);
    if (p) *p = v;
    return p;
}

weld_cval p2_u(uint64_t v)
{
    weld_cval c;
    memset(&c, 0, sizeof c);
    c.u.u = v;
    return c;
}

weld_cval p2_enum(uint32_t tag)
{
    weld_cval c;
    memset(&c, 0, sizeof c);
    c.u.var.tag = tag;
    return c;
}

weld_cval p2_own(weld_wasi2 *w, p2_kind k, uint32_t rep)
{
    weld_cval c;
    memset(&c, 0, sizeof c);
    c.u.res.rep = rep;
    c.u.res.rt = w->types[k];
    return c;
}

bool p2_str(weld_cval *out, const char *s, size_t n)
{
    memset(out, 0, sizeof *out);
    char *p = malloc(n + 1);
    if (!p) return false;
    if (n) memcpy(p, s, n);
    p[n] = 0;
    out->u.str.ptr = p;
    out->u.str.len = (uint32_t)n;
    return true;
}

bool p2_var(weld_cval *out, uint32_t tag, const weld_cval *payload)
{
    memset(out, 0, sizeof *out);
    out->u.var.tag = tag;
    if (payload && !(out->u.var.payload = p2_box(*payload))) return false;
    return true;
}

weld_cval *p2_items(weld_cval *out, uint32_t n)
{
    memset(out, 0, sizeof *out);
    out->u.list.items = calloc(n ? n : 1, sizeof(weld_cval));
    out->u.list.count = n;
    return out->u.list.items;
}

weld_status p2_ok(weld_crt_host_call *call, weld_cval *res, const weld_cval *payload)
{
    return p2_var(res, 0, payload) ? WELD_OK : p2_trap(call, "wasi: out of memory");
}

weld_status p2_err(weld_crt_host_call *call, weld_cval *res, uint32_t code)
{
    weld_cval e = p2_enum(code);
    return p2_var(res, 1, &e) ? WELD_OK : p2_trap(call, "wasi: out of memory");
}

/* Give v and its parts the types of t (the runtime frees by them). */
static void set_types(weld_cval *v, const weld_tnode *t)
{
    v->type = t;
    const weld_tnode *s = weld_tnode_strip(t);
    if (!s) return;
    switch (s->kind) {
    case WELD_TK_LIST:
    case WELD_TK_FIXED_LIST:
        if (v->u.list.items && !weld_cval_list_packed(s->u.list.elem))
            for (uint32_t i = 0; i < v->u.list.count; i++) set_types(&v->u.list.items[i], s->u.list.elem);
        break;
    case WELD_TK_RECORD:
        for (uint32_t i = 0; v->u.list.items && i < v->u.list.count && i < s->u.record.count; i++)
            set_types(&v->u.list.items[i], s->u.record.fields[i].type);
        break;
    case WELD_TK_TUPLE:
        for (uint32_t i = 0; v->u.list.items && i < v->u.list.count && i < s->u.tuple.count; i++)
            set_types(&v->u.list.items[i], s->u.tuple.types[i]);
        break;
    case WELD_TK_VARIANT:
        if (v->u.var.payload && v->u.var.tag < s->u.variant.count && s->u.variant.cases[v->u.var.tag].type)
            set_types(v->u.var.payload, s->u.variant.cases[v->u.var.tag].type);
        break;
    case WELD_TK_OPTION:
        if (v->u.var.payload) set_types(v->u.var.payload, s->u.option);
        break;
    case WELD_TK_RESULT: {
        const weld_tnode *pt = v->u.var.tag ? s->u.result.err : s->u.result.ok;
        if (v->u.var.payload && pt) set_types(v->u.var.payload, pt);
        break;
    }
    default: break;
    }
}

static weld_status dispatch(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    const p2_bind *b = ctx;
    if (b->w->deadline && p2_mono_ns() > b->w->deadline)
        return p2_trap(call, "wasi: the time limit of the call was exceeded");
    weld_status st = b->fn(b->w, call, a, n, res);
    const weld_tnode *ft = call ? weld_tnode_strip(weld_crt_call_type(call)) : NULL;
    if (ft && ft->kind == WELD_TK_FUNC && ft->u.func.result) set_types(res, ft->u.func.result);
    return st;
}

/* ---- the context ------------------------------------------------------------------------- */

static char **copy_strings(int n, const char *const *v)
{
    char **out = calloc((size_t)n + 1, sizeof *out);
    if (!out) return NULL;
    for (int i = 0; i < n; i++)
        if (!(out[i] = strdup(v && v[i] ? v[i] : ""))) {
            while (i--) free(out[i]);
            free(out);
            return NULL;
        }
    return out;
}

static void free_strings(char **v, int n)
{
    if (!v) return;
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}

static const char *const KIND_NAMES[P2_NKINDS] = {
    "", "descriptor", "directory-entry-stream", "input-stream", "output-stream", "pollable",
    "error", "terminal-input", "terminal-output", "network", "tcp-socket", "udp-socket",
    "incoming-datagram-stream", "outgoing-datagram-stream", "resolve-address-stream",
};

weld_wasi2 *weld_wasi2_new(const weld_wasi2_config *c, weld_crt *rt, weld_diag *d)
{
    weld_wasi2 *w = calloc(1, sizeof *w);
    if (!w) goto nomem;
    w->rt = rt;
    w->argc = c && c->argv ? c->argc : 0;
    w->envc = c && c->envp ? c->envc : 0;
    w->argv = copy_strings(w->argc, c ? c->argv : NULL);
    w->envp = copy_strings(w->envc, c ? c->envp : NULL);
    w->stdio[0] = c ? c->stdin_fd : -1;
    w->stdio[1] = c ? c->stdout_fd : -1;
    w->stdio[2] = c ? c->stderr_fd : -1;
    w->allow_net = c && c->allow_net;
    if (!w->argv || !w->envp) goto nomem;
    if (c && c->initial_cwd && !(w->cwd = strdup(c->initial_cwd))) goto nomem;
    size_t nb = 0;
    for (size_t t = 0; t < sizeof TABLES / sizeof *TABLES; t++)
        for (const p2_def *f = TABLES[t]; f->name; f++) nb++;
    if (!(w->binds = calloc(nb, sizeof *w->binds))) goto nomem;
    for (int k = 1; k < P2_NKINDS; k++)
        if (!(w->types[k] = weld_crt_resource_type_new(rt, KIND_NAMES[k], dtor, w))) goto nomem;
    for (int k = 0; k < P2_NHTTP; k++)
        if (!(w->http[k] = weld_crt_resource_type_new(rt, p2_http_resources[k], p2_http_dtor, w))) goto nomem;
    for (int i = 0; c && c->preopens && i < c->npreopens; i++) {
        const char *s = c->preopens[i], *sep = strstr(s, "::");
        char *host = strndup(s, sep ? (size_t)(sep - s) : strlen(s));
        if (!host) goto nomem;
        weld_status st = weld_wasi2_preopen(w, host, sep ? sep + 2 : host, d);
        free(host);
        if (st) {
            weld_wasi2_free(w);
            return NULL;
        }
    }
    return w;
nomem:
    weld_wasi2_free(w);
    weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory creating the WASI 0.2 context");
    return NULL;
}

void weld_wasi2_free(weld_wasi2 *w)
{
    if (!w) return;
    for (uint32_t i = 0; i < w->nobjs; i++) p2_release(w, i + 1);
    p2_http_free(w);
    for (uint32_t i = 0; i < w->npre; i++) {
        close(w->pre[i].fd);
        free(w->pre[i].name);
    }
    free(w->pre);
    free(w->objs);
    free(w->binds);
    free_strings(w->argv, w->argc);
    free_strings(w->envp, w->envc);
    free(w->cwd);
    free(w);
}

weld_status weld_wasi2_preopen(weld_wasi2 *w, const char *host_path, const char *guest_path, weld_diag *d)
{
    int fd = open(host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return weld_diag_set(d, WELD_ERR_IO, WELD_NO_OFFSET, "cannot open directory '%s': %s", host_path,
                             strerror(errno));
    char *name = strdup(guest_path ? guest_path : host_path);
    p2_preopen *p = realloc(w->pre, (w->npre + 1) * sizeof *p);
    if (p) w->pre = p;
    if (!name || !p) {
        close(fd);
        free(name);
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    }
    w->pre[w->npre++] = (p2_preopen){fd, name};
    return WELD_OK;
}

bool weld_wasi2_exited(const weld_wasi2 *w, uint32_t *code)
{
    if (w->exited && code) *code = w->exit_code;
    return w->exited;
}

/* ---- linking ----------------------------------------------------------------------------- */

#define P2_VERSION "@0.2.0"


weld_crt_host_fn p2_find(const char *iface, const char *name)
{
    for (size_t t = 0; t < sizeof TABLES / sizeof *TABLES; t++)
        for (const p2_def *f = TABLES[t]; f->name; f++)
            if (strcmp(f->iface, iface) == 0 && strcmp(f->name, name) == 0) return f->fn;
    return NULL;
}

static const struct {
    const char *iface, *name;
    p2_kind kind;
} RESOURCES[] = {
    {"wasi:io/error", "error", P2_ERR},
    {"wasi:io/poll", "pollable", P2_POLL},
    {"wasi:io/streams", "input-stream", P2_IN},
    {"wasi:io/streams", "output-stream", P2_OUT},
    {"wasi:filesystem/types", "descriptor", P2_DESC},
    {"wasi:filesystem/types", "directory-entry-stream", P2_DIRS},
    {"wasi:cli/terminal-input", "terminal-input", P2_TIN},
    {"wasi:cli/terminal-output", "terminal-output", P2_TOUT},
    /* the same types where an interface `use`s them */
    {"wasi:io/streams", "error", P2_ERR},
    {"wasi:io/streams", "pollable", P2_POLL},
    {"wasi:clocks/monotonic-clock", "pollable", P2_POLL},
    {"wasi:filesystem/types", "input-stream", P2_IN},
    {"wasi:filesystem/types", "output-stream", P2_OUT},
    {"wasi:filesystem/types", "error", P2_ERR},
    {"wasi:filesystem/preopens", "descriptor", P2_DESC},
    {"wasi:cli/stdin", "input-stream", P2_IN},
    {"wasi:cli/stdout", "output-stream", P2_OUT},
    {"wasi:cli/stderr", "output-stream", P2_OUT},
    {"wasi:cli/terminal-stdin", "terminal-input", P2_TIN},
    {"wasi:cli/terminal-stdout", "terminal-output", P2_TOUT},
    {"wasi:cli/terminal-stderr", "terminal-output", P2_TOUT},
    {"wasi:sockets/network", "network", P2_NET},
    {"wasi:sockets/instance-network", "network", P2_NET},
    {"wasi:sockets/ip-name-lookup", "network", P2_NET},
    {"wasi:sockets/ip-name-lookup", "resolve-address-stream", P2_RESOLVE},
    {"wasi:sockets/ip-name-lookup", "pollable", P2_POLL},
    {"wasi:sockets/tcp", "tcp-socket", P2_TCP},
    {"wasi:sockets/tcp", "network", P2_NET},
    {"wasi:sockets/tcp", "input-stream", P2_IN},
    {"wasi:sockets/tcp", "output-stream", P2_OUT},
    {"wasi:sockets/tcp", "pollable", P2_POLL},
    {"wasi:sockets/tcp-create-socket", "tcp-socket", P2_TCP},
    {"wasi:sockets/tcp-create-socket", "network", P2_NET},
    {"wasi:sockets/udp", "udp-socket", P2_UDP},
    {"wasi:sockets/udp", "incoming-datagram-stream", P2_UDP_IN},
    {"wasi:sockets/udp", "outgoing-datagram-stream", P2_UDP_OUT},
    {"wasi:sockets/udp", "network", P2_NET},
    {"wasi:sockets/udp", "pollable", P2_POLL},
    {"wasi:sockets/udp-create-socket", "udp-socket", P2_UDP},
    {"wasi:sockets/udp-create-socket", "network", P2_NET},
};

weld_status weld_wasi2_link(weld_wasi2 *w, weld_crt_linker *l, weld_diag *d)
{
    char inst[128];
    for (size_t i = 0; i < sizeof RESOURCES / sizeof *RESOURCES; i++) {
        snprintf(inst, sizeof inst, "%s%s", RESOURCES[i].iface, P2_VERSION);
        weld_status st = weld_crt_linker_resource(l, inst, RESOURCES[i].name, w->types[RESOURCES[i].kind]);
        if (st)
            return weld_diag_set(d, st, WELD_NO_OFFSET, "cannot define %s resource %s", inst, RESOURCES[i].name);
    }
    weld_status hst = p2_http_link(w, l, P2_VERSION, d);
    if (hst) return hst;
    p2_bind *b = w->binds;
    for (size_t t = 0; t < sizeof TABLES / sizeof *TABLES; t++)
        for (const p2_def *f = TABLES[t]; f->name; f++, b++) {
            snprintf(inst, sizeof inst, "%s%s", f->iface, P2_VERSION);
            *b = (p2_bind){w, f->fn};
            weld_status st = weld_crt_linker_func(l, inst, f->name, dispatch, b);
            if (st) return weld_diag_set(d, st, WELD_NO_OFFSET, "cannot define %s function %s", inst, f->name);
        }
    return WELD_OK;
}

/* ---- running a command --------------------------------------------------------------------- */

weld_status weld_wasi2_run(weld_wasi2 *w, weld_crt *rt, weld_crt_instance *i, int *exit_code, weld_diag *d)
{
    weld_crt_func *f = weld_crt_instance_func(i, "wasi:cli/run#run"); /* any version */
    if (!f)
        return weld_diag_set(d, WELD_ERR_LINK, WELD_NO_OFFSET,
                             "the component exports no wasi:cli/run@0.2.x run function (not a command)");
    weld_cval res;
    memset(&res, 0, sizeof res);
    weld_status st = weld_crt_call(rt, f, NULL, 0, &res, d);
    uint32_t code;
    if (st == WELD_ERR_TRAP && weld_wasi2_exited(w, &code)) {
        *exit_code = (int)code;
        return WELD_OK;
    }
    if (st) return st;
    *exit_code = res.u.var.tag ? 1 : 0;
    weld_cval_free(&res);
    return WELD_OK;
}
