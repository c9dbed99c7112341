/* names.c - the "name" custom section: decoding and encoding, and UTF-8 checking. */
#include "binary.h"

bool weld_utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t len;
        if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
        else return false;
        if (n - i < len) return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return false;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

/* A bounded cursor over the name section payload. */
typedef struct cur {
    const uint8_t *p, *end;
    weld_arena *arena;
} cur;

static bool get_u32(cur *c, uint32_t *v)
{
    return weld_leb_u32(&c->p, c->end, v);
}

static bool get_name(cur *c, weld_str *s)
{
    uint32_t n;
    if (!get_u32(c, &n) || n > (size_t)(c->end - c->p) || !weld_utf8_valid(c->p, n))
        return false;
    s->ptr = weld_arena_strndup(c->arena, (const char *)c->p, n);
    s->len = n;
    c->p += n;
    return s->ptr != NULL;
}

static bool get_name_map(cur *c, weld_name_map *m)
{
    uint32_t n;
    if (!get_u32(c, &n) || n > (size_t)(c->end - c->p) / 2) return false;
    weld_name_assoc *items = weld_arena_alloc(c->arena, (size_t)n * sizeof *items + 1);
    if (!items) return false;
    for (uint32_t i = 0; i < n; i++)
        if (!get_u32(c, &items[i].index) || !get_name(c, &items[i].name)) return false;
    m->count = n;
    m->items = items;
    return true;
}

bool weld_names_decode(weld_arena *arena, const uint8_t *data, size_t len, weld_names *out)
{
    memset(out, 0, sizeof *out);
    cur c = {data, data + len, arena};
    /* count subsections first so the raw list is one allocation */
    uint32_t nsub = 0;
    for (cur s = c; s.p < s.end; nsub++) {
        uint32_t size;
        if (s.p + 1 > s.end) return false;
        s.p++;
        if (!get_u32(&s, &size) || size > (size_t)(s.end - s.p)) return false;
        s.p += size;
    }
    weld_name_subsection *subs = weld_arena_alloc(arena, (size_t)nsub * sizeof *subs + 1);
    if (!subs) return false;
    int last_id = -1;
    for (uint32_t i = 0; i < nsub; i++) {
        uint8_t id = *c.p++;
        uint32_t size = 0;
        get_u32(&c, &size);
        subs[i].id = id;
        subs[i].data = c.p;
        subs[i].len = size;
        cur sub = {c.p, c.p + size, arena};
        c.p += size;
        if (id <= 2) {
            if ((int)id <= last_id) goto bad; /* known subsections in order, once each */
            last_id = id;
        }
        if (id == 0) {
            if (!get_name(&sub, &out->module)) goto bad;
            out->has_module = true;
        } else if (id == 1) {
            if (!get_name_map(&sub, &out->funcs)) goto bad;
        } else if (id == 2) {
            uint32_t n;
            if (!get_u32(&sub, &n) || n > size / 2) goto bad;
            uint32_t *idx = weld_arena_alloc(arena, (size_t)n * sizeof *idx + 1);
            weld_name_map *maps = weld_arena_alloc(arena, (size_t)n * sizeof *maps + 1);
            if (!idx || !maps) goto bad;
            for (uint32_t k = 0; k < n; k++)
                if (!get_u32(&sub, &idx[k]) || !get_name_map(&sub, &maps[k])) goto bad;
            out->locals.count = n;
            out->locals.indices = idx;
            out->locals.maps = maps;
        } else {
            continue; /* kept raw */
        }
        if (sub.p != sub.end) goto bad;
    }
    out->nsubsections = nsub;
    out->subsections = subs;
    return true;
bad:
    memset(out, 0, sizeof *out);
    return false;
}

static void put_name_map(weld_buf *b, const weld_name_map *m)
{
    weld_buf_u32leb(b, m->count);
    for (uint32_t i = 0; i < m->count; i++) {
        weld_buf_u32leb(b, m->items[i].index);
        weld_buf_name(b, m->items[i].name.ptr, m->items[i].name.len);
    }
}

void weld_names_encode(weld_buf *b, const weld_names *names)
{
    for (uint32_t i = 0; i < names->nsubsections; i++) {
        const weld_name_subsection *s = &names->subsections[i];
        weld_buf_byte(b, s->id);
        size_t at = weld_buf_size_begin(b);
        if (s->id == 0) {
            weld_buf_name(b, names->module.ptr, names->module.len);
        } else if (s->id == 1) {
            put_name_map(b, &names->funcs);
        } else if (s->id == 2) {
            weld_buf_u32leb(b, names->locals.count);
            for (uint32_t k = 0; k < names->locals.count; k++) {
                weld_buf_u32leb(b, names->locals.indices[k]);
                put_name_map(b, &names->locals.maps[k]);
            }
        } else {
            weld_buf_append(b, s->data, s->len);
        }
        weld_buf_size_end(b, at);
    }
}
