/* cmd_inspect.c - `weld inspect`: what a component is made of and what it needs: the tree
 * of nested components, core modules and instances with sizes, imports and exports (and
 * the world as WIT), each core module's own imports and exports, producers, and the WASI
 * interfaces it imports. One JSON document is built; the text form is rendered from it. */
#include "input.h"
#include "base/base.h"
#include "weld/component.h"
#include "weld/producers.h"
#include "weld/wit.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

extern const weld_cmd cmd_inspect;

static json_t *jstr(weld_str s)
{
    return json_stringn(s.ptr, s.len);
}

static const char *extern_kind_name(uint8_t k)
{
    static const char *const n[] = {"func", "table", "memory", "global", "tag"};
    return k < 5 ? n[k] : "?";
}

static const char *cext_name(uint8_t k)
{
    static const char *const n[] = {"core module", "func", "value", "type", "component", "instance"};
    return k < 6 ? n[k] : "?";
}

static json_t *producers_json(weld_arena *a, const weld_custom *cs)
{
    weld_producers p;
    weld_diag d;
    weld_diag_init(&d, NULL);
    if (weld_producers_read(a, cs->data, cs->len, &p, &d) != WELD_OK) return json_string("(malformed)");
    json_t *o = json_object();
    for (uint32_t i = 0; i < p.nfields; i++) {
        json_t *arr = json_array();
        for (uint32_t k = 0; k < p.fields[i].count; k++)
            json_array_append_new(arr, json_pack("{s:o,s:o}", "name", jstr(p.fields[i].values[k].name), "version",
                                                 jstr(p.fields[i].values[k].version)));
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)p.fields[i].name.len, p.fields[i].name.ptr);
        json_object_set_new(o, key, arr);
    }
    return o;
}

static bool is_producers(const weld_custom *c)
{
    return c->name.len == 9 && memcmp(c->name.ptr, "producers", 9) == 0;
}

static json_t *module_json(weld_arena *a, const weld_nested_module *nm, uint32_t index)
{
    json_t *o = json_pack("{s:s,s:I,s:I,s:I}", "kind", "core module", "index", (json_int_t)index, "offset",
                          (json_int_t)nm->offset, "size", (json_int_t)nm->len);
    const weld_module *m = nm->module;
    if (!m) return o;
    json_t *im = json_array(), *ex = json_array();
    for (uint32_t i = 0; i < m->nimports; i++)
        json_array_append_new(im, json_pack("{s:o,s:o,s:s}", "module", jstr(m->imports[i].module), "name",
                                            jstr(m->imports[i].name), "kind", extern_kind_name(m->imports[i].type.kind)));
    for (uint32_t i = 0; i < m->nexports; i++)
        json_array_append_new(ex, json_pack("{s:o,s:s}", "name", jstr(m->exports[i].name), "kind",
                                            extern_kind_name(m->exports[i].kind)));
    json_object_set_new(o, "imports", im);
    json_object_set_new(o, "exports", ex);
    for (uint32_t i = 0; i < m->ncustoms; i++)
        if (is_producers(&m->customs[i])) json_object_set_new(o, "producers", producers_json(a, &m->customs[i]));
    return o;
}

static json_t *component_json(weld_arena *a, const weld_component *c, uint32_t index, uint64_t size, int depth)
{
    json_t *o = json_pack("{s:s,s:I,s:I}", "kind", "component", "offset", (json_int_t)c->base_offset, "size",
                          (json_int_t)size);
    if (depth > 0) json_object_set_new(o, "index", json_integer(index));
    json_t *im = json_array(), *ex = json_array(), *kids = json_array();
    uint32_t nmod = 0, ncomp = 0, ncinst = 0, ninst = 0;
    for (uint32_t i = 0; i < c->nsections; i++) {
        const weld_csection *s = &c->sections[i];
        switch (s->id) {
        case WELD_CSEC_IMPORT:
            for (uint32_t k = 0; k < s->count; k++)
                json_array_append_new(im, json_pack("{s:o,s:s}", "name", jstr(s->u.imports[k].name.name), "kind",
                                                    cext_name(s->u.imports[k].type.kind)));
            break;
        case WELD_CSEC_EXPORT:
            for (uint32_t k = 0; k < s->count; k++) {
                const weld_cexport *e = &s->u.exports[k];
                const char *kind = e->item.sort.sort == WELD_SORT_CORE ? "core module"
                                 : e->item.sort.sort <= WELD_SORT_INSTANCE ? cext_name(e->item.sort.sort) : "?";
                json_array_append_new(ex, json_pack("{s:o,s:s}", "name", jstr(e->name.name), "kind", kind));
            }
            break;
        case WELD_CSEC_CORE_MODULE:
            json_array_append_new(kids, module_json(a, s->u.module, nmod++));
            break;
        case WELD_CSEC_COMPONENT:
            if (depth < 100) json_array_append_new(kids, component_json(a, s->u.component, ncomp, s->size, depth + 1));
            ncomp++;
            break;
        case WELD_CSEC_CORE_INSTANCE:
            for (uint32_t k = 0; k < s->count; k++) {
                const weld_core_instance *ci = &s->u.core_instances[k];
                json_t *n = json_pack("{s:s,s:I}", "kind", "core instance", "index", (json_int_t)ncinst++);
                if (ci->kind == 0) json_object_set_new(n, "instantiates", json_integer(ci->module));
                else json_object_set_new(n, "exports", json_integer(ci->count));
                json_array_append_new(kids, n);
            }
            break;
        case WELD_CSEC_INSTANCE:
            for (uint32_t k = 0; k < s->count; k++) {
                const weld_instance *ci = &s->u.instances[k];
                json_t *n = json_pack("{s:s,s:I}", "kind", "instance", "index", (json_int_t)ninst++);
                if (ci->kind == 0) json_object_set_new(n, "instantiates", json_integer(ci->component));
                else json_object_set_new(n, "exports", json_integer(ci->count));
                json_array_append_new(kids, n);
            }
            break;
        case WELD_CSEC_CUSTOM:
            if (is_producers(s->u.custom)) json_object_set_new(o, "producers", producers_json(a, s->u.custom));
            break;
        default: break;
        }
    }
    json_object_set_new(o, "imports", im);
    json_object_set_new(o, "exports", ex);
    json_object_set_new(o, "children", kids);
    return o;
}

/* ---- text ---- */

static void pad(int n)
{
    for (int i = 0; i < n; i++) fputs("  ", stdout);
}

static void print_producers(json_t *p, int ind)
{
    if (!json_is_object(p)) return;
    const char *k;
    json_t *v;
    pad(ind);
    fputs("producers:", stdout);
    json_object_foreach(p, k, v) {
        size_t i;
        json_t *e;
        printf(" %s", k);
        json_array_foreach(v, i, e) {
            const char *ver = json_string_value(json_object_get(e, "version"));
            printf("%s %s%s%s", i ? "," : "", json_string_value(json_object_get(e, "name")), ver && *ver ? " " : "",
                   ver ? ver : "");
        }
        fputs(";", stdout);
    }
    fputs("\n", stdout);
}

static void print_node(json_t *n, int ind)
{
    const char *kind = json_string_value(json_object_get(n, "kind"));
    json_t *idx = json_object_get(n, "index");
    pad(ind);
    printf("%s", kind);
    if (idx) printf(" %lld", (long long)json_integer_value(idx));
    json_t *size = json_object_get(n, "size");
    if (size) printf(": %lld bytes at offset 0x%llx", (long long)json_integer_value(size),
                     (unsigned long long)json_integer_value(json_object_get(n, "offset")));
    json_t *inst = json_object_get(n, "instantiates");
    if (inst) printf(": instantiates %s %lld", strcmp(kind, "instance") == 0 ? "component" : "core module",
                     (long long)json_integer_value(inst));
    json_t *nexp = json_object_get(n, "exports");
    if (json_is_integer(nexp)) printf(": %lld exports", (long long)json_integer_value(nexp));
    fputs("\n", stdout);
    print_producers(json_object_get(n, "producers"), ind + 1);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(n, "imports"), i, e) {
        pad(ind + 1);
        const char *mod = json_string_value(json_object_get(e, "module"));
        printf("import %s%s%s (%s)\n", mod ? mod : "", mod ? " " : "", json_string_value(json_object_get(e, "name")),
               json_string_value(json_object_get(e, "kind")));
    }
    if (json_is_array(nexp))
        json_array_foreach(nexp, i, e) {
            pad(ind + 1);
            printf("export %s (%s)\n", json_string_value(json_object_get(e, "name")),
                   json_string_value(json_object_get(e, "kind")));
        }
    json_array_foreach(json_object_get(n, "children"), i, e) print_node(e, ind + 1);
}

static int run_inspect(int argc, char **argv)
{
    const char *path = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) json = true;
        else if (a[0] == '-' && a[1]) return cli_usage_error(&cmd_inspect, "unknown option '%s'", a);
        else if (!path) path = a;
        else return cli_usage_error(&cmd_inspect, "more than one COMPONENT given ('%s')", a);
    }
    if (!path) return cli_usage_error(&cmd_inspect, "missing COMPONENT");
    cli_input in;
    int rc = cli_load(path, &in);
    if (rc != CLI_OK) return rc;
    if (in.kind != CLI_INPUT_COMPONENT) {
        weld_diag_set(&in.diag, WELD_ERR_INVALID, 0, "not a component (expected the component preamble \\0asm 0d 00 01 00)");
        rc = cli_report(&in.diag, NULL, 0);
        cli_input_free(&in);
        return rc;
    }
    weld_arena *arena = weld_arena_new();
    weld_component *c = NULL;
    weld_component_read_opts ro = {.skip_bodies = true};
    if (!arena || weld_component_read(arena, in.data, in.len, &ro, &c, &in.diag) != WELD_OK) {
        rc = arena ? cli_report(&in.diag, NULL, 0) : CLI_REJECTED;
        weld_arena_free(arena);
        cli_input_free(&in);
        return rc;
    }
    json_t *root = json_object();
    json_object_set_new(root, "file", json_string(path));
    json_object_set_new(root, "size", json_integer((json_int_t)in.len));
    json_t *tree = component_json(arena, c, 0, in.len, 0);
    /* the WASI interfaces it imports */
    json_t *wasi = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(tree, "imports"), i, e) {
        const char *n = json_string_value(json_object_get(e, "name"));
        if (strncmp(n, "wasi:", 5) == 0) json_array_append_new(wasi, json_string(n));
    }
    json_object_set_new(root, "wasi", wasi);
    /* the world, as WIT */
    weld_arena *wa = weld_arena_new();
    weld_wit_resolve *r = wa ? weld_wit_resolve_new(wa) : NULL;
    weld_diag wd;
    weld_diag_init(&wd, path);
    uint32_t main = 0;
    bool is_pkg = false;
    char *text = NULL, *wjson = NULL;
    if (r && weld_wit_decode(r, in.data, in.len, &main, &is_pkg, &wd) == WELD_OK &&
        weld_wit_print(r, main, NULL, 0, &text, NULL, &wd) == WELD_OK && weld_wit_to_json(r, &wjson, NULL, &wd) == WELD_OK) {
        json_object_set_new(root, "world", json_string(text));
        json_object_set_new(root, "wit", json_loads(wjson, 0, NULL));
    } else {
        char buf[1200];
        weld_diag_format(&wd, buf, sizeof buf);
        json_object_set_new(root, "world_error", json_string(buf));
    }
    free(text);
    free(wjson);
    weld_arena_free(wa);
    json_object_set_new(root, "tree", tree);
    if (json) {
        char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s) printf("%s\n", s);
        free(s);
    } else {
        printf("%s: component, %zu bytes\n", path, in.len);
        json_t *w = json_object_get(root, "wasi");
        printf("WASI interfaces needed:%s", json_array_size(w) ? "" : " none");
        json_array_foreach(w, i, e) printf(" %s", json_string_value(e));
        printf("\n\nworld (as WIT):\n");
        json_t *world = json_object_get(root, "world");
        if (world) {
            const char *t = json_string_value(world);
            while (*t) {
                const char *nl = strchr(t, '\n');
                size_t n = nl ? (size_t)(nl - t) : strlen(t);
                printf(n ? "  %.*s\n" : "\n", (int)n, t);
                t += n + (nl ? 1 : 0);
            }
        } else {
            printf("  (not available: %s)\n", json_string_value(json_object_get(root, "world_error")));
        }
        printf("\ntree:\n");
        print_node(tree, 1);
    }
    json_decref(root);
    weld_arena_free(arena);
    cli_input_free(&in);
    return CLI_OK;
}

const weld_cmd cmd_inspect = {
    "inspect", "what a component is made of and what it needs from its host",
    "usage: weld inspect COMPONENT [--json]\n\n"
    "Shows the WASI interfaces COMPONENT imports, its world as WIT (its imports and\n"
    "exports with their types), and the tree of what it contains: nested components, core\n"
    "modules (with their own imports and exports) and instances, with sizes and offsets,\n"
    "and the producers sections (languages, tools, SDKs).\n\n"
    "  --json   the same as one JSON document (the world also as wit-parser JSON)\n",
    run_inspect,
};
