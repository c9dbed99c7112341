/* resource.c - handle tables (one per component instance) and borrow scopes
 * (CanonicalABI.md: the handle table, Task/Subtask lenders and borrow counting). */
#include "canon/canon.h"
#include <stdlib.h>

/* The spec's bound on table indices (MAX_LENGTH = 2^28 - 1). */
#define TABLE_MAX ((1u << 28) - 1)

void crt_table_free(crt_table *t)
{
    free(t->v);
    memset(t, 0, sizeof *t);
}

uint32_t crt_table_add(crt_table *t, crt_handle h)
{
    h.used = true;
    h.next_free = 0;
    if (t->free_head) {
        uint32_t i = t->free_head;
        t->free_head = t->v[i].next_free;
        t->v[i] = h;
        return i;
    }
    if (t->n == 0) t->n = 1; /* index 0 is never handed out */
    if (t->n >= TABLE_MAX) return 0;
    if (t->n >= t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 16;
        crt_handle *v = realloc(t->v, (size_t)cap * sizeof *v);
        if (!v) return 0;
        memset(v + t->cap, 0, (size_t)(cap - t->cap) * sizeof *v);
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n] = h;
    return t->n++;
}

crt_handle *crt_table_get(crt_table *t, uint32_t i)
{
    if (i == 0 || i >= t->n || !t->v[i].used) return NULL;
    return &t->v[i];
}

void crt_table_remove(crt_table *t, uint32_t i)
{
    if (!crt_table_get(t, i)) return;
    memset(&t->v[i], 0, sizeof t->v[i]);
    t->v[i].next_free = t->free_head;
    t->free_head = i;
}

/* Record that the own handle t[index] lends a borrow for the call: its lend count rises
 * until crt_scope_end. */
static bool scope_push(crt_scope *s, crt_table *t, uint32_t index)
{
    if (s->nlenders == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 4;
        crt_lender *v = realloc(s->lenders, (size_t)cap * sizeof *v);
        if (!v) return false;
        s->lenders = v;
        s->cap = cap;
    }
    s->lenders[s->nlenders++] = (crt_lender){t, index};
    return true;
}

bool crt_scope_add_lender(crt_scope *s, crt_table *t, uint32_t index)
{
    crt_handle *h = crt_table_get(t, index);
    if (!h || !scope_push(s, t, index)) return false;
    h->lends++;
    return true;
}

bool crt_scope_add_borrow(crt_scope *s, crt_table *t, uint32_t index)
{
    if (!crt_table_get(t, index)) return false;
    return scope_push(s, t, index | CRT_LENDER_BORROW);
}

/* The messages are constants: callers pass them to crt_trap (formatting into the trap
 * buffer), so they must not live there. */
#define HELD(n) "canonical ABI: " #n " borrow handle(s) still held at the end of the call"
static const char *const held_msg[] = {
    NULL,     HELD(1),  HELD(2),  HELD(3),  HELD(4),  HELD(5),  HELD(6),  HELD(7),  HELD(8),
    HELD(9),  HELD(10), HELD(11), HELD(12), HELD(13), HELD(14), HELD(15), HELD(16),
};
#undef HELD

const char *crt_scope_end(crt_scope *s)
{
    for (uint32_t i = 0; i < s->nlenders; i++) {
        uint32_t index = s->lenders[i].index;
        crt_handle *h = crt_table_get(s->lenders[i].table, index & ~(uint32_t)CRT_LENDER_BORROW);
        if (!h) continue;
        if (index & CRT_LENDER_BORROW) {
            /* a borrow of this call still held (or its slot reused by a handle of this
             * call): no pointer to the ended call may remain */
            if (!h->own && h->scope == s) h->scope = NULL;
        } else if (h->lends) {
            h->lends--;
        }
    }
    free(s->lenders);
    s->lenders = NULL;
    s->nlenders = s->cap = 0;
    if (s->borrow_count == 0) return NULL;
    if (s->borrow_count < sizeof held_msg / sizeof held_msg[0]) return held_msg[s->borrow_count];
    return "canonical ABI: more than 16 borrow handles still held at the end of the call";
}
