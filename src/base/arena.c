/* arena.c - bump allocation in chunks; one free releases everything. */
#include "base.h"
#include <stdlib.h>

enum { ARENA_ALIGN = 16, ARENA_CHUNK = 64 * 1024 };

typedef struct chunk {
    struct chunk *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} chunk;

struct weld_arena {
    chunk *head;
    size_t total;
};

weld_arena *weld_arena_new(void)
{
    return calloc(1, sizeof(weld_arena));
}

void weld_arena_free(weld_arena *a)
{
    if (!a) return;
    chunk *c = a->head;
    while (c) {
        chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

void *weld_arena_alloc(weld_arena *a, size_t size)
{
    if (size == 0) size = 1;
    if (size > SIZE_MAX - ARENA_ALIGN) return NULL;
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    chunk *c = a->head;
    if (!c || c->size - c->used < size) {
        size_t csize = size > ARENA_CHUNK / 4 ? size : ARENA_CHUNK;
        chunk *n = malloc(sizeof(chunk) + csize);
        if (!n) return NULL;
        n->size = csize;
        n->used = 0;
        if (c && size > ARENA_CHUNK / 4) {
            /* a big block gets its own chunk behind the current one, which keeps its room */
            n->next = c->next;
            c->next = n;
        } else {
            n->next = c;
            a->head = n;
        }
        c = n;
    }
    void *p = c->data + c->used;
    c->used += size;
    a->total += size;
    memset(p, 0, size);
    return p;
}

char *weld_arena_strndup(weld_arena *a, const char *s, size_t n)
{
    char *p = weld_arena_alloc(a, n + 1);
    if (!p) return NULL;
    if (n) memcpy(p, s, n);
    p[n] = 0;
    return p;
}

size_t weld_arena_used(const weld_arena *a)
{
    return a->total;
}
