/* test_wasi2.c - the WASI 0.2 host without a component: its host functions called directly
 * with the values the runtime would pass (borrow handles as reps, strings, flags, packed
 * byte lists) on a context with a preopened directory tree, checking the sandbox rules of
 * wasi:filesystem, file and pipe streams, poll, clocks, environment and exit; then whole
 * command components of fixtures/wasi2 linked, instantiated and run through the API;
 * wasi:http (header rules, bodies as streams, the refusing outgoing-handler) and a
 * request served by fixtures/serve/proxy-c.wasm through weld_wasi2_http_handle. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "weld/wasi2.h"
#include "weld/wasi2_http.h"
#include "wasi/p2_int.h"

typedef struct fx {
    char root[64], box[96];
    int pipe[2]; /* stdin of the context */
    int out_fd;  /* stdout */
    weld_crt *rt;
    weld_wasi2 *w;
    uint32_t dir; /* the preopen's descriptor rep */
} fx;

enum { EC_NOT_PERM = 31, EC_NOENT_ = 20, EC_EXIST_ = 7, EC_NOTEMPTY_ = 25, EC_LOOP_ = 15 };

static void put(const char *dir, const char *name, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
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
static weld_cval S(const char *s)
{
    weld_cval v;
    memset(&v, 0, sizeof v);
    v.u.str.ptr = (char *)s;
    v.u.str.len = (uint32_t)strlen(s);
    return v;
}
static weld_cval U(uint64_t x)
{
    weld_cval v;
    memset(&v, 0, sizeof v);
    v.u.u = x;
    return v;
}
static weld_cval F(uint32_t flags)
{
    weld_cval v;
    memset(&v, 0, sizeof v);
    v.u.flags = flags;
    return v;
}
static weld_cval B(const char *bytes)
{
    weld_cval v;
    memset(&v, 0, sizeof v);
    v.u.list.bytes = (void *)bytes;
    v.u.list.count = (uint32_t)strlen(bytes);
    return v;
}

/* Free what the host allocated, by shape. */
static void free_items(weld_cval *v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) free(v[i].u.str.ptr); /* strings or NULL (numbers: 0) */
}

#define FS "wasi:filesystem/types"
#define M(x) "[method]descriptor." x

/* The error-code of a result<_, error-code> (-1 for ok); frees the result. */
static int rc_of(weld_cval *res)
{
    int code = res->u.var.tag ? (int)res->u.var.payload->u.var.tag : -1;
    free(res->u.var.payload);
    return code;
}

/* open-at (path-flags, path, open-flags, descriptor-flags) on dir: the new rep, or
 * -(error-code) - 1. */
static int64_t open_at(fx *f, uint32_t dir, uint32_t pflags, const char *path, uint32_t oflags, uint32_t dflags)
{
    weld_cval a[5] = {H(dir), F(pflags), S(path), F(oflags), F(dflags)}, r;
    assert_int_equal(call(f, FS, M("open-at"), a, 5, &r), WELD_OK);
    int64_t out = r.u.var.tag ? -(int64_t)r.u.var.payload->u.var.tag - 1 : (int64_t)r.u.var.payload->u.res.rep;
    if (!r.u.var.tag) assert_ptr_equal(r.u.var.payload->u.res.rt, f->w->types[P2_DESC]);
    free(r.u.var.payload);
    return out;
}

/* A path operation (create-directory-at, remove-directory-at, unlink-file-at, readlink-at
 * without the string) with one path argument: its error-code or -1. */
static int path1(fx *f, const char *method, const char *path)
{
    weld_cval a[2] = {H(f->dir), S(path)}, r;
    assert_int_equal(call(f, FS, method, a, 2, &r), WELD_OK);
    if (!r.u.var.tag && r.u.var.payload) free(r.u.var.payload->u.str.ptr); /* readlink-at */
    return rc_of(&r);
}

/* ---- fixture ------------------------------------------------------------------------------ */

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    strcpy(f->root, "/tmp/weld-wasi2-XXXXXX");
    assert_non_null(mkdtemp(f->root));
    snprintf(f->box, sizeof f->box, "%s/box", f->root);
    char p[256];
    assert_int_equal(mkdir(f->box, 0755), 0);
    snprintf(p, sizeof p, "%s/sub", f->box);
    assert_int_equal(mkdir(p, 0755), 0);
    put(f->root, "secret.txt", "secret\n");
    put(f->box, "keep.txt", "kept\n");
    snprintf(p, sizeof p, "%s/up", f->box);
    assert_int_equal(symlink("..", p), 0);
    snprintf(p, sizeof p, "%s/abs", f->box);
    assert_int_equal(symlink("/etc", p), 0);
    snprintf(p, sizeof p, "%s/loop", f->box);
    assert_int_equal(symlink("loop", p), 0);
    snprintf(p, sizeof p, "%s/sub/back", f->box);
    assert_int_equal(symlink("../keep.txt", p), 0);
    snprintf(p, sizeof p, "%s/stdout", f->root);
    f->out_fd = open(p, O_CREAT | O_RDWR | O_TRUNC, 0644);
    assert_true(f->out_fd >= 0);
    assert_int_equal(pipe(f->pipe), 0);

    char pre[128];
    snprintf(pre, sizeof pre, "%s::/box", f->box);
    const char *argv[] = {"prog", "arg one"}, *envp[] = {"K=V", "EMPTY=", "X=a=b"}, *pres[] = {pre};
    weld_wasi2_config c = {.argc = 2, .argv = argv, .envc = 3, .envp = envp, .npreopens = 1, .preopens = pres,
                           .stdin_fd = f->pipe[0], .stdout_fd = f->out_fd, .stderr_fd = -1};
    weld_diag d;
    weld_diag_init(&d, NULL);
    f->rt = weld_crt_new(NULL);
    assert_non_null(f->rt);
    f->w = weld_wasi2_new(&c, f->rt, &d);
    assert_non_null(f->w);

    weld_cval r;
    assert_int_equal(call(f, "wasi:filesystem/preopens", "get-directories", NULL, 0, &r), WELD_OK);
    assert_int_equal(r.u.list.count, 1);
    weld_cval *t = r.u.list.items[0].u.list.items;
    assert_string_equal(t[1].u.str.ptr, "/box");
    assert_ptr_equal(t[0].u.res.rt, f->w->types[P2_DESC]);
    f->dir = t[0].u.res.rep;
    free(t[1].u.str.ptr);
    free(t);
    free(r.u.list.items);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    weld_crt_free(f->rt);
    weld_wasi2_free(f->w);
    close(f->pipe[0]);
    close(f->pipe[1]);
    close(f->out_fd);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* ---- the sandbox ------------------------------------------------------------------------ */

static void test_sandbox(void **state)
{
    fx *f = *state;
    const uint32_t RD = DF_READ, FOLLOW = 1;
    /* reading inside works, through links that stay inside too */
    int64_t h = open_at(f, f->dir, FOLLOW, "keep.txt", 0, RD);
    assert_true(h > 0);
    assert_true(open_at(f, f->dir, FOLLOW, "sub/back", 0, RD) > 0);
    assert_true(open_at(f, f->dir, FOLLOW, "sub/../keep.txt", 0, RD) > 0);
    assert_true(open_at(f, f->dir, FOLLOW, "./sub/./back", 0, RD) > 0);
    /* escapes are not-permitted */
    assert_int_equal(open_at(f, f->dir, FOLLOW, "../secret.txt", 0, RD), -EC_NOT_PERM - 1);
    assert_int_equal(open_at(f, f->dir, FOLLOW, "sub/../../secret.txt", 0, RD), -EC_NOT_PERM - 1);
    assert_int_equal(open_at(f, f->dir, FOLLOW, "/etc/passwd", 0, RD), -EC_NOT_PERM - 1);
    assert_int_equal(open_at(f, f->dir, FOLLOW, "up/secret.txt", 0, RD), -EC_NOT_PERM - 1);
    assert_int_equal(open_at(f, f->dir, FOLLOW, "abs/passwd", 0, RD), -EC_NOT_PERM - 1);
    assert_int_equal(open_at(f, f->dir, 0, "up/secret.txt", 0, RD), -EC_NOT_PERM - 1);
    assert_int_equal(open_at(f, f->dir, FOLLOW, "loop", 0, RD), -EC_LOOP_ - 1);
    assert_int_equal(open_at(f, f->dir, 0, "sub/back", 0, RD), -EC_LOOP_ - 1); /* a link, not followed */
    assert_int_equal(open_at(f, f->dir, FOLLOW, "nope.txt", 0, RD), -EC_NOENT_ - 1);
    /* a descriptor opened in a subdirectory is a sandbox of its own */
    int64_t sub = open_at(f, f->dir, FOLLOW, "sub", 2 /* directory */, RD);
    assert_true(sub > 0);
    assert_int_equal(open_at(f, (uint32_t)sub, FOLLOW, "../keep.txt", 0, RD), -EC_NOT_PERM - 1);
    assert_int_equal(open_at(f, (uint32_t)sub, FOLLOW, "back", 0, RD), -EC_NOT_PERM - 1);
    /* a file is no directory */
    assert_int_equal(open_at(f, (uint32_t)h, FOLLOW, "x", 0, RD), -24 - 1);

    /* stat-at: of the link itself is fine, through it is refused */
    weld_cval a[5] = {H(f->dir), F(0), S("up")}, r;
    assert_int_equal(call(f, FS, M("stat-at"), a, 3, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    weld_cval *st = r.u.var.payload->u.list.items;
    assert_int_equal(st[0].u.var.tag, 5); /* symbolic-link */
    for (int i = 3; i < 6; i++) {
        assert_int_equal(st[i].u.var.tag, 1);
        free(st[i].u.var.payload->u.list.items);
        free(st[i].u.var.payload);
    }
    free(st);
    free(r.u.var.payload);
    a[1] = F(FOLLOW);
    assert_int_equal(call(f, FS, M("stat-at"), a, 3, &r), WELD_OK);
    assert_int_equal(rc_of(&r), EC_NOT_PERM);

    /* changes that would leave the sandbox change nothing */
    assert_int_equal(path1(f, M("create-directory-at"), "../made"), EC_NOT_PERM);
    assert_int_equal(path1(f, M("create-directory-at"), "up/made"), EC_NOT_PERM);
    assert_int_equal(path1(f, M("unlink-file-at"), "../secret.txt"), EC_NOT_PERM);
    assert_int_equal(path1(f, M("unlink-file-at"), "up/secret.txt"), EC_NOT_PERM);
    assert_int_equal(path1(f, M("remove-directory-at"), ".."), EC_NOT_PERM);
    assert_int_equal(path1(f, M("readlink-at"), "../box"), EC_NOT_PERM);
    assert_int_equal(path1(f, M("readlink-at"), "up"), -1);
    weld_cval rn[4] = {H(f->dir), S("keep.txt"), H(f->dir), S("../stolen.txt")};
    assert_int_equal(call(f, FS, M("rename-at"), rn, 4, &r), WELD_OK);
    assert_int_equal(rc_of(&r), EC_NOT_PERM);
    rn[1] = S("../secret.txt"), rn[3] = S("stolen.txt");
    assert_int_equal(call(f, FS, M("rename-at"), rn, 4, &r), WELD_OK);
    assert_int_equal(rc_of(&r), EC_NOT_PERM);
    weld_cval ln[5] = {H(f->dir), F(0), S("../secret.txt"), H(f->dir), S("hard")};
    assert_int_equal(call(f, FS, M("link-at"), ln, 5, &r), WELD_OK);
    assert_int_equal(rc_of(&r), EC_NOT_PERM);
    ln[1] = F(FOLLOW), ln[2] = S("up/secret.txt");
    assert_int_equal(call(f, FS, M("link-at"), ln, 5, &r), WELD_OK);
    assert_int_equal(rc_of(&r), EC_NOT_PERM);
    weld_cval sl[3] = {H(f->dir), S("/etc/passwd"), S("evil")};
    assert_int_equal(call(f, FS, M("symlink-at"), sl, 3, &r), WELD_OK);
    assert_int_equal(rc_of(&r), EC_NOT_PERM);
    /* a subdirectory opened without asking for mutate-directory inherits it from its parent */
    int64_t ro = open_at(f, f->dir, 0, "sub", 2, RD);
    weld_cval mk[2] = {H((uint32_t)ro), S("x")};
    assert_int_equal(call(f, FS, M("create-directory-at"), mk, 2, &r), WELD_OK);
    assert_int_equal(rc_of(&r), -1);
    assert_int_equal(path1(f, M("remove-directory-at"), "sub/x"), -1);
    assert_int_equal(path1(f, M("remove-directory-at"), "sub"), EC_NOTEMPTY_);

    char p[256];
    struct stat hs;
    snprintf(p, sizeof p, "%s/made", f->root);
    assert_int_not_equal(lstat(p, &hs), 0);
    snprintf(p, sizeof p, "%s/stolen.txt", f->root);
    assert_int_not_equal(lstat(p, &hs), 0);
    snprintf(p, sizeof p, "%s/hard", f->box);
    assert_int_not_equal(lstat(p, &hs), 0);
    snprintf(p, sizeof p, "%s/evil", f->box);
    assert_int_not_equal(lstat(p, &hs), 0);
    snprintf(p, sizeof p, "%s/secret.txt", f->root);
    assert_int_equal(lstat(p, &hs), 0);
}

/* ---- files and streams --------------------------------------------------------------------- */

static void test_files_and_streams(void **state)
{
    fx *f = *state;
    const uint32_t RW = DF_READ | DF_WRITE;
    int64_t h = open_at(f, f->dir, 0, "new.txt", 1 | 4 /* create, exclusive */, RW);
    assert_true(h > 0);
    assert_int_equal(open_at(f, f->dir, 0, "new.txt", 1 | 4, RW), -EC_EXIST_ - 1);
    /* write-via-stream, then the descriptor's write at an offset */
    weld_cval a[3] = {H((uint32_t)h), U(0)}, r;
    assert_int_equal(call(f, FS, M("write-via-stream"), a, 2, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    uint32_t out = r.u.var.payload->u.res.rep;
    free(r.u.var.payload);
    weld_cval w[2] = {H(out), B("hello world")};
    assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.check-write", w, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    assert_true(r.u.var.payload->u.u >= 11);
    free(r.u.var.payload);
    assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.write", w, 2, &r), WELD_OK);
    assert_int_equal(rc_of(&r), -1);
    assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.blocking-flush", w, 1, &r), WELD_OK);
    assert_int_equal(rc_of(&r), -1);
    weld_cval dw[3] = {H((uint32_t)h), B("W"), U(6)};
    assert_int_equal(call(f, FS, M("write"), dw, 3, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    assert_int_equal(r.u.var.payload->u.u, 1);
    free(r.u.var.payload);
    /* read(len, offset) */
    weld_cval rd[3] = {H((uint32_t)h), U(100), U(0)};
    assert_int_equal(call(f, FS, M("read"), rd, 3, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    weld_cval *t = r.u.var.payload->u.list.items;
    assert_int_equal(t[0].u.list.count, 11);
    assert_memory_equal(t[0].u.list.bytes, "hello World", 11);
    assert_true(t[1].u.b);
    free(t[0].u.list.bytes);
    free(t);
    free(r.u.var.payload);
    /* read-via-stream from 6: "World", then closed */
    a[1] = U(6);
    assert_int_equal(call(f, FS, M("read-via-stream"), a, 2, &r), WELD_OK);
    uint32_t in = r.u.var.payload->u.res.rep;
    free(r.u.var.payload);
    weld_cval ra[2] = {H(in), U(3)};
    assert_int_equal(call(f, "wasi:io/streams", "[method]input-stream.read", ra, 2, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    assert_int_equal(r.u.var.payload->u.list.count, 3);
    assert_memory_equal(r.u.var.payload->u.list.bytes, "Wor", 3);
    free(r.u.var.payload->u.list.bytes);
    free(r.u.var.payload);
    ra[1] = U(100);
    assert_int_equal(call(f, "wasi:io/streams", "[method]input-stream.blocking-read", ra, 2, &r), WELD_OK);
    assert_int_equal(r.u.var.payload->u.list.count, 2);
    free(r.u.var.payload->u.list.bytes);
    free(r.u.var.payload);
    assert_int_equal(call(f, "wasi:io/streams", "[method]input-stream.read", ra, 2, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 1);
    assert_int_equal(r.u.var.payload->u.var.tag, 1); /* closed */
    free(r.u.var.payload);
    /* append-via-stream */
    assert_int_equal(call(f, FS, M("append-via-stream"), a, 1, &r), WELD_OK);
    uint32_t app = r.u.var.payload->u.res.rep;
    free(r.u.var.payload);
    weld_cval aw[2] = {H(app), B("!")};
    assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.blocking-write-and-flush", aw, 2, &r),
                     WELD_OK);
    assert_int_equal(rc_of(&r), -1);
    /* stat, set-size, get-type, get-flags, is-same-object, metadata-hash */
    assert_int_equal(call(f, FS, M("stat"), a, 1, &r), WELD_OK);
    weld_cval *st = r.u.var.payload->u.list.items;
    assert_int_equal(st[0].u.var.tag, 6);
    assert_int_equal(st[2].u.u, 12);
    for (int i = 3; i < 6; i++) {
        free(st[i].u.var.payload->u.list.items);
        free(st[i].u.var.payload);
    }
    free(st);
    free(r.u.var.payload);
    weld_cval sz[2] = {H((uint32_t)h), U(5)};
    assert_int_equal(call(f, FS, M("set-size"), sz, 2, &r), WELD_OK);
    assert_int_equal(rc_of(&r), -1);
    assert_int_equal(call(f, FS, M("get-flags"), a, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.payload->u.flags, RW);
    free(r.u.var.payload);
    int64_t h2 = open_at(f, f->dir, 0, "new.txt", 0, DF_READ);
    weld_cval same[2] = {H((uint32_t)h), H((uint32_t)h2)};
    assert_int_equal(call(f, FS, M("is-same-object"), same, 2, &r), WELD_OK);
    assert_true(r.u.b);
    same[1] = H(f->dir);
    assert_int_equal(call(f, FS, M("is-same-object"), same, 2, &r), WELD_OK);
    assert_false(r.u.b);
    /* a read-only descriptor cannot write */
    dw[0] = H((uint32_t)h2);
    assert_int_equal(call(f, FS, M("write"), dw, 3, &r), WELD_OK);
    assert_int_equal(rc_of(&r), 3); /* bad-descriptor */
    weld_cval mh[3] = {H(f->dir), F(0), S("new.txt")}, r2;
    assert_int_equal(call(f, FS, M("metadata-hash"), same, 1, &r), WELD_OK);
    assert_int_equal(call(f, FS, M("metadata-hash-at"), mh, 3, &r2), WELD_OK);
    assert_int_equal(r.u.var.payload->u.list.items[0].u.u, r2.u.var.payload->u.list.items[0].u.u);
    assert_int_equal(r.u.var.payload->u.list.items[1].u.u, r2.u.var.payload->u.list.items[1].u.u);
    free(r.u.var.payload->u.list.items);
    free(r.u.var.payload);
    free(r2.u.var.payload->u.list.items);
    free(r2.u.var.payload);

    /* a dropped resource is gone (the runtime's [resource-drop] runs the destructor) */
    p2_release(f->w, in);
    assert_int_equal(call(f, "wasi:io/streams", "[method]input-stream.read", ra, 2, &r), WELD_ERR_TRAP);
    assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.write", aw, 2, &r), WELD_OK);
    rc_of(&r);
    assert_int_equal(call(f, FS, M("get-type"), ra, 1, &r), WELD_ERR_TRAP); /* a stream is no descriptor */
}

static void test_read_directory(void **state)
{
    fx *f = *state;
    weld_cval a[1] = {H(f->dir)}, r;
    assert_int_equal(call(f, FS, M("read-directory"), a, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    uint32_t ds = r.u.var.payload->u.res.rep;
    free(r.u.var.payload);
    char seen[256] = "";
    int n = 0;
    for (;;) {
        weld_cval x[1] = {H(ds)};
        assert_int_equal(call(f, FS, "[method]directory-entry-stream.read-directory-entry", x, 1, &r), WELD_OK);
        assert_int_equal(r.u.var.tag, 0);
        weld_cval *opt = r.u.var.payload;
        if (!opt->u.var.tag) {
            free(opt);
            break;
        }
        weld_cval *e = opt->u.var.payload->u.list.items;
        const char *name = e[1].u.str.ptr;
        uint32_t type = e[0].u.var.tag;
        if (!strcmp(name, "sub")) assert_int_equal(type, 3);
        if (!strcmp(name, "keep.txt")) assert_int_equal(type, 6);
        if (!strcmp(name, "up")) assert_int_equal(type, 5);
        strcat(seen, name);
        strcat(seen, ",");
        n++;
        free(e[1].u.str.ptr);
        free(e);
        free(opt->u.var.payload);
        free(opt);
    }
    assert_int_equal(n, 5); /* sub keep.txt up abs loop */
    /* a host name that is not UTF-8 is illegal-byte-sequence, not a string */
    char bad[256];
    snprintf(bad, sizeof bad, "%s/caf\xe9", f->box);
    FILE *fp = fopen(bad, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(call(f, FS, M("read-directory"), a, 1, &r), WELD_OK);
    ds = r.u.var.payload->u.res.rep;
    free(r.u.var.payload);
    int ilseq = 0;
    for (int i = 0; i < 7; i++) {
        weld_cval x[1] = {H(ds)};
        assert_int_equal(call(f, FS, "[method]directory-entry-stream.read-directory-entry", x, 1, &r), WELD_OK);
        if (r.u.var.tag) {
            ilseq += r.u.var.payload->u.var.tag == 9;
            free(r.u.var.payload);
            continue;
        }
        weld_cval *opt = r.u.var.payload;
        if (opt->u.var.tag) {
            weld_cval *e = opt->u.var.payload->u.list.items;
            free(e[1].u.str.ptr);
            free(e);
            free(opt->u.var.payload);
        }
        free(opt);
    }
    assert_int_equal(ilseq, 1);
    snprintf(bad, sizeof bad, "%s/badlink", f->box);
    assert_int_equal(symlink("caf\xe9", bad), 0);
    assert_int_equal(path1(f, M("readlink-at"), "badlink"), 9);
    assert_non_null(strstr(seen, "keep.txt,"));
    assert_null(strstr(seen, "..,"));
}

/* ---- poll, pipes, clocks -------------------------------------------------------------------- */

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint32_t own_of(fx *f, const char *iface, const char *name, const weld_cval *a, uint32_t n)
{
    weld_cval r;
    assert_int_equal(call(f, iface, name, a, n, &r), WELD_OK);
    return r.u.res.rep;
}

static void test_poll(void **state)
{
    fx *f = *state;
    uint32_t in = own_of(f, "wasi:cli/stdin", "get-stdin", NULL, 0);
    weld_cval si[2] = {H(in), U(10)}, r;
    uint32_t pin = own_of(f, "wasi:io/streams", "[method]input-stream.subscribe", si, 1);
    weld_cval d[1] = {U(30 * 1000000)};
    uint32_t timer = own_of(f, "wasi:clocks/monotonic-clock", "subscribe-duration", d, 1);
    /* nothing on the pipe: not ready, a non-blocking read gives nothing */
    weld_cval p1[1] = {H(pin)};
    assert_int_equal(call(f, "wasi:io/poll", "[method]pollable.ready", p1, 1, &r), WELD_OK);
    assert_false(r.u.b);
    assert_int_equal(call(f, "wasi:io/streams", "[method]input-stream.read", si, 2, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    assert_int_equal(r.u.var.payload->u.list.count, 0);
    free(r.u.var.payload->u.list.bytes);
    free(r.u.var.payload);
    /* poll on both waits for the timer */
    weld_cval items[2] = {H(pin), H(timer)}, list;
    memset(&list, 0, sizeof list);
    list.u.list.items = items;
    list.u.list.count = 2;
    uint64_t t0 = now_ns();
    assert_int_equal(call(f, "wasi:io/poll", "poll", &list, 1, &r), WELD_OK);
    uint64_t waited = now_ns() - t0;
    assert_true(waited >= 29 * 1000000u);
    assert_int_equal(r.u.list.count, 1);
    assert_int_equal(((uint8_t *)r.u.list.bytes)[0], 1);
    free(r.u.list.bytes);
    /* data on the pipe: the stream is ready at once */
    uint32_t later = own_of(f, "wasi:clocks/monotonic-clock", "subscribe-duration", (weld_cval[]){U(5000000000u)}, 1);
    items[1] = H(later);
    assert_int_equal(write(f->pipe[1], "abc", 3), 3);
    t0 = now_ns();
    assert_int_equal(call(f, "wasi:io/poll", "poll", &list, 1, &r), WELD_OK);
    assert_true(now_ns() - t0 < 1000000000u);
    assert_int_equal(r.u.list.count, 1);
    assert_int_equal(((uint8_t *)r.u.list.bytes)[0], 0);
    free(r.u.list.bytes);
    assert_int_equal(call(f, "wasi:io/streams", "[method]input-stream.read", si, 2, &r), WELD_OK);
    assert_int_equal(r.u.var.payload->u.list.count, 3);
    free(r.u.var.payload->u.list.bytes);
    free(r.u.var.payload);
    /* end of the pipe: closed */
    close(f->pipe[1]);
    f->pipe[1] = open("/dev/null", O_RDONLY); /* keep teardown's close harmless */
    assert_int_equal(call(f, "wasi:io/streams", "[method]input-stream.blocking-read", si, 2, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 1);
    assert_int_equal(r.u.var.payload->u.var.tag, 1);
    free(r.u.var.payload);
    /* an empty list traps */
    list.u.list.count = 0;
    assert_int_equal(call(f, "wasi:io/poll", "poll", &list, 1, &r), WELD_ERR_TRAP);
    /* an instant in the past is ready */
    weld_cval past[1] = {U(1)};
    uint32_t pp = own_of(f, "wasi:clocks/monotonic-clock", "subscribe-instant", past, 1);
    weld_cval ppa[1] = {H(pp)};
    assert_int_equal(call(f, "wasi:io/poll", "[method]pollable.ready", ppa, 1, &r), WELD_OK);
    assert_true(r.u.b);
    assert_int_equal(call(f, "wasi:io/poll", "[method]pollable.block", ppa, 1, &r), WELD_OK);
    /* clocks */
    assert_int_equal(call(f, "wasi:clocks/monotonic-clock", "now", NULL, 0, &r), WELD_OK);
    assert_true(r.u.u > 0);
    assert_int_equal(call(f, "wasi:clocks/wall-clock", "now", NULL, 0, &r), WELD_OK);
    assert_true(r.u.list.items[0].u.u > 1704067200u);
    assert_true(r.u.list.items[1].u.u < 1000000000u);
    free(r.u.list.items);
}

/* ---- stdout, environment, random, exit -------------------------------------------------- */

static void test_cli(void **state)
{
    fx *f = *state;
    uint32_t out = own_of(f, "wasi:cli/stdout", "get-stdout", NULL, 0);
    weld_cval w[2] = {H(out), B("to stdout\n")}, r;
    assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.blocking-write-and-flush", w, 2, &r), WELD_OK);
    assert_int_equal(rc_of(&r), -1);
    char buf[64] = {0};
    assert_int_equal(pread(f->out_fd, buf, sizeof buf - 1, 0), 10);
    assert_string_equal(buf, "to stdout\n");
    uint32_t err = own_of(f, "wasi:cli/stderr", "get-stderr", NULL, 0); /* none: dropped */
    w[0] = H(err);
    assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.write", w, 2, &r), WELD_OK);
    assert_int_equal(rc_of(&r), -1);

    assert_int_equal(call(f, "wasi:cli/environment", "get-arguments", NULL, 0, &r), WELD_OK);
    assert_int_equal(r.u.list.count, 2);
    assert_string_equal(r.u.list.items[1].u.str.ptr, "arg one");
    free_items(r.u.list.items, 2);
    free(r.u.list.items);
    assert_int_equal(call(f, "wasi:cli/environment", "get-environment", NULL, 0, &r), WELD_OK);
    assert_int_equal(r.u.list.count, 3);
    const char *want[3][2] = {{"K", "V"}, {"EMPTY", ""}, {"X", "a=b"}};
    for (int i = 0; i < 3; i++) {
        weld_cval *kv = r.u.list.items[i].u.list.items;
        assert_string_equal(kv[0].u.str.ptr, want[i][0]);
        assert_string_equal(kv[1].u.str.ptr, want[i][1]);
        free_items(kv, 2);
        free(kv);
    }
    free(r.u.list.items);
    assert_int_equal(call(f, "wasi:cli/environment", "initial-cwd", NULL, 0, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    assert_int_equal(call(f, "wasi:cli/terminal-stdout", "get-terminal-stdout", NULL, 0, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0); /* a file is no terminal */

    weld_cval n[1] = {U(16)};
    assert_int_equal(call(f, "wasi:random/random", "get-random-bytes", n, 1, &r), WELD_OK);
    assert_int_equal(r.u.list.count, 16);
    weld_cval r2;
    assert_int_equal(call(f, "wasi:random/insecure", "get-insecure-random-bytes", n, 1, &r2), WELD_OK);
    assert_memory_not_equal(r.u.list.bytes, r2.u.list.bytes, 16);
    free(r.u.list.bytes);
    free(r2.u.list.bytes);
    assert_int_equal(call(f, "wasi:random/insecure-seed", "insecure-seed", NULL, 0, &r), WELD_OK);
    assert_int_equal(r.u.list.count, 2);
    free(r.u.list.items);

    uint32_t code = 99;
    assert_false(weld_wasi2_exited(f->w, &code));
    weld_cval st[1];
    memset(st, 0, sizeof st);
    st[0].u.var.tag = 1; /* err */
    assert_int_equal(call(f, "wasi:cli/exit", "exit", st, 1, &r), WELD_ERR_TRAP);
    assert_true(weld_wasi2_exited(f->w, &code));
    assert_int_equal(code, 1);
    weld_cval c7[1] = {U(7)};
    assert_int_equal(call(f, "wasi:cli/exit", "exit-with-code", c7, 1, &r), WELD_ERR_TRAP);
    assert_true(weld_wasi2_exited(f->w, &code));
    assert_int_equal(code, 7);
}

static void test_errors(void **state)
{
    fx *f = *state;
    /* a stream error carries an error resource with a filesystem error-code */
    uint32_t e = 0;
    weld_cval r;
    assert_int_equal(p2_stream_fail(f->w, NULL, &r, ENOSPC, false), WELD_OK);
    assert_int_equal(r.u.var.tag, 1);
    weld_cval *se = r.u.var.payload;
    assert_int_equal(se->u.var.tag, 0);
    e = se->u.var.payload->u.res.rep;
    free(se->u.var.payload);
    free(se);
    weld_cval a[1] = {H(e)};
    assert_int_equal(call(f, "wasi:filesystem/types", "filesystem-error-code", a, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 1);
    assert_int_equal(r.u.var.payload->u.var.tag, 23); /* insufficient-space */
    free(r.u.var.payload);
    assert_int_equal(call(f, "wasi:io/error", "[method]error.to-debug-string", a, 1, &r), WELD_OK);
    assert_true(r.u.str.len > 0);
    free(r.u.str.ptr);
    /* the error-code of preview1 errnos */
    assert_int_equal(p2_code_p1(76), 31); /* ENOTCAPABLE: not-permitted */
    assert_int_equal(p2_code_p1(44), 20); /* ENOENT: no-entry */
    assert_int_equal(p2_code_p1(2), 0);   /* EACCES: access */
    assert_int_equal(p2_code_errno(EXDEV), 36);
    assert_int_equal(p2_code_errno(ENOTEMPTY), 25);
}

/* Linking defines every function and resource at 0.2.0 without error. */
static void test_link(void **state)
{
    fx *f = *state;
    weld_crt_linker *l = weld_crt_linker_new(f->rt);
    assert_non_null(l);
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(weld_wasi2_link(f->w, l, &d), WELD_OK);
    /* sockets: the network is off, access-denied; http: defined, traps */
    weld_cval r, fam[1] = {U(0)};
    assert_int_equal(call(f, "wasi:sockets/tcp-create-socket", "create-tcp-socket", fam, 1, &r), WELD_OK);
    assert_int_equal(rc_of(&r), 1); /* access-denied */
    uint32_t net = own_of(f, "wasi:sockets/instance-network", "instance-network", NULL, 0);
    weld_cval rs[2] = {H(net), S("example.com")};
    assert_int_equal(call(f, "wasi:sockets/ip-name-lookup", "resolve-addresses", rs, 2, &r), WELD_OK);
    assert_int_equal(rc_of(&r), 1);
}

/* ---- wasi:http ------------------------------------------------------------------------- */

/* A tuple<field-name, field-value> for from-list. */
static weld_cval *pair(weld_cval *t, const char *name, const char *value)
{
    t[0] = S(name);
    t[1] = B(value);
    return t;
}

static void test_http(void **state)
{
    fx *f = *state;
    weld_cval r;
    /* fields: the rules of header names and values */
    uint32_t h = own_of(f, "wasi:http/types", "[constructor]fields", NULL, 0);
    weld_cval ap[3] = {H(h), S("X-Thing"), B("one")};
    assert_int_equal(call(f, "wasi:http/types", "[method]fields.append", ap, 3, &r), WELD_OK);
    assert_int_equal(rc_of(&r), -1);
    ap[2] = B("two");
    assert_int_equal(call(f, "wasi:http/types", "[method]fields.append", ap, 3, &r), WELD_OK);
    assert_int_equal(rc_of(&r), -1);
    const char *bad[][2] = {{"Connection", "close"}, {"transfer-encoding", "chunked"}, {"Upgrade", "x"},
                            {"bad name", "x"}, {"", "x"}, {"x-crlf", "a\r\nb"}, {"x-nul", "a\001b"}};
    int want[] = {1, 1, 1, 0, 0, 0, 0}; /* forbidden, invalid-syntax */
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        weld_cval a[3] = {H(h), S(bad[i][0]), B(bad[i][1])};
        assert_int_equal(call(f, "wasi:http/types", "[method]fields.append", a, 3, &r), WELD_OK);
        assert_int_equal(rc_of(&r), want[i]);
    }
    /* get ignores the case of the name and keeps the order of values */
    weld_cval g[2] = {H(h), S("x-THING")};
    assert_int_equal(call(f, "wasi:http/types", "[method]fields.get", g, 2, &r), WELD_OK);
    assert_int_equal(r.u.list.count, 2);
    assert_memory_equal(r.u.list.items[0].u.list.bytes, "one", 3);
    assert_memory_equal(r.u.list.items[1].u.list.bytes, "two", 3);
    for (uint32_t i = 0; i < r.u.list.count; i++) free(r.u.list.items[i].u.list.bytes);
    free(r.u.list.items);
    /* entries keep the name's case */
    weld_cval e[1] = {H(h)};
    assert_int_equal(call(f, "wasi:http/types", "[method]fields.entries", e, 1, &r), WELD_OK);
    assert_int_equal(r.u.list.count, 2);
    assert_string_equal(r.u.list.items[0].u.list.items[0].u.str.ptr, "X-Thing");
    for (uint32_t i = 0; i < r.u.list.count; i++) {
        free(r.u.list.items[i].u.list.items[0].u.str.ptr);
        free(r.u.list.items[i].u.list.items[1].u.list.bytes);
        free(r.u.list.items[i].u.list.items);
    }
    free(r.u.list.items);
    /* from-list refuses a forbidden name */
    weld_cval t1[2], t2[2], items[2];
    memset(items, 0, sizeof items);
    items[0].u.list.items = pair(t1, "x-a", "1");
    items[0].u.list.count = 2;
    items[1].u.list.items = pair(t2, "keep-alive", "5");
    items[1].u.list.count = 2;
    weld_cval fl;
    memset(&fl, 0, sizeof fl);
    fl.u.list.items = items;
    fl.u.list.count = 2;
    assert_int_equal(call(f, "wasi:http/types", "[static]fields.from-list", &fl, 1, &r), WELD_OK);
    assert_int_equal(rc_of(&r), 1);
    fl.u.list.count = 1;
    assert_int_equal(call(f, "wasi:http/types", "[static]fields.from-list", &fl, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    free(r.u.var.payload);
    /* a response takes the fields; its headers are then immutable */
    weld_cval hv[1] = {H(h)};
    uint32_t resp = own_of(f, "wasi:http/types", "[constructor]outgoing-response", hv, 1);
    weld_cval rv[1] = {H(resp)};
    uint32_t rh = own_of(f, "wasi:http/types", "[method]outgoing-response.headers", rv, 1);
    weld_cval del[2] = {H(rh), S("x-thing")};
    assert_int_equal(call(f, "wasi:http/types", "[method]fields.delete", del, 2, &r), WELD_OK);
    assert_int_equal(rc_of(&r), 2); /* immutable */
    weld_cval has[2] = {H(rh), S("X-THING")};
    assert_int_equal(call(f, "wasi:http/types", "[method]fields.has", has, 2, &r), WELD_OK);
    assert_true(r.u.b);
    /* status codes outside 100..999 are refused */
    weld_cval st[2] = {H(resp), U(42)};
    assert_int_equal(call(f, "wasi:http/types", "[method]outgoing-response.set-status-code", st, 2, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 1);
    /* the body: once; written through an output stream; a second body() fails */
    assert_int_equal(call(f, "wasi:http/types", "[method]outgoing-response.body", rv, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 0);
    uint32_t ob = r.u.var.payload->u.res.rep;
    free(r.u.var.payload);
    assert_int_equal(call(f, "wasi:http/types", "[method]outgoing-response.body", rv, 1, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 1);
    weld_cval obv[1] = {H(ob)};
    assert_int_equal(call(f, "wasi:http/types", "[method]outgoing-body.write", obv, 1, &r), WELD_OK);
    uint32_t os = r.u.var.payload->u.res.rep;
    free(r.u.var.payload);
    weld_cval wr[2] = {H(os), B("body text")};
    assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.write", wr, 2, &r), WELD_OK);
    assert_int_equal(rc_of(&r), -1);
    weld_cval fin[2] = {H(ob), U(0)};
    assert_int_equal(call(f, "wasi:http/types", "[static]outgoing-body.finish", fin, 2, &r), WELD_OK);
    assert_int_equal(rc_of(&r), -1);
    /* writes after finish fail: the stream is closed */
    assert_int_equal(call(f, "wasi:io/streams", "[method]output-stream.write", wr, 2, &r), WELD_OK);
    assert_int_equal(r.u.var.tag, 1);
    free(r.u.var.payload->u.var.payload); /* stream-error's own error */
    free(r.u.var.payload);
    /* outgoing-handler refuses: HTTP-request-denied */
    uint32_t h2 = own_of(f, "wasi:http/types", "[constructor]fields", NULL, 0);
    weld_cval h2v[1] = {H(h2)};
    uint32_t oreq = own_of(f, "wasi:http/types", "[constructor]outgoing-request", h2v, 1);
    weld_cval oh[2] = {H(oreq), U(0)};
    assert_int_equal(call(f, "wasi:http/outgoing-handler", "handle", oh, 2, &r), WELD_OK);
    assert_int_equal(rc_of(&r), 15);
}

/* A request through weld_wasi2_http_handle on the C proxy fixture: GET, POST echo, a trap. */
static void test_http_handle(void **state)
{
    fx *f = *state;
    char path[512];
    const char *root = getenv("WELD_ROOT");
    snprintf(path, sizeof path, "%s/fixtures/serve/proxy-c.wasm", root ? root : ".");
    uint8_t *data;
    size_t len;
    weld_diag d;
    weld_diag_init(&d, path);
    assert_int_equal(weld_file_read(path, &data, &len, &d), WELD_OK);
    weld_crt_component *c;
    assert_int_equal(weld_crt_component_load(f->rt, data, len, &c, &d), WELD_OK);
    free(data);
    weld_crt_linker *l = weld_crt_linker_new(f->rt);
    assert_int_equal(weld_wasi2_link(f->w, l, &d), WELD_OK);
    weld_wasi2_http_field hd[] = {{"X-Weld-Probe", (const uint8_t *)"p1", 2}};
    weld_wasi2_http_request rq = {.method = "GET", .scheme = "http", .authority = "localhost",
                                  .path_with_query = "/headers", .headers = hd, .nheaders = 1};
    weld_wasi2_http_response rs;
    weld_crt_instance *in;
    assert_int_equal(weld_crt_instantiate(f->rt, c, l, &in, &d), WELD_OK);
    assert_int_equal(weld_wasi2_http_handle(f->w, f->rt, in, &rq, &rs, &d), WELD_OK);
    assert_int_equal(rs.status, 200);
    assert_int_equal(rs.body_len, 9);
    assert_memory_equal(rs.body, "probe=p1\n", 9);
    bool echoed = false;
    for (uint32_t i = 0; i < rs.nheaders; i++)
        if (!strcmp(rs.headers[i].name, "x-probe-echo") && rs.headers[i].len == 2 && !memcmp(rs.headers[i].value, "p1", 2))
            echoed = true;
    assert_true(echoed);
    weld_wasi2_http_response_free(&rs);
    /* POST: the body goes in through incoming-body's stream and comes back */
    rq.method = "POST";
    rq.path_with_query = "/echo";
    rq.body = (const uint8_t *)"abc\0def";
    rq.body_len = 7;
    assert_int_equal(weld_crt_instantiate(f->rt, c, l, &in, &d), WELD_OK);
    assert_int_equal(weld_wasi2_http_handle(f->w, f->rt, in, &rq, &rs, &d), WELD_OK);
    assert_int_equal(rs.status, 200);
    assert_int_equal(rs.body_len, 7);
    assert_memory_equal(rs.body, "abc\0def", 7);
    weld_wasi2_http_response_free(&rs);
    /* a trap is WELD_ERR_TRAP and leaves the response empty */
    rq.method = "GET";
    rq.path_with_query = "/trap";
    assert_int_equal(weld_crt_instantiate(f->rt, c, l, &in, &d), WELD_OK);
    assert_int_equal(weld_wasi2_http_handle(f->w, f->rt, in, &rq, &rs, &d), WELD_ERR_TRAP);
    assert_null(rs.body);
    assert_int_equal(rs.nheaders, 0);
    /* no response set */
    weld_diag_init(&d, path);
    rq.path_with_query = "/noresponse";
    assert_int_equal(weld_crt_instantiate(f->rt, c, l, &in, &d), WELD_OK);
    assert_int_equal(weld_wasi2_http_handle(f->w, f->rt, in, &rq, &rs, &d), WELD_ERR_TRAP);
    assert_non_null(strstr(d.message, "without setting a response"));
}

/* ---- whole components through the library API -------------------------------------- */

static void load(weld_crt *rt, const char *name, weld_crt_component **c)
{
    char path[512];
    const char *root = getenv("WELD_ROOT");
    snprintf(path, sizeof path, "%s/fixtures/wasi2/%s", root ? root : ".", name);
    uint8_t *data;
    size_t len;
    weld_diag d;
    weld_diag_init(&d, path);
    assert_int_equal(weld_file_read(path, &data, &len, &d), WELD_OK);
    assert_int_equal(weld_crt_component_load(rt, data, len, c, &d), WELD_OK);
    free(data);
}

static void test_components(void **state)
{
    fx *f = *state;
    weld_diag d;
    weld_diag_init(&d, NULL);
    /* two patch versions of wasi:io/poll: one host pollable type */
    weld_crt_component *c;
    weld_crt_instance *in;
    load(f->rt, "versions.wasm", &c);
    weld_crt_linker *l = weld_crt_linker_new(f->rt);
    assert_int_equal(weld_wasi2_link(f->w, l, &d), WELD_OK);
    assert_int_equal(weld_crt_instantiate(f->rt, c, l, &in, &d), WELD_OK);
    int code = -1;
    assert_int_equal(weld_wasi2_run(f->w, f->rt, in, &code, &d), WELD_OK);
    assert_int_equal(code, 0);
    /* a missing import is a link error naming it */
    load(f->rt, "missing.wasm", &c);
    assert_int_equal(weld_crt_instantiate(f->rt, c, l, &in, &d), WELD_ERR_LINK);
    assert_non_null(strstr(d.message, "demo:absent/api@1.0.0"));
    assert_null(strstr(d.message, "wasi:random"));
    /* the probe: files in the preopen, stdout to a file, exit(1) through the adapter */
    weld_crt *rt = weld_crt_new(NULL);
    char pre[256], pbox[128];
    snprintf(pbox, sizeof pbox, "%s/pbox", f->root);
    assert_int_equal(mkdir(pbox, 0755), 0);
    snprintf(pre, sizeof pre, "%s::/box", pbox);
    const char *argv[] = {"probe", "/box", "1"}, *envp[] = {"WELD_PROBE=unit"}, *pres[] = {pre};
    int devnull = open("/dev/null", O_RDONLY);
    weld_wasi2_config cfg = {.argc = 3, .argv = argv, .envc = 1, .envp = envp, .npreopens = 1, .preopens = pres,
                             .stdin_fd = devnull, .stdout_fd = f->out_fd, .stderr_fd = -1};
    weld_wasi2 *w = weld_wasi2_new(&cfg, rt, &d);
    assert_non_null(w);
    load(rt, "probe.wasm", &c);
    l = weld_crt_linker_new(rt);
    assert_int_equal(weld_wasi2_link(w, l, &d), WELD_OK);
    assert_int_equal(weld_crt_instantiate(rt, c, l, &in, &d), WELD_OK);
    assert_int_equal(weld_wasi2_run(w, rt, in, &code, &d), WELD_OK);
    assert_int_equal(code, 1);
    uint32_t ec;
    assert_true(weld_wasi2_exited(w, &ec));
    weld_crt_free(rt);
    weld_wasi2_free(w);
    close(devnull);
    char out[4096] = {0};
    assert_true(pread(f->out_fd, out, sizeof out - 1, 0) > 0);
    assert_non_null(strstr(out, "getenv WELD_PROBE=unit\n"));
    assert_non_null(strstr(out, "after pwrite: 8 \"liABCDEF\"\n"));
    assert_non_null(strstr(out, "list /box: link@ sub/\n"));
    assert_non_null(strstr(out, "escape via ..: refused\n"));
    assert_non_null(strstr(out, "list /box:\nescape via ..: refused\n")); /* all cleaned up */
    assert_non_null(strstr(out, "random: differs\n"));
    char p[256];
    snprintf(p, sizeof p, "%s/escape.txt", f->root);
    struct stat st;
    assert_int_not_equal(stat(p, &st), 0);
    assert_int_equal(rmdir(pbox), 0); /* empty */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sandbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_and_streams, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_handle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_components, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
