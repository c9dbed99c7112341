/* p2_http.c - wasi:http for the WASI 0.2 host, as far as it goes: wasi:http/types and
 * wasi:http/outgoing-handler are defined so that components importing them (every
 * componentize-js component does) instantiate and run, but weld makes no HTTP request:
 * each function traps when called. */
#include "wasi/p2_int.h"
#include "base/base.h"
#include <stdio.h>
#include <string.h>

const char *const p2_http_resources[P2_NHTTP] = {
    "fields",
    "incoming-request",
    "outgoing-request",
    "request-options",
    "response-outparam",
    "incoming-response",
    "incoming-body",
    "future-trailers",
    "outgoing-response",
    "outgoing-body",
    "future-incoming-response",
};

static weld_status no_http(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n, weld_cval *res)
{
    return p2_trap(call, "wasi:http: not provided by weld's host (no HTTP requests)");
}

const p2_def p2_http_defs[] = {
    {"wasi:http/types", "http-error-code", no_http},
    {"wasi:http/types", "[constructor]fields", no_http},
    {"wasi:http/types", "[static]fields.from-list", no_http},
    {"wasi:http/types", "[method]fields.get", no_http},
    {"wasi:http/types", "[method]fields.has", no_http},
    {"wasi:http/types", "[method]fields.set", no_http},
    {"wasi:http/types", "[method]fields.delete", no_http},
    {"wasi:http/types", "[method]fields.append", no_http},
    {"wasi:http/types", "[method]fields.entries", no_http},
    {"wasi:http/types", "[method]fields.clone", no_http},
    {"wasi:http/types", "[method]incoming-request.method", no_http},
    {"wasi:http/types", "[method]incoming-request.path-with-query", no_http},
    {"wasi:http/types", "[method]incoming-request.scheme", no_http},
    {"wasi:http/types", "[method]incoming-request.authority", no_http},
    {"wasi:http/types", "[method]incoming-request.headers", no_http},
    {"wasi:http/types", "[method]incoming-request.consume", no_http},
    {"wasi:http/types", "[constructor]outgoing-request", no_http},
    {"wasi:http/types", "[method]outgoing-request.body", no_http},
    {"wasi:http/types", "[method]outgoing-request.method", no_http},
    {"wasi:http/types", "[method]outgoing-request.set-method", no_http},
    {"wasi:http/types", "[method]outgoing-request.path-with-query", no_http},
    {"wasi:http/types", "[method]outgoing-request.set-path-with-query", no_http},
    {"wasi:http/types", "[method]outgoing-request.scheme", no_http},
    {"wasi:http/types", "[method]outgoing-request.set-scheme", no_http},
    {"wasi:http/types", "[method]outgoing-request.authority", no_http},
    {"wasi:http/types", "[method]outgoing-request.set-authority", no_http},
    {"wasi:http/types", "[method]outgoing-request.headers", no_http},
    {"wasi:http/types", "[constructor]request-options", no_http},
    {"wasi:http/types", "[method]request-options.connect-timeout", no_http},
    {"wasi:http/types", "[method]request-options.set-connect-timeout", no_http},
    {"wasi:http/types", "[method]request-options.first-byte-timeout", no_http},
    {"wasi:http/types", "[method]request-options.set-first-byte-timeout", no_http},
    {"wasi:http/types", "[method]request-options.between-bytes-timeout", no_http},
    {"wasi:http/types", "[method]request-options.set-between-bytes-timeout", no_http},
    {"wasi:http/types", "[method]response-outparam.send-informational", no_http},
    {"wasi:http/types", "[static]response-outparam.set", no_http},
    {"wasi:http/types", "[method]incoming-response.status", no_http},
    {"wasi:http/types", "[method]incoming-response.headers", no_http},
    {"wasi:http/types", "[method]incoming-response.consume", no_http},
    {"wasi:http/types", "[method]incoming-body.stream", no_http},
    {"wasi:http/types", "[static]incoming-body.finish", no_http},
    {"wasi:http/types", "[method]future-trailers.subscribe", no_http},
    {"wasi:http/types", "[method]future-trailers.get", no_http},
    {"wasi:http/types", "[constructor]outgoing-response", no_http},
    {"wasi:http/types", "[method]outgoing-response.status-code", no_http},
    {"wasi:http/types", "[method]outgoing-response.set-status-code", no_http},
    {"wasi:http/types", "[method]outgoing-response.headers", no_http},
    {"wasi:http/types", "[method]outgoing-response.body", no_http},
    {"wasi:http/types", "[method]outgoing-body.write", no_http},
    {"wasi:http/types", "[static]outgoing-body.finish", no_http},
    {"wasi:http/types", "[method]future-incoming-response.subscribe", no_http},
    {"wasi:http/types", "[method]future-incoming-response.get", no_http},
    {"wasi:http/outgoing-handler", "handle", no_http},
    {NULL, NULL, NULL},
};

weld_status p2_http_link(weld_wasi2 *w, weld_crt_linker *l, const char *version, weld_diag *d)
{
    static const struct {
        const char *iface, *name, *as;
    } alias[] = {
        {"wasi:http/types", "headers", "fields"},
        {"wasi:http/types", "trailers", "fields"},
        {"wasi:http/outgoing-handler", "outgoing-request", NULL},
        {"wasi:http/outgoing-handler", "request-options", NULL},
        {"wasi:http/outgoing-handler", "future-incoming-response", NULL},
    };
    static const struct {
        const char *name;
        p2_kind kind;
    } io[] = {{"input-stream", P2_IN}, {"output-stream", P2_OUT}, {"io-error", P2_ERR}, {"pollable", P2_POLL}};
    char inst[128];
    snprintf(inst, sizeof inst, "wasi:http/types%s", version);
    for (uint32_t i = 0; i < P2_NHTTP; i++)
        if (weld_crt_linker_resource(l, inst, p2_http_resources[i], w->http[i]))
            return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "cannot define %s", inst);
    for (size_t i = 0; i < sizeof io / sizeof *io; i++)
        if (weld_crt_linker_resource(l, inst, io[i].name, w->types[io[i].kind]))
            return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "cannot define %s", inst);
    for (size_t i = 0; i < sizeof alias / sizeof *alias; i++) {
        const char *target = alias[i].as ? alias[i].as : alias[i].name;
        for (uint32_t k = 0; k < P2_NHTTP; k++) {
            if (strcmp(p2_http_resources[k], target)) continue;
            snprintf(inst, sizeof inst, "%s%s", alias[i].iface, version);
            if (weld_crt_linker_resource(l, inst, alias[i].name, w->http[k]))
                return weld_diag_set(d, WELD_ERR_NOMEM, WELD_NO_OFFSET, "cannot define %s", inst);
        }
    }
    return WELD_OK;
}
