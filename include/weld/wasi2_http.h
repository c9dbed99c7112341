/* wasi2_http.h - serving HTTP requests with a wasi:http/proxy component on the WASI 0.2
 * host (weld/wasi2.h): wasi:http/types and wasi:http/incoming-handler as the host sees
 * them. The host hands one request, already read in full, to the component's
 * incoming-handler `handle` export and collects the response it sets (status, headers,
 * the whole body). outgoing-handler makes no request: it returns the error-code
 * HTTP-request-denied.
 *
 *   weld_wasi2_http_request rq = {.method = "GET", .scheme = "http", .authority = "host",
 *                                 .path_with_query = "/x?y", .headers = h, .nheaders = n};
 *   weld_wasi2_http_response rs;
 *   weld_wasi2_set_deadline(w, now_ns + 5e9);          // optional: host calls trap after
 *   if (weld_wasi2_http_handle(w, rt, inst, &rq, &rs, &d) == WELD_OK) ... rs.status ...
 *   weld_wasi2_http_response_free(&rs);
 *
 * Header fields follow the rules of wasi:http: names are HTTP tokens (their case kept,
 * lookup ignoring it), values contain no CR, LF or NUL; the hop-by-hop fields
 * (connection, keep-alive, proxy-authenticate, proxy-authorization, proxy-connection,
 * te, transfer-encoding, upgrade, http2-settings) are forbidden; the headers of a request
 * or a response, once it exists, are immutable. */
#ifndef WELD_WASI2_HTTP_H
#define WELD_WASI2_HTTP_H

#include "weld/wasi2.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weld_wasi2_http_field {
    const char *name;        /* NUL-terminated */
    const uint8_t *value;
    size_t len;
} weld_wasi2_http_field;

typedef struct weld_wasi2_http_request {
    const char *method;          /* "GET", "POST", ... (others as method.other) */
    const char *scheme;          /* "http", "https" (NULL: none) */
    const char *authority;       /* NULL: none */
    const char *path_with_query; /* NULL: none */
    const weld_wasi2_http_field *headers;
    uint32_t nheaders;
    const uint8_t *body;         /* the whole request body (copied) */
    size_t body_len;
} weld_wasi2_http_request;

/* What the component answered. Strings and bytes are malloc'd: free with
 * weld_wasi2_http_response_free. */
typedef struct weld_wasi2_http_response {
    uint16_t status;
    weld_wasi2_http_field *headers; /* names and values owned by the response */
    uint32_t nheaders;
    uint8_t *body;
    size_t body_len;
} weld_wasi2_http_response;

/* Call the wasi:http/incoming-handler@0.2.x `handle` export of instance i with the
 * request. WELD_OK with *resp filled when the handler set a response and finished its
 * body. Otherwise d says why and *resp is empty: WELD_ERR_TRAP for a trap (also when the
 * handler returned without setting a response, set an error-code, or dropped the body
 * without finishing it), WELD_ERR_LINK when there is no such export. */
weld_status weld_wasi2_http_handle(weld_wasi2 *w, weld_crt *rt, weld_crt_instance *i,
                                   const weld_wasi2_http_request *req,
                                   weld_wasi2_http_response *resp, weld_diag *d);
void weld_wasi2_http_response_free(weld_wasi2_http_response *resp);

/* Host calls of the context made after `monotonic_ns` (CLOCK_MONOTONIC) trap with "the
 * time limit of the call was exceeded" (0: no limit). Core code that makes no host call
 * is bounded by the runtime's fuel (weld_rt_limits.fuel), not by this. */
void weld_wasi2_set_deadline(weld_wasi2 *w, uint64_t monotonic_ns);

#ifdef __cplusplus
}
#endif
#endif
