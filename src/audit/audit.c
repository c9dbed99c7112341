/* audit.c - a component's imports against a policy of interface-name globs. */
#include "weld/audit.h"
#include "base/base.h"
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

static bool glob(const char *p, const char *s, int depth)
{
    if (depth > 64) return false;
    for (; *p; p++, s++) {
        if (*p == '*') {
            while (p[1] == '*') p++;
            if (!p[1]) return true;
            for (const char *t = s; *t; t++)
                if (glob(p + 1, t, depth + 1)) return true;
            return glob(p + 1, s + strlen(s), depth + 1);
        }
        if (!*s) return false;
        if (*p != '?' && *p != *s) return false;
    }
    return *s == 0;
}

bool weld_audit_glob(const char *pattern, const char *name)
{
    if (glob(pattern, name, 0)) return true;
    const char *at = strchr(name, '@');
    if (strchr(pattern, '@') || !at) return false;
    char base[512];
    size_t n = (size_t)(at - name);
    if (n >= sizeof base) return false;
    memcpy(base, name, n);
    base[n] = 0;
    return glob(pattern, base, 0);
}

/* ---- YAML policy ---- */

static bool push_pattern(weld_arena *a, const char ***v, uint32_t *n, const char *s, size_t len)
{
    const char **nv = weld_arena_alloc(a, sizeof *nv * (*n + 1));
    char *copy = weld_arena_strndup(a, s, len);
    if (!nv || !copy) return false;
    if (*n) memcpy(nv, *v, sizeof *nv * *n);
    nv[(*n)++] = copy;
    *v = nv;
    return true;
}

static weld_status yerr(weld_diag *d, const yaml_mark_t *m, const char *fmt, const char *what)
{
    return weld_diag_set_text(d, WELD_ERR_SYNTAX, (uint32_t)m->line + 1, (uint32_t)m->column + 1, 1, fmt, what);
}

weld_status weld_audit_policy_yaml(weld_arena *arena, const char *name, const char *text, size_t len,
                                   weld_audit_policy *out, weld_diag *d)
{
    (void)name;
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        weld_status st = weld_diag_set_text(d, WELD_ERR_SYNTAX, (uint32_t)parser.problem_mark.line + 1,
                                            (uint32_t)parser.problem_mark.column + 1, 1, "%s",
                                            parser.problem ? parser.problem : "YAML does not parse");
        yaml_parser_delete(&parser);
        return st;
    }
    weld_status st = WELD_OK;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        st = weld_diag_set(d, WELD_ERR_SYNTAX, WELD_NO_OFFSET, "empty policy: expected a mapping with `allow:` and/or `deny:`");
    } else if (root->type != YAML_MAPPING_NODE) {
        st = yerr(d, &root->start_mark, "expected a mapping with `allow:` and/or `deny:`, found %s",
                  root->type == YAML_SEQUENCE_NODE ? "a sequence" : "a scalar");
    }
    for (yaml_node_pair_t *pr = root && st == WELD_OK ? root->data.mapping.pairs.start : NULL;
         pr && pr < root->data.mapping.pairs.top && st == WELD_OK; pr++) {
        yaml_node_t *k = yaml_document_get_node(&doc, pr->key), *v = yaml_document_get_node(&doc, pr->value);
        if (!k || k->type != YAML_SCALAR_NODE) {
            st = yerr(d, &k->start_mark, "expected `allow` or `deny`, found %s", "a non-scalar key");
            break;
        }
        const char *key = (const char *)k->data.scalar.value;
        bool allow = strcmp(key, "allow") == 0;
        if (!allow && strcmp(key, "deny") != 0) {
            st = yerr(d, &k->start_mark, "expected `allow` or `deny`, found `%s`", key);
            break;
        }
        const char ***list = allow ? &out->allow : &out->deny;
        uint32_t *n = allow ? &out->nallow : &out->ndeny;
        if (v->type == YAML_SCALAR_NODE) {
            if (v->data.scalar.length && !push_pattern(arena, list, n, (const char *)v->data.scalar.value, v->data.scalar.length))
                st = weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
            continue;
        }
        if (v->type != YAML_SEQUENCE_NODE) {
            st = yerr(d, &v->start_mark, "`%s` takes a list of interface patterns, found a mapping", key);
            break;
        }
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
            yaml_node_t *e = yaml_document_get_node(&doc, *it);
            if (!e || e->type != YAML_SCALAR_NODE) {
                st = yerr(d, &e->start_mark, "expected an interface pattern (a string) in `%s`", key);
                break;
            }
            if (!push_pattern(arena, list, n, (const char *)e->data.scalar.value, e->data.scalar.length)) {
                st = weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory");
                break;
            }
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return st;
}

/* ---- imports ---- */

typedef struct need {
    const char *name, *path;
} need;

typedef struct needs {
    need *v;
    uint32_t n, cap;
    bool oom;
} needs;

static void add_need(needs *ns, const char *name, const char *path)
{
    if (ns->n == ns->cap) {
        uint32_t nc = ns->cap ? ns->cap * 2 : 32;
        need *nv = realloc(ns->v, sizeof *nv * nc);
        if (!nv) {
            ns->oom = true;
            return;
        }
        ns->v = nv;
        ns->cap = nc;
    }
    ns->v[ns->n].name = name;
    ns->v[ns->n++].path = path;
}

/* Imports of every nested component, with its path. */
static void collect(weld_arena *a, const weld_component *c, const char *path, needs *ns, int depth)
{
    if (depth > 100) return;
    uint32_t k = 0;
    for (uint32_t i = 0; i < c->nsections; i++) {
        const weld_csection *s = &c->sections[i];
        if (s->id == WELD_CSEC_IMPORT && depth > 0)
            for (uint32_t j = 0; j < s->count; j++) {
                char *n = weld_arena_strndup(a, s->u.imports[j].name.name.ptr, s->u.imports[j].name.name.len);
                if (!n) ns->oom = true;
                else add_need(ns, n, path);
            }
        if (s->id == WELD_CSEC_COMPONENT) {
            char buf[1024];
            snprintf(buf, sizeof buf, "%s%scomponent %u", path, path[0] ? "/" : "", k++);
            char *p = weld_arena_strndup(a, buf, strlen(buf));
            if (!p) ns->oom = true;
            else collect(a, s->u.component, p, ns, depth + 1);
        }
    }
}

weld_status weld_audit(weld_arena *arena, const weld_component *c, const weld_audit_policy *p,
                       weld_audit_report *out, weld_diag *d)
{
    memset(out, 0, sizeof *out);
    needs ns = {0};
    collect(arena, c, "", &ns, 0);
    weld_status st = WELD_OK;
    for (uint32_t i = 0; i < c->nsections && st == WELD_OK; i++) {
        const weld_csection *s = &c->sections[i];
        if (s->id != WELD_CSEC_IMPORT) continue;
        for (uint32_t j = 0; j < s->count; j++) {
            out->nimports++;
            char *name = weld_arena_strndup(arena, s->u.imports[j].name.name.ptr, s->u.imports[j].name.name.len);
            if (!name) {
                st = WELD_ERR_NOMEM;
                break;
            }
            const char *rule = NULL;
            bool bad = false;
            for (uint32_t k = 0; k < p->ndeny && !bad; k++)
                if (weld_audit_glob(p->deny[k], name)) {
                    bad = true;
                    rule = p->deny[k];
                }
            if (!bad && p->nallow) {
                bad = true;
                for (uint32_t k = 0; k < p->nallow && bad; k++)
                    if (weld_audit_glob(p->allow[k], name)) bad = false;
            }
            if (!bad) continue;
            weld_audit_violation *nv = weld_arena_alloc(arena, sizeof *nv * (out->nviolations + 1));
            if (!nv) {
                st = WELD_ERR_NOMEM;
                break;
            }
            if (out->nviolations) memcpy(nv, out->violations, sizeof *nv * out->nviolations);
            weld_audit_violation *v = &nv[out->nviolations++];
            out->violations = nv;
            v->name = name;
            v->rule = rule;
            for (uint32_t k = 0; k < ns.n; k++)
                if (strcmp(ns.v[k].name, name) == 0) v->npaths++;
            v->paths = weld_arena_alloc(arena, sizeof *v->paths * (v->npaths + 1));
            if (!v->paths) {
                st = WELD_ERR_NOMEM;
                break;
            }
            uint32_t m = 0;
            for (uint32_t k = 0; k < ns.n; k++)
                if (strcmp(ns.v[k].name, name) == 0) v->paths[m++] = ns.v[k].path;
        }
    }
    if (ns.oom) st = WELD_ERR_NOMEM;
    free(ns.v);
    if (st == WELD_ERR_NOMEM) weld_diag_set(d, st, WELD_NO_OFFSET, "out of memory while auditing");
    return st;
}
