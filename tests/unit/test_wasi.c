/* test_wasi.c - the WASI preview1 host: the sandbox's path resolution (wasi_resolve) on a
 * real directory tree, and WASI functions called from a module (fixtures/wasi_probe.wat
 * forwards each import under its own name) on a context with arguments, environment, a
 * preopened directory and stdout redirected to a file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "weld/wasi.h"
#include "wasi/wasi_int.h"
#include "fixtures/wasi_probe.h"

typedef struct fx {
    char root[64], box[96];
    int box_fd, out_fd;
    weld_rt_engine *e;
    weld_wasi *w;
    weld_rt_instance *in;
    uint8_t *mem;
} fx;

static void put(const char *dir, const char *name, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    strcpy(f->root, "/tmp/weld-wasi-XXXXXX");
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
    f->box_fd = open(f->box, O_RDONLY | O_DIRECTORY);
    assert_true(f->box_fd >= 0);
    snprintf(p, sizeof p, "%s/stdout", f->root);
    f->out_fd = open(p, O_CREAT | O_RDWR | O_TRUNC, 0644);
    assert_true(f->out_fd >= 0);

    const char *argv[] = {"prog", "arg one"}, *envp[] = {"K=V", "EMPTY="};
    weld_wasi_config c = {2, argv, 2, envp, -1, f->out_fd, -1};
    weld_diag d;
    weld_diag_init(&d, NULL);
    f->w = weld_wasi_new(&c, &d);
    assert_non_null(f->w);
    assert_int_equal(weld_wasi_preopen(f->w, f->box, "box", &d), WELD_OK);
    f->e = weld_rt_engine_new(NULL);
    weld_rt_module *m;
    assert_int_equal(weld_rt_module_load(f->e, wasi_probe_wasm, wasi_probe_wasm_len, &m, &d), WELD_OK);
    const weld_module *ast = weld_rt_module_ast(m);
    weld_rt_extern *imports = calloc(ast->nimports, sizeof *imports);
    assert_int_equal(weld_wasi_link(f->w, f->e, ast, imports, &d), WELD_OK);
    assert_int_equal(weld_rt_instantiate(f->e, m, imports, ast->nimports, &f->in, &d), WELD_OK);
    free(imports);
    weld_rt_extern x;
    assert_true(weld_rt_instance_export(f->in, "memory", &x));
    uint64_t len;
    f->mem = weld_rt_memory_data(x.u.memory, &len);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    char cmd[128];
    weld_wasi_free(f->w);
    weld_rt_engine_free(f->e);
    close(f->box_fd);
    close(f->out_fd);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* Call the probe's export `name` with integer arguments; returns its i32 result (the errno). */
static int32_t call(fx *f, const char *name, ...)
{
    weld_rt_extern x;
    assert_true(weld_rt_instance_export(f->in, name, &x));
    const weld_functype *t = weld_rt_func_type(x.u.func);
    weld_rt_val args[12], res = {0};
    va_list ap;
    va_start(ap, name);
    for (uint32_t i = 0; i < t->nparams; i++) {
        args[i].type = t->params[i];
        if (t->params[i] == WELD_I64) args[i].u.i64 = va_arg(ap, int64_t);
        else args[i].u.i32 = va_arg(ap, int32_t);
    }
    va_end(ap);
    weld_diag d;
    weld_diag_init(&d, NULL);
    weld_status st = weld_rt_call(f->e, x.u.func, args, t->nparams, &res, t->nresults, &d);
    assert_int_equal(st, WELD_OK);
    return res.u.i32;
}

static uint32_t ld32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t ld64(const uint8_t *p) { return ld32(p) | (uint64_t)ld32(p + 4) << 32; }
static void st32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static uint16_t ld16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint16_t resolve(fx *f, const char *path, bool follow, char *name)
{
    wasi_resolved r;
    uint16_t e = wasi_resolve(f->box_fd, path, strlen(path), follow, &r);
    if (!e) {
        strcpy(name, r.name);
        wasi_resolved_free(&r);
    }
    return e;
}

static void test_resolve(void **state)
{
    fx *f = *state;
    char n[256];
    assert_int_equal(resolve(f, "keep.txt", true, n), 0);
    assert_string_equal(n, "keep.txt");
    assert_int_equal(resolve(f, "sub/../keep.txt", false, n), 0);
    assert_string_equal(n, "keep.txt");
    assert_int_equal(resolve(f, "sub/", false, n), 0);
    assert_string_equal(n, ".");
    assert_int_equal(resolve(f, "sub/back", true, n), 0);
    assert_string_equal(n, "keep.txt");
    assert_int_equal(resolve(f, "sub/back", false, n), 0);
    assert_string_equal(n, "back");
    assert_int_equal(resolve(f, "up", false, n), 0); /* the link itself is inside */
    assert_string_equal(n, "up");
    assert_int_equal(resolve(f, "..", false, n), WASI_ENOTCAPABLE);
    assert_int_equal(resolve(f, "sub/../../secret.txt", false, n), WASI_ENOTCAPABLE);
    assert_int_equal(resolve(f, "/etc/passwd", false, n), WASI_ENOTCAPABLE);
    assert_int_equal(resolve(f, "up/secret.txt", false, n), WASI_ENOTCAPABLE);
    assert_int_equal(resolve(f, "up", true, n), WASI_ENOTCAPABLE);
    assert_int_equal(resolve(f, "abs/passwd", false, n), WASI_ENOTCAPABLE);
    assert_int_equal(resolve(f, "loop", true, n), WASI_ELOOP);
    assert_int_equal(resolve(f, "keep.txt/x", false, n), WASI_ENOTDIR);
    assert_int_equal(resolve(f, "missing/x", false, n), WASI_ENOENT);
    assert_int_equal(resolve(f, "", false, n), WASI_ENOENT);
    wasi_resolved r;
    assert_int_equal(wasi_resolve(f->box_fd, "a\0b", 3, false, &r), WASI_EINVAL);
}

static void test_args_env(void **state)
{
    fx *f = *state;
    assert_int_equal(call(f, "args_sizes_get", 0, 4), 0);
    assert_int_equal(ld32(f->mem), 2);
    assert_int_equal(ld32(f->mem + 4), strlen("prog") + 1 + strlen("arg one") + 1);
    assert_int_equal(call(f, "args_get", 100, 200), 0);
    assert_string_equal((char *)f->mem + ld32(f->mem + 100), "prog");
    assert_string_equal((char *)f->mem + ld32(f->mem + 104), "arg one");
    assert_int_equal(call(f, "environ_sizes_get", 0, 4), 0);
    assert_int_equal(ld32(f->mem), 2);
    assert_int_equal(call(f, "environ_get", 100, 200), 0);
    assert_string_equal((char *)f->mem + ld32(f->mem + 104), "EMPTY=");
    /* out-of-range pointers give EFAULT */
    assert_int_equal(call(f, "args_sizes_get", 65535, 0), WASI_EFAULT);
    assert_int_equal(call(f, "args_get", 0, 65530), WASI_EFAULT);
}

static void test_stdio_and_fds(void **state)
{
    fx *f = *state;
    memcpy(f->mem + 64, "hello\n", 6);
    st32(f->mem, 64);
    st32(f->mem + 4, 6);
    assert_int_equal(call(f, "fd_write", 1, 0, 1, 8), 0);
    assert_int_equal(ld32(f->mem + 8), 6);
    char buf[16] = {0};
    assert_int_equal(pread(f->out_fd, buf, sizeof buf, 0), 6);
    assert_string_equal(buf, "hello\n");
    assert_int_equal(call(f, "fd_write", 0, 0, 1, 8), WASI_EBADF); /* stdin is -1: closed */
    assert_int_equal(call(f, "fd_write", 2, 0, 1, 8), WASI_EBADF);
    assert_int_equal(call(f, "fd_fdstat_get", 1, 16), 0);
    assert_int_equal(f->mem[16], 4); /* a regular file */
    /* the preopen */
    assert_int_equal(call(f, "fd_prestat_get", 3, 16), 0);
    assert_int_equal(f->mem[16], 0);
    assert_int_equal(ld32(f->mem + 20), 3);
    assert_int_equal(call(f, "fd_prestat_dir_name", 3, 32, 3), 0);
    assert_memory_equal(f->mem + 32, "box", 3);
    assert_int_equal(call(f, "fd_prestat_dir_name", 3, 32, 2), WASI_ENAMETOOLONG);
    assert_int_equal(call(f, "fd_prestat_get", 4, 16), WASI_EBADF);
    assert_int_equal(call(f, "fd_prestat_get", 1, 16), WASI_EBADF);
    assert_int_equal(call(f, "fd_fdstat_get", 3, 16), 0);
    assert_int_equal(f->mem[16], 3); /* a directory */
}

static int32_t open_at(fx *f, int dirfd, const char *path, int oflags, int64_t rights)
{
    size_t l = strlen(path);
    memcpy(f->mem + 1024, path, l);
    return call(f, "path_open", dirfd, 1, 1024, (int32_t)l, oflags, rights, rights, 0, 0);
}

static void test_files(void **state)
{
    fx *f = *state;
    const int64_t all = (1 << 30) - 1, read_only = all & ~(int64_t)(1 << 6);
    assert_int_equal(open_at(f, 3, "keep.txt", 0, read_only), 0);
    uint32_t fd = ld32(f->mem);
    assert_true(fd >= 4);
    st32(f->mem + 8, 64);
    st32(f->mem + 12, 32);
    assert_int_equal(call(f, "fd_read", fd, 8, 1, 16), 0);
    assert_int_equal(ld32(f->mem + 16), 5);
    assert_memory_equal(f->mem + 64, "kept\n", 5);
    assert_int_equal(call(f, "fd_write", fd, 8, 1, 16), WASI_ENOTCAPABLE); /* no write right */
    assert_int_equal(call(f, "fd_seek", fd, (int64_t)1, 0, 16), 0);
    assert_int_equal(ld64(f->mem + 16), 1);
    assert_int_equal(call(f, "fd_filestat_get", fd, 128), 0);
    assert_int_equal(f->mem[128 + 16], 4);
    assert_int_equal(ld64(f->mem + 128 + 32), 5);
    assert_int_equal(call(f, "fd_close", fd), 0);
    assert_int_equal(call(f, "fd_close", fd), WASI_EBADF);
    /* escapes */
    assert_int_equal(open_at(f, 3, "../secret.txt", 0, all), WASI_ENOTCAPABLE);
    assert_int_equal(open_at(f, 3, "up/secret.txt", 0, all), WASI_ENOTCAPABLE);
    assert_int_equal(open_at(f, 3, "/etc/passwd", 0, all), WASI_ENOTCAPABLE);
    assert_int_equal(open_at(f, 1, "keep.txt", 0, all), WASI_ENOTCAPABLE); /* stdout has no path rights */
    /* create, mkdir, rename, unlink, rmdir */
    assert_int_equal(open_at(f, 3, "new.txt", 1 | 4, all), 0);
    assert_int_equal(open_at(f, 3, "new.txt", 1 | 4, all), WASI_EEXIST);
    memcpy(f->mem + 1100, "d", 1);
    assert_int_equal(call(f, "path_create_directory", 3, 1100, 1), 0);
    memcpy(f->mem + 1200, "new.txt", 7);
    memcpy(f->mem + 1300, "d/moved.txt", 11);
    assert_int_equal(call(f, "path_rename", 3, 1200, 7, 3, 1300, 11), 0);
    assert_int_equal(call(f, "path_remove_directory", 3, 1100, 1), 55 /* ENOTEMPTY */);
    assert_int_equal(call(f, "path_unlink_file", 3, 1300, 11), 0);
    assert_int_equal(call(f, "path_remove_directory", 3, 1100, 1), 0);
    memcpy(f->mem + 1400, "../x", 4);
    assert_int_equal(call(f, "path_create_directory", 3, 1400, 4), WASI_ENOTCAPABLE);
    memcpy(f->mem + 1500, "/etc/passwd", 11);
    memcpy(f->mem + 1600, "evil", 4);
    assert_int_equal(call(f, "path_symlink", 1500, 11, 3, 1600, 4), WASI_ENOTCAPABLE);
    memcpy(f->mem + 1500, "up", 2);
    assert_int_equal(call(f, "path_readlink", 3, 1500, 2, 1700, 64, 16), 0);
    assert_int_equal(ld32(f->mem + 16), 2);
    assert_memory_equal(f->mem + 1700, "..", 2);
    assert_int_equal(call(f, "path_filestat_get", 3, 0, 1500, 2, 128), 0);
    assert_int_equal(f->mem[128 + 16], 7); /* the link itself */
    assert_int_equal(call(f, "path_filestat_get", 3, 1, 1500, 2, 128), WASI_ENOTCAPABLE);
}

static int32_t open_rights(fx *f, int dirfd, const char *path, int oflags, int64_t base, int64_t inh)
{
    size_t l = strlen(path);
    memcpy(f->mem + 1024, path, l);
    return call(f, "path_open", dirfd, 1, 1024, (int32_t)l, oflags, base, inh, 0, 0);
}

/* A preopen holds a directory's rights (no read, write, seek or tell): it can be opened
 * again by "." with those rights, a directory is never opened for writing, and seek/tell
 * on a directory are EBADF, as in wasmtime. */
static void test_dir_rights(void **state)
{
    fx *f = *state;
    const int64_t rd = 1 << 1, seek = 1 << 2, tell = 1 << 5, wr = 1 << 6, readdir = 1 << 14,
                  path_open = 1 << 13, dir_oflag = 2;
    assert_int_equal(call(f, "fd_fdstat_get", 3, 16), 0);
    int64_t base = (int64_t)ld64(f->mem + 24), inh = (int64_t)ld64(f->mem + 32);
    assert_int_equal(base & (rd | wr | seek | tell), 0);
    assert_int_equal(base & (path_open | readdir), path_open | readdir);
    assert_true(base & (1 << 4)); /* fd_sync: a directory is synced after a rename */
    assert_int_equal(inh & (rd | wr | seek | tell), rd | wr | seek | tell);
    /* defect 1: "." again with the rights the preopen holds */
    assert_int_equal(open_rights(f, 3, ".", 0, base, inh), 0);
    assert_int_equal(open_rights(f, 3, ".", dir_oflag, base, inh), 0);
    uint32_t d = ld32(f->mem);
    assert_int_equal(call(f, "fd_fdstat_get", d, 16), 0);
    assert_int_equal(f->mem[16], 3);
    assert_int_equal((int64_t)ld64(f->mem + 24), base);
    assert_int_equal(open_rights(f, 3, ".", dir_oflag, 0, 0), 0);
    assert_int_equal(open_rights(f, 3, ".", dir_oflag, rd, 0), 0);
    assert_int_equal(open_rights(f, d, "sub", dir_oflag, base, inh), 0);
    /* defect 2: a directory is not opened for writing, created or truncated */
    assert_int_equal(open_rights(f, 3, ".", dir_oflag, rd | wr, 0), WASI_EISDIR);
    assert_int_equal(open_rights(f, 3, "sub", dir_oflag, wr, 0), WASI_EISDIR);
    assert_int_equal(open_rights(f, 3, "sub", dir_oflag, 1 << 22 /* filestat_set_size */, 0), WASI_EISDIR);
    assert_int_equal(open_rights(f, 3, "newdir", dir_oflag | 1 /* creat */, rd, 0), WASI_EINVAL);
    assert_int_equal(open_rights(f, 3, "sub", dir_oflag | 8 /* trunc */, rd, 0), WASI_EINVAL);
    struct stat st;
    char p[256];
    snprintf(p, sizeof p, "%s/newdir", f->box);
    assert_int_equal(stat(p, &st), -1);
    /* defect 3: seek and tell on a directory */
    assert_int_equal(call(f, "fd_seek", 3, (int64_t)0, 1, 16), WASI_EBADF);
    assert_int_equal(call(f, "fd_seek", d, (int64_t)0, 0, 16), WASI_EBADF);
    assert_int_equal(call(f, "fd_tell", 3, 16), WASI_EBADF);
    assert_int_equal(call(f, "fd_tell", d, 16), WASI_EBADF);
    assert_int_equal(call(f, "fd_tell", 99, 16), WASI_EBADF);
    /* a file still seeks and tells */
    assert_int_equal(open_rights(f, 3, "keep.txt", 0, rd | seek | tell, 0), 0);
    uint32_t k = ld32(f->mem);
    assert_int_equal(call(f, "fd_seek", k, (int64_t)2, 0, 16), 0);
    assert_int_equal(call(f, "fd_tell", k, 16), 0);
    assert_int_equal(ld64(f->mem + 16), 2);
}

/* Put `text` at guest address `at`; its length. */
static int32_t gstr(fx *f, uint32_t at, const char *text)
{
    memcpy(f->mem + at, text, strlen(text));
    return (int32_t)strlen(text);
}

/* Names ending in '/' in the calls that act on the last component: a directory takes
 * one, anything else is ENOTDIR, and link/symlink never make a name ending in '/'. */
static void test_trailing_slashes(void **state)
{
    fx *f = *state;
    int32_t l;
    l = gstr(f, 1100, "keep.txt/");
    assert_int_equal(call(f, "path_unlink_file", 3, 1100, l), WASI_ENOTDIR);
    assert_int_equal(call(f, "path_remove_directory", 3, 1100, l), WASI_ENOTDIR);
    l = gstr(f, 1100, "sub/");
    assert_int_equal(call(f, "path_unlink_file", 3, 1100, l), WASI_EISDIR);
    l = gstr(f, 1100, "up/"); /* a symbolic link (to ..) is not a directory */
    assert_int_equal(call(f, "path_unlink_file", 3, 1100, l), WASI_ENOTDIR);
    assert_int_equal(call(f, "path_remove_directory", 3, 1100, l), WASI_ENOTDIR);
    l = gstr(f, 1100, "missing/");
    assert_int_equal(call(f, "path_unlink_file", 3, 1100, l), WASI_ENOENT);
    /* rename: the source must be a directory when either name ends in '/' */
    int32_t fl = gstr(f, 1200, "keep.txt"), tl = gstr(f, 1300, "x/");
    assert_int_equal(call(f, "path_rename", 3, 1200, fl, 3, 1300, tl), WASI_ENOTDIR);
    tl = gstr(f, 1300, "sub/");
    assert_int_equal(call(f, "path_rename", 3, 1200, fl, 3, 1300, tl), WASI_ENOTDIR);
    fl = gstr(f, 1200, "keep.txt/");
    tl = gstr(f, 1300, "x");
    assert_int_equal(call(f, "path_rename", 3, 1200, fl, 3, 1300, tl), WASI_ENOTDIR);
    struct stat st;
    char p[256];
    snprintf(p, sizeof p, "%s/x", f->box);
    assert_int_equal(stat(p, &st), -1);
    fl = gstr(f, 1200, "sub/");
    tl = gstr(f, 1300, "moved//");
    assert_int_equal(call(f, "path_rename", 3, 1200, fl, 3, 1300, tl), 0);
    snprintf(p, sizeof p, "%s/moved", f->box);
    assert_int_equal(stat(p, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    /* link and symlink */
    fl = gstr(f, 1200, "keep.txt/");
    tl = gstr(f, 1300, "hard");
    assert_int_equal(call(f, "path_link", 3, 0, 1200, fl, 3, 1300, tl), WASI_ENOTDIR);
    fl = gstr(f, 1200, "keep.txt");
    tl = gstr(f, 1300, "hard/");
    assert_int_equal(call(f, "path_link", 3, 0, 1200, fl, 3, 1300, tl), WASI_ENOENT);
    tl = gstr(f, 1300, "moved/");
    assert_int_equal(call(f, "path_link", 3, 0, 1200, fl, 3, 1300, tl), WASI_EEXIST);
    tl = gstr(f, 1300, "hard");
    assert_int_equal(call(f, "path_link", 3, 0, 1200, fl, 3, 1300, tl), 0);
    tl = gstr(f, 1300, "soft/");
    assert_int_equal(call(f, "path_symlink", 1200, fl, 3, 1300, tl), WASI_ENOENT);
    tl = gstr(f, 1300, "hard/");
    assert_int_equal(call(f, "path_symlink", 1200, fl, 3, 1300, tl), WASI_EEXIST);
    tl = gstr(f, 1300, "soft");
    assert_int_equal(call(f, "path_symlink", 1200, fl, 3, 1300, tl), 0);
    /* a directory with its slash is removed */
    l = gstr(f, 1100, "moved/");
    snprintf(p, sizeof p, "%s/moved/back", f->box);
    assert_int_equal(unlink(p), 0);
    assert_int_equal(call(f, "path_remove_directory", 3, 1100, l), 0);
    l = gstr(f, 1100, "hard/");
    assert_int_equal(call(f, "path_remove_directory", 3, 1100, l), WASI_ENOTDIR);
    l = gstr(f, 1100, "hard");
    assert_int_equal(call(f, "path_unlink_file", 3, 1100, l), 0);
}

static void test_readdir(void **state)
{
    fx *f = *state;
    /* a small buffer: entries come in pieces, each resumed from its cookie */
    uint64_t cookie = 0;
    int found = 0, entries = 0;
    for (int round = 0; round < 100; round++) {
        assert_int_equal(call(f, "fd_readdir", 3, 2048, 200, (int64_t)cookie, 16), 0);
        uint32_t used = ld32(f->mem + 16), at = 0;
        while (at + 24 <= used) {
            uint32_t nl = ld32(f->mem + 2048 + at + 16);
            if (at + 24 + nl > used) break;
            if (nl == 8 && memcmp(f->mem + 2048 + at + 24, "keep.txt", 8) == 0) found++;
            cookie = ld64(f->mem + 2048 + at);
            entries++;
            at += 24 + nl;
        }
        if (used < 200) break;
    }
    assert_int_equal(found, 1);
    assert_int_equal(entries, 7); /* . .. keep.txt sub up abs loop */
    assert_int_equal(call(f, "fd_readdir", 1, 2048, 200, (int64_t)0, 16), WASI_ENOTCAPABLE);
}

static void test_clocks_random_poll(void **state)
{
    fx *f = *state;
    assert_int_equal(call(f, "clock_time_get", 1, (int64_t)1, 0), 0);
    uint64_t a = ld64(f->mem);
    assert_int_equal(call(f, "clock_time_get", 1, (int64_t)1, 0), 0);
    assert_true(ld64(f->mem) >= a);
    assert_int_equal(call(f, "clock_time_get", 9, (int64_t)1, 0), WASI_EINVAL);
    assert_int_equal(call(f, "clock_res_get", 0, 8), 0);
    assert_true(ld64(f->mem + 8) > 0);
    memset(f->mem + 256, 0, 64);
    assert_int_equal(call(f, "random_get", 256, 64), 0);
    int nonzero = 0;
    for (int i = 0; i < 64; i++) nonzero += f->mem[256 + i] != 0;
    assert_true(nonzero > 0);
    assert_int_equal(call(f, "random_get", 65530, 64), WASI_EFAULT);
    /* one relative clock subscription of 2 ms */
    memset(f->mem + 512, 0, 96);
    f->mem[512] = 0x2a;      /* userdata */
    f->mem[512 + 8] = 0;     /* clock */
    st32(f->mem + 512 + 16, 1);
    st32(f->mem + 512 + 24, 2000000);
    assert_int_equal(call(f, "clock_time_get", 1, (int64_t)1, 0), 0);
    a = ld64(f->mem);
    assert_int_equal(call(f, "poll_oneoff", 512, 768, 1, 16), 0);
    assert_int_equal(ld32(f->mem + 16), 1);
    assert_int_equal(f->mem[768], 0x2a);
    assert_int_equal(f->mem[768 + 10], 0);
    assert_int_equal(call(f, "clock_time_get", 1, (int64_t)1, 0), 0);
    assert_true(ld64(f->mem) - a >= 2000000);
    /* an fd subscription is reported ready at once */
    f->mem[512 + 48 + 8] = 2;
    st32(f->mem + 512 + 48 + 16, 1);
    assert_int_equal(call(f, "poll_oneoff", 512, 768, 2, 16), 0);
    assert_int_equal(ld32(f->mem + 16), 1);
    assert_int_equal(f->mem[768 + 10], 2);
    assert_int_equal(call(f, "poll_oneoff", 512, 768, 0, 16), WASI_EINVAL);
    assert_int_equal(call(f, "sched_yield"), 0);
    assert_int_equal(call(f, "proc_raise", 6), WASI_ENOSYS);
}

/* One subscription at guest address `at`: a clock (tag 0, relative ns) or fd_read/fd_write
 * (tag 1/2) of descriptor `fd`. */
static void sub(fx *f, uint32_t at, uint8_t userdata, uint8_t tag, uint32_t fd, uint64_t ns)
{
    memset(f->mem + at, 0, 48);
    f->mem[at] = userdata;
    f->mem[at + 8] = tag;
    st32(f->mem + at + 16, tag == 0 ? 1 /* monotonic */ : fd);
    if (tag == 0) memcpy(f->mem + at + 24, &ns, 8);
}

static uint64_t mono_ns(fx *f)
{
    assert_int_equal(call(f, "clock_time_get", 1, (int64_t)1, 0), 0);
    return ld64(f->mem);
}

/* poll_oneoff waits on descriptors: a FIFO without data is not ready (the clock ends the
 * wait), one with data is (before the clock), with the bytes it holds. */
static void test_poll_fds(void **state)
{
    fx *f = *state;
    char p[256];
    snprintf(p, sizeof p, "%s/fifo", f->box);
    assert_int_equal(mkfifo(p, 0644), 0);
    int32_t l = gstr(f, 1024, "fifo");
    const int64_t rd = 1 << 1, poll_rw = 1 << 27;
    assert_int_equal(call(f, "path_open", 3, 1, 1024, l, 0, rd | poll_rw, (int64_t)0, 4 /* nonblock */, 0), 0);
    uint32_t fifo = ld32(f->mem);
    /* nothing to read: the 20 ms clock ends the wait */
    sub(f, 512, 1, 1, fifo, 0);
    sub(f, 560, 2, 0, 0, 20000000);
    uint64_t t0 = mono_ns(f);
    assert_int_equal(call(f, "poll_oneoff", 512, 768, 2, 16), 0);
    assert_true(mono_ns(f) - t0 >= 20000000);
    assert_int_equal(ld32(f->mem + 16), 1);
    assert_int_equal(f->mem[768], 2);
    assert_int_equal(f->mem[768 + 10], 0);
    /* data waiting: the descriptor is ready long before the 10 s clock */
    int wfd = open(p, O_WRONLY | O_NONBLOCK);
    assert_true(wfd >= 0);
    assert_int_equal(write(wfd, "abc", 3), 3);
    sub(f, 560, 2, 0, 0, 10000000000ull);
    t0 = mono_ns(f);
    assert_int_equal(call(f, "poll_oneoff", 512, 768, 2, 16), 0);
    assert_true(mono_ns(f) - t0 < 5000000000ull);
    assert_int_equal(ld32(f->mem + 16), 1);
    assert_int_equal(f->mem[768], 1);
    assert_int_equal(f->mem[768 + 10], 1);
    assert_int_equal(ld16(f->mem + 768 + 8), 0);
    assert_int_equal(ld64(f->mem + 768 + 16), 3);
    /* the writer gone and the data read: hang-up */
    close(wfd);
    st32(f->mem + 8, 64);
    st32(f->mem + 12, 16);
    assert_int_equal(call(f, "fd_read", fifo, 8, 1, 16), 0);
    assert_int_equal(ld32(f->mem + 16), 3);
    assert_int_equal(call(f, "poll_oneoff", 512, 768, 2, 16), 0);
    assert_int_equal(ld32(f->mem + 16), 1);
    assert_int_equal(f->mem[768], 1);
    assert_int_equal(ld16(f->mem + 768 + 24), 1); /* fd_readwrite_hangup */
    /* a bad descriptor is an event of its own, at once */
    sub(f, 512, 3, 2, 99, 0);
    assert_int_equal(call(f, "poll_oneoff", 512, 768, 2, 16), 0);
    assert_int_equal(ld32(f->mem + 16), 1);
    assert_int_equal(f->mem[768], 3);
    assert_int_equal(ld16(f->mem + 768 + 8), WASI_EBADF);
    /* a descriptor without the poll right */
    assert_int_equal(call(f, "path_open", 3, 1, 1024, l, 0, rd, (int64_t)0, 4, 0), 0);
    sub(f, 512, 4, 1, ld32(f->mem), 0);
    assert_int_equal(call(f, "poll_oneoff", 512, 768, 2, 16), 0);
    assert_int_equal(ld32(f->mem + 16), 1);
    assert_int_equal(ld16(f->mem + 768 + 8), WASI_ENOTCAPABLE);
    /* an unknown subscription tag */
    sub(f, 512, 5, 7, 1, 0);
    assert_int_equal(call(f, "poll_oneoff", 512, 768, 1, 16), WASI_EINVAL);
}

/* The socket functions on a descriptor that is none (EBADF) and on ones that are no socket
 * (ENOTSOCK: a directory, a file), as wasmtime. */
static void test_sock_errors(void **state)
{
    fx *f = *state;
    assert_int_equal(call(f, "sock_shutdown", 99, 3), WASI_EBADF);
    assert_int_equal(call(f, "sock_shutdown", 0, 3), WASI_EBADF); /* stdin: none */
    assert_int_equal(call(f, "sock_shutdown", 3, 3), WASI_ENOTSOCK);
    assert_int_equal(call(f, "sock_shutdown", 1, 2), WASI_ENOTSOCK);
    assert_int_equal(call(f, "sock_recv", 99, 0, 0, 0, 16, 20), WASI_EBADF);
    assert_int_equal(call(f, "sock_recv", 3, 0, 0, 0, 16, 20), WASI_ENOTSOCK);
    assert_int_equal(call(f, "sock_send", 99, 0, 0, 0, 16), WASI_EBADF);
    assert_int_equal(call(f, "sock_send", 1, 0, 0, 0, 16), WASI_ENOTSOCK);
    assert_int_equal(call(f, "sock_accept", 99, 0, 16), WASI_EBADF);
    assert_int_equal(call(f, "sock_accept", 3, 0, 16), WASI_ENOTSOCK);
}

static void test_proc_exit_and_link(void **state)
{
    fx *f = *state;
    uint32_t code = 0;
    assert_false(weld_wasi_exited(f->w, &code));
    weld_rt_extern x;
    assert_true(weld_rt_instance_export(f->in, "proc_exit", &x));
    weld_rt_val arg = {.type = WELD_I32, .u.i32 = 7};
    weld_diag d;
    weld_diag_init(&d, NULL);
    assert_int_equal(weld_rt_call(f->e, x.u.func, &arg, 1, NULL, 0, &d), WELD_ERR_TRAP);
    assert_true(weld_wasi_exited(f->w, &code));
    assert_int_equal(code, 7);
    assert_int_equal(weld_wasi_func(f->w, f->e, "fd_nope", 7, &x, &d), WELD_ERR_LINK);
    assert_non_null(strstr(d.message, "fd_nope"));
    assert_int_equal(weld_wasi_func(f->w, f->e, "fd_write", 8, &x, &d), WELD_OK);
    assert_int_equal(weld_rt_func_type(x.u.func)->nparams, 4);
    assert_int_equal(weld_wasi_preopen(f->w, "/nonexistent/dir", NULL, &d), WELD_ERR_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_args_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stdio_and_fds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dir_rights, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trailing_slashes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readdir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clocks_random_poll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poll_fds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sock_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_proc_exit_and_link, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
