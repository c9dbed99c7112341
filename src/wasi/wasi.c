/* wasi.c - the WASI preview1 host: the context (arguments, environment, descriptor table,
 * exit code), the function table that gives each WASI function its core type, and the
 * functions themselves over POSIX calls.
 *
 * Every function reads its arguments from the raw slots, checks every guest buffer against
 * the caller's memory 0 (EFAULT when out of range) and returns a preview1 errno. proc_exit
 * records the code and ends the run with a trap the embedder recognises with
 * weld_wasi_exited(). Paths go through wasi_resolve (path.c), which keeps them inside the
 * directory descriptor they are relative to. */
#include "weld/wasi.h"
#include "base/base.h"
#include "wasi/wasi_int.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* ---- preview1 constants ---------------------------------------------------------- */

enum { FT_UNKNOWN, FT_BLOCK, FT_CHAR, FT_DIR, FT_FILE, FT_SOCK_DGRAM, FT_SOCK_STREAM, FT_SYMLINK };

#define R(n) ((uint64_t)1 << (n))
#define R_FD_DATASYNC R(0)
#define R_FD_READ R(1)
#define R_FD_SEEK R(2)
#define R_FD_FDSTAT_SET_FLAGS R(3)
#define R_FD_SYNC R(4)
#define R_FD_TELL R(5)
#define R_FD_WRITE R(6)
#define R_FD_ADVISE R(7)
#define R_FD_ALLOCATE R(8)
#define R_PATH_CREATE_DIRECTORY R(9)
#define R_PATH_CREATE_FILE R(10)
#define R_PATH_LINK_SOURCE R(11)
#define R_PATH_LINK_TARGET R(12)
#define R_PATH_OPEN R(13)
#define R_FD_READDIR R(14)
#define R_PATH_READLINK R(15)
#define R_PATH_RENAME_SOURCE R(16)
#define R_PATH_RENAME_TARGET R(17)
#define R_PATH_FILESTAT_GET R(18)
#define R_PATH_FILESTAT_SET_SIZE R(19)
#define R_PATH_FILESTAT_SET_TIMES R(20)
#define R_FD_FILESTAT_GET R(21)
#define R_FD_FILESTAT_SET_SIZE R(22)
#define R_FD_FILESTAT_SET_TIMES R(23)
#define R_PATH_SYMLINK R(24)
#define R_PATH_REMOVE_DIRECTORY R(25)
#define R_PATH_UNLINK_FILE R(26)
#define R_POLL_FD_READWRITE R(27)
#define R_SOCK_SHUTDOWN R(28)
#define R_SOCK_ACCEPT R(29)
#define R_ALL (R(30) - 1)
/* What a directory descriptor holds (the set wasmtime reports, plus what its older
 * wasi-common gave directories: path_filestat_set_size for O_TRUNC opens below it, fd_sync
 * for a durable rename, fdstat_set_flags, advise, poll): path operations, readdir and its
 * own filestat, but neither reading, writing, seeking nor telling, which a directory does
 * not do. */
#define R_DIR_BASE                                                                                          \
    (R_PATH_CREATE_DIRECTORY | R_PATH_CREATE_FILE | R_PATH_LINK_SOURCE | R_PATH_LINK_TARGET | R_PATH_OPEN |   \
     R_FD_READDIR | R_PATH_READLINK | R_PATH_RENAME_SOURCE | R_PATH_RENAME_TARGET | R_PATH_SYMLINK |          \
     R_PATH_REMOVE_DIRECTORY | R_PATH_UNLINK_FILE | R_PATH_FILESTAT_GET | R_PATH_FILESTAT_SET_SIZE |         \
     R_PATH_FILESTAT_SET_TIMES | R_FD_FILESTAT_GET | R_FD_FILESTAT_SET_TIMES | R_FD_SYNC |                   \
     R_FD_FDSTAT_SET_FLAGS | R_FD_ADVISE | R_POLL_FD_READWRITE)
/* The rights that make path_open ask for write access. */
#define R_WRITEISH (R_FD_DATASYNC | R_FD_WRITE | R_FD_ALLOCATE | R_FD_FILESTAT_SET_SIZE)

#define FDFLAG_APPEND 1
#define FDFLAG_DSYNC 2
#define FDFLAG_NONBLOCK 4
#define FDFLAG_RSYNC 8
#define FDFLAG_SYNC 16

#define OFLAG_CREAT 1
#define OFLAG_DIRECTORY 2
#define OFLAG_EXCL 4
#define OFLAG_TRUNC 8

#define LOOKUP_FOLLOW 1

#define FST_ATIM 1
#define FST_ATIM_NOW 2
#define FST_MTIM 4
#define FST_MTIM_NOW 8

/* ---- the context ------------------------------------------------------------------ */

typedef struct wasi_fd {
    bool used;
    bool own;       /* close the host descriptor with the entry */
    uint8_t type;   /* FT_* */
    int host;
    uint64_t base, inheriting;
    char *preopen;  /* guest name of a preopened directory, else NULL */
    DIR *dir;       /* fd_readdir's stream (over a dup of host), positioned at dir_pos */
    uint64_t dir_pos;
} wasi_fd;

typedef struct wasi_binding {
    weld_wasi *w;
    uint32_t index; /* into the function table */
} wasi_binding;

#define NFUNCS 46

struct weld_wasi {
    int argc, envc;
    char **argv, **envp;
    size_t argv_bytes, env_bytes;
    wasi_fd *fds;
    uint32_t nfds;
    bool exited;
    uint32_t exit_code;
    wasi_binding bind[NFUNCS];
};

static uint8_t filetype_of(mode_t m)
{
    if (S_ISREG(m)) return FT_FILE;
    if (S_ISDIR(m)) return FT_DIR;
    if (S_ISCHR(m)) return FT_CHAR;
    if (S_ISBLK(m)) return FT_BLOCK;
    if (S_ISLNK(m)) return FT_SYMLINK;
    if (S_ISSOCK(m)) return FT_SOCK_STREAM;
    return FT_UNKNOWN;
}

/* A free guest descriptor number (growing the table), or UINT32_MAX. */
static uint32_t fd_alloc(weld_wasi *w, uint32_t from)
{
    for (uint32_t i = from; i < w->nfds; i++)
        if (!w->fds[i].used) return i;
    if (w->nfds >= 1u << 20) return UINT32_MAX;
    uint32_t n = w->nfds ? w->nfds * 2 : 8;
    if (n < from + 1) n = from + 1;
    wasi_fd *f = realloc(w->fds, n * sizeof *f);
    if (!f) return UINT32_MAX;
    memset(f + w->nfds, 0, (n - w->nfds) * sizeof *f);
    uint32_t i = w->nfds > from ? w->nfds : from;
    w->fds = f;
    w->nfds = n;
    return i;
}

static void fd_release(wasi_fd *f)
{
    if (f->dir) closedir(f->dir);
    if (f->own && f->host >= 0) close(f->host);
    free(f->preopen);
    memset(f, 0, sizeof *f);
}

static void set_stdio(weld_wasi *w, uint32_t i, int host)
{
    if (host < 0) return;
    struct stat st;
    wasi_fd *f = &w->fds[i];
    f->used = true;
    f->host = host;
    f->type = fstat(host, &st) == 0 ? filetype_of(st.st_mode) : FT_UNKNOWN;
    f->base = R_ALL & ~(R_PATH_OPEN | R_FD_READDIR);
    /* wasi-libc's isatty() is "a character device without seek and tell rights" */
    if (isatty(host)) f->base &= ~(R_FD_SEEK | R_FD_TELL);
    else if (f->type == FT_CHAR) f->base |= R_FD_SEEK | R_FD_TELL;
    f->inheriting = 0;
}

static char **copy_strings(int n, const char *const *v, size_t *bytes)
{
    char **out = calloc((size_t)n + 1, sizeof *out);
    *bytes = 0;
    if (!out) return NULL;
    for (int i = 0; i < n; i++) {
        out[i] = strdup(v[i] ? v[i] : "");
        if (!out[i]) {
            while (i--) free(out[i]);
            free(out);
            return NULL;
        }
        *bytes += strlen(out[i]) + 1;
    }
    return out;
}

static void free_strings(char **v, int n)
{
    if (!v) return;
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}

weld_wasi *weld_wasi_new(const weld_wasi_config *c, weld_diag *d)
{
    weld_wasi *w = calloc(1, sizeof *w);
    if (!w) goto nomem;
    w->argc = c && c->argv ? c->argc : 0;
    w->envc = c && c->envp ? c->envc : 0;
    w->argv = copy_strings(w->argc, c ? c->argv : NULL, &w->argv_bytes);
    w->envp = copy_strings(w->envc, c ? c->envp : NULL, &w->env_bytes);
    if (!w->argv || !w->envp || fd_alloc(w, 2) == UINT32_MAX) goto nomem;
    for (uint32_t i = 0; i < NFUNCS; i++) w->bind[i] = (wasi_binding){w, i};
    if (c) {
        set_stdio(w, 0, c->stdin_fd);
        set_stdio(w, 1, c->stdout_fd);
        set_stdio(w, 2, c->stderr_fd);
    }
    return w;
nomem:
    weld_wasi_free(w);
    weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory creating the WASI context");
    return NULL;
}

void weld_wasi_free(weld_wasi *w)
{
    if (!w) return;
    for (uint32_t i = 0; i < w->nfds; i++)
        if (w->fds[i].used) fd_release(&w->fds[i]);
    free(w->fds);
    free_strings(w->argv, w->argc);
    free_strings(w->envp, w->envc);
    free(w);
}

weld_status weld_wasi_preopen(weld_wasi *w, const char *host_path, const char *guest_path, weld_diag *d)
{
    int fd = open(host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return weld_diag_set(d, WELD_ERR_IO, WELD_NO_OFFSET, "cannot open directory '%s': %s", host_path,
                             strerror(errno));
    uint32_t i = fd_alloc(w, 3);
    char *name = strdup(guest_path ? guest_path : host_path);
    if (i == UINT32_MAX || !name) {
        close(fd);
        free(name);
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    }
    w->fds[i] = (wasi_fd){.used = true, .own = true, .type = FT_DIR, .host = fd, .base = R_DIR_BASE,
                          .inheriting = R_ALL, .preopen = name};
    return WELD_OK;
}

bool weld_wasi_exited(const weld_wasi *w, uint32_t *code)
{
    if (w->exited && code) *code = w->exit_code;
    return w->exited;
}

/* ---- guest memory ----------------------------------------------------------------- */

typedef struct gmem {
    uint8_t *p;
    uint64_t len;
} gmem;

static bool in_range(const gmem *m, uint64_t ptr, uint64_t n) { return ptr <= m->len && n <= m->len - ptr; }

static uint16_t ld16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t ld32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t ld64(const uint8_t *p) { return ld32(p) | (uint64_t)ld32(p + 4) << 32; }
static void st8(uint8_t *p, uint8_t v) { p[0] = v; }
static void st16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void st32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void st64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Store a u32/u64 result at a guest pointer, or return EFAULT. */
#define PUT32(ptr, v) do { if (!in_range(m, (ptr), 4)) return WASI_EFAULT; st32(m->p + (ptr), (v)); } while (0)
#define PUT64(ptr, v) do { if (!in_range(m, (ptr), 8)) return WASI_EFAULT; st64(m->p + (ptr), (v)); } while (0)

#define A32(i) ((uint32_t)a[i])
#define A64(i) ((uint64_t)a[i])

/* The entry of guest descriptor fd if it holds every right in `need`. */
static uint16_t get_fd(weld_wasi *w, uint32_t fd, uint64_t need, wasi_fd **out)
{
    if (fd >= w->nfds || !w->fds[fd].used) return WASI_EBADF;
    if ((w->fds[fd].base & need) != need) return WASI_ENOTCAPABLE;
    *out = &w->fds[fd];
    return 0;
}

/* The guest path (ptr, len) of a directory descriptor, resolved in the sandbox. */
static uint16_t get_path(weld_wasi *w, gmem *m, uint32_t fd, uint64_t need, uint32_t ptr, uint32_t len,
                         bool follow, wasi_resolved *r)
{
    wasi_fd *f;
    uint16_t e = get_fd(w, fd, need, &f);
    if (e) return e;
    if (f->type != FT_DIR) return WASI_ENOTDIR;
    if (!in_range(m, ptr, len)) return WASI_EFAULT;
    return wasi_resolve(f->host, (const char *)m->p + ptr, len, follow, r);
}

/* Host iovecs for the guest's iovec array (buf u32, len u32 each). */
#define MAX_IOV 1024
static uint16_t get_iovs(gmem *m, uint32_t iovs, uint32_t n, struct iovec *out, uint64_t *total)
{
    if (n > MAX_IOV) return WASI_EINVAL;
    if (!in_range(m, iovs, (uint64_t)n * 8)) return WASI_EFAULT;
    *total = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t buf = ld32(m->p + iovs + 8 * i), len = ld32(m->p + iovs + 8 * i + 4);
        if (!in_range(m, buf, len)) return WASI_EFAULT;
        out[i].iov_base = m->p + buf;
        out[i].iov_len = len;
        *total += len;
    }
    return 0;
}

static uint64_t ts_ns(struct timespec t) { return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec; }

static void put_filestat(uint8_t *p, const struct stat *st)
{
    memset(p, 0, 64);
    st64(p, (uint64_t)st->st_dev);
    st64(p + 8, (uint64_t)st->st_ino);
    st8(p + 16, filetype_of(st->st_mode));
    st64(p + 24, (uint64_t)st->st_nlink);
    st64(p + 32, (uint64_t)st->st_size);
    st64(p + 40, ts_ns(st->st_atim));
    st64(p + 48, ts_ns(st->st_mtim));
    st64(p + 56, ts_ns(st->st_ctim));
}

static bool clock_of(uint32_t id, clockid_t *c)
{
    switch (id) {
    case 0: *c = CLOCK_REALTIME; return true;
    case 1: *c = CLOCK_MONOTONIC; return true;
    case 2: *c = CLOCK_PROCESS_CPUTIME_ID; return true;
    case 3: *c = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
    }
}

/* Times for futimens/utimensat from WASI's (atim, mtim, fst_flags). */
static uint16_t times_of(uint64_t atim, uint64_t mtim, uint32_t fl, struct timespec ts[2])
{
    if ((fl & FST_ATIM && fl & FST_ATIM_NOW) || (fl & FST_MTIM && fl & FST_MTIM_NOW) || fl > 15)
        return WASI_EINVAL;
    ts[0].tv_sec = 0;
    ts[1].tv_sec = 0;
    ts[0].tv_nsec = fl & FST_ATIM_NOW ? UTIME_NOW : UTIME_OMIT;
    ts[1].tv_nsec = fl & FST_MTIM_NOW ? UTIME_NOW : UTIME_OMIT;
    if (fl & FST_ATIM) ts[0] = (struct timespec){(time_t)(atim / 1000000000u), (long)(atim % 1000000000u)};
    if (fl & FST_MTIM) ts[1] = (struct timespec){(time_t)(mtim / 1000000000u), (long)(mtim % 1000000000u)};
    return 0;
}

#define HOSTERR(x) do { if ((x) < 0) return wasi_errno(errno); } while (0)

/* ---- the functions ------------------------------------------------------------------ */

typedef uint16_t (*wasi_impl)(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *res);

static uint16_t strings_get(gmem *m, char **v, int n, uint32_t ptrs, uint32_t buf, size_t bytes)
{
    if (!in_range(m, ptrs, (uint64_t)n * 4) || !in_range(m, buf, bytes)) return WASI_EFAULT;
    uint32_t at = buf;
    for (int i = 0; i < n; i++) {
        size_t l = strlen(v[i]) + 1;
        st32(m->p + ptrs + 4 * (uint32_t)i, at);
        memcpy(m->p + at, v[i], l);
        at += (uint32_t)l;
    }
    return 0;
}

static uint16_t f_args_get(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    return strings_get(m, w->argv, w->argc, A32(0), A32(1), w->argv_bytes);
}
static uint16_t f_args_sizes_get(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    PUT32(A32(0), (uint32_t)w->argc);
    PUT32(A32(1), (uint32_t)w->argv_bytes);
    return 0;
}
static uint16_t f_environ_get(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    return strings_get(m, w->envp, w->envc, A32(0), A32(1), w->env_bytes);
}
static uint16_t f_environ_sizes_get(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    PUT32(A32(0), (uint32_t)w->envc);
    PUT32(A32(1), (uint32_t)w->env_bytes);
    return 0;
}

static uint16_t f_clock_res_get(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    clockid_t c;
    struct timespec t;
    if (!clock_of(A32(0), &c)) return WASI_EINVAL;
    HOSTERR(clock_getres(c, &t));
    PUT64(A32(1), ts_ns(t));
    return 0;
}
static uint16_t f_clock_time_get(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    clockid_t c;
    struct timespec t;
    if (!clock_of(A32(0), &c)) return WASI_EINVAL;
    HOSTERR(clock_gettime(c, &t));
    PUT64(A32(2), ts_ns(t));
    return 0;
}

static uint16_t f_random_get(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    uint32_t p = A32(0), n = A32(1);
    if (!in_range(m, p, n)) return WASI_EFAULT;
    while (n) {
        ssize_t k = getrandom(m->p + p, n, 0);
        if (k < 0) {
            if (errno == EINTR) continue;
            return wasi_errno(errno);
        }
        p += (uint32_t)k;
        n -= (uint32_t)k;
    }
    return 0;
}

static uint16_t rw(weld_wasi *w, gmem *m, const uint64_t *a, bool write, bool positioned)
{
    wasi_fd *f;
    uint16_t e = get_fd(w, A32(0), (write ? R_FD_WRITE : R_FD_READ) | (positioned ? R_FD_SEEK : 0), &f);
    if (e) return e;
    if (f->type == FT_DIR) return WASI_EISDIR;
    struct iovec iov[MAX_IOV];
    uint64_t total;
    uint32_t n = A32(2);
    if ((e = get_iovs(m, A32(1), n, iov, &total))) return e;
    uint32_t out = positioned ? A32(4) : A32(3);
    if (!in_range(m, out, 4)) return WASI_EFAULT;
    ssize_t k;
    off_t off = (off_t)A64(3);
    if (positioned && A64(3) > INT64_MAX) return WASI_EINVAL;
    do {
        if (write) k = positioned ? pwritev(f->host, iov, (int)n, off) : writev(f->host, iov, (int)n);
        else k = positioned ? preadv(f->host, iov, (int)n, off) : readv(f->host, iov, (int)n);
    } while (k < 0 && errno == EINTR);
    HOSTERR(k);
    st32(m->p + out, (uint32_t)k);
    return 0;
}
static uint16_t f_fd_read(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r) { return rw(w, m, a, false, false); }
static uint16_t f_fd_write(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r) { return rw(w, m, a, true, false); }
static uint16_t f_fd_pread(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r) { return rw(w, m, a, false, true); }
static uint16_t f_fd_pwrite(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r) { return rw(w, m, a, true, true); }

static uint16_t f_fd_close(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_fd *f;
    uint16_t e = get_fd(w, A32(0), 0, &f);
    if (e) return e;
    fd_release(f);
    return 0;
}

static uint16_t f_fd_seek(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_fd *f;
    int64_t off = (int64_t)A64(1);
    uint32_t wh = A32(2);
    uint16_t e = get_fd(w, A32(0), 0, &f);
    if (e) return e;
    if (f->type == FT_DIR) return WASI_EBADF; /* as wasmtime: only files seek */
    if ((e = get_fd(w, A32(0), off == 0 && wh == 1 ? R_FD_TELL : R_FD_SEEK | R_FD_TELL, &f))) return e;
    if (wh > 2) return WASI_EINVAL;
    if (!in_range(m, A32(3), 4 + 4)) return WASI_EFAULT;
    off_t p = lseek(f->host, (off_t)off, wh == 0 ? SEEK_SET : wh == 1 ? SEEK_CUR : SEEK_END);
    HOSTERR(p);
    st64(m->p + A32(3), (uint64_t)p);
    return 0;
}
static uint16_t f_fd_tell(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_fd *f;
    uint16_t e = get_fd(w, A32(0), 0, &f);
    if (e) return e;
    if (f->type == FT_DIR) return WASI_EBADF;
    if ((e = get_fd(w, A32(0), R_FD_TELL, &f))) return e;
    off_t p = lseek(f->host, 0, SEEK_CUR);
    HOSTERR(p);
    PUT64(A32(1), (uint64_t)p);
    return 0;
}

static uint16_t f_fd_fdstat_get(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_fd *f;
    uint16_t e = get_fd(w, A32(0), 0, &f);
    if (e) return e;
    uint32_t p = A32(1);
    if (!in_range(m, p, 24)) return WASI_EFAULT;
    int fl = fcntl(f->host, F_GETFL);
    HOSTERR(fl);
    uint16_t flags = 0;
    if (fl & O_APPEND) flags |= FDFLAG_APPEND;
    if (fl & O_NONBLOCK) flags |= FDFLAG_NONBLOCK;
    if ((fl & O_SYNC) == O_SYNC) flags |= FDFLAG_SYNC;
    else if (fl & O_DSYNC) flags |= FDFLAG_DSYNC;
    memset(m->p + p, 0, 24);
    st8(m->p + p, f->type);
    st16(m->p + p + 2, flags);
    st64(m->p + p + 8, f->base);
    st64(m->p + p + 16, f->inheriting);
    return 0;
}
static uint16_t f_fd_fdstat_set_flags(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_fd *f;
    uint16_t e = get_fd(w, A32(0), R_FD_FDSTAT_SET_FLAGS, &f);
    if (e) return e;
    uint32_t fl = A32(1);
    if (fl & (FDFLAG_DSYNC | FDFLAG_RSYNC | FDFLAG_SYNC)) return WASI_ENOTSUP;
    if (fl & ~0x1fu) return WASI_EINVAL;
    int h = fcntl(f->host, F_GETFL);
    HOSTERR(h);
    h &= ~(O_APPEND | O_NONBLOCK);
    if (fl & FDFLAG_APPEND) h |= O_APPEND;
    if (fl & FDFLAG_NONBLOCK) h |= O_NONBLOCK;
    HOSTERR(fcntl(f->host, F_SETFL, h));
    return 0;
}
static uint16_t f_fd_fdstat_set_rights(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_fd *f;
    uint16_t e = get_fd(w, A32(0), 0, &f);
    if (e) return e;
    uint64_t b = A64(1), i = A64(2);
    if ((b & ~f->base) || (i & ~f->inheriting)) return WASI_ENOTCAPABLE; /* only drops rights */
    f->base = b;
    f->inheriting = i;
    return 0;
}

static uint16_t f_fd_filestat_get(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_fd *f;
    uint16_t e = get_fd(w, A32(0), R_FD_FILESTAT_GET, &f);
    if (e) return e;
    if (!in_range(m, A32(1), 64)) return WASI_EFAULT;
    struct stat st;
    HOSTERR(fstat(f->host, &st));
    put_filestat(m->p + A32(1), &st);
    return 0;
}
static uint16_t f_fd_filestat_set_size(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_fd *f;
    uint16_t e = get_fd(w, A32(0), R_FD_FILESTAT_SET_SIZE, &f);
    if (e) return e;
    if (A64(1) > INT64_MAX) return WASI_EINVAL;
    HOSTERR(ftruncate(f->host, (off_t)A64(1)));
    return 0;
}
static uint16_t f_fd_filestat_set_times(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_fd *f;
    struct timespec ts[2];
    uint16_t e = get_fd(w, A32(0), R_FD_FILESTAT_SET_TIMES, &f);
    if (e || (e = times_of(A64(1), A64(2), A32(3), ts))) return e;
    HOSTERR(futimens(f->host, ts));
    return 0;
}

static uint16_t f_fd_prestat_get(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_fd *f;
    uint16_t e = get_fd(w, A32(0), 0, &f);
    if (e) return e;
    if (!f->preopen) return WASI_EBADF;
    if (!in_range(m, A32(1), 8)) return WASI_EFAULT;
    memset(m->p + A32(1), 0, 8);
    st32(m->p + A32(1) + 4, (uint32_t)strlen(f->preopen));
    return 0;
}
static uint16_t f_fd_prestat_dir_name(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_fd *f;
    uint16_t e = get_fd(w, A32(0), 0, &f);
    if (e) return e;
    if (!f->preopen) return WASI_EBADF;
    size_t l = strlen(f->preopen);
    if (A32(2) < l) return WASI_ENAMETOOLONG;
    if (!in_range(m, A32(1), l)) return WASI_EFAULT;
    memcpy(m->p + A32(1), f->preopen, l);
    return 0;
}

static uint8_t dirent_type(int dirfd, const struct dirent *de)
{
    switch (de->d_type) {
    case DT_REG: return FT_FILE;
    case DT_DIR: return FT_DIR;
    case DT_LNK: return FT_SYMLINK;
    case DT_CHR: return FT_CHAR;
    case DT_BLK: return FT_BLOCK;
    case DT_SOCK: return FT_SOCK_STREAM;
    case DT_FIFO: return FT_UNKNOWN;
    default: {
        struct stat st;
        return fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? filetype_of(st.st_mode) : FT_UNKNOWN;
    }
    }
}

/* fd_readdir(fd, buf, buf_len, cookie, *bufused): the cookie of an entry is its position
 * in the stream plus one; entries are written until the buffer is full (the last one cut
 * short, as preview1 specifies, so the caller knows to ask again with a larger buffer). */
static uint16_t f_fd_readdir(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_fd *f;
    uint16_t e = get_fd(w, A32(0), R_FD_READDIR, &f);
    if (e) return e;
    if (f->type != FT_DIR) return WASI_ENOTDIR;
    uint32_t buf = A32(1), cap = A32(2), used_p = A32(4);
    uint64_t cookie = A64(3);
    if (!in_range(m, buf, cap) || !in_range(m, used_p, 4)) return WASI_EFAULT;
    if (!f->dir) {
        int d = dup(f->host);
        HOSTERR(d);
        f->dir = fdopendir(d);
        if (!f->dir) {
            int err = errno;
            close(d);
            return wasi_errno(err);
        }
        f->dir_pos = 0;
        rewinddir(f->dir);
    }
    if (cookie != f->dir_pos) {
        rewinddir(f->dir);
        f->dir_pos = 0;
        while (f->dir_pos < cookie) {
            errno = 0;
            if (!readdir(f->dir)) {
                if (errno) return wasi_errno(errno);
                break;
            }
            f->dir_pos++;
        }
    }
    uint32_t used = 0;
    while (used < cap) {
        errno = 0;
        struct dirent *de = readdir(f->dir);
        if (!de) {
            if (errno) return wasi_errno(errno);
            break;
        }
        f->dir_pos++;
        uint8_t hdr[24];
        size_t nl = strlen(de->d_name);
        st64(hdr, f->dir_pos);
        st64(hdr + 8, (uint64_t)de->d_ino);
        st32(hdr + 16, (uint32_t)nl);
        memset(hdr + 20, 0, 4);
        st8(hdr + 20, dirent_type(dirfd(f->dir), de));
        uint32_t k = cap - used < 24 ? cap - used : 24;
        memcpy(m->p + buf + used, hdr, k);
        used += k;
        k = cap - used < nl ? cap - used : (uint32_t)nl;
        memcpy(m->p + buf + used, de->d_name, k);
        used += k;
    }
    st32(m->p + used_p, used);
    return 0;
}

static uint16_t f_fd_sync(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_fd *f;
    uint16_t e = get_fd(w, A32(0), R_FD_SYNC, &f);
    if (e) return e;
    HOSTERR(fsync(f->host));
    return 0;
}
static uint16_t f_fd_datasync(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_fd *f;
    uint16_t e = get_fd(w, A32(0), R_FD_DATASYNC, &f);
    if (e) return e;
    HOSTERR(fdatasync(f->host));
    return 0;
}
static uint16_t f_fd_advise(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_fd *f;
    uint16_t e = get_fd(w, A32(0), R_FD_ADVISE, &f);
    if (e) return e;
    static const int adv[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                              POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
    if (A32(3) > 5 || A64(1) > INT64_MAX || A64(2) > INT64_MAX) return WASI_EINVAL;
    int err = posix_fadvise(f->host, (off_t)A64(1), (off_t)A64(2), adv[A32(3)]);
    return err == ESPIPE ? WASI_ESPIPE : wasi_errno(err);
}
static uint16_t f_fd_allocate(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_fd *f;
    uint16_t e = get_fd(w, A32(0), R_FD_ALLOCATE, &f);
    if (e) return e;
    if (A64(1) > INT64_MAX || A64(2) > INT64_MAX || A64(1) + A64(2) > INT64_MAX) return WASI_EINVAL;
    return wasi_errno(posix_fallocate(f->host, (off_t)A64(1), (off_t)A64(2)));
}

static uint16_t f_fd_renumber(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_fd *from, *to;
    uint16_t e = get_fd(w, A32(0), 0, &from);
    if (e || (e = get_fd(w, A32(1), 0, &to))) return e;
    if (from == to) return 0;
    fd_release(to);
    *to = *from;
    memset(from, 0, sizeof *from);
    return 0;
}

static uint16_t f_path_open(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    uint32_t dirflags = A32(1), oflags = A32(4), fdflags = A32(7), out = A32(8);
    uint64_t base = A64(5), inh = A64(6);
    wasi_fd *dir;
    uint16_t e = get_fd(w, A32(0), R_PATH_OPEN, &dir);
    if (e) return e;
    if (!in_range(m, out, 4)) return WASI_EFAULT;
    if (oflags & OFLAG_CREAT && !(dir->base & R_PATH_CREATE_FILE)) return WASI_ENOTCAPABLE;
    if (oflags & OFLAG_TRUNC && !(dir->base & R_PATH_FILESTAT_SET_SIZE)) return WASI_ENOTCAPABLE;
    if (fdflags & (FDFLAG_DSYNC | FDFLAG_RSYNC | FDFLAG_SYNC)) return WASI_ENOTSUP;
    base &= dir->inheriting;
    inh &= dir->inheriting;
    bool rd = base & (R_FD_READ | R_FD_READDIR);
    bool wr = base & R_WRITEISH;
    if (oflags & OFLAG_DIRECTORY) { /* a directory is neither created, truncated nor written */
        if (oflags & (OFLAG_CREAT | OFLAG_EXCL | OFLAG_TRUNC)) return WASI_EINVAL;
        if (wr) return WASI_EISDIR;
    }
    int hf = O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
    hf |= wr ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY;
    if (oflags & OFLAG_CREAT) hf |= O_CREAT;
    if (oflags & OFLAG_DIRECTORY) hf |= O_DIRECTORY;
    if (oflags & OFLAG_EXCL) hf |= O_EXCL;
    if (oflags & OFLAG_TRUNC) hf |= O_TRUNC;
    if (fdflags & FDFLAG_APPEND) hf |= O_APPEND;
    if (fdflags & FDFLAG_NONBLOCK) hf |= O_NONBLOCK;
    wasi_resolved rp;
    if ((e = get_path(w, m, A32(0), 0, A32(2), A32(3), dirflags & LOOKUP_FOLLOW, &rp))) return e;
    int fd = openat(rp.dirfd, rp.name, hf, 0666);
    if (fd < 0 && errno == EISDIR && wr && !(oflags & (OFLAG_CREAT | OFLAG_TRUNC)) && !(base & R_FD_WRITE)) {
        /* a directory opened with rights that merely could write */
        fd = openat(rp.dirfd, rp.name, (hf & ~(O_RDWR | O_WRONLY)) | O_RDONLY, 0666);
    }
    int err = errno;
    wasi_resolved_free(&rp);
    if (fd < 0) return wasi_errno(err);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        err = errno;
        close(fd);
        return wasi_errno(err);
    }
    uint32_t i = fd_alloc(w, 3);
    if (i == UINT32_MAX) {
        close(fd);
        return WASI_ENOMEM; /* dir may have moved */
    }
    uint8_t type = filetype_of(st.st_mode);
    if (type == FT_DIR) base &= R_DIR_BASE;
    w->fds[i] = (wasi_fd){.used = true, .own = true, .type = type, .host = fd, .base = base,
                          .inheriting = inh};
    st32(m->p + out, i);
    return 0;
}

static uint16_t f_path_filestat_get(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_resolved rp;
    uint16_t e = get_path(w, m, A32(0), R_PATH_FILESTAT_GET, A32(2), A32(3), A32(1) & LOOKUP_FOLLOW, &rp);
    if (e) return e;
    struct stat st;
    int k = fstatat(rp.dirfd, rp.name, &st, AT_SYMLINK_NOFOLLOW), err = errno;
    wasi_resolved_free(&rp);
    if (k < 0) return wasi_errno(err);
    if (!in_range(m, A32(4), 64)) return WASI_EFAULT;
    put_filestat(m->p + A32(4), &st);
    return 0;
}
static uint16_t f_path_filestat_set_times(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    struct timespec ts[2];
    uint16_t e = times_of(A64(4), A64(5), A32(6), ts);
    if (e) return e;
    wasi_resolved rp;
    if ((e = get_path(w, m, A32(0), R_PATH_FILESTAT_SET_TIMES, A32(2), A32(3), A32(1) & LOOKUP_FOLLOW, &rp)))
        return e;
    int k = utimensat(rp.dirfd, rp.name, ts, AT_SYMLINK_NOFOLLOW), err = errno;
    wasi_resolved_free(&rp);
    return k < 0 ? wasi_errno(err) : 0;
}

/* Trailing slashes.  A path ending in '/' names a directory: the operations that act on
 * the last component itself (unlink, rmdir, rename, link, symlink) resolve the path without
 * its trailing slashes, then hold the slash against what is there, as POSIX does:
 * slash_path gives the length without them and whether there were any. */
static uint32_t slash_path(const gmem *m, uint32_t ptr, uint32_t len, bool *slash)
{
    *slash = false;
    if (!in_range(m, ptr, len)) return len; /* get_path reports EFAULT */
    uint32_t n = len;
    while (n > 1 && m->p[ptr + n - 1] == '/') n--;
    if (n == 1 && m->p[ptr] == '/') return len; /* "/", "//": absolute, refused as such */
    *slash = n != len;
    return n;
}

/* ENOTDIR if dir/name exists and is not a directory (a symbolic link is not one either). */
static int slash_notdir(int dir, const char *name)
{
    struct stat st;
    if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) return ENOTDIR;
    return 0;
}

/* The new name of link/symlink may not end in '/': EEXIST when something is there, else
 * ENOENT (a directory would be needed, and neither call makes one). */
static int slash_new_name(int dir, const char *name)
{
    struct stat st;
    return fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? EEXIST : ENOENT;
}

/* One path operation: resolve (fd, ptr, len) without following the last component, then
 * run op on (dirfd, name). */
enum { OP_MKDIR, OP_UNLINK, OP_RMDIR };
static uint16_t path_op(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t need, int op)
{
    wasi_resolved rp;
    bool slash = false;
    uint32_t len = op == OP_MKDIR ? A32(2) : slash_path(m, A32(1), A32(2), &slash);
    uint16_t e = get_path(w, m, A32(0), need, A32(1), len, false, &rp);
    if (e) return e;
    int k, err = slash ? slash_notdir(rp.dirfd, rp.name) : 0;
    if (err) k = -1, errno = err;
    else if (op == OP_MKDIR) k = mkdirat(rp.dirfd, rp.name, 0777);
    else if (strcmp(rp.name, ".") == 0) k = -1, errno = op == OP_RMDIR ? EINVAL : EISDIR;
    else k = unlinkat(rp.dirfd, rp.name, op == OP_RMDIR ? AT_REMOVEDIR : 0);
    err = errno;
    wasi_resolved_free(&rp);
    return k < 0 ? wasi_errno(err) : 0;
}
static uint16_t f_path_create_directory(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    return path_op(w, m, a, R_PATH_CREATE_DIRECTORY, OP_MKDIR);
}
static uint16_t f_path_unlink_file(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    return path_op(w, m, a, R_PATH_UNLINK_FILE, OP_UNLINK);
}
static uint16_t f_path_remove_directory(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    return path_op(w, m, a, R_PATH_REMOVE_DIRECTORY, OP_RMDIR);
}

/* rename: a slash after either name asks for a directory; the source must be one. */
static uint16_t f_path_rename(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_resolved from, to;
    bool fslash, tslash;
    uint32_t flen = slash_path(m, A32(1), A32(2), &fslash), tlen = slash_path(m, A32(4), A32(5), &tslash);
    uint16_t e = get_path(w, m, A32(0), R_PATH_RENAME_SOURCE, A32(1), flen, false, &from);
    if (e) return e;
    if ((e = get_path(w, m, A32(3), R_PATH_RENAME_TARGET, A32(4), tlen, false, &to))) {
        wasi_resolved_free(&from);
        return e;
    }
    int k = -1, err = fslash || tslash ? slash_notdir(from.dirfd, from.name) : 0;
    if (!err) {
        k = renameat(from.dirfd, from.name, to.dirfd, to.name);
        err = errno;
    }
    wasi_resolved_free(&from);
    wasi_resolved_free(&to);
    return k < 0 ? wasi_errno(err) : 0;
}
static uint16_t f_path_link(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_resolved from, to;
    bool fslash, tslash;
    uint32_t flen = slash_path(m, A32(2), A32(3), &fslash), tlen = slash_path(m, A32(5), A32(6), &tslash);
    uint16_t e = get_path(w, m, A32(0), R_PATH_LINK_SOURCE, A32(2), flen, A32(1) & LOOKUP_FOLLOW, &from);
    if (e) return e;
    if ((e = get_path(w, m, A32(4), R_PATH_LINK_TARGET, A32(5), tlen, false, &to))) {
        wasi_resolved_free(&from);
        return e;
    }
    int k = -1, err = fslash ? slash_notdir(from.dirfd, from.name) : 0;
    if (!err && tslash) err = slash_new_name(to.dirfd, to.name);
    if (!err) {
        k = linkat(from.dirfd, from.name, to.dirfd, to.name, 0);
        err = errno;
    }
    wasi_resolved_free(&from);
    wasi_resolved_free(&to);
    return k < 0 ? wasi_errno(err) : 0;
}
static uint16_t f_path_symlink(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    uint32_t tp = A32(0), tl = A32(1);
    if (!in_range(m, tp, tl)) return WASI_EFAULT;
    if (tl == 0) return WASI_ENOENT;
    if (memchr(m->p + tp, 0, tl)) return WASI_EINVAL;
    if (m->p[tp] == '/') return WASI_ENOTCAPABLE; /* a link out of the sandbox is refused */
    char *target = strndup((const char *)m->p + tp, tl);
    if (!target) return WASI_ENOMEM;
    wasi_resolved rp;
    bool slash;
    uint32_t len = slash_path(m, A32(3), A32(4), &slash);
    uint16_t e = get_path(w, m, A32(2), R_PATH_SYMLINK, A32(3), len, false, &rp);
    if (e) {
        free(target);
        return e;
    }
    int k = -1, err = slash ? slash_new_name(rp.dirfd, rp.name) : 0;
    if (!err) {
        k = symlinkat(target, rp.dirfd, rp.name);
        err = errno;
    }
    free(target);
    wasi_resolved_free(&rp);
    return k < 0 ? wasi_errno(err) : 0;
}
static uint16_t f_path_readlink(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    uint32_t buf = A32(3), cap = A32(4), used = A32(5);
    if (!in_range(m, buf, cap) || !in_range(m, used, 4)) return WASI_EFAULT;
    wasi_resolved rp;
    uint16_t e = get_path(w, m, A32(0), R_PATH_READLINK, A32(1), A32(2), false, &rp);
    if (e) return e;
    char tmp[PATH_MAX];
    ssize_t k = readlinkat(rp.dirfd, rp.name, tmp, sizeof tmp);
    int err = errno;
    wasi_resolved_free(&rp);
    if (k < 0) return wasi_errno(err);
    uint32_t n = (uint64_t)k < cap ? (uint32_t)k : cap;
    memcpy(m->p + buf, tmp, n);
    st32(m->p + used, n);
    return 0;
}

/* poll_oneoff(in, out, nsubscriptions, *nevents): waits with poll(2) until a descriptor of
 * an fd_read/fd_write subscription is ready or the earliest clock deadline passes (poll's
 * timeout; nanosleep when there are only clocks). Subscriptions that fail at once (a bad
 * descriptor, a missing right, an unknown clock) are events of their own and end the wait
 * at once. Every subscription ready when the wait ends is reported. */
static void put_event(uint8_t *ev, const uint8_t *s, uint16_t err, uint8_t tag, uint64_t nbytes, uint16_t flags)
{
    memset(ev, 0, 32);
    st64(ev, ld64(s));
    st16(ev + 8, err);
    st8(ev + 10, tag);
    st64(ev + 16, nbytes);
    st16(ev + 24, flags);
}

/* Bytes readable from f without blocking, as far as the host can tell (0 when unknown). */
static uint64_t readable(const wasi_fd *f)
{
    if (f->type == FT_FILE) {
        struct stat st;
        off_t pos = lseek(f->host, 0, SEEK_CUR);
        return fstat(f->host, &st) == 0 && pos >= 0 && st.st_size > pos ? (uint64_t)(st.st_size - pos) : 0;
    }
    int n = 0;
    return ioctl(f->host, FIONREAD, &n) == 0 && n > 0 ? (uint64_t)n : 0;
}

static uint16_t f_poll_oneoff(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    uint32_t in = A32(0), out = A32(1), n = A32(2), nev_p = A32(3);
    if (n == 0) return WASI_EINVAL;
    if (!in_range(m, in, (uint64_t)n * 48) || !in_range(m, out, (uint64_t)n * 32) || !in_range(m, nev_p, 4))
        return WASI_EFAULT;
    for (uint32_t i = 0; i < n; i++)
        if (m->p[in + 48 * i + 8] > 2) return WASI_EINVAL;
    struct pollfd *pfd = malloc((size_t)n * sizeof *pfd);
    uint32_t *sub_of = malloc((size_t)n * sizeof *sub_of); /* pfd[k] is subscription sub_of[k] */
    uint64_t *rel = malloc((size_t)n * sizeof *rel);        /* relative deadline of a clock */
    if (!pfd || !sub_of || !rel) {
        free(pfd), free(sub_of), free(rel);
        return WASI_ENOMEM;
    }
    /* First pass: what fails at once, the descriptors to wait on, the earliest deadline. */
    uint32_t nev = 0, npfd = 0;
    bool have_clock = false;
    uint64_t wait = UINT64_MAX; /* ns until the earliest clock deadline */
    struct timespec mono0;
    clock_gettime(CLOCK_MONOTONIC, &mono0);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *s = m->p + in + 48 * i;
        uint8_t tag = s[8];
        rel[i] = UINT64_MAX;
        if (tag == 0) {
            clockid_t c;
            struct timespec now;
            uint64_t timeout = ld64(s + 24);
            if (!clock_of(ld32(s + 16), &c) || clock_gettime(c, &now) < 0) {
                put_event(m->p + out + 32 * nev++, s, WASI_EINVAL, 0, 0, 0);
                continue;
            }
            rel[i] = timeout;
            if (ld16(s + 40) & 1) rel[i] = timeout > ts_ns(now) ? timeout - ts_ns(now) : 0; /* abstime */
            have_clock = true;
            if (rel[i] < wait) wait = rel[i];
        } else {
            wasi_fd *f;
            uint16_t e = get_fd(w, ld32(s + 16), R_POLL_FD_READWRITE, &f);
            if (e) {
                put_event(m->p + out + 32 * nev++, s, e, tag, 0, 0);
                continue;
            }
            pfd[npfd] = (struct pollfd){.fd = f->host, .events = tag == 1 ? POLLIN : POLLOUT};
            sub_of[npfd++] = i;
        }
    }
    uint16_t err = 0;
    for (;;) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        uint64_t elapsed = ts_ns(now) - ts_ns(mono0);
        uint64_t rem = !have_clock || nev ? 0 : wait > elapsed ? wait - elapsed : 0;
        int k = 0;
        if (npfd) {
            uint64_t ms = rem / 1000000u + (rem % 1000000u != 0); /* rounded up: never early */
            int tmo = nev ? 0 : !have_clock ? -1 : ms > INT_MAX ? INT_MAX : (int)ms;
            k = poll(pfd, npfd, tmo);
        } else if (rem) {
            struct timespec d = {(time_t)(rem / 1000000000u), (long)(rem % 1000000000u)};
            k = nanosleep(&d, NULL);
        }
        if (k < 0) {
            if (errno == EINTR) continue;
            err = wasi_errno(errno);
            break;
        }
        /* the descriptors that are ready */
        for (uint32_t j = 0; j < npfd && k > 0; j++) {
            short re = pfd[j].revents;
            if (!re) continue;
            const uint8_t *s = m->p + in + 48 * sub_of[j];
            wasi_fd *f = &w->fds[ld32(s + 16)];
            uint16_t e = re & POLLNVAL ? WASI_EBADF : 0;
            uint64_t nbytes = !e && s[8] == 1 ? readable(f) : 0;
            put_event(m->p + out + 32 * nev++, s, e, s[8], nbytes, re & POLLHUP ? 1 : 0);
        }
        /* the clocks whose deadline passed (the earliest one's when the wait timed out) */
        bool timed_out = k == 0 && nev == 0;
        clock_gettime(CLOCK_MONOTONIC, &now);
        elapsed = ts_ns(now) - ts_ns(mono0);
        for (uint32_t i = 0; i < n && have_clock; i++) {
            const uint8_t *s = m->p + in + 48 * i;
            if (s[8] != 0 || rel[i] == UINT64_MAX) continue;
            if (elapsed >= rel[i] || (timed_out && rel[i] == wait)) put_event(m->p + out + 32 * nev++, s, 0, 0, 0, 0);
        }
        if (nev) break;
    }
    free(pfd), free(sub_of), free(rel);
    if (err) return err;
    st32(m->p + nev_p, nev);
    return 0;
}

static uint16_t f_sched_yield(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    sched_yield();
    return 0;
}
static uint16_t f_proc_raise(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r) { return WASI_ENOSYS; }

/* The socket functions: a descriptor that is none is EBADF, one that is no socket ENOTSOCK
 * (as wasmtime). Sockets reach a program only as its stdio; sock_shutdown shuts them down,
 * the others are not supported. */
static uint16_t get_sock(weld_wasi *w, uint32_t fd, wasi_fd **out)
{
    uint16_t e = get_fd(w, fd, 0, out);
    if (e) return e;
    return (*out)->type == FT_SOCK_STREAM || (*out)->type == FT_SOCK_DGRAM ? 0 : WASI_ENOTSOCK;
}
static uint16_t f_sock_shutdown(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_fd *f;
    uint16_t e = get_sock(w, A32(0), &f);
    if (e) return e;
    uint32_t how = A32(1); /* sdflags: 1 rd, 2 wr */
    if (how == 0 || how > 3) return WASI_EINVAL;
    if ((e = get_fd(w, A32(0), R_SOCK_SHUTDOWN, &f))) return e;
    HOSTERR(shutdown(f->host, how == 1 ? SHUT_RD : how == 2 ? SHUT_WR : SHUT_RDWR));
    return 0;
}
static uint16_t f_sock(weld_wasi *w, gmem *m, const uint64_t *a, uint64_t *r)
{
    wasi_fd *f;
    uint16_t e = get_sock(w, A32(0), &f);
    return e ? e : WASI_ENOTSUP;
}

/* ---- the function table ------------------------------------------------------------ */

/* Each function's core type: params as 'i' (i32) and 'I' (i64); every function but
 * proc_exit returns an i32 errno. proc_exit has no implementation (it is handled in
 * call()). */
typedef struct wasi_def {
    const char *name;
    const char *params;
    wasi_impl fn;
} wasi_def;

static const wasi_def DEFS[NFUNCS] = {
    {"args_get", "ii", f_args_get},
    {"args_sizes_get", "ii", f_args_sizes_get},
    {"environ_get", "ii", f_environ_get},
    {"environ_sizes_get", "ii", f_environ_sizes_get},
    {"clock_res_get", "ii", f_clock_res_get},
    {"clock_time_get", "iIi", f_clock_time_get},
    {"fd_advise", "iIIi", f_fd_advise},
    {"fd_allocate", "iII", f_fd_allocate},
    {"fd_close", "i", f_fd_close},
    {"fd_datasync", "i", f_fd_datasync},
    {"fd_fdstat_get", "ii", f_fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii", f_fd_fdstat_set_flags},
    {"fd_fdstat_set_rights", "iII", f_fd_fdstat_set_rights},
    {"fd_filestat_get", "ii", f_fd_filestat_get},
    {"fd_filestat_set_size", "iI", f_fd_filestat_set_size},
    {"fd_filestat_set_times", "iIIi", f_fd_filestat_set_times},
    {"fd_pread", "iiiIi", f_fd_pread},
    {"fd_prestat_get", "ii", f_fd_prestat_get},
    {"fd_prestat_dir_name", "iii", f_fd_prestat_dir_name},
    {"fd_pwrite", "iiiIi", f_fd_pwrite},
    {"fd_read", "iiii", f_fd_read},
    {"fd_readdir", "iiiIi", f_fd_readdir},
    {"fd_renumber", "ii", f_fd_renumber},
    {"fd_seek", "iIii", f_fd_seek},
    {"fd_sync", "i", f_fd_sync},
    {"fd_tell", "ii", f_fd_tell},
    {"fd_write", "iiii", f_fd_write},
    {"path_create_directory", "iii", f_path_create_directory},
    {"path_filestat_get", "iiiii", f_path_filestat_get},
    {"path_filestat_set_times", "iiiiIIi", f_path_filestat_set_times},
    {"path_link", "iiiiiii", f_path_link},
    {"path_open", "iiiiiIIii", f_path_open},
    {"path_readlink", "iiiiii", f_path_readlink},
    {"path_remove_directory", "iii", f_path_remove_directory},
    {"path_rename", "iiiiii", f_path_rename},
    {"path_symlink", "iiiii", f_path_symlink},
    {"path_unlink_file", "iii", f_path_unlink_file},
    {"poll_oneoff", "iiii", f_poll_oneoff},
    {"proc_exit", "i", NULL},
    {"proc_raise", "i", f_proc_raise},
    {"sched_yield", "", f_sched_yield},
    {"random_get", "ii", f_random_get},
    {"sock_accept", "iii", f_sock},
    {"sock_recv", "iiiiii", f_sock},
    {"sock_send", "iiiii", f_sock},
    {"sock_shutdown", "ii", f_sock_shutdown},
};

static weld_status call(void *ctx, weld_rt_host_call *hc, const uint64_t *args, uint64_t *results)
{
    wasi_binding *b = ctx;
    weld_wasi *w = b->w;
    const wasi_def *def = &DEFS[b->index];
    if (!def->fn) { /* proc_exit */
        w->exited = true;
        w->exit_code = (uint32_t)args[0];
        weld_rt_trap(hc, "wasi proc_exit");
        return WELD_ERR_TRAP;
    }
    gmem m = {NULL, 0};
    weld_rt_memory *mem = weld_rt_host_memory(hc);
    if (mem) m.p = weld_rt_memory_data(mem, &m.len);
    results[0] = def->fn(w, &m, args, results);
    return WELD_OK;
}

weld_status weld_wasi_func(weld_wasi *w, weld_rt_engine *e, const char *name, size_t len, weld_rt_extern *out,
                           weld_diag *d)
{
    for (uint32_t i = 0; i < NFUNCS; i++) {
        const wasi_def *def = &DEFS[i];
        if (strlen(def->name) != len || memcmp(def->name, name, len) != 0) continue;
        weld_valtype params[16], result = WELD_I32;
        uint32_t np = (uint32_t)strlen(def->params);
        for (uint32_t k = 0; k < np; k++) params[k] = def->params[k] == 'I' ? WELD_I64 : WELD_I32;
        weld_functype t = {np, def->fn ? 1 : 0, params, &result};
        weld_rt_func *f = weld_rt_func_new_host(e, &t, call, &w->bind[i]);
        if (!f) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
        out->kind = WELD_EXTERN_FUNC;
        out->u.func = f;
        return WELD_OK;
    }
    return weld_diag_set(d, WELD_ERR_LINK, WELD_NO_OFFSET, "unknown import \"%s\" \"%.*s\": WASI preview1 has no such function",
                         WELD_WASI_MODULE, (int)(len > 200 ? 200 : len), name);
}

weld_status weld_wasi_link(weld_wasi *w, weld_rt_engine *e, const weld_module *m, weld_rt_extern *imports,
                           weld_diag *d)
{
    for (uint32_t i = 0; i < m->nimports; i++) {
        const weld_import *im = &m->imports[i];
        bool wasi = im->module.len == strlen(WELD_WASI_MODULE) &&
                    memcmp(im->module.ptr, WELD_WASI_MODULE, im->module.len) == 0;
        if (!wasi || im->type.kind != WELD_EXTERN_FUNC)
            return weld_diag_set(d, WELD_ERR_LINK, WELD_NO_OFFSET,
                                 "unknown import \"%.*s\" \"%.*s\" (import %u): only %s functions are provided",
                                 (int)(im->module.len > 200 ? 200 : im->module.len), im->module.ptr,
                                 (int)(im->name.len > 200 ? 200 : im->name.len), im->name.ptr, i, WELD_WASI_MODULE);
        weld_status st = weld_wasi_func(w, e, im->name.ptr, im->name.len, &imports[i], d);
        if (st) return st;
    }
    return WELD_OK;
}
