/* targets.c - a component against a WIT world: the world becomes a component type
 * (weld_wit_world_ctype) whose declarations are laid out as a host component that imports
 * what the world offers and instantiates the component under test with it; the component
 * type model checks that instantiation (the imports) and the instance's exports against
 * the world's. Differences are listed item by item. When the world's declarations do not
 * fit that layout, the verdict falls back to instantiating a world-typed import with the
 * component (wit-component's construction). */
#include "weld/targets.h"
#include "weld/ctypes.h"
#include "base/base.h"
#include <stdio.h>
#include <stdlib.h>

static const char *sort_word(uint8_t sort)
{
    switch (sort) {
    case WELD_EXT_MODULE: return "core module";
    case WELD_EXT_FUNC: return "func";
    case WELD_EXT_VALUE: return "value";
    case WELD_EXT_TYPE: return "type";
    case WELD_EXT_COMPONENT: return "component";
    case WELD_EXT_INSTANCE: return "interface";
    default: return "item";
    }
}

static const weld_textern *find(const weld_textern *v, uint32_t n, weld_str name)
{
    for (uint32_t i = 0; i < n; i++)
        if (v[i].name.len == name.len && memcmp(v[i].name.ptr, name.ptr, name.len) == 0) return &v[i];
    return NULL;
}

static bool push(weld_arena *a, weld_targets_report *rep, weld_targets_kind kind, weld_str name, uint8_t sort,
                 const char *why)
{
    weld_targets_diff *nv = weld_arena_alloc(a, sizeof *nv * (rep->ndiffs + 1));
    if (!nv) return false;
    if (rep->ndiffs) memcpy(nv, rep->diffs, sizeof *nv * rep->ndiffs);
    weld_targets_diff *x = &nv[rep->ndiffs++];
    rep->diffs = nv;
    x->kind = kind;
    x->name = weld_arena_strndup(a, name.ptr ? name.ptr : "", name.len);
    x->what = sort_word(sort);
    x->why = why ? weld_arena_strndup(a, why, strlen(why)) : NULL;
    return x->name && (!why || x->why);
}

/* The world's imports made real: a component whose sections are the declarations of the
 * world's component type (types, aliases, imports, in order, so indices agree), with the
 * component under test nested in it and instantiated with those imports; the exports of
 * that instance are then checked against the world's export types, which in this
 * component refer to the same (imported) resources. Returns false when the world's
 * declarations do not fit this shape (the caller then falls back to a type-level check). */
static bool host_check(weld_arena *a, const weld_component *c, const weld_ctype *wt, const weld_tnode *have,
                       const weld_tnode *want, weld_targets_report *out, bool *ok)
{
    uint32_t n = wt->u.decls.count;
    const weld_cdecl *dv = wt->u.decls.decls;
    weld_csection *secs = weld_arena_alloc(a, sizeof *secs * (n + 2));
    weld_inst_arg *args = weld_arena_alloc(a, sizeof *args * (n + 1));
    weld_cimport *imps = weld_arena_alloc(a, sizeof *imps * (n + 1));
    const weld_cdecl **exps = weld_arena_alloc(a, sizeof *exps * (n + 1));
    if (!secs || !args || !imps || !exps) {
        *ok = false;
        return true;
    }
    uint32_t ntype = 0, ninst = 0, nfunc = 0, nargs = 0, nsecs = 0, nexp = 0;
    for (uint32_t i = 0; i < n; i++) {
        const weld_cdecl *dc = &dv[i];
        weld_csection *s = &secs[nsecs];
        memset(s, 0, sizeof *s);
        s->count = 1;
        switch (dc->kind) {
        case WELD_DECL_TYPE:
            s->id = WELD_CSEC_TYPE;
            s->u.types = &dc->u.type;
            ntype++;
            nsecs++;
            break;
        case WELD_DECL_ALIAS:
            if (dc->u.alias.sort.sort != WELD_SORT_TYPE || dc->u.alias.tag != 0x00) return false;
            s->id = WELD_CSEC_ALIAS;
            s->u.aliases = &dc->u.alias;
            ntype++;
            nsecs++;
            break;
        case WELD_DECL_IMPORT: {
            weld_cimport *im = &imps[nargs];
            im->name = dc->u.ext.name;
            im->type = dc->u.ext.type;
            s->id = WELD_CSEC_IMPORT;
            s->u.imports = im;
            nsecs++;
            weld_inst_arg *g = &args[nargs++];
            memset(g, 0, sizeof *g);
            g->name.name = dc->u.ext.name.name;
            switch (dc->u.ext.type.kind) {
            case WELD_EXT_INSTANCE: g->item.sort.sort = WELD_SORT_INSTANCE; g->item.index = ninst++; break;
            case WELD_EXT_FUNC: g->item.sort.sort = WELD_SORT_FUNC; g->item.index = nfunc++; break;
            case WELD_EXT_TYPE: g->item.sort.sort = WELD_SORT_TYPE; g->item.index = ntype++; break;
            default: return false;
            }
            break;
        }
        case WELD_DECL_EXPORT:
            if (dc->u.ext.type.kind != WELD_EXT_INSTANCE && dc->u.ext.type.kind != WELD_EXT_FUNC) return false;
            exps[nexp++] = dc;
            break;
        default:
            return false;
        }
    }
    /* the world's imports alone must type (else this shape does not fit) */
    weld_component host;
    memset(&host, 0, sizeof host);
    host.arena = a;
    host.nsections = nsecs;
    host.sections = secs;
    weld_ctypes *m = NULL;
    weld_diag d;
    weld_diag_init(&d, NULL);
    if (weld_ctypes_build(&host, NULL, &m, &d) != WELD_OK) return false;
    weld_ctypes_free(m);
    m = NULL;
    weld_instance inst;
    memset(&inst, 0, sizeof inst);
    inst.kind = 0x00;
    inst.component = 0;
    inst.count = nargs;
    inst.items = args;
    memset(&secs[nsecs], 0, sizeof secs[0] * 2);
    secs[nsecs].id = WELD_CSEC_COMPONENT;
    secs[nsecs].count = 1;
    secs[nsecs].u.component = c;
    secs[nsecs + 1].id = WELD_CSEC_INSTANCE;
    secs[nsecs + 1].count = 1;
    secs[nsecs + 1].u.instances = &inst;
    host.nsections = nsecs + 2;
    *ok = true;
    if (weld_ctypes_build(&host, NULL, &m, &d) != WELD_OK) {
        /* the imports do not fit: name the extra ones, else the model's reason */
        uint32_t before = out->ndiffs;
        for (uint32_t i = 0; i < have->u.ext.nimports && *ok; i++) {
            const weld_textern *ci = &have->u.ext.imports[i];
            if (!find(want->u.ext.imports, want->u.ext.nimports, ci->name))
                *ok = push(a, out, WELD_TARGETS_EXTRA_IMPORT, ci->name, ci->sort, NULL);
        }
        for (uint32_t i = 0; i < want->u.ext.nexports && *ok; i++) {
            const weld_textern *we = &want->u.ext.exports[i];
            if (!find(have->u.ext.exports, have->u.ext.nexports, we->name))
                *ok = push(a, out, WELD_TARGETS_MISSING_EXPORT, we->name, we->sort, NULL);
        }
        weld_str none = {"", 0};
        if (*ok && out->ndiffs == before) *ok = push(a, out, WELD_TARGETS_OTHER, none, 0xff, d.message);
    } else {
        const weld_tnode *got = weld_ctypes_get(m, WELD_TS_INSTANCE, ninst);
        for (uint32_t i = 0; i < nexp && *ok && got; i++) {
            const weld_cdecl *dc = exps[i];
            weld_textern expect;
            memset(&expect, 0, sizeof expect);
            expect.name = dc->u.ext.name.name;
            expect.sort = dc->u.ext.type.kind;
            expect.type = weld_ctypes_get(m, WELD_TS_TYPE, dc->u.ext.type.index);
            const weld_textern *found = find(got->u.ext.exports, got->u.ext.nexports, expect.name);
            char why[1024] = "";
            if (!found) *ok = push(a, out, WELD_TARGETS_MISSING_EXPORT, expect.name, expect.sort, NULL);
            else if (expect.type && !weld_textern_subtype(found, &expect, why, sizeof why))
                *ok = push(a, out, WELD_TARGETS_EXPORT_TYPE, expect.name, expect.sort, why);
        }
    }
    weld_ctypes_free(m);
    out->conforms = out->ndiffs == 0;
    return true;
}

weld_status weld_targets(weld_arena *arena, const weld_component *c, const weld_wit_resolve *r, uint32_t world,
                         weld_targets_report *out, weld_diag *d)
{
    memset(out, 0, sizeof *out);
    const weld_ctype *wt = NULL;
    weld_status st = weld_wit_world_ctype(r, world, arena, &wt, d);
    if (st != WELD_OK) return st;
    /* the world's type, as the only type of an otherwise empty component */
    weld_csection sec;
    memset(&sec, 0, sizeof sec);
    sec.id = WELD_CSEC_TYPE;
    sec.count = 1;
    sec.u.types = &wt;
    weld_component holder;
    memset(&holder, 0, sizeof holder);
    holder.arena = arena;
    holder.nsections = 1;
    holder.sections = &sec;
    weld_ctypes *mw = NULL, *mc = NULL;
    st = weld_ctypes_build(&holder, NULL, &mw, d);
    if (st != WELD_OK) {
        char msg[sizeof d->message];
        snprintf(msg, sizeof msg, "%s", d->message);
        return weld_diag_set(d, st, WELD_NO_OFFSET, "world `%s` does not type as a component type: %s",
                             r->worlds[world].name, msg);
    }
    st = weld_ctypes_build(c, NULL, &mc, d);
    if (st != WELD_OK) {
        weld_ctypes_free(mw);
        return st;
    }
    const weld_tnode *want = weld_ctypes_get(mw, WELD_TS_TYPE, 0), *have = weld_ctypes_self(mc);
    bool ok = true;
    if (host_check(arena, c, wt, have, want, out, &ok)) {
        weld_ctypes_free(mw);
        weld_ctypes_free(mc);
        if (!ok) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while comparing with the world");
        return WELD_OK;
    }
    /* The verdict, as wit-component's `targets` gets it: a component that imports a
     * component of the world's type, instantiated with the component under test. */
    const char *wname = r->worlds[world].name;
    weld_cdecl idecl;
    memset(&idecl, 0, sizeof idecl);
    weld_csection tester_secs[2], root_secs[3];
    memset(tester_secs, 0, sizeof tester_secs);
    memset(root_secs, 0, sizeof root_secs);
    tester_secs[0] = sec;
    weld_cimport imp;
    memset(&imp, 0, sizeof imp);
    imp.name.name.ptr = wname;
    imp.name.name.len = (uint32_t)strlen(wname);
    imp.type.kind = WELD_EXT_COMPONENT;
    imp.type.index = 0;
    tester_secs[1].id = WELD_CSEC_IMPORT;
    tester_secs[1].count = 1;
    tester_secs[1].u.imports = &imp;
    weld_component tester = holder;
    tester.nsections = 2;
    tester.sections = tester_secs;
    tester.depth = 1;
    weld_inst_arg arg;
    memset(&arg, 0, sizeof arg);
    arg.name = imp.name;
    arg.item.sort.sort = WELD_SORT_COMPONENT;
    arg.item.index = 0;
    weld_instance inst;
    memset(&inst, 0, sizeof inst);
    inst.kind = 0x00;
    inst.component = 1;
    inst.count = 1;
    inst.items = &arg;
    root_secs[0].id = WELD_CSEC_COMPONENT;
    root_secs[0].count = 1;
    root_secs[0].u.component = c;
    root_secs[1].id = WELD_CSEC_COMPONENT;
    root_secs[1].count = 1;
    root_secs[1].u.component = &tester;
    root_secs[2].id = WELD_CSEC_INSTANCE;
    root_secs[2].count = 1;
    root_secs[2].u.instances = &inst;
    weld_component root = holder;
    root.nsections = 3;
    root.sections = root_secs;
    weld_ctypes *mt = NULL;
    weld_diag td;
    weld_diag_init(&td, NULL);
    out->conforms = weld_ctypes_build(&root, NULL, &mt, &td) == WELD_OK;
    weld_ctypes_free(mt);
    if (!out->conforms) {
        /* imports the world does not offer; exports it expects that are missing */
        for (uint32_t i = 0; i < have->u.ext.nimports && ok; i++) {
            const weld_textern *ci = &have->u.ext.imports[i];
            if (!find(want->u.ext.imports, want->u.ext.nimports, ci->name))
                ok = push(arena, out, WELD_TARGETS_EXTRA_IMPORT, ci->name, ci->sort, NULL);
        }
        for (uint32_t i = 0; i < want->u.ext.nexports && ok; i++) {
            const weld_textern *we = &want->u.ext.exports[i];
            if (!find(have->u.ext.exports, have->u.ext.nexports, we->name))
                ok = push(arena, out, WELD_TARGETS_MISSING_EXPORT, we->name, we->sort, NULL);
        }
        if (ok && out->ndiffs == 0) {
            /* the names agree: the types differ (the model names the first place) */
            weld_str none = {"", 0};
            ok = push(arena, out, WELD_TARGETS_OTHER, none, 0xff, td.message);
        }
    }
    weld_ctypes_free(mw);
    weld_ctypes_free(mc);
    if (!ok) return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "out of memory while comparing with the world");
    return WELD_OK;
}
