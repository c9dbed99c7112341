/* component_cli.c - `weld parse`, `weld dump` and `weld print` on components. */
#include "component_cli.h"
#include "weld/component.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Decode a component; reports and returns the exit code on failure (*c NULL). */
static int load(const char *path, const uint8_t *data, size_t len, weld_arena *a,
                weld_component **c)
{
    weld_diag d;
    weld_diag_init(&d, path);
    *c = NULL;
    if (!a) {
        fprintf(stderr, "weld: error: %s: out of memory\n", path);
        return CLI_REJECTED;
    }
    if (weld_component_read(a, data, len, NULL, c, &d) != WELD_OK) return cli_report(&d, NULL, 0);
    return CLI_OK;
}

int cli_component_parse(const char *path, const uint8_t *data, size_t len, const char *out,
                        bool check, bool reencode)
{
    weld_arena *a = weld_arena_new();
    weld_component *c;
    int rc = load(path, data, len, a, &c);
    uint8_t *bytes = NULL;
    size_t n = 0;
    weld_diag d;
    weld_diag_init(&d, out ? out : path);
    if (rc) goto done;
    weld_write_opts wo = {.reencode_code = true};
    if (weld_component_write_with(c, reencode ? &wo : NULL, &bytes, &n, &d) != WELD_OK ||
        (out && weld_file_write_atomic(out, bytes, n, &d) != WELD_OK)) {
        rc = cli_report(&d, NULL, 0);
        goto done;
    }
    if (check) {
        weld_component *again;
        weld_diag_init(&d, path);
        if (weld_component_read(a, bytes, n, NULL, &again, &d) != WELD_OK) {
            fprintf(stderr, "weld: error: %s: the re-encoded component does not decode: %s\n",
                    path, d.message);
            rc = CLI_REJECTED;
            goto done;
        }
        bool identical = n == len && memcmp(bytes, data, len) == 0;
        bool equal = weld_component_equal(c, again);
        printf("%s: %s, %s\n", path, identical ? "identical bytes" : "bytes differ",
               equal ? "equal trees" : "trees differ");
        if (!equal) rc = CLI_REJECTED;
    }
done:
    free(bytes);
    weld_arena_free(a);
    return rc;
}

/* ---- dump --------------------------------------------------------------------------------- */

static const char *core_kind_name(uint8_t k)
{
    static const char *const names[] = {"func", "table", "memory", "global", "tag"};
    return k < 5 ? names[k] : "?";
}

static const char *extern_kind_name(uint8_t k)
{
    static const char *const names[] = {"core module", "func", "value", "type", "component",
                                        "instance"};
    return k < 6 ? names[k] : "?";
}

static const char *sort_name(weld_sort s)
{
    if (s.sort != WELD_SORT_CORE) return extern_kind_name(s.sort);
    switch (s.core) {
    case WELD_CORE_SORT_TYPE: return "core type";
    case WELD_CORE_SORT_MODULE: return "core module";
    case WELD_CORE_SORT_INSTANCE: return "core instance";
    default: return core_kind_name(s.core);
    }
}

static json_t *jstr(weld_str s)
{
    return json_stringn(s.ptr, s.len);
}

static json_t *module_json(const weld_nested_module *nm, uint32_t index)
{
    const weld_module *m = nm->module;
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string("core module"));
    json_object_set_new(o, "index", json_integer(index));
    json_object_set_new(o, "offset", json_integer((json_int_t)nm->offset));
    json_object_set_new(o, "size", json_integer(nm->len));
    json_object_set_new(o, "sections", json_integer(m->nsections));
    json_t *im = json_array(), *ex = json_array();
    for (uint32_t i = 0; i < m->nimports; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "module", jstr(m->imports[i].module));
        json_object_set_new(x, "name", jstr(m->imports[i].name));
        json_object_set_new(x, "kind", json_string(core_kind_name(m->imports[i].type.kind)));
        json_array_append_new(im, x);
    }
    for (uint32_t i = 0; i < m->nexports; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "name", jstr(m->exports[i].name));
        json_object_set_new(x, "kind", json_string(core_kind_name(m->exports[i].kind)));
        json_object_set_new(x, "index", json_integer(m->exports[i].index));
        json_array_append_new(ex, x);
    }
    json_object_set_new(o, "imports", im);
    json_object_set_new(o, "exports", ex);
    return o;
}

static json_t *component_json(const weld_component *c, uint64_t offset, size_t size)
{
    json_t *o = json_object(), *secs = json_array(), *im = json_array(), *ex = json_array(),
           *nested = json_array();
    uint32_t nmod = 0, ncomp = 0;
    json_object_set_new(o, "kind", json_string("component"));
    json_object_set_new(o, "offset", json_integer((json_int_t)offset));
    json_object_set_new(o, "size", json_integer((json_int_t)size));
    for (uint32_t i = 0; i < c->nsections; i++) {
        const weld_csection *s = &c->sections[i];
        json_t *x = json_object();
        json_object_set_new(x, "id", json_integer(s->id));
        json_object_set_new(x, "section", json_string(weld_csection_name(s->id)));
        if (s->id == WELD_CSEC_CUSTOM) json_object_set_new(x, "name", jstr(s->u.custom->name));
        json_object_set_new(x, "offset", json_integer((json_int_t)s->offset));
        json_object_set_new(x, "size", json_integer(s->size));
        json_object_set_new(x, "count", json_integer(s->count));
        json_array_append_new(secs, x);
        for (uint32_t j = 0; s->id == WELD_CSEC_IMPORT && j < s->count; j++) {
            json_t *y = json_object();
            json_object_set_new(y, "name", jstr(s->u.imports[j].name.name));
            json_object_set_new(y, "kind", json_string(extern_kind_name(s->u.imports[j].type.kind)));
            json_array_append_new(im, y);
        }
        for (uint32_t j = 0; s->id == WELD_CSEC_EXPORT && j < s->count; j++) {
            json_t *y = json_object();
            json_object_set_new(y, "name", jstr(s->u.exports[j].name.name));
            json_object_set_new(y, "kind", json_string(sort_name(s->u.exports[j].item.sort)));
            json_object_set_new(y, "index", json_integer(s->u.exports[j].item.index));
            json_array_append_new(ex, y);
        }
        if (s->id == WELD_CSEC_CORE_MODULE)
            json_array_append_new(nested, module_json(s->u.module, nmod++));
        if (s->id == WELD_CSEC_COMPONENT) {
            json_t *sub = component_json(s->u.component, s->u.component->base_offset,
                                         s->u.component->input_len);
            json_object_set_new(sub, "index", json_integer(ncomp++));
            json_array_append_new(nested, sub);
        }
    }
    json_object_set_new(o, "sections", secs);
    json_object_set_new(o, "imports", im);
    json_object_set_new(o, "exports", ex);
    json_object_set_new(o, "nested", nested);
    return o;
}

static void indent(int n)
{
    printf("%*s", n, "");
}

static void dump_module_text(const weld_nested_module *nm, uint32_t index, int in)
{
    const weld_module *m = nm->module;
    indent(in);
    printf("core module %u at 0x%08llx: %u bytes, %u sections, %u imports, %u exports\n", index,
           (unsigned long long)nm->offset, nm->len, m->nsections, m->nimports, m->nexports);
    for (uint32_t i = 0; i < m->nimports; i++) {
        indent(in + 2);
        printf("import \"%.*s\" \"%.*s\" %s\n", (int)m->imports[i].module.len,
               m->imports[i].module.ptr, (int)m->imports[i].name.len, m->imports[i].name.ptr,
               core_kind_name(m->imports[i].type.kind));
    }
    for (uint32_t i = 0; i < m->nexports; i++) {
        indent(in + 2);
        printf("export \"%.*s\" %s %u\n", (int)m->exports[i].name.len, m->exports[i].name.ptr,
               core_kind_name(m->exports[i].kind), m->exports[i].index);
    }
}

static void dump_component_text(const weld_component *c, const char *label, int in)
{
    indent(in);
    printf("%s at 0x%08llx: %zu bytes, %u sections\n", label,
           (unsigned long long)c->base_offset, c->input_len, c->nsections);
    indent(in + 2);
    printf("%-14s %-10s %10s %8s\n", "section", "offset", "size", "count");
    for (uint32_t i = 0; i < c->nsections; i++) {
        const weld_csection *s = &c->sections[i];
        indent(in + 2);
        printf("%-14s 0x%08llx %10u %8u", weld_csection_name(s->id),
               (unsigned long long)s->offset, s->size, s->count);
        if (s->id == WELD_CSEC_CUSTOM)
            printf("  \"%.*s\"", (int)s->u.custom->name.len, s->u.custom->name.ptr);
        putchar('\n');
    }
    for (uint32_t i = 0; i < c->nsections; i++) {
        const weld_csection *s = &c->sections[i];
        for (uint32_t j = 0; s->id == WELD_CSEC_IMPORT && j < s->count; j++) {
            indent(in + 2);
            printf("import \"%.*s\" %s\n", (int)s->u.imports[j].name.name.len,
                   s->u.imports[j].name.name.ptr, extern_kind_name(s->u.imports[j].type.kind));
        }
    }
    for (uint32_t i = 0; i < c->nsections; i++) {
        const weld_csection *s = &c->sections[i];
        for (uint32_t j = 0; s->id == WELD_CSEC_EXPORT && j < s->count; j++) {
            const weld_cexport *e = &s->u.exports[j];
            indent(in + 2);
            printf("export \"%.*s\" %s %u\n", (int)e->name.name.len, e->name.name.ptr,
                   sort_name(e->item.sort), e->item.index);
        }
    }
    uint32_t nmod = 0, ncomp = 0;
    for (uint32_t i = 0; i < c->nsections; i++) {
        const weld_csection *s = &c->sections[i];
        if (s->id == WELD_CSEC_CORE_MODULE) dump_module_text(s->u.module, nmod++, in + 2);
        if (s->id == WELD_CSEC_COMPONENT) {
            char sub[64];
            snprintf(sub, sizeof sub, "component %u", ncomp++);
            dump_component_text(s->u.component, sub, in + 2);
        }
    }
}

int cli_component_dump(const char *path, const uint8_t *data, size_t len, bool json)
{
    weld_arena *a = weld_arena_new();
    weld_component *c;
    int rc = load(path, data, len, a, &c);
    if (rc == CLI_OK) {
        if (json) {
            json_t *root = component_json(c, 0, len);
            char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            if (text) puts(text);
            free(text);
            json_decref(root);
        } else {
            dump_component_text(c, "component", 0);
        }
    }
    weld_arena_free(a);
    return rc;
}

int cli_component_print(const char *path, const uint8_t *data, size_t len, const char *out)
{
    weld_arena *a = weld_arena_new();
    weld_component *c;
    char *text = NULL;
    size_t n = 0;
    weld_diag d;
    weld_diag_init(&d, out ? out : path);
    int rc = load(path, data, len, a, &c);
    if (rc == CLI_OK) {
        if (weld_component_print(c, &text, &n, &d) != WELD_OK ||
            (out && weld_file_write_atomic(out, text, n, &d) != WELD_OK))
            rc = cli_report(&d, NULL, 0);
        else if (!out)
            fwrite(text, 1, n, stdout);
    }
    free(text);
    weld_arena_free(a);
    return rc;
}
