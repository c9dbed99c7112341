/* p2_fs.c - wasi:filesystem (types, preopens) for the WASI 0.2 host, over the sandbox of
 * the preview1 host: every path goes through wasi_resolve (path.c), which walks it one
 * component at a time inside the directory descriptor it is relative to and refuses `..`
 * above it, absolute paths and symbolic links that lead out (`not-permitted`). Changes
 * to a directory (create, remove, rename, link, symlink, open for writing or creating)
 * need the descriptor's mutate-directory flag; reads need read and writes need write. */
#include "wasi/p2_int.h"
#include "wasi/wasi_int.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OOM(call) p2_trap(call, "wasi: out of memory")

/* ---- error codes ----------------------------------------------------------------------- */

/* error-code of each preview1 errno (0..76); 13 (io) where nothing closer exists. */
static const uint8_t P1_TO_P2[77] = {
    13, 12, 0,  13, 13, 27, 1,  2,  3,  13, /* 0-9 */
    4,  13, 13, 13, 13, 13, 5,  13, 12, 6,  /* 10-19 */
    7,  13, 8,  13, 13, 9,  10, 11, 12, 13, /* 20-29 */
    13, 14, 15, 22, 16, 17, 13, 18, 13, 13, /* 30-39 */
    13, 22, 22, 19, 20, 13, 21, 13, 22, 13, /* 40-49 */
    13, 23, 27, 13, 24, 25, 26, 13, 27, 28, /* 50-59 */
    29, 30, 13, 31, 32, 13, 13, 13, 12, 33, /* 60-69 */
    34, 13, 13, 13, 35, 36, 31,             /* 70-76 */
};

uint32_t p2_code_p1(uint16_t p1) { return p1 < sizeof P1_TO_P2 ? P1_TO_P2[p1] : EC_IO; }
uint32_t p2_code_errno(int e) { return p2_code_p1(wasi_errno(e)); }

static weld_status errno_err(weld_crt_host_call *call, weld_cval *res, int e)
{
    return p2_err(call, res, p2_code_errno(e));
}

/* ---- helpers --------------------------------------------------------------------------- */

enum { DT_UNKNOWN_ = 0, DT_BLOCK_ = 1, DT_CHAR_ = 2, DT_DIR_ = 3, DT_FIFO_ = 4, DT_LINK_ = 5, DT_FILE_ = 6,
       DT_SOCK_ = 7 };

static uint8_t type_of(mode_t m)
{
    if (S_ISREG(m)) return DT_FILE_;
    if (S_ISDIR(m)) return DT_DIR_;
    if (S_ISLNK(m)) return DT_LINK_;
    if (S_ISCHR(m)) return DT_CHAR_;
    if (S_ISBLK(m)) return DT_BLOCK_;
    if (S_ISFIFO(m)) return DT_FIFO_;
    if (S_ISSOCK(m)) return DT_SOCK_;
    return DT_UNKNOWN_;
}

/* Resolve the path argument inside directory descriptor d; 0 or error-code + 1. */
static uint32_t resolve(const p2_obj *d, const weld_cval *path, bool follow, wasi_resolved *r)
{
    r->dirfd = -1;
    r->owned = false;
    r->name = NULL;
    if (d->ftype != DT_DIR_) return EC_NOTDIR + 1;
    uint16_t e = wasi_resolve(d->fd, path->u.str.ptr ? path->u.str.ptr : "", path->u.str.len, follow, r);
    return e ? p2_code_p1(e) + 1 : 0;
}

static bool datetime_of(weld_cval *out, struct timespec t)
{
    weld_cval dt;
    weld_cval *f = p2_items(&dt, 2);
    if (!f) return false;
    f[0] = p2_u((uint64_t)t.tv_sec);
    f[1] = p2_u((uint64_t)t.tv_nsec);
    return p2_var(out, 1, &dt);
}

static weld_status stat_result(weld_crt_host_call *call, weld_cval *res, const struct stat *st)
{
    weld_cval s;
    weld_cval *f = p2_items(&s, 6);
    if (!f) return OOM(call);
    f[0] = p2_enum(type_of(st->st_mode));
    f[1] = p2_u((uint64_t)st->st_nlink);
    f[2] = p2_u((uint64_t)st->st_size);
    if (!datetime_of(&f[3], st->st_atim) || !datetime_of(&f[4], st->st_mtim) || !datetime_of(&f[5], st->st_ctim))
        return OOM(call);
    return p2_ok(call, res, &s);
}

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

static weld_status hash_result(weld_crt_host_call *call, weld_cval *res, const struct stat *st)
{
    weld_cval h;
    weld_cval *f = p2_items(&h, 2);
    if (!f) return OOM(call);
    f[0] = p2_u(mix((uint64_t)st->st_dev ^ mix((uint64_t)st->st_ino)));
    f[1] = p2_u(mix((uint64_t)st->st_ino + 0x51ed270b27f1e0b3u) ^ (uint64_t)st->st_dev);
    return p2_ok(call, res, &h);
}

/* A new-timestamp value as a utimensat time. */
static struct timespec ts_of(const weld_cval *v)
{
    struct timespec t = {0, UTIME_OMIT};
    if (v->u.var.tag == 1) t.tv_nsec = UTIME_NOW;
    else if (v->u.var.tag == 2 && v->u.var.payload) {
        const weld_cval *f = v->u.var.payload->u.list.items;
        t.tv_sec = (time_t)f[0].u.u;
        t.tv_nsec = (long)(f[1].u.u % 1000000000u);
    }
    return t;
}

#define DESC(var, i) P2_SELF(var, a[i], P2_DESC)
#define NEED(d, fl, code) do { if (!((d)->dflags & (fl))) return p2_err(call, res, (code)); } while (0)

/* ---- descriptor: streams, data, metadata ------------------------------------------------- */

static weld_status stream_of(weld_wasi2 *w, weld_crt_host_call *call, const weld_cval *a, weld_cval *res,
                             p2_kind k, uint64_t off, bool append)
{
    DESC(d, 0);
    if (d->ftype == DT_DIR_) return p2_err(call, res, EC_ISDIR);
    NEED(d, k == P2_IN ? DF_READ : DF_WRITE, EC_BADF);
    int fd = dup(d->fd);
    if (fd < 0) return errno_err(call, res, errno);
    uint32_t rep = p2_stream_new(w, k, S_FILE, fd, true, off, append);
    if (!rep) return OOM(call);
    weld_cval s = p2_own(w, k, rep);
    return p2_ok(call, res, &s);
}
static weld_status d_read_via_stream(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                     weld_cval *res)
{
    return stream_of(ctx, call, a, res, P2_IN, a[1].u.u, false);
}
static weld_status d_write_via_stream(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                      weld_cval *res)
{
    return stream_of(ctx, call, a, res, P2_OUT, a[1].u.u, false);
}
static weld_status d_append_via_stream(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                       weld_cval *res)
{
    return stream_of(ctx, call, a, res, P2_OUT, 0, true);
}

static weld_status d_advise(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    DESC(d, 0);
    (void)d;
    return p2_ok(call, res, NULL); /* advice only */
}

static weld_status d_sync_common(weld_wasi2 *w, weld_crt_host_call *call, const weld_cval *a, weld_cval *res,
                                 bool data)
{
    DESC(d, 0);
    if ((data ? fdatasync(d->fd) : fsync(d->fd)) < 0 && errno != EINVAL) return errno_err(call, res, errno);
    return p2_ok(call, res, NULL);
}
static weld_status d_sync(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    return d_sync_common(ctx, call, a, res, false);
}
static weld_status d_sync_data(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                               weld_cval *res)
{
    return d_sync_common(ctx, call, a, res, true);
}

static weld_status d_get_flags(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                               weld_cval *res)
{
    weld_wasi2 *w = ctx;
    DESC(d, 0);
    weld_cval f;
    memset(&f, 0, sizeof f);
    f.u.flags = d->dflags;
    return p2_ok(call, res, &f);
}

static weld_status d_get_type(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                              weld_cval *res)
{
    weld_wasi2 *w = ctx;
    DESC(d, 0);
    weld_cval t = p2_enum(d->ftype);
    return p2_ok(call, res, &t);
}

static weld_status d_set_size(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                              weld_cval *res)
{
    weld_wasi2 *w = ctx;
    DESC(d, 0);
    if (d->ftype == DT_DIR_) return p2_err(call, res, EC_ISDIR);
    NEED(d, DF_WRITE, EC_BADF);
    if (a[1].u.u > INT64_MAX) return p2_err(call, res, EC_INVALID);
    if (ftruncate(d->fd, (off_t)a[1].u.u) < 0) return errno_err(call, res, errno);
    return p2_ok(call, res, NULL);
}

static weld_status d_set_times(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                               weld_cval *res)
{
    weld_wasi2 *w = ctx;
    DESC(d, 0);
    struct timespec ts[2] = {ts_of(&a[1]), ts_of(&a[2])};
    if (futimens(d->fd, ts) < 0) return errno_err(call, res, errno);
    return p2_ok(call, res, NULL);
}

#define MAX_READ (16u << 20)

static weld_status d_read(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    DESC(d, 0);
    if (d->ftype == DT_DIR_) return p2_err(call, res, EC_ISDIR);
    NEED(d, DF_READ, EC_BADF);
    uint64_t len = a[1].u.u, off = a[2].u.u;
    if (off > INT64_MAX) return p2_err(call, res, EC_INVALID);
    size_t want = len > MAX_READ ? MAX_READ : (size_t)len;
    uint8_t *buf = malloc(want ? want : 1);
    if (!buf) return OOM(call);
    size_t got = 0;
    while (got < want) {
        ssize_t k = pread(d->fd, buf + got, want - got, (off_t)(off + got));
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) {
            int e = errno;
            free(buf);
            return errno_err(call, res, e);
        }
        if (k == 0) break;
        got += (size_t)k;
    }
    weld_cval t;
    weld_cval *f = p2_items(&t, 2);
    if (!f) {
        free(buf);
        return OOM(call);
    }
    if (got) {
        f[0].u.list.bytes = buf;
        f[0].u.list.count = (uint32_t)got;
    } else free(buf);
    f[1].u.b = got < want || want == 0;
    if (want == 0) {
        struct stat st;
        f[1].u.b = fstat(d->fd, &st) == 0 && (uint64_t)st.st_size <= off;
    }
    return p2_ok(call, res, &t);
}

static weld_status d_write(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    DESC(d, 0);
    if (d->ftype == DT_DIR_) return p2_err(call, res, EC_ISDIR);
    NEED(d, DF_WRITE, EC_BADF);
    uint64_t off = a[2].u.u;
    if (off > INT64_MAX) return p2_err(call, res, EC_INVALID);
    const uint8_t *p = a[1].u.list.bytes;
    size_t len = a[1].u.list.count, done = 0;
    while (done < len) {
        ssize_t k = pwrite(d->fd, p + done, len - done, (off_t)(off + done));
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return errno_err(call, res, errno);
        done += (size_t)k;
    }
    weld_cval v = p2_u(done);
    return p2_ok(call, res, &v);
}

static weld_status d_stat(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    weld_wasi2 *w = ctx;
    DESC(d, 0);
    struct stat st;
    if (fstat(d->fd, &st) < 0) return errno_err(call, res, errno);
    return stat_result(call, res, &st);
}

/* fstatat of (pflags, path) relative to descriptor a[0]: 0, or an error-code + 1. */
static uint32_t stat_at(weld_wasi2 *w, const weld_cval *a, struct stat *st, bool *bad)
{
    p2_obj *d = p2_get(w, a[0].u.res.rep, P2_DESC);
    *bad = !d;
    if (!d) return 0;
    wasi_resolved r;
    uint32_t e = resolve(d, &a[2], a[1].u.flags & 1, &r);
    if (e) return e;
    int k = fstatat(r.dirfd, r.name, st, AT_SYMLINK_NOFOLLOW), err = errno;
    wasi_resolved_free(&r);
    return k < 0 ? p2_code_errno(err) + 1 : 0;
}

static weld_status d_stat_at(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                             weld_cval *res)
{
    struct stat st;
    bool bad;
    uint32_t e = stat_at(ctx, a, &st, &bad);
    if (bad) return p2_trap(call, "wasi: unknown resource handle");
    if (e) return p2_err(call, res, e - 1);
    return stat_result(call, res, &st);
}

static weld_status d_metadata_hash(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                   weld_cval *res)
{
    weld_wasi2 *w = ctx;
    DESC(d, 0);
    struct stat st;
    if (fstat(d->fd, &st) < 0) return errno_err(call, res, errno);
    return hash_result(call, res, &st);
}

static weld_status d_metadata_hash_at(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                      weld_cval *res)
{
    struct stat st;
    bool bad;
    uint32_t e = stat_at(ctx, a, &st, &bad);
    if (bad) return p2_trap(call, "wasi: unknown resource handle");
    if (e) return p2_err(call, res, e - 1);
    return hash_result(call, res, &st);
}

static weld_status d_is_same_object(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                    weld_cval *res)
{
    weld_wasi2 *w = ctx;
    DESC(d, 0);
    DESC(o, 1);
    struct stat s1, s2;
    memset(res, 0, sizeof *res);
    res->u.b = fstat(d->fd, &s1) == 0 && fstat(o->fd, &s2) == 0 && s1.st_dev == s2.st_dev && s1.st_ino == s2.st_ino;
    return WELD_OK;
}

/* ---- descriptor: paths ------------------------------------------------------------------- */

static weld_status d_set_times_at(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                  weld_cval *res)
{
    weld_wasi2 *w = ctx;
    DESC(d, 0);
    wasi_resolved r;
    uint32_t e = resolve(d, &a[2], a[1].u.flags & 1, &r);
    if (e) return p2_err(call, res, e - 1);
    struct timespec ts[2] = {ts_of(&a[3]), ts_of(&a[4])};
    int k = utimensat(r.dirfd, r.name, ts, AT_SYMLINK_NOFOLLOW), err = errno;
    wasi_resolved_free(&r);
    return k < 0 ? errno_err(call, res, err) : p2_ok(call, res, NULL);
}

enum { OP_MKDIR, OP_RMDIR, OP_UNLINK };
static weld_status path_op(weld_wasi2 *w, weld_crt_host_call *call, const weld_cval *a, weld_cval *res, int op)
{
    DESC(d, 0);
    NEED(d, DF_MUTATE, EC_NOT_PERMITTED);
    wasi_resolved r;
    uint32_t e = resolve(d, &a[1], false, &r);
    if (e) return p2_err(call, res, e - 1);
    int k;
    if (op == OP_MKDIR) k = mkdirat(r.dirfd, r.name, 0777);
    else if (strcmp(r.name, ".") == 0) k = -1, errno = op == OP_RMDIR ? EINVAL : EISDIR;
    else k = unlinkat(r.dirfd, r.name, op == OP_RMDIR ? AT_REMOVEDIR : 0);
    int err = errno;
    wasi_resolved_free(&r);
    return k < 0 ? errno_err(call, res, err) : p2_ok(call, res, NULL);
}
static weld_status d_create_directory_at(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                         weld_cval *res)
{
    return path_op(ctx, call, a, res, OP_MKDIR);
}
static weld_status d_remove_directory_at(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                         weld_cval *res)
{
    return path_op(ctx, call, a, res, OP_RMDIR);
}
static weld_status d_unlink_file_at(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                    weld_cval *res)
{
    return path_op(ctx, call, a, res, OP_UNLINK);
}

static weld_status d_readlink_at(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                 weld_cval *res)
{
    weld_wasi2 *w = ctx;
    DESC(d, 0);
    wasi_resolved r;
    uint32_t e = resolve(d, &a[1], false, &r);
    if (e) return p2_err(call, res, e - 1);
    char buf[PATH_MAX];
    ssize_t k = readlinkat(r.dirfd, r.name, buf, sizeof buf);
    int err = errno;
    wasi_resolved_free(&r);
    if (k < 0) return errno_err(call, res, err);
    if ((size_t)k >= sizeof buf) return p2_err(call, res, EC_NAMETOOLONG);
    weld_cval s;
    if (!p2_str(&s, buf, (size_t)k)) return OOM(call);
    return p2_ok(call, res, &s);
}

static weld_status d_symlink_at(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                weld_cval *res)
{
    weld_wasi2 *w = ctx;
    DESC(d, 0);
    NEED(d, DF_MUTATE, EC_NOT_PERMITTED);
    const char *target = a[1].u.str.ptr ? a[1].u.str.ptr : "";
    if (a[1].u.str.len == 0) return p2_err(call, res, EC_NOENT);
    if (memchr(target, 0, a[1].u.str.len)) return p2_err(call, res, EC_INVALID);
    if (target[0] == '/') return p2_err(call, res, EC_NOT_PERMITTED); /* a link out of the sandbox */
    wasi_resolved r;
    uint32_t e = resolve(d, &a[2], false, &r);
    if (e) return p2_err(call, res, e - 1);
    int k = symlinkat(target, r.dirfd, r.name), err = errno;
    wasi_resolved_free(&r);
    return k < 0 ? errno_err(call, res, err) : p2_ok(call, res, NULL);
}

/* Two paths: (a[i0] path relative to a[0]) and (a[i1] path relative to descriptor a[d1]). */
static weld_status two_paths(weld_wasi2 *w, weld_crt_host_call *call, const weld_cval *a, weld_cval *res,
                             bool link, bool follow, int i0, int d1, int i1)
{
    DESC(d, 0);
    DESC(nd, d1);
    NEED(d, DF_MUTATE, EC_NOT_PERMITTED);
    NEED(nd, DF_MUTATE, EC_NOT_PERMITTED);
    wasi_resolved from, to;
    uint32_t e = resolve(d, &a[i0], follow, &from);
    if (e) return p2_err(call, res, e - 1);
    if ((e = resolve(nd, &a[i1], false, &to))) {
        wasi_resolved_free(&from);
        return p2_err(call, res, e - 1);
    }
    int k = link ? linkat(from.dirfd, from.name, to.dirfd, to.name, 0)
                 : renameat(from.dirfd, from.name, to.dirfd, to.name);
    int err = errno;
    wasi_resolved_free(&from);
    wasi_resolved_free(&to);
    return k < 0 ? errno_err(call, res, err) : p2_ok(call, res, NULL);
}
static weld_status d_link_at(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                             weld_cval *res)
{
    return two_paths(ctx, call, a, res, true, a[1].u.flags & 1, 2, 3, 4);
}
static weld_status d_rename_at(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                               weld_cval *res)
{
    return two_paths(ctx, call, a, res, false, false, 1, 2, 3);
}

enum { OF_CREATE = 1, OF_DIRECTORY = 2, OF_EXCL = 4, OF_TRUNC = 8 };

static weld_status d_open_at(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                             weld_cval *res)
{
    weld_wasi2 *w = ctx;
    DESC(d, 0);
    uint32_t of = a[3].u.flags, df = a[4].u.flags;
    if (d->ftype != DT_DIR_) return p2_err(call, res, EC_NOTDIR);
    if ((of & (OF_CREATE | OF_TRUNC) || df & (DF_WRITE | DF_MUTATE)) && !(d->dflags & DF_MUTATE))
        return p2_err(call, res, EC_NOT_PERMITTED);
    if (of & OF_DIRECTORY && (of & OF_TRUNC || df & DF_WRITE)) return p2_err(call, res, EC_ISDIR);
    int hf = O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
    hf |= df & DF_WRITE ? (df & DF_READ ? O_RDWR : O_WRONLY) : O_RDONLY;
    if (of & OF_CREATE) hf |= O_CREAT;
    if (of & OF_DIRECTORY) hf |= O_DIRECTORY;
    if (of & OF_EXCL) hf |= O_EXCL;
    if (of & OF_TRUNC) hf |= O_TRUNC;
    if (df & DF_FILE_SYNC) hf |= O_SYNC;
    else if (df & DF_DATA_SYNC) hf |= O_DSYNC;
    wasi_resolved r;
    uint32_t e = resolve(d, &a[2], a[1].u.flags & 1, &r);
    if (e) return p2_err(call, res, e - 1);
    int fd = openat(r.dirfd, r.name, hf, 0666), err = errno;
    wasi_resolved_free(&r);
    if (fd < 0) return errno_err(call, res, err == ELOOP && !(a[1].u.flags & 1) ? ELOOP : err);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        err = errno;
        close(fd);
        return errno_err(call, res, err);
    }
    uint32_t parent = d->dflags;
    uint32_t rep = p2_new(w, P2_DESC);
    if (!rep) {
        close(fd);
        return OOM(call);
    }
    p2_obj *o = p2_get(w, rep, P2_DESC);
    o->fd = fd;
    o->own_fd = true;
    o->ftype = type_of(st.st_mode);
    o->dflags = df & (DF_READ | DF_WRITE | DF_FILE_SYNC | DF_DATA_SYNC | DF_REQ_SYNC);
    if (o->ftype == DT_DIR_ && parent & DF_MUTATE) o->dflags |= DF_MUTATE;
    weld_cval v = p2_own(w, P2_DESC, rep);
    return p2_ok(call, res, &v);
}

/* ---- directory entries --------------------------------------------------------------------- */

static weld_status d_read_directory(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                    weld_cval *res)
{
    weld_wasi2 *w = ctx;
    DESC(d, 0);
    if (d->ftype != DT_DIR_) return p2_err(call, res, EC_NOTDIR);
    NEED(d, DF_READ, EC_NOT_PERMITTED);
    int fd = openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno_err(call, res, errno);
    DIR *dir = fdopendir(fd);
    if (!dir) {
        int e = errno;
        close(fd);
        return errno_err(call, res, e);
    }
    uint32_t rep = p2_new(w, P2_DIRS);
    if (!rep) {
        closedir(dir);
        return OOM(call);
    }
    p2_obj *o = p2_get(w, rep, P2_DIRS);
    o->dir = dir;
    o->fd = fd;
    weld_cval v = p2_own(w, P2_DIRS, rep);
    return p2_ok(call, res, &v);
}

static weld_status dirs_read(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                             weld_cval *res)
{
    weld_wasi2 *w = ctx;
    P2_SELF(s, a[0], P2_DIRS);
    struct dirent *e;
    for (;;) {
        errno = 0;
        e = readdir(s->dir);
        if (!e) {
            if (errno) return errno_err(call, res, errno);
            weld_cval none;
            if (!p2_var(&none, 0, NULL)) return OOM(call);
            return p2_ok(call, res, &none);
        }
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) break;
    }
    uint8_t t = DT_UNKNOWN_;
    switch (e->d_type) {
    case DT_REG: t = DT_FILE_; break;
    case DT_DIR: t = DT_DIR_; break;
    case DT_LNK: t = DT_LINK_; break;
    case DT_CHR: t = DT_CHAR_; break;
    case DT_BLK: t = DT_BLOCK_; break;
    case DT_FIFO: t = DT_FIFO_; break;
    case DT_SOCK: t = DT_SOCK_; break;
    default: {
        struct stat st;
        if (fstatat(dirfd(s->dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) t = type_of(st.st_mode);
    }
    }
    weld_cval ent, some;
    weld_cval *f = p2_items(&ent, 2);
    if (!f) return OOM(call);
    f[0] = p2_enum(t);
    if (!p2_str(&f[1], e->d_name, strlen(e->d_name)) || !p2_var(&some, 1, &ent)) return OOM(call);
    return p2_ok(call, res, &some);
}

static weld_status fs_error_code(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                 weld_cval *res)
{
    weld_wasi2 *w = ctx;
    P2_SELF(e, a[0], P2_ERR);
    if (e->code < 0) return p2_var(res, 0, NULL) ? WELD_OK : OOM(call);
    weld_cval c = p2_enum((uint32_t)e->code);
    return p2_var(res, 1, &c) ? WELD_OK : OOM(call);
}

/* ---- preopens -------------------------------------------------------------------------------- */

static weld_status get_directories(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                   weld_cval *res)
{
    weld_wasi2 *w = ctx;
    weld_cval *items = p2_items(res, w->npre);
    if (!items) return OOM(call);
    for (uint32_t i = 0; i < w->npre; i++) {
        int fd = fcntl(w->pre[i].fd, F_DUPFD_CLOEXEC, 0);
        if (fd < 0) return p2_trap(call, "wasi: cannot duplicate a preopened directory");
        uint32_t rep = p2_new(w, P2_DESC);
        if (!rep) {
            close(fd);
            return OOM(call);
        }
        p2_obj *o = p2_get(w, rep, P2_DESC);
        o->fd = fd;
        o->own_fd = true;
        o->ftype = DT_DIR_;
        o->dflags = DF_READ | DF_MUTATE;
        weld_cval *t = p2_items(&items[i], 2);
        if (!t) return OOM(call);
        t[0] = p2_own(w, P2_DESC, rep);
        if (!p2_str(&t[1], w->pre[i].name, strlen(w->pre[i].name))) return OOM(call);
    }
    return WELD_OK;
}

#define M(x) "[method]descriptor." x
const p2_def p2_fs_defs[] = {
    {"wasi:filesystem/types", M("read-via-stream"), d_read_via_stream},
    {"wasi:filesystem/types", M("write-via-stream"), d_write_via_stream},
    {"wasi:filesystem/types", M("append-via-stream"), d_append_via_stream},
    {"wasi:filesystem/types", M("advise"), d_advise},
    {"wasi:filesystem/types", M("sync-data"), d_sync_data},
    {"wasi:filesystem/types", M("get-flags"), d_get_flags},
    {"wasi:filesystem/types", M("get-type"), d_get_type},
    {"wasi:filesystem/types", M("set-size"), d_set_size},
    {"wasi:filesystem/types", M("set-times"), d_set_times},
    {"wasi:filesystem/types", M("read"), d_read},
    {"wasi:filesystem/types", M("write"), d_write},
    {"wasi:filesystem/types", M("read-directory"), d_read_directory},
    {"wasi:filesystem/types", M("sync"), d_sync},
    {"wasi:filesystem/types", M("create-directory-at"), d_create_directory_at},
    {"wasi:filesystem/types", M("stat"), d_stat},
    {"wasi:filesystem/types", M("stat-at"), d_stat_at},
    {"wasi:filesystem/types", M("set-times-at"), d_set_times_at},
    {"wasi:filesystem/types", M("link-at"), d_link_at},
    {"wasi:filesystem/types", M("open-at"), d_open_at},
    {"wasi:filesystem/types", M("readlink-at"), d_readlink_at},
    {"wasi:filesystem/types", M("remove-directory-at"), d_remove_directory_at},
    {"wasi:filesystem/types", M("rename-at"), d_rename_at},
    {"wasi:filesystem/types", M("symlink-at"), d_symlink_at},
    {"wasi:filesystem/types", M("unlink-file-at"), d_unlink_file_at},
    {"wasi:filesystem/types", M("is-same-object"), d_is_same_object},
    {"wasi:filesystem/types", M("metadata-hash"), d_metadata_hash},
    {"wasi:filesystem/types", M("metadata-hash-at"), d_metadata_hash_at},
    {"wasi:filesystem/types", "[method]directory-entry-stream.read-directory-entry", dirs_read},
    {"wasi:filesystem/types", "filesystem-error-code", fs_error_code},
    {"wasi:filesystem/preopens", "get-directories", get_directories},
    {NULL, NULL, NULL},
};
