/* walk_component.c - visiting the nested core modules and components of a component. */
#include "weld/component.h"

static bool walk(const weld_component *c, uint32_t depth, weld_walk_fn fn, void *ud)
{
    for (uint32_t i = 0; i < c->nsections; i++) {
        const weld_csection *s = &c->sections[i];
        if (s->id != WELD_CSEC_CORE_MODULE && s->id != WELD_CSEC_COMPONENT) continue;
        weld_walk_item it = {.depth = depth, .parent = c, .section = s};
        if (s->id == WELD_CSEC_CORE_MODULE) it.module = s->u.module;
        else it.component = s->u.component;
        if (!fn(&it, ud)) return false;
        if (it.component && !walk(it.component, depth + 1, fn, ud)) return false;
    }
    return true;
}

/* Pre-order walk of nested modules and components (see component.h). */
bool weld_component_walk(const weld_component *c, weld_walk_fn fn, void *ud)
{
    return walk(c, 1, fn, ud);
}
