/* producers.h - the `producers` custom section (tool-conventions): fields such as
 * `language`, `processed-by`, `sdk`, each a list of (name, version) pairs. */
#ifndef WELD_PRODUCERS_H
#define WELD_PRODUCERS_H

#include "weld/module.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weld_producer {
    weld_str name, version;
} weld_producer;

typedef struct weld_producers_field {
    weld_str name;
    uint32_t count;
    const weld_producer *values;
} weld_producers_field;

typedef struct weld_producers {
    uint32_t nfields;
    const weld_producers_field *fields;
} weld_producers;

/* Decode the payload of a `producers` section; strings point into `data`. Returns
 * WELD_ERR_MALFORMED (with the offset within the payload) when it does not decode. */
weld_status weld_producers_read(weld_arena *arena, const uint8_t *data, size_t len, weld_producers *out,
                                weld_diag *d);

#ifdef __cplusplus
}
#endif
#endif
