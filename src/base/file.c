/* file.c - whole-file reads and atomic writes (temporary file + rename). */
#define _POSIX_C_SOURCE 200809L
#include "base.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

weld_status weld_file_read(const char *path, uint8_t **data, size_t *len, weld_diag *d)
{
    *data = NULL;
    *len = 0;
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) return weld_diag_set(d, WELD_ERR_IO, WELD_NO_OFFSET, "cannot open: %s", strerror(errno));
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        if (f != stdin) fclose(f);
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory reading file");
    }
    for (;;) {
        if (n == cap) {
            uint8_t *nb = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                if (f != stdin) fclose(f);
                return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory reading file");
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    bool err = ferror(f);
    int saved = errno;
    if (f != stdin) fclose(f);
    if (err) {
        free(buf);
        return weld_diag_set(d, WELD_ERR_IO, WELD_NO_OFFSET, "read error: %s", strerror(saved));
    }
    *data = buf;
    *len = n;
    return WELD_OK;
}

weld_status weld_file_write_atomic(const char *path, const void *data, size_t len, weld_diag *d)
{
    if (strcmp(path, "-") == 0) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
            return weld_diag_set(d, WELD_ERR_IO, WELD_NO_OFFSET, "cannot write to stdout");
        return WELD_OK;
    }
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    if (!tmp) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    snprintf(tmp, plen + 32, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return weld_diag_set(d, WELD_ERR_IO, WELD_NO_OFFSET, "cannot create temporary file: %s",
                             strerror(e));
    }
    const uint8_t *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd);
            unlink(tmp);
            free(tmp);
            return weld_diag_set(d, WELD_ERR_IO, WELD_NO_OFFSET, "write failed: %s", strerror(e));
        }
        p += w;
        left -= (size_t)w;
    }
    if (fchmod(fd, 0644) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        return weld_diag_set(d, WELD_ERR_IO, WELD_NO_OFFSET, "cannot write: %s", strerror(e));
    }
    free(tmp);
    return WELD_OK;
}
