/* wasi_int.h - internals of the WASI preview1 host shared by its sources. */
#ifndef WELD_WASI_INT_H
#define WELD_WASI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Errno values of WASI preview1 (the ones the host produces by name). */
enum {
    WASI_ESUCCESS = 0,
    WASI_E2BIG = 1,
    WASI_EACCES = 2,
    WASI_EBADF = 8,
    WASI_EEXIST = 20,
    WASI_EFAULT = 21,
    WASI_EINVAL = 28,
    WASI_EIO = 29,
    WASI_EISDIR = 31,
    WASI_ELOOP = 32,
    WASI_ENAMETOOLONG = 37,
    WASI_ENOENT = 44,
    WASI_ENOMEM = 48,
    WASI_ENOSYS = 52,
    WASI_ENOTDIR = 54,
    WASI_ENOTSOCK = 57,
    WASI_ENOTSUP = 58,
    WASI_EOVERFLOW = 61,
    WASI_ESPIPE = 70,
    WASI_ENOTCAPABLE = 76
};

/* The WASI errno for a host errno value. */
uint16_t wasi_errno(int host_errno);

/* A path resolved inside a directory descriptor: `dirfd` is the directory that holds the
 * last component `name` ("." for the directory itself); close dirfd if `owned`. */
typedef struct wasi_resolved {
    int dirfd;
    bool owned;
    char *name; /* malloc'd */
} wasi_resolved;

/* Resolve `path` (len bytes, guest-supplied) from the host directory `base` without ever
 * leaving it: absolute paths, `..` above base and symbolic links whose target leaves base
 * give WASI_ENOTCAPABLE. Intermediate symbolic links are followed (inside base); the last
 * component is followed only when `follow`. Returns a WASI errno. */
uint16_t wasi_resolve(int base, const char *path, size_t len, bool follow, wasi_resolved *out);
void wasi_resolved_free(wasi_resolved *r);

#endif
