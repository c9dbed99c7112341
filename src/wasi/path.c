/* path.c - the WASI sandbox: resolving guest paths inside a directory descriptor, and the
 * host-errno to WASI-errno map.
 *
 * A path is walked one component at a time with openat(O_DIRECTORY | O_NOFOLLOW) from the
 * directory the guest named, keeping the chain of opened directories: `..` pops one (and
 * fails with ENOTCAPABLE at the bottom), a symbolic link is read with readlinkat and its
 * target spliced in front of the rest of the path (an absolute target fails with
 * ENOTCAPABLE), so a link can only lead where a relative path could. Because every open
 * uses O_NOFOLLOW, a link swapped in after it was checked is not followed either. */
#include "wasi/wasi_int.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Directories on the way are opened for lookup only: O_PATH (Linux) needs search
 * permission, not read permission, as the kernel's own path walk. */
#ifdef O_PATH
#define WALK_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#else
#define WALK_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#endif

#define MAX_DEPTH 256 /* directories in the chain */
#define MAX_LINKS 40  /* symbolic links followed in one resolution, as Linux's ELOOP */

uint16_t wasi_errno(int e)
{
    switch (e) {
    case 0: return 0;
    case E2BIG: return 1;
    case EACCES: return 2;
    case EADDRINUSE: return 3;
    case EADDRNOTAVAIL: return 4;
    case EAFNOSUPPORT: return 5;
    case EAGAIN: return 6;
    case EALREADY: return 7;
    case EBADF: return 8;
    case EBADMSG: return 9;
    case EBUSY: return 10;
    case ECANCELED: return 11;
    case ECHILD: return 12;
    case ECONNABORTED: return 13;
    case ECONNREFUSED: return 14;
    case ECONNRESET: return 15;
    case EDEADLK: return 16;
    case EDESTADDRREQ: return 17;
    case EDOM: return 18;
    case EDQUOT: return 19;
    case EEXIST: return 20;
    case EFAULT: return 21;
    case EFBIG: return 22;
    case EHOSTUNREACH: return 23;
    case EIDRM: return 24;
    case EILSEQ: return 25;
    case EINPROGRESS: return 26;
    case EINTR: return 27;
    case EINVAL: return 28;
    case EIO: return 29;
    case EISCONN: return 30;
    case EISDIR: return 31;
    case ELOOP: return 32;
    case EMFILE: return 33;
    case EMLINK: return 34;
    case EMSGSIZE: return 35;
    case EMULTIHOP: return 36;
    case ENAMETOOLONG: return 37;
    case ENETDOWN: return 38;
    case ENETRESET: return 39;
    case ENETUNREACH: return 40;
    case ENFILE: return 41;
    case ENOBUFS: return 42;
    case ENODEV: return 43;
    case ENOENT: return 44;
    case ENOEXEC: return 45;
    case ENOLCK: return 46;
    case ENOLINK: return 47;
    case ENOMEM: return 48;
    case ENOMSG: return 49;
    case ENOPROTOOPT: return 50;
    case ENOSPC: return 51;
    case ENOSYS: return 52;
    case ENOTCONN: return 53;
    case ENOTDIR: return 54;
    case ENOTEMPTY: return 55;
    case ENOTRECOVERABLE: return 56;
    case ENOTSOCK: return 57;
#if ENOTSUP != EOPNOTSUPP
    case EOPNOTSUPP:
#endif
    case ENOTSUP: return 58;
    case ENOTTY: return 59;
    case ENXIO: return 60;
    case EOVERFLOW: return 61;
    case EOWNERDEAD: return 62;
    case EPERM: return 63;
    case EPIPE: return 64;
    case EPROTO: return 65;
    case EPROTONOSUPPORT: return 66;
    case EPROTOTYPE: return 67;
    case ERANGE: return 68;
    case EROFS: return 69;
    case ESPIPE: return 70;
    case ESRCH: return 71;
    case ESTALE: return 72;
    case ETIMEDOUT: return 73;
    case ETXTBSY: return 74;
    case EXDEV: return 75;
    default: return WASI_EIO;
    }
}

void wasi_resolved_free(wasi_resolved *r)
{
    if (r->owned && r->dirfd >= 0) close(r->dirfd);
    free(r->name);
    r->name = NULL;
    r->dirfd = -1;
    r->owned = false;
}

/* Replace the pending path by `target` + "/" + rest (rest may be empty). */
static char *splice(const char *target, size_t tlen, const char *rest, bool slash)
{
    size_t rlen = strlen(rest);
    char *s = malloc(tlen + rlen + 2);
    if (!s) return NULL;
    memcpy(s, target, tlen);
    size_t n = tlen;
    if (rlen || slash) s[n++] = '/';
    memcpy(s + n, rest, rlen);
    s[n + rlen] = 0;
    return s;
}

/* The target of the symbolic link dir/name, malloc'd, or NULL (*err set) if it is none. */
static char *read_link(int dir, const char *name, size_t *len, int *err)
{
    size_t cap = 256;
    for (;;) {
        char *buf = malloc(cap);
        if (!buf) {
            *err = ENOMEM;
            return NULL;
        }
        ssize_t n = readlinkat(dir, name, buf, cap);
        if (n < 0) {
            *err = errno;
            free(buf);
            return NULL;
        }
        if ((size_t)n < cap) {
            buf[n] = 0;
            *len = (size_t)n;
            return buf;
        }
        free(buf);
        if (cap >= 65536) {
            *err = ENAMETOOLONG;
            return NULL;
        }
        cap *= 4;
    }
}

uint16_t wasi_resolve(int base, const char *path, size_t len, bool follow, wasi_resolved *out)
{
    out->dirfd = -1;
    out->owned = false;
    out->name = NULL;
    if (len == 0) return WASI_ENOENT;
    if (memchr(path, 0, len)) return WASI_EINVAL;
    if (path[0] == '/') return WASI_ENOTCAPABLE;
    char *pending = malloc(len + 1);
    if (!pending) return WASI_ENOMEM;
    memcpy(pending, path, len);
    pending[len] = 0;
    int chain[MAX_DEPTH];
    int depth = 0, links = 0;
    chain[0] = base;
    uint16_t err = 0;
    char *p = pending;
    for (;;) {
        while (*p == '/') p++;
        if (!*p) { /* trailing slash or nothing left: the directory itself */
            out->name = strdup(".");
            break;
        }
        char *end = strchr(p, '/');
        size_t clen = end ? (size_t)(end - p) : strlen(p);
        char *after = end ? end : p + clen;
        while (*after == '/') after++;
        bool last = !*after, slash = end != NULL;
        char comp[4096];
        if (clen >= sizeof comp) {
            err = WASI_ENAMETOOLONG;
            break;
        }
        memcpy(comp, p, clen);
        comp[clen] = 0;
        if (strcmp(comp, ".") == 0) {
            if (last) {
                out->name = strdup(".");
                break;
            }
            p = after;
            continue;
        }
        if (strcmp(comp, "..") == 0) {
            if (depth == 0) {
                err = WASI_ENOTCAPABLE;
                break;
            }
            close(chain[depth--]);
            if (last) {
                out->name = strdup(".");
                break;
            }
            p = after;
            continue;
        }
        int cur = chain[depth];
        int fd = -1, oerr = 0;
        if (!last || slash) {
            fd = openat(cur, comp, WALK_FLAGS);
            oerr = errno;
        }
        if (fd >= 0 && last) { /* "dir/": the directory is the result */
            if (depth + 1 >= MAX_DEPTH) {
                close(fd);
                err = WASI_ENAMETOOLONG;
                break;
            }
            chain[++depth] = fd;
            out->name = strdup(".");
            break;
        }
        if (fd >= 0) {
            if (depth + 1 >= MAX_DEPTH) {
                close(fd);
                err = WASI_ENAMETOOLONG;
                break;
            }
            chain[++depth] = fd;
            p = after;
            continue;
        }
        if (last && !slash && !follow) {
            out->name = strdup(comp);
            break;
        }
        /* A symbolic link?  (An intermediate one, or the last one when following.) */
        size_t tlen = 0;
        int lerr = 0;
        char *target = read_link(cur, comp, &tlen, &lerr);
        if (!target) {
            if (last && (!slash || oerr == ENOENT)) { /* not a link: the last component */
                out->name = strdup(comp);
                break;
            }
            err = wasi_errno(oerr == ELOOP ? ENOTDIR : oerr);
            break;
        }
        if (++links > MAX_LINKS) {
            free(target);
            err = WASI_ELOOP;
            break;
        }
        if (tlen == 0 || target[0] == '/') {
            free(target);
            err = tlen ? WASI_ENOTCAPABLE : WASI_ENOENT;
            break;
        }
        char *np = splice(target, tlen, after, slash);
        free(target);
        if (!np) {
            err = WASI_ENOMEM;
            break;
        }
        free(pending);
        pending = p = np;
    }
    free(pending);
    if (!err && !out->name) err = WASI_ENOMEM;
    if (err) {
        free(out->name);
        out->name = NULL;
        while (depth > 0) close(chain[depth--]);
        return err;
    }
    for (int i = 1; i < depth; i++) close(chain[i]);
    out->dirfd = chain[depth];
    out->owned = depth > 0;
    return 0;
}
