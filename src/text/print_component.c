/* print_component.c - the text format of a component, laid out the way wasm-tools prints
 * it (`jco print`): one definition a line, groups that span lines closed on their own
 * line, index comments `(;N;)` on every definition, identifiers from the component-name
 * section (quoted when they are not plain identifiers, made unique with a `#sortN` prefix
 * and an `(@name ...)` annotation when repeated). Nested core modules go to the core
 * printer. */
#include "base/base.h"
#include "text/print_component.h"
#include "text/print_core.h"
#include <stdlib.h>

/* ---- output with groups (a group that spans lines closes on its own line) ---------------- */

enum { MAX_NESTING_PRINTED = 50, MAX_GROUPS = 256 };

typedef struct printer {
    weld_buf *out;
    uint32_t nesting;
    uint64_t line;
    uint32_t ngroups;
    uint64_t group_lines[MAX_GROUPS];
} printer;

static void puts_(printer *p, const char *s)
{
    weld_buf_puts(p->out, s);
}

static void newline(printer *p)
{
    weld_buf_byte(p->out, '\n');
    p->line++;
    uint32_t n = p->nesting < MAX_NESTING_PRINTED ? p->nesting : MAX_NESTING_PRINTED;
    for (uint32_t i = 0; i < n; i++) weld_buf_append(p->out, "  ", 2);
}

static void open_group(printer *p, const char *name)
{
    weld_buf_byte(p->out, '(');
    puts_(p, name);
    p->nesting++;
    if (p->ngroups < MAX_GROUPS) p->group_lines[p->ngroups] = p->line;
    p->ngroups++;
}

static void close_group(printer *p)
{
    p->nesting--;
    p->ngroups--;
    if (p->ngroups < MAX_GROUPS && p->group_lines[p->ngroups] != p->line) newline(p);
    weld_buf_byte(p->out, ')');
}

static void put_u32(printer *p, uint32_t v)
{
    weld_buf_printf(p->out, "%u", v);
}

/* A quoted string, escaped as the core printer escapes names. */
static void put_str(printer *p, const char *s, size_t n)
{
    weld_print_string(p->out, s, n);
}

static void put_wstr(printer *p, weld_str s)
{
    put_str(p, s.ptr, s.len);
}

/* A byte string: printable ASCII as is, other bytes as \hh. */
static void put_bytes(printer *p, const uint8_t *b, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    weld_buf_byte(p->out, '"');
    for (size_t i = 0; i < n; i++) {
        if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '"' && b[i] != '\\') {
            weld_buf_byte(p->out, b[i]);
        } else {
            char e[3] = {'\\', hex[b[i] >> 4], hex[b[i] & 15]};
            weld_buf_append(p->out, e, 3);
        }
    }
    weld_buf_byte(p->out, '"');
}

/* ---- index spaces and names ------------------------------------------------------------- */

enum space {
    SP_CORE_FUNC, SP_CORE_TABLE, SP_CORE_MEMORY, SP_CORE_GLOBAL, SP_CORE_TAG, SP_CORE_TYPE,
    SP_CORE_MODULE, SP_CORE_INSTANCE, SP_FUNC, SP_VALUE, SP_TYPE, SP_COMPONENT, SP_INSTANCE,
    NSPACES
};

/* The keyword of a definition of each space and the group of its synthetic names. */
static const char *const space_keyword[NSPACES] = {
    "core func", "core table", "core memory", "core global", "core tag", "core type",
    "core module", "core instance", "func", "value", "type", "component", "instance",
};
static const char *const space_group[NSPACES] = {
    "core-func", "core-table", "core-memory", "core-global", "core-tag", "core-type",
    "core-module", "core-instance", "func", "value", "type", "component", "instance",
};
/* Core sorts inside core instance exports print without the `core` prefix. */
static const char *const core_sort_keyword[NSPACES] = {
    "func", "table", "memory", "global", "tag", "type", "module", "instance",
};

static int sort_space(weld_sort s)
{
    if (s.sort == WELD_SORT_CORE) {
        if (s.core <= WELD_CORE_SORT_TAG) return s.core;
        return SP_CORE_TYPE + (s.core - WELD_CORE_SORT_TYPE);
    }
    return SP_FUNC + (s.sort - WELD_SORT_FUNC);
}

static int core_sort_space(uint8_t core)
{
    return sort_space((weld_sort){WELD_SORT_CORE, core});
}

static int extern_space(uint8_t kind)
{
    return kind == WELD_EXT_MODULE ? SP_CORE_MODULE : SP_FUNC + (kind - WELD_EXT_FUNC);
}

enum { NAME_PLAIN = 1, NAME_QUOTED, NAME_SYNTHETIC };

typedef struct naming {
    uint32_t index;
    uint8_t kind;
    weld_str name;
} naming;

typedef struct names {
    bool has_self;
    naming self;
    uint32_t n[NSPACES];
    naming *items[NSPACES]; /* sorted by index */
} names;

static bool is_idchar(uint8_t c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return c && strchr("!#$%&'*+-./:<=>?@\\^_`|~", c) != NULL;
}

static uint8_t name_kind(weld_str s)
{
    for (uint32_t i = 0; i < s.len; i++)
        if (!is_idchar((uint8_t)s.ptr[i])) return NAME_QUOTED;
    return NAME_PLAIN;
}

static int cmp_naming(const void *a, const void *b)
{
    const naming *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* A small open-addressing set of names (for detecting repeated names in one space). */
typedef struct strset {
    const weld_str **slots;
    size_t cap;
} strset;

static uint64_t hash_str(weld_str s)
{
    uint64_t h = 1469598103934665603ull;
    for (uint32_t i = 0; i < s.len; i++) h = (h ^ (uint8_t)s.ptr[i]) * 1099511628211ull;
    return h;
}

/* Insert; false when the name was already present. */
static bool strset_insert(strset *set, const weld_str *s)
{
    size_t i = (size_t)hash_str(*s) & (set->cap - 1);
    while (set->slots[i]) {
        const weld_str *t = set->slots[i];
        if (t->len == s->len && memcmp(t->ptr, s->ptr, s->len) == 0) return false;
        i = (i + 1) & (set->cap - 1);
    }
    set->slots[i] = s;
    return true;
}

/* Decode a component-name custom section into per-space namings. Malformed subsections
 * are ignored, as a name section never makes a component invalid. */
static void read_names(weld_arena *a, const weld_custom *cs, names *out)
{
    const uint8_t *p = cs->data, *end = cs->data + cs->len;
    while (p < end) {
        uint8_t id = *p++;
        uint32_t size;
        if (!weld_leb_u32(&p, end, &size) || size > (size_t)(end - p)) return;
        const uint8_t *q = p, *sub_end = p + size;
        p = sub_end;
        if (id == 0) {
            uint32_t n;
            if (!weld_leb_u32(&q, sub_end, &n) || n > (size_t)(sub_end - q)) continue;
            out->has_self = true;
            out->self.name.ptr = weld_arena_strndup(a, (const char *)q, n);
            out->self.name.len = n;
            out->self.kind = name_kind(out->self.name);
            continue;
        }
        if (id != 1 || q >= sub_end) continue;
        weld_sort s = {*q++, 0};
        if (s.sort == WELD_SORT_CORE) {
            if (q >= sub_end) continue;
            s.core = *q++;
            if (!(s.core <= 4 || (s.core >= 0x10 && s.core <= 0x12))) continue;
        } else if (s.sort > WELD_SORT_INSTANCE) {
            continue;
        }
        int sp = sort_space(s);
        uint32_t count;
        if (!weld_leb_u32(&q, sub_end, &count) || count > (size_t)(sub_end - q) / 2) continue;
        naming *items = weld_arena_alloc(a, (count ? count : 1) * sizeof *items);
        if (!items) return;
        uint32_t k = 0;
        for (; k < count; k++) {
            uint32_t idx, len;
            if (!weld_leb_u32(&q, sub_end, &idx) || !weld_leb_u32(&q, sub_end, &len) ||
                len > (size_t)(sub_end - q))
                break;
            items[k].index = idx;
            items[k].name.ptr = weld_arena_strndup(a, (const char *)q, len);
            items[k].name.len = len;
            q += len;
        }
        /* plain, quoted, or synthetic when empty, starting with '#', or repeated */
        strset set = {NULL, 16};
        while (set.cap < (size_t)k * 2) set.cap *= 2;
        set.slots = weld_arena_alloc(a, set.cap * sizeof *set.slots);
        if (!set.slots) return;
        for (uint32_t i = 0; i < k; i++) {
            items[i].kind = name_kind(items[i].name);
            if (items[i].name.len == 0 || items[i].name.ptr[0] == '#' ||
                !strset_insert(&set, &items[i].name))
                items[i].kind = NAME_SYNTHETIC;
        }
        qsort(items, k, sizeof *items, cmp_naming);
        out->n[sp] = k;
        out->items[sp] = items;
    }
}

static const naming *find_name(const names *nm, int sp, uint32_t idx)
{
    if (!nm) return NULL;
    size_t lo = 0, hi = nm->n[sp];
    const naming *it = nm->items[sp];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (it[mid].index == idx) return &it[mid];
        if (it[mid].index < idx) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

/* $name, $"quoted name" or $"#group7 name". */
static void put_ident(printer *p, const naming *n, int sp)
{
    switch (n->kind) {
    case NAME_PLAIN:
        weld_buf_byte(p->out, '$');
        weld_buf_append(p->out, n->name.ptr, n->name.len);
        break;
    case NAME_QUOTED:
        weld_buf_byte(p->out, '$');
        put_wstr(p, n->name);
        break;
    default: {
        weld_buf_printf(p->out, "$\"#%s%u ", sp >= 0 ? space_group[sp] : "component", n->index);
        /* the quoted name without its opening quote */
        size_t at = p->out->len;
        put_wstr(p, n->name);
        if (!p->out->oom) {
            memmove(p->out->data + at, p->out->data + at + 1, p->out->len - at - 1);
            p->out->len--;
        }
        break;
    }
    }
}

/* A scope: a component (with names) or a component/instance/module type (without). */
typedef struct scope {
    const struct scope *outer;
    const names *names;      /* NULL in type scopes */
    const naming *self;      /* the component's own identifier, if any */
    uint32_t count[NSPACES];
    weld_arena *arena;
} scope;

/* A reference to index `idx` of space `sp`: its identifier, or the number. */
static void put_ref(printer *p, const scope *sc, int sp, uint32_t idx)
{
    const naming *n = find_name(sc->names, sp, idx);
    if (n) put_ident(p, n, sp);
    else put_u32(p, idx);
}

/* The name of a new definition in space `sp`: "[$id [(@name ..)] ](;N;)". */
static void put_def(printer *p, scope *sc, int sp)
{
    uint32_t idx = sc->count[sp]++;
    const naming *n = find_name(sc->names, sp, idx);
    if (n) {
        put_ident(p, n, sp);
        if (n->kind == NAME_SYNTHETIC) {
            puts_(p, " (@name ");
            put_wstr(p, n->name);
            puts_(p, ")");
        }
        puts_(p, " ");
    }
    weld_buf_printf(p->out, "(;%u;)", idx);
}

/* ---- types ------------------------------------------------------------------------------ */

static const char *prim_name(uint8_t b)
{
    static const char *const names_[] = {
        "string", "char", "f64", "f32", "u64", "s64", "u32", "s32", "u16", "s16", "u8", "s8",
        "bool",
    };
    if (b >= 0x73 && b <= 0x7f) return names_[b - 0x73];
    if (b == WELD_CV_ERROR_CONTEXT) return "error-context";
    return "?";
}

static void put_valtype(printer *p, const scope *sc, weld_cvaltype t)
{
    if (t.prim) puts_(p, prim_name(t.prim));
    else put_ref(p, sc, SP_TYPE, t.index);
}

static void put_core_valtype(printer *p, weld_valtype t)
{
    weld_print_valtype(p->out, t);
}

static void put_outer_count(printer *p, const scope *sc, uint32_t count)
{
    const scope *t = sc;
    for (uint32_t i = 0; i < count && t; i++) t = t->outer;
    if (t && t->self) put_ident(p, t->self, -1);
    else put_u32(p, count);
}

static void put_outer_index(printer *p, const scope *sc, uint32_t count, int sp, uint32_t idx)
{
    const scope *t = sc;
    for (uint32_t i = 0; i < count && t; i++) t = t->outer;
    if (t) put_ref(p, t, sp, idx);
    else put_u32(p, idx);
}

static void put_core_type_def(printer *p, scope *sc, const weld_core_type *t, bool in_module);

static void put_module_type(printer *p, scope *outer, const weld_core_type *t)
{
    scope sc = {.outer = outer, .arena = outer->arena};
    open_group(p, "module");
    for (uint32_t i = 0; i < t->ndecls; i++) {
        const weld_core_decl *d = &t->decls[i];
        newline(p);
        switch (d->kind) {
        case WELD_MDECL_IMPORT:
            open_group(p, "import ");
            put_wstr(p, d->u.import.module);
            puts_(p, " ");
            put_wstr(p, d->u.import.name);
            puts_(p, " ");
            weld_print_core_externtype(p->out, &d->u.import.type);
            close_group(p);
            break;
        case WELD_MDECL_TYPE: put_core_type_def(p, &sc, d->u.type, true); break;
        case WELD_MDECL_ALIAS:
            open_group(p, "alias outer ");
            put_outer_count(p, &sc, d->u.outer.count);
            puts_(p, " ");
            put_outer_index(p, &sc, d->u.outer.count, SP_CORE_TYPE, d->u.outer.index);
            puts_(p, " ");
            open_group(p, "type ");
            put_def(p, &sc, SP_CORE_TYPE);
            close_group(p);
            close_group(p);
            break;
        default:
            open_group(p, "export ");
            put_wstr(p, d->u.export.name);
            puts_(p, " ");
            weld_print_core_externtype(p->out, &d->u.export.type);
            close_group(p);
            break;
        }
    }
    close_group(p);
}

/* (core type N (func ...)) or, inside a module type, (type N (func ...)). */
static void put_core_type_def(printer *p, scope *sc, const weld_core_type *t, bool in_module)
{
    open_group(p, in_module ? "type " : "core type ");
    put_def(p, sc, SP_CORE_TYPE);
    if (t->kind == WELD_CORE_TYPE_FUNC) {
        puts_(p, " (func");
        weld_print_functype(p->out, &t->func);
        puts_(p, ")");
    } else {
        newline(p);
        put_module_type(p, sc, t);
    }
    close_group(p);
}

static void put_type_def(printer *p, scope *sc, const weld_ctype *t);

static void put_cextern(printer *p, scope *sc, const weld_cextern *e, bool def)
{
    int sp = extern_space(e->kind);
    open_group(p, e->kind == WELD_EXT_MODULE ? "core module" : space_keyword[sp]);
    if (def) {
        puts_(p, " ");
        put_def(p, sc, sp);
    }
    puts_(p, " ");
    switch (e->kind) {
    case WELD_EXT_MODULE:
        open_group(p, "type ");
        put_ref(p, sc, SP_CORE_TYPE, e->index);
        close_group(p);
        break;
    case WELD_EXT_VALUE: put_valtype(p, sc, e->val); break;
    case WELD_EXT_TYPE:
        if (e->bound == 0x00) {
            open_group(p, "eq ");
            put_ref(p, sc, SP_TYPE, e->index);
        } else {
            open_group(p, "sub resource");
        }
        close_group(p);
        break;
    default:
        open_group(p, "type ");
        put_ref(p, sc, SP_TYPE, e->index);
        close_group(p);
        break;
    }
    close_group(p);
}

static void put_cname(printer *p, const weld_cname *n)
{
    put_wstr(p, n->name);
}

static void put_alias(printer *p, scope *sc, const weld_alias *a)
{
    int sp = sort_space(a->sort);
    switch (a->tag) {
    case 0x00:
        open_group(p, "alias export ");
        put_ref(p, sc, SP_INSTANCE, a->instance);
        puts_(p, " ");
        put_wstr(p, a->name);
        break;
    case 0x01:
        open_group(p, "alias core export ");
        put_ref(p, sc, SP_CORE_INSTANCE, a->instance);
        puts_(p, " ");
        put_wstr(p, a->name);
        break;
    default:
        open_group(p, "alias outer ");
        put_outer_count(p, sc, a->instance);
        puts_(p, " ");
        put_outer_index(p, sc, a->instance, sp, a->index);
        break;
    }
    puts_(p, " ");
    open_group(p, space_keyword[sp]);
    puts_(p, " ");
    put_def(p, sc, sp);
    close_group(p);
    close_group(p);
}

static void put_decls(printer *p, scope *outer, const weld_ctype *t)
{
    scope sc = {.outer = outer, .arena = outer->arena};
    open_group(p, t->kind == WELD_CT_COMPONENT ? "component" : "instance");
    for (uint32_t i = 0; i < t->u.decls.count; i++) {
        const weld_cdecl *d = &t->u.decls.decls[i];
        newline(p);
        switch (d->kind) {
        case WELD_DECL_CORE_TYPE: put_core_type_def(p, &sc, d->u.core_type, false); break;
        case WELD_DECL_TYPE: put_type_def(p, &sc, d->u.type); break;
        case WELD_DECL_ALIAS: put_alias(p, &sc, &d->u.alias); break;
        case WELD_DECL_IMPORT:
            open_group(p, "import ");
            put_cname(p, &d->u.ext.name);
            puts_(p, " ");
            put_cextern(p, &sc, &d->u.ext.type, true);
            close_group(p);
            break;
        default:
            open_group(p, "export ");
            put_def(p, &sc, extern_space(d->u.ext.type.kind));
            puts_(p, " ");
            put_cname(p, &d->u.ext.name);
            puts_(p, " ");
            put_cextern(p, &sc, &d->u.ext.type, false);
            close_group(p);
            break;
        }
    }
    close_group(p);
}

static void put_opt_valtype_group(printer *p, const scope *sc, const char *kw, bool has,
                                  weld_cvaltype t)
{
    open_group(p, kw);
    if (has) {
        puts_(p, " ");
        put_valtype(p, sc, t);
    }
    close_group(p);
}

/* The body of a type definition (after `(type N `). */
static void put_deftype(printer *p, scope *sc, const weld_ctype *t)
{
    switch (t->kind) {
    case WELD_CT_PRIM: puts_(p, prim_name(t->u.prim)); break;
    case WELD_CT_RECORD:
        open_group(p, "record");
        for (uint32_t i = 0; i < t->u.record.count; i++) {
            puts_(p, " ");
            open_group(p, "field ");
            put_wstr(p, t->u.record.fields[i].name);
            puts_(p, " ");
            put_valtype(p, sc, t->u.record.fields[i].type);
            close_group(p);
        }
        close_group(p);
        break;
    case WELD_CT_VARIANT:
        open_group(p, "variant");
        for (uint32_t i = 0; i < t->u.variant.count; i++) {
            const weld_ccase *c = &t->u.variant.cases[i];
            puts_(p, " ");
            open_group(p, "case ");
            put_wstr(p, c->name);
            if (c->has_type) {
                puts_(p, " ");
                put_valtype(p, sc, c->type);
            }
            if (c->has_refines) {
                puts_(p, " ");
                open_group(p, "refines ");
                put_u32(p, c->refines);
                close_group(p);
            }
            close_group(p);
        }
        close_group(p);
        break;
    case WELD_CT_LIST:
    case WELD_CT_FIXED_LIST:
        open_group(p, "list ");
        put_valtype(p, sc, t->u.list.elem);
        if (t->kind == WELD_CT_FIXED_LIST) weld_buf_printf(p->out, " %u", t->u.list.len);
        close_group(p);
        break;
    case WELD_CT_TUPLE:
        open_group(p, "tuple");
        for (uint32_t i = 0; i < t->u.tuple.count; i++) {
            puts_(p, " ");
            put_valtype(p, sc, t->u.tuple.types[i]);
        }
        close_group(p);
        break;
    case WELD_CT_FLAGS:
    case WELD_CT_ENUM:
        open_group(p, t->kind == WELD_CT_FLAGS ? "flags" : "enum");
        for (uint32_t i = 0; i < t->u.labels.count; i++) {
            puts_(p, " ");
            put_wstr(p, t->u.labels.names[i]);
        }
        close_group(p);
        break;
    case WELD_CT_OPTION:
        open_group(p, "option ");
        put_valtype(p, sc, t->u.option);
        close_group(p);
        break;
    case WELD_CT_RESULT:
        open_group(p, "result");
        if (t->u.result.has_ok) {
            puts_(p, " ");
            put_valtype(p, sc, t->u.result.ok);
        }
        if (t->u.result.has_err) {
            puts_(p, " ");
            open_group(p, "error ");
            put_valtype(p, sc, t->u.result.err);
            close_group(p);
        }
        close_group(p);
        break;
    case WELD_CT_OWN:
    case WELD_CT_BORROW:
        open_group(p, t->kind == WELD_CT_OWN ? "own " : "borrow ");
        put_ref(p, sc, SP_TYPE, t->u.handle);
        close_group(p);
        break;
    case WELD_CT_STREAM:
    case WELD_CT_FUTURE:
        put_opt_valtype_group(p, sc, t->kind == WELD_CT_STREAM ? "stream" : "future",
                              t->u.async_value.has_elem, t->u.async_value.elem);
        break;
    case WELD_CT_MAP:
        open_group(p, "map ");
        put_valtype(p, sc, t->u.map.key);
        puts_(p, " ");
        put_valtype(p, sc, t->u.map.value);
        close_group(p);
        break;
    case WELD_CT_FUNC:
    case WELD_CT_FUNC_ASYNC:
        open_group(p, t->kind == WELD_CT_FUNC ? "func" : "func async");
        for (uint32_t i = 0; i < t->u.func.nparams; i++) {
            puts_(p, " ");
            open_group(p, "param ");
            put_wstr(p, t->u.func.params[i].name);
            puts_(p, " ");
            put_valtype(p, sc, t->u.func.params[i].type);
            close_group(p);
        }
        if (t->u.func.has_result) {
            puts_(p, " ");
            open_group(p, "result ");
            put_valtype(p, sc, t->u.func.result);
            close_group(p);
        }
        close_group(p);
        break;
    case WELD_CT_COMPONENT:
    case WELD_CT_INSTANCE: put_decls(p, sc, t); break;
    case WELD_CT_RESOURCE:
        open_group(p, "resource ");
        open_group(p, "rep ");
        put_core_valtype(p, t->u.resource.rep);
        close_group(p);
        if (t->u.resource.has_dtor) {
            puts_(p, " ");
            open_group(p, "dtor ");
            put_ref(p, sc, SP_CORE_FUNC, t->u.resource.dtor);
            close_group(p);
        }
        close_group(p);
        break;
    }
}

static void put_type_def(printer *p, scope *sc, const weld_ctype *t)
{
    open_group(p, "type ");
    put_def(p, sc, SP_TYPE);
    if (t->kind == WELD_CT_COMPONENT || t->kind == WELD_CT_INSTANCE) newline(p);
    else puts_(p, " ");
    put_deftype(p, sc, t);
    close_group(p);
}

/* ---- canonical definitions ---------------------------------------------------------------- */

static void put_canon_opts(printer *p, const scope *sc, const weld_canon *c)
{
    for (uint32_t i = 0; i < c->nopts; i++) {
        const weld_canonopt *o = &c->opts[i];
        puts_(p, " ");
        switch (o->kind) {
        case 0x00: puts_(p, "string-encoding=utf8"); break;
        case 0x01: puts_(p, "string-encoding=utf16"); break;
        case 0x02: puts_(p, "string-encoding=latin1+utf16"); break;
        case 0x06: puts_(p, "async"); break;
        default: {
            static const char *const kw[] = {"memory ", "realloc ", "post-return ", "", "callback "};
            open_group(p, kw[o->kind - 3]);
            put_ref(p, sc, o->kind == 0x03 ? SP_CORE_MEMORY : SP_CORE_FUNC, o->index);
            close_group(p);
            break;
        }
        }
    }
}

/* The word a canon flag byte prints as, by opcode. */
static const char *canon_flag_word(uint8_t op)
{
    switch (op) {
    case 0x06: case 0x11: case 0x12: case 0x18: case 0x19: return "async";
    default: return "cancellable";
    }
}

static void put_canon(printer *p, scope *sc, const weld_canon *c)
{
    const weld_canon_info *info = weld_canon_info_of(c->op);
    if (c->op == 0x00) {
        open_group(p, "func ");
        put_def(p, sc, SP_FUNC);
        puts_(p, " ");
        open_group(p, "type ");
        put_ref(p, sc, SP_TYPE, c->b);
        close_group(p);
        puts_(p, " ");
        open_group(p, "canon lift ");
        open_group(p, "core func ");
        put_ref(p, sc, SP_CORE_FUNC, c->a);
        close_group(p);
        put_canon_opts(p, sc, c);
        close_group(p);
        close_group(p);
        return;
    }
    open_group(p, "core func ");
    put_def(p, sc, SP_CORE_FUNC);
    puts_(p, " ");
    open_group(p, "canon ");
    puts_(p, info ? info->name : "?");
    if (c->op == 0x01) {
        puts_(p, " ");
        open_group(p, "func ");
        put_ref(p, sc, SP_FUNC, c->a);
        close_group(p);
        put_canon_opts(p, sc, c);
    } else if (info) {
        bool first = true;
        for (const char *k = info->imm; *k; k++) {
            switch (*k) {
            case 'a':
            case 'b': {
                uint32_t v = *k == 'a' ? c->a : c->b;
                puts_(p, " ");
                if (c->op == 0x20 || c->op == 0x21) { /* waitable-set.wait/poll: (memory m) */
                    open_group(p, "memory ");
                    put_ref(p, sc, SP_CORE_MEMORY, v);
                    close_group(p);
                } else if (c->op == 0x0a || c->op == 0x0b) {
                    put_u32(p, v);
                } else if (c->op == 0x27 || c->op == 0x40 || c->op == 0x41) {
                    put_ref(p, sc, first ? SP_CORE_TYPE : SP_CORE_TABLE, v);
                } else {
                    put_ref(p, sc, SP_TYPE, v);
                }
                first = false;
                break;
            }
            case 'f':
                if (c->flag) {
                    puts_(p, " ");
                    puts_(p, canon_flag_word(c->op));
                }
                break;
            case 'v':
                puts_(p, " ");
                put_core_valtype(p, c->core_type);
                break;
            case 'r':
                if (c->has_result) {
                    puts_(p, " ");
                    open_group(p, "result ");
                    put_valtype(p, sc, c->result);
                    close_group(p);
                }
                break;
            case 'o': put_canon_opts(p, sc, c); break;
            }
        }
    }
    close_group(p);
    close_group(p);
}

/* ---- sections ------------------------------------------------------------------------------ */

static void put_sortidx(printer *p, const scope *sc, weld_sortidx s)
{
    int sp = sort_space(s.sort);
    open_group(p, space_keyword[sp]);
    puts_(p, " ");
    put_ref(p, sc, sp, s.index);
    close_group(p);
}

static void put_producers(printer *p, const weld_custom *cs)
{
    const uint8_t *q = cs->data, *end = cs->data + cs->len;
    uint32_t nfields;
    open_group(p, "@producers");
    if (weld_leb_u32(&q, end, &nfields)) {
        for (uint32_t i = 0; i < nfields; i++) {
            uint32_t len, nvals;
            if (!weld_leb_u32(&q, end, &len) || len > (size_t)(end - q)) break;
            const char *field = (const char *)q;
            uint32_t flen = len;
            q += len;
            if (!weld_leb_u32(&q, end, &nvals)) break;
            for (uint32_t j = 0; j < nvals; j++) {
                uint32_t nl, vl;
                if (!weld_leb_u32(&q, end, &nl) || nl > (size_t)(end - q)) goto done;
                const char *nm = (const char *)q;
                q += nl;
                if (!weld_leb_u32(&q, end, &vl) || vl > (size_t)(end - q)) goto done;
                newline(p);
                weld_buf_byte(p->out, '(');
                weld_buf_append(p->out, field, flen);
                weld_buf_byte(p->out, ' ');
                p->nesting++;
                if (p->ngroups < MAX_GROUPS) p->group_lines[p->ngroups] = p->line;
                p->ngroups++;
                put_str(p, nm, nl);
                puts_(p, " ");
                put_str(p, (const char *)q, vl);
                q += vl;
                close_group(p);
            }
        }
    }
done:
    close_group(p);
}

static void put_component_body(printer *p, scope *sc, const weld_component *c);

static void put_section(printer *p, scope *sc, const weld_csection *s)
{
    switch (s->id) {
    case WELD_CSEC_CUSTOM: {
        const weld_custom *cs = s->u.custom;
        if (cs->name.len == 14 && memcmp(cs->name.ptr, "component-name", 14) == 0) return;
        newline(p);
        if (cs->name.len == 9 && memcmp(cs->name.ptr, "producers", 9) == 0) {
            put_producers(p, cs);
            return;
        }
        open_group(p, "@custom ");
        put_wstr(p, cs->name);
        puts_(p, " ");
        put_bytes(p, cs->data, cs->len);
        close_group(p);
        return;
    }
    case WELD_CSEC_CORE_MODULE: {
        /* the header "core module $name (;N;)" is ours, the module is the core printer's */
        weld_buf head, *out = p->out;
        weld_buf_init(&head);
        weld_buf_puts(&head, "core module ");
        p->out = &head;
        put_def(p, sc, SP_CORE_MODULE);
        p->out = out;
        weld_buf_byte(&head, 0);
        newline(p);
        if (head.oom) {
            out->oom = true;
        } else if (s->u.module->module) {
            weld_print_core_module(out, s->u.module->module, p->nesting, (char *)head.data);
        } else {
            weld_buf_byte(out, '(');
            weld_buf_puts(out, (char *)head.data);
            weld_buf_byte(out, ')');
        }
        weld_buf_free(&head);
        return;
    }
    case WELD_CSEC_COMPONENT: {
        newline(p);
        open_group(p, "component ");
        uint32_t idx = sc->count[SP_COMPONENT];
        const naming *parent_name = find_name(sc->names, SP_COMPONENT, idx);
        put_def(p, sc, SP_COMPONENT);
        names nm;
        memset(&nm, 0, sizeof nm);
        scope inner = {.outer = sc, .names = &nm, .arena = sc->arena};
        for (uint32_t i = 0; i < s->u.component->nsections; i++) {
            const weld_csection *t = &s->u.component->sections[i];
            if (t->id == WELD_CSEC_CUSTOM && t->u.custom->name.len == 14 &&
                memcmp(t->u.custom->name.ptr, "component-name", 14) == 0)
                read_names(sc->arena, t->u.custom, &nm);
        }
        inner.self = nm.has_self ? &nm.self : parent_name;
        put_component_body(p, &inner, s->u.component);
        close_group(p);
        return;
    }
    case WELD_CSEC_START: {
        const weld_cstart *st = s->u.start;
        newline(p);
        open_group(p, "start ");
        put_ref(p, sc, SP_FUNC, st->func);
        for (uint32_t i = 0; i < st->nargs; i++) {
            puts_(p, " ");
            open_group(p, "value ");
            put_ref(p, sc, SP_VALUE, st->args[i]);
            close_group(p);
        }
        for (uint32_t i = 0; i < st->nresults; i++) {
            puts_(p, " ");
            open_group(p, "result ");
            open_group(p, "value ");
            put_def(p, sc, SP_VALUE);
            close_group(p);
            close_group(p);
        }
        close_group(p);
        return;
    }
    default: break;
    }
    for (uint32_t i = 0; i < s->count; i++) {
        newline(p);
        switch (s->id) {
        case WELD_CSEC_CORE_INSTANCE: {
            const weld_core_instance *it = &s->u.core_instances[i];
            open_group(p, "core instance ");
            put_def(p, sc, SP_CORE_INSTANCE);
            if (it->kind == 0x00) {
                puts_(p, " ");
                open_group(p, "instantiate ");
                put_ref(p, sc, SP_CORE_MODULE, it->module);
                for (uint32_t j = 0; j < it->count; j++) {
                    newline(p);
                    open_group(p, "with ");
                    put_wstr(p, it->items[j].name);
                    puts_(p, " ");
                    int sp = core_sort_space(it->items[j].sort);
                    open_group(p, core_sort_keyword[sp]);
                    puts_(p, " ");
                    put_ref(p, sc, sp, it->items[j].index);
                    close_group(p);
                    close_group(p);
                }
                close_group(p);
            } else {
                for (uint32_t j = 0; j < it->count; j++) {
                    newline(p);
                    open_group(p, "export ");
                    put_wstr(p, it->items[j].name);
                    puts_(p, " ");
                    int sp = core_sort_space(it->items[j].sort);
                    open_group(p, core_sort_keyword[sp]);
                    puts_(p, " ");
                    put_ref(p, sc, sp, it->items[j].index);
                    close_group(p);
                    close_group(p);
                }
            }
            close_group(p);
            break;
        }
        case WELD_CSEC_CORE_TYPE: put_core_type_def(p, sc, s->u.core_types[i], false); break;
        case WELD_CSEC_INSTANCE: {
            const weld_instance *it = &s->u.instances[i];
            open_group(p, "instance ");
            put_def(p, sc, SP_INSTANCE);
            if (it->kind == 0x00) {
                puts_(p, " ");
                open_group(p, "instantiate ");
                put_ref(p, sc, SP_COMPONENT, it->component);
            }
            for (uint32_t j = 0; j < it->count; j++) {
                newline(p);
                open_group(p, it->kind == 0x00 ? "with " : "export ");
                put_cname(p, &it->items[j].name);
                puts_(p, " ");
                put_sortidx(p, sc, it->items[j].item);
                close_group(p);
            }
            if (it->kind == 0x00) close_group(p);
            close_group(p);
            break;
        }
        case WELD_CSEC_ALIAS: put_alias(p, sc, &s->u.aliases[i]); break;
        case WELD_CSEC_TYPE: put_type_def(p, sc, s->u.types[i]); break;
        case WELD_CSEC_CANON: put_canon(p, sc, &s->u.canons[i]); break;
        case WELD_CSEC_IMPORT:
            open_group(p, "import ");
            put_cname(p, &s->u.imports[i].name);
            puts_(p, " ");
            put_cextern(p, sc, &s->u.imports[i].type, true);
            close_group(p);
            break;
        case WELD_CSEC_EXPORT: {
            const weld_cexport *e = &s->u.exports[i];
            open_group(p, "export ");
            put_def(p, sc, sort_space(e->item.sort));
            puts_(p, " ");
            put_cname(p, &e->name);
            puts_(p, " ");
            put_sortidx(p, sc, e->item);
            if (e->has_type) {
                puts_(p, " ");
                put_cextern(p, sc, &e->type, false);
            }
            close_group(p);
            break;
        }
        case WELD_CSEC_VALUE: {
            const weld_cvalue *v = &s->u.values[i];
            open_group(p, "value ");
            put_def(p, sc, SP_VALUE);
            puts_(p, " ");
            put_valtype(p, sc, v->type);
            puts_(p, " ");
            put_bytes(p, v->bytes, v->len);
            close_group(p);
            break;
        }
        }
    }
}

static void put_component_body(printer *p, scope *sc, const weld_component *c)
{
    for (uint32_t i = 0; i < c->nsections; i++) put_section(p, sc, &c->sections[i]);
}

weld_status weld_component_print_buf(const weld_component *c, weld_buf *out, weld_diag *d)
{
    weld_arena *a = weld_arena_new();
    if (!a) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    names nm;
    memset(&nm, 0, sizeof nm);
    for (uint32_t i = 0; i < c->nsections; i++) {
        const weld_csection *t = &c->sections[i];
        if (t->id == WELD_CSEC_CUSTOM && t->u.custom->name.len == 14 &&
            memcmp(t->u.custom->name.ptr, "component-name", 14) == 0)
            read_names(a, t->u.custom, &nm);
    }
    scope sc = {.names = &nm, .self = nm.has_self ? &nm.self : NULL, .arena = a};
    printer p = {.out = out};
    open_group(&p, "component");
    if (sc.self) {
        puts_(&p, " ");
        put_ident(&p, sc.self, -1);
    }
    put_component_body(&p, &sc, c);
    close_group(&p);
    weld_buf_byte(out, '\n');
    weld_arena_free(a);
    if (out->oom)
        return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while printing");
    return WELD_OK;
}

weld_status weld_component_print(const weld_component *c, char **out, size_t *out_len,
                                 weld_diag *d)
{
    weld_buf b;
    weld_buf_init(&b);
    weld_status st = weld_component_print_buf(c, &b, d);
    weld_buf_byte(&b, 0);
    if (st == WELD_OK && b.oom)
        st = weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while printing");
    if (st != WELD_OK) {
        weld_buf_free(&b);
        return st;
    }
    *out = (char *)b.data;
    *out_len = b.len - 1;
    return WELD_OK;
}
