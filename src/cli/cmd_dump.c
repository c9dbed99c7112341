/* cmd_dump.c - `weld dump`: the sections of a binary with offsets, sizes and item counts. */
#include "input.h"
#include "weld/module.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

extern const weld_cmd cmd_dump;

static const char *const section_names[] = {
    "custom", "type", "import", "function", "table", "memory", "global", "export",
    "start", "element", "code", "data", "datacount", "tag",
};

/* Items in a section, as its vector count (start and custom sections: -1). */
static long long section_count(const weld_module *m, uint8_t id)
{
    switch (id) {
    case WELD_SEC_TYPE: return m->ntypes;
    case WELD_SEC_IMPORT: return m->nimports;
    case WELD_SEC_FUNCTION: return m->nfuncs;
    case WELD_SEC_TABLE: return m->ntables;
    case WELD_SEC_MEMORY: return m->nmemories;
    case WELD_SEC_GLOBAL: return m->nglobals;
    case WELD_SEC_EXPORT: return m->nexports;
    case WELD_SEC_ELEMENT: return m->nelems;
    case WELD_SEC_CODE: return m->ncode;
    case WELD_SEC_DATA: return m->ndatas;
    case WELD_SEC_DATACOUNT: return m->datacount;
    case WELD_SEC_TAG: return m->ntags;
    default: return -1;
    }
}

static int dump_core(cli_input *in, bool json)
{
    weld_arena *arena = weld_arena_new();
    weld_module *m = NULL;
    weld_read_opts ro = {false, 0};
    if (!arena) return CLI_REJECTED;
    if (weld_module_read(arena, in->data, in->len, &ro, &m, &in->diag) != WELD_OK) {
        weld_arena_free(arena);
        return cli_report(&in->diag, NULL, 0);
    }
    if (json) {
        json_t *root = json_object(), *secs = json_array();
        json_object_set_new(root, "kind", json_string("module"));
        json_object_set_new(root, "size", json_integer((json_int_t)in->len));
        for (uint32_t i = 0; i < m->nsections; i++) {
            const weld_section_ref *s = &m->sections[i];
            json_t *o = json_object();
            json_object_set_new(o, "id", json_integer(s->id));
            json_object_set_new(o, "section", json_string(section_names[s->id]));
            if (s->id == WELD_SEC_CUSTOM)
                json_object_set_new(o, "name", json_stringn(m->customs[s->index].name.ptr,
                                                            m->customs[s->index].name.len));
            json_object_set_new(o, "offset", json_integer(s->offset));
            json_object_set_new(o, "size", json_integer(s->size));
            long long c = section_count(m, s->id);
            if (c >= 0) json_object_set_new(o, "count", json_integer(c));
            if (s->id == WELD_SEC_START) json_object_set_new(o, "start", json_integer(m->start));
            json_array_append_new(secs, o);
        }
        json_object_set_new(root, "sections", secs);
        char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (text) puts(text);
        free(text);
        json_decref(root);
    } else {
        printf("module: %zu bytes, %u sections\n", in->len, m->nsections);
        printf("%-12s %-10s %10s %8s\n", "section", "offset", "size", "count");
        for (uint32_t i = 0; i < m->nsections; i++) {
            const weld_section_ref *s = &m->sections[i];
            long long c = section_count(m, s->id);
            printf("%-12s 0x%08x %10u ", section_names[s->id], s->offset, s->size);
            if (c >= 0) printf("%8lld", c);
            else if (s->id == WELD_SEC_START) printf("%8s", "-");
            else printf("%8s", "-");
            if (s->id == WELD_SEC_CUSTOM)
                printf("  \"%.*s\"", (int)m->customs[s->index].name.len, m->customs[s->index].name.ptr);
            if (s->id == WELD_SEC_START) printf("  function %u", m->start);
            putchar('\n');
        }
    }
    weld_arena_free(arena);
    return CLI_OK;
}

static int run_dump(int argc, char **argv)
{
    const char *path = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) json = true;
        else if (argv[i][0] == '-' && argv[i][1]) return cli_usage_error(&cmd_dump, "unknown option '%s'", argv[i]);
        else if (!path) path = argv[i];
        else return cli_usage_error(&cmd_dump, "unexpected argument '%s'", argv[i]);
    }
    if (!path) return cli_usage_error(&cmd_dump, "missing input file");
    cli_input in;
    int rc = cli_load(path, &in);
    if (rc) return rc;
    switch (in.kind) {
    case CLI_INPUT_CORE: rc = dump_core(&in, json); break;
    default: rc = cli_unsupported_input(&in, "dump"); break;
    }
    cli_input_free(&in);
    return rc;
}

const weld_cmd cmd_dump = {
    "dump", "list the sections of a binary with offsets, sizes and item counts",
    "usage: weld dump IN [--json]\n\n"
    "Decodes IN and lists its sections in order: id, file offset of the section id byte,\n"
    "payload size and item count (custom sections with their names).\n\n"
    "  --json   print the same as a JSON object {\"kind\", \"size\", \"sections\": [...]}\n",
    run_dump,
};
