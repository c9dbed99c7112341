/* targets.c - a component against a WIT world: the world becomes a component type
 * (weld_wit_world_ctype), both are typed by the component type model, and the verdict is
 * the model's subtype check of the component's type against the world's. Differences are
 * then listed item by item: names present on one side only, and per-name type checks. */
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
    bool ok = true;
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
