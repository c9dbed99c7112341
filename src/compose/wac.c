/* wac.c - a subset of the WAC composition language, loaded into a composer:
 *
 *   package ns:name[@version];
 *   let ID = new ns:pkg { ARG, ... };      ARG: name: EXPR | name | ...
 *   let ID = EXPR;                         EXPR: ID ( .name | ["exact name"] )*
 *   export EXPR [as name];
 *
 * `new` instantiates the component of package ns:pkg (given with --dep, else found as
 * deps/ns/pkg.wasm beside the file); arguments name imports; `...` leaves the imports no
 * argument names as imports of the composition (without it they are errors). `a.name` is
 * the export of instance `a` named `name`, or whose interface is `name` (`ns:p/name@v`);
 * `a["ns:p/i@1.0.0"]` the export of exactly that name. Errors carry line:col. */
#include "compose/compose_int.h"
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

enum { T_EOF, T_ID, T_PKG, T_STR, T_PUNCT, T_ELLIPSIS };

typedef struct tok {
    uint8_t kind;
    char punct;
    const char *p;
    size_t n;
    weld_compose_pos pos;
} tok;

/* A value: an instance, or one export of an instance. */
typedef struct wval {
    uint32_t inst;
    const char *export_name; /* NULL: the instance */
} wval;

typedef struct wbind {
    char *name;
    wval v;
} wbind;

typedef struct wac {
    weld_composer *c;
    const char *text;
    size_t len, i;
    uint32_t line, col;
    tok t;
    const char *dir;
    const char *const *deps;
    uint32_t ndeps;
    wbind *binds;
    uint32_t nbinds, capbinds;
    bool *open; /* per instance: `...` given */
    weld_diag *d;
} wac;

static weld_status err(wac *w, weld_compose_pos pos, const char *fmt, ...) WELD_PRINTF(3, 4);
static weld_status err(wac *w, weld_compose_pos pos, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return compose_fail(w->c, w->d, WELD_ERR_SYNTAX, pos, "%s", msg);
}

static bool id_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-';
}

static void advance(wac *w, size_t n)
{
    for (size_t k = 0; k < n && w->i < w->len; k++, w->i++) {
        if (w->text[w->i] == '\n') {
            w->line++;
            w->col = 1;
        } else {
            w->col++;
        }
    }
}

/* The next token into w->t. */
static weld_status lex(wac *w)
{
    for (;;) {
        while (w->i < w->len && (w->text[w->i] == ' ' || w->text[w->i] == '\t' ||
                                 w->text[w->i] == '\n' || w->text[w->i] == '\r'))
            advance(w, 1);
        if (w->i + 1 < w->len && w->text[w->i] == '/' && w->text[w->i + 1] == '/') {
            while (w->i < w->len && w->text[w->i] != '\n') advance(w, 1);
            continue;
        }
        if (w->i + 1 < w->len && w->text[w->i] == '/' && w->text[w->i + 1] == '*') {
            weld_compose_pos at = {w->line, w->col};
            advance(w, 2);
            while (w->i + 1 < w->len && !(w->text[w->i] == '*' && w->text[w->i + 1] == '/')) advance(w, 1);
            if (w->i + 1 >= w->len) return err(w, at, "unterminated comment (expected `*/`)");
            advance(w, 2);
            continue;
        }
        break;
    }
    tok *t = &w->t;
    t->pos = (weld_compose_pos){w->line, w->col};
    t->p = w->text + w->i;
    t->n = 0;
    if (w->i >= w->len) {
        t->kind = T_EOF;
        return WELD_OK;
    }
    char ch = w->text[w->i];
    if (ch == '"') {
        size_t j = w->i + 1;
        while (j < w->len && w->text[j] != '"' && w->text[j] != '\n') j++;
        if (j >= w->len || w->text[j] != '"') return err(w, t->pos, "unterminated string (expected `\"`)");
        t->kind = T_STR;
        t->p = w->text + w->i + 1;
        t->n = j - w->i - 1;
        advance(w, j + 1 - w->i);
        return WELD_OK;
    }
    if (ch == '.' && w->i + 2 < w->len && w->text[w->i + 1] == '.' && w->text[w->i + 2] == '.') {
        t->kind = T_ELLIPSIS;
        t->n = 3;
        advance(w, 3);
        return WELD_OK;
    }
    if (ch == '%' || id_char(ch)) {
        /* an identifier, or a package name ns:name[/path][@version] */
        size_t j = w->i + (ch == '%');
        while (j < w->len && id_char(w->text[j])) j++;
        t->kind = T_ID;
        if (j + 1 < w->len && w->text[j] == ':' && id_char(w->text[j + 1]) && ch != '%') {
            j++;
            while (j < w->len && (id_char(w->text[j]) || w->text[j] == '/')) j++;
            if (j < w->len && w->text[j] == '@') {
                j++;
                while (j < w->len && (id_char(w->text[j]) || w->text[j] == '.' || w->text[j] == '+')) j++;
            }
            t->kind = T_PKG;
        }
        if (ch == '%') {
            t->p++;
            advance(w, 1);
        }
        t->n = (size_t)(w->text + j - t->p);
        advance(w, (size_t)(w->text + j - (w->text + w->i)));
        return WELD_OK;
    }
    if (strchr("{}[];:,=.", ch)) {
        t->kind = T_PUNCT;
        t->punct = ch;
        t->n = 1;
        advance(w, 1);
        return WELD_OK;
    }
    return err(w, t->pos, "unexpected character `%c`", ch);
}

static bool is_kw(const tok *t, const char *kw)
{
    return t->kind == T_ID && t->n == strlen(kw) && memcmp(t->p, kw, t->n) == 0;
}

static bool is_punct(const tok *t, char ch)
{
    return t->kind == T_PUNCT && t->punct == ch;
}

static const char *tok_desc(const tok *t, char *buf, size_t n)
{
    if (t->kind == T_EOF) return "the end of the file";
    snprintf(buf, n, "`%.*s`", (int)(t->n > 60 ? 60 : t->n), t->p);
    return buf;
}

static weld_status expect_punct(wac *w, char ch, const char *what)
{
    if (!is_punct(&w->t, ch)) {
        char b[80];
        return err(w, w->t.pos, "expected `%c` %s, found %s", ch, what, tok_desc(&w->t, b, sizeof b));
    }
    return lex(w);
}

static char *dup_tok(wac *w, const tok *t)
{
    return weld_arena_strndup(w->c->arena, t->p, t->n);
}

static const wbind *find_bind(const wac *w, const char *p, size_t n)
{
    for (uint32_t i = 0; i < w->nbinds; i++)
        if (strlen(w->binds[i].name) == n && memcmp(w->binds[i].name, p, n) == 0) return &w->binds[i];
    return NULL;
}

static bool file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* The component of package `pkg` (without a version): a --dep, else deps/ns/name.wasm. */
static weld_status package_component(wac *w, const tok *t, uint32_t *out)
{
    char pkg[256];
    snprintf(pkg, sizeof pkg, "%.*s", (int)(t->n < 255 ? t->n : 255), t->p);
    char *at = strchr(pkg, '@');
    if (at) *at = 0;
    if (strchr(pkg, '/'))
        return err(w, t->pos, "`new %s`: expected a package name (ns:name), found an interface path", pkg);
    *out = weld_composer_find_component(w->c, pkg);
    if (*out != UINT32_MAX) return WELD_OK;
    char path[1100] = "";
    size_t pl = strlen(pkg);
    for (uint32_t i = 0; i < w->ndeps; i++)
        if (strncmp(w->deps[i], pkg, pl) == 0 && w->deps[i][pl] == '=') snprintf(path, sizeof path, "%s", w->deps[i] + pl + 1);
    if (!path[0]) {
        char *colon = strchr(pkg, ':');
        *colon = 0;
        snprintf(path, sizeof path, "%s/deps/%s/%s.wasm", w->dir, pkg, colon + 1);
        *colon = ':';
        if (!file_exists(path))
            return compose_fail(w->c, w->d, WELD_ERR_IO, t->pos, "package `%s`: no --dep %s=PATH and "
                                "no file %s", pkg, pkg, path);
    }
    return weld_composer_add_file(w->c, pkg, path, t->pos, out, w->d);
}

/* The export of instance `inst` that `name` names: exactly, else the one whose interface
 * (`ns:pkg/NAME@v`) it is. */
static const char *find_named_export(const wac *w, uint32_t inst, const char *name, size_t n,
                                     bool exact, uint32_t *count)
{
    const cdef *k = &w->c->defs[w->c->insts[inst].def];
    const char *found = NULL;
    *count = 0;
    for (uint32_t e = 0; e < k->nexports; e++) {
        const char *en = k->exports[e]->name.name.ptr;
        if (strlen(en) == n && memcmp(en, name, n) == 0) {
            *count = 1;
            return en;
        }
    }
    if (exact) return NULL;
    for (uint32_t e = 0; e < k->nexports; e++) {
        const char *en = k->exports[e]->name.name.ptr, *slash = strchr(en, '/');
        if (!slash) continue;
        const char *iface = slash + 1, *ver = strchr(iface, '@');
        size_t il = ver ? (size_t)(ver - iface) : strlen(iface);
        if (il == n && memcmp(iface, name, n) == 0) {
            found = en;
            (*count)++;
        }
    }
    return found;
}

/* EXPR: ID ( .name | ["name"] )* */
static weld_status parse_access(wac *w, wval *out, weld_compose_pos *pos)
{
    char b[80];
    if (w->t.kind != T_ID)
        return err(w, w->t.pos, "expected an instance name, found %s", tok_desc(&w->t, b, sizeof b));
    *pos = w->t.pos;
    const wbind *bd = find_bind(w, w->t.p, w->t.n);
    if (!bd) return err(w, w->t.pos, "undefined name `%.*s` (expected a name bound by `let`)", (int)w->t.n, w->t.p);
    *out = bd->v;
    weld_status st = lex(w);
    while (!st && (is_punct(&w->t, '.') || is_punct(&w->t, '['))) {
        bool bracket = is_punct(&w->t, '[');
        if ((st = lex(w))) return st;
        if (bracket ? w->t.kind != T_STR : w->t.kind != T_ID)
            return err(w, w->t.pos, "expected %s, found %s", bracket ? "a string (an export name)" :
                       "an export name", tok_desc(&w->t, b, sizeof b));
        tok name = w->t;
        if (out->export_name)
            return err(w, name.pos, "`%s` is an export of an instance, not an instance: it has no "
                       "export `%.*s`", out->export_name, (int)name.n, name.p);
        uint32_t count;
        const char *en = find_named_export(w, out->inst, name.p, name.n, bracket, &count);
        if (!en)
            return err(w, name.pos, "instance `%s` has no export `%.*s`",
                       w->c->insts[out->inst].name, (int)name.n, name.p);
        if (count > 1)
            return err(w, name.pos, "`%.*s` names several exports of instance `%s`; name one "
                       "exactly with [\"...\"]", (int)name.n, name.p, w->c->insts[out->inst].name);
        out->export_name = en;
        if ((st = lex(w))) return st;
        if (bracket && (st = expect_punct(w, ']', "after the export name"))) return st;
    }
    return st;
}

static weld_status bind(wac *w, const tok *name, wval v)
{
    if (find_bind(w, name->p, name->n))
        return err(w, name->pos, "`%.*s` is already defined", (int)name->n, name->p);
    if (!compose_grow(w->c->arena, (void **)&w->binds, w->nbinds, &w->capbinds, sizeof *w->binds))
        return compose_fail(w->c, w->d, WELD_ERR_NOMEM, name->pos, "out of memory");
    w->binds[w->nbinds++] = (wbind){dup_tok(w, name), v};
    return WELD_OK;
}

/* new ns:pkg { ARG, ... } after `let NAME =`. */
static weld_status parse_new(wac *w, const tok *name)
{
    char b[80];
    weld_status st = lex(w);
    if (st) return st;
    if (w->t.kind != T_PKG)
        return err(w, w->t.pos, "expected a package name (ns:name) after `new`, found %s",
                   tok_desc(&w->t, b, sizeof b));
    if (find_bind(w, name->p, name->n))
        return err(w, name->pos, "`%.*s` is already defined", (int)name->n, name->p);
    uint32_t comp, inst;
    tok pkg = w->t;
    if ((st = package_component(w, &pkg, &comp))) return st;
    char *iname = dup_tok(w, name);
    if ((st = weld_composer_add_instance(w->c, iname, comp, name->pos, &inst, w->d))) return st;
    if ((st = lex(w)) || (st = expect_punct(w, '{', "to open the arguments"))) return st;
    bool open = false;
    while (!is_punct(&w->t, '}')) {
        if (w->t.kind == T_ELLIPSIS) {
            open = true;
            if ((st = lex(w))) return st;
        } else if (w->t.kind == T_ID || w->t.kind == T_STR || w->t.kind == T_PKG) {
            tok arg = w->t;
            wval v;
            weld_compose_pos vpos = arg.pos;
            if ((st = lex(w))) return st;
            char *aname = dup_tok(w, &arg);
            if (is_punct(&w->t, ':')) {
                if ((st = lex(w)) || (st = parse_access(w, &v, &vpos))) return st;
            } else {
                /* `name` alone: the binding of that name */
                const wbind *bd = arg.kind == T_ID ? find_bind(w, arg.p, arg.n) : NULL;
                if (!bd)
                    return err(w, arg.pos, "argument `%s`: expected `%s: VALUE`, or a name bound "
                               "by `let`", aname, aname);
                v = bd->v;
            }
            if (!weld_composer_has_import(w->c, inst, aname))
                return err(w, arg.pos, "package `%.*s` has no import `%s`", (int)pkg.n, pkg.p, aname);
            if ((st = weld_composer_add_arg(w->c, inst, aname, v.inst, v.export_name, arg.pos, w->d)))
                return st;
        } else {
            return err(w, w->t.pos, "expected an argument (`name: value`, `name` or `...`) or `}`, "
                       "found %s", tok_desc(&w->t, b, sizeof b));
        }
        if (is_punct(&w->t, ',')) {
            if ((st = lex(w))) return st;
        } else if (!is_punct(&w->t, '}')) {
            return err(w, w->t.pos, "expected `,` or `}` after an argument, found %s",
                       tok_desc(&w->t, b, sizeof b));
        }
    }
    if ((st = bind(w, name, (wval){inst, NULL}))) return st;
    bool *o = weld_arena_alloc(w->c->arena, (inst + 1) * sizeof *o);
    if (!o) return compose_fail(w->c, w->d, WELD_ERR_NOMEM, name->pos, "out of memory");
    if (w->open) memcpy(o, w->open, inst * sizeof *o);
    o[inst] = open;
    w->open = o;
    return lex(w);
}

weld_status weld_wac_load(weld_composer *c, const char *file, const char *text, size_t len,
                          const char *dir, const char *const *deps, uint32_t ndeps,
                          weld_compose_opts *opts, weld_diag *d)
{
    wac w = {.c = c, .text = text, .len = len, .line = 1, .col = 1, .dir = dir ? dir : ".",
             .deps = deps, .ndeps = ndeps, .d = d};
    char b[80];
    weld_composer_set_spec_file(c, file);
    opts->auto_plug = false;
    weld_status st = lex(&w);
    if (st) return st;
    if (!is_kw(&w.t, "package"))
        return err(&w, w.t.pos, "expected `package ns:name;` first, found %s", tok_desc(&w.t, b, sizeof b));
    if ((st = lex(&w))) return st;
    if (w.t.kind != T_PKG)
        return err(&w, w.t.pos, "expected a package name (ns:name), found %s", tok_desc(&w.t, b, sizeof b));
    if ((st = lex(&w)) || (st = expect_punct(&w, ';', "after the package declaration"))) return st;
    uint32_t nexports = 0;
    while (w.t.kind != T_EOF) {
        if (is_kw(&w.t, "let")) {
            if ((st = lex(&w))) return st;
            if (w.t.kind != T_ID)
                return err(&w, w.t.pos, "expected a name after `let`, found %s", tok_desc(&w.t, b, sizeof b));
            tok name = w.t;
            if ((st = lex(&w)) || (st = expect_punct(&w, '=', "after the name"))) return st;
            if (is_kw(&w.t, "new")) {
                if ((st = parse_new(&w, &name))) return st;
            } else {
                wval v;
                weld_compose_pos vp;
                if ((st = parse_access(&w, &v, &vp)) || (st = bind(&w, &name, v))) return st;
            }
            if ((st = expect_punct(&w, ';', "after the `let` statement"))) return st;
        } else if (is_kw(&w.t, "export")) {
            if ((st = lex(&w))) return st;
            wval v;
            weld_compose_pos vp;
            if ((st = parse_access(&w, &v, &vp))) return st;
            char *as = NULL;
            if (is_kw(&w.t, "as")) {
                if ((st = lex(&w))) return st;
                if (w.t.kind != T_ID && w.t.kind != T_STR && w.t.kind != T_PKG)
                    return err(&w, w.t.pos, "expected an export name after `as`, found %s",
                               tok_desc(&w.t, b, sizeof b));
                as = dup_tok(&w, &w.t);
                if ((st = lex(&w))) return st;
            } else if (!v.export_name) {
                return err(&w, vp, "exporting the instance `%s` needs a name (`as NAME`)",
                           c->insts[v.inst].name);
            }
            if ((st = weld_composer_add_export(c, v.inst, v.export_name, as, vp, d))) return st;
            nexports++;
            if ((st = expect_punct(&w, ';', "after the `export` statement"))) return st;
        } else if (is_kw(&w.t, "import")) {
            return compose_fail(c, d, WELD_ERR_UNSUPPORTED, w.t.pos,
                                "`import` statements are not supported yet (imports are the "
                                "arguments left out with `...`)");
        } else {
            return err(&w, w.t.pos, "expected `let`, `export` or the end of the file, found %s",
                       tok_desc(&w.t, b, sizeof b));
        }
    }
    /* each instance gets every import an argument, unless `...` */
    for (uint32_t i = 0; i < c->ninsts; i++) {
        if (w.open && w.open[i]) continue;
        const cdef *k = &c->defs[c->insts[i].def];
        for (uint32_t j = 0; j < k->nimports; j++)
            if (c->insts[i].args[j].kind == BIND_NONE)
                return compose_fail(c, d, WELD_ERR_LINK, c->insts[i].pos,
                                    "instance `%s` (package %s): import `%s` has no argument (name "
                                    "it, or add `...` to import what is left)", c->insts[i].name,
                                    k->name, k->imports[j]->name.name.ptr);
    }
    if (!nexports)
        return compose_fail(c, d, WELD_ERR_USAGE, (weld_compose_pos){w.line, w.col},
                            "the composition exports nothing (expected an `export` statement)");
    return WELD_OK;
}
