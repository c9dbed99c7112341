/* p2_sock.c - wasi:sockets for the WASI 0.2 host, as far as it goes: the interfaces are
 * defined so that components importing them instantiate, but no socket is ever made:
 * create-tcp-socket, create-udp-socket and resolve-addresses fail with access-denied
 * (not-supported when the configuration allows the network: weld has no network stack
 * yet). The methods of sockets and their streams are therefore unreachable; they trap. */
#include "wasi/p2_int.h"

enum { NET_ACCESS_DENIED = 1, NET_NOT_SUPPORTED = 2 };

static weld_status refused(weld_wasi2 *w, weld_crt_host_call *call, weld_cval *res)
{
    return p2_err(call, res, w->allow_net ? NET_NOT_SUPPORTED : NET_ACCESS_DENIED);
}

static weld_status create_socket(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                 weld_cval *res)
{
    return refused(ctx, call, res);
}

static weld_status resolve_addresses(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                     weld_cval *res)
{
    weld_wasi2 *w = ctx;
    P2_SELF(net, a[0], P2_NET);
    (void)net;
    return refused(w, call, res);
}

static weld_status instance_network(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                    weld_cval *res)
{
    weld_wasi2 *w = ctx;
    uint32_t rep = p2_new(w, P2_NET);
    if (!rep) return p2_trap(call, "wasi: out of memory");
    *res = p2_own(w, P2_NET, rep);
    return WELD_OK;
}

static weld_status network_error_code(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                                      weld_cval *res)
{
    return p2_var(res, 0, NULL) ? WELD_OK : p2_trap(call, "wasi: out of memory"); /* none */
}

static weld_status no_socket(void *ctx, weld_crt_host_call *call, const weld_cval *a, uint32_t n,
                             weld_cval *res)
{
    return p2_trap(call, "wasi:sockets: no socket exists (the host makes none)");
}

const p2_def p2_sock_defs[] = {
    {"wasi:sockets/instance-network", "instance-network", instance_network},
    {"wasi:sockets/network", "network-error-code", network_error_code},
    {"wasi:sockets/tcp-create-socket", "create-tcp-socket", create_socket},
    {"wasi:sockets/udp-create-socket", "create-udp-socket", create_socket},
    {"wasi:sockets/ip-name-lookup", "resolve-addresses", resolve_addresses},
    {"wasi:sockets/tcp", "[method]tcp-socket.start-bind", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.finish-bind", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.start-connect", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.finish-connect", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.start-listen", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.finish-listen", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.accept", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.local-address", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.remote-address", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.is-listening", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.address-family", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.set-listen-backlog-size", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.keep-alive-enabled", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.set-keep-alive-enabled", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.keep-alive-idle-time", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.set-keep-alive-idle-time", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.keep-alive-interval", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.set-keep-alive-interval", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.keep-alive-count", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.set-keep-alive-count", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.hop-limit", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.set-hop-limit", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.receive-buffer-size", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.set-receive-buffer-size", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.send-buffer-size", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.set-send-buffer-size", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.subscribe", no_socket},
    {"wasi:sockets/tcp", "[method]tcp-socket.shutdown", no_socket},
    {"wasi:sockets/udp", "[method]udp-socket.start-bind", no_socket},
    {"wasi:sockets/udp", "[method]udp-socket.finish-bind", no_socket},
    {"wasi:sockets/udp", "[method]udp-socket.stream", no_socket},
    {"wasi:sockets/udp", "[method]udp-socket.local-address", no_socket},
    {"wasi:sockets/udp", "[method]udp-socket.remote-address", no_socket},
    {"wasi:sockets/udp", "[method]udp-socket.address-family", no_socket},
    {"wasi:sockets/udp", "[method]udp-socket.unicast-hop-limit", no_socket},
    {"wasi:sockets/udp", "[method]udp-socket.set-unicast-hop-limit", no_socket},
    {"wasi:sockets/udp", "[method]udp-socket.receive-buffer-size", no_socket},
    {"wasi:sockets/udp", "[method]udp-socket.set-receive-buffer-size", no_socket},
    {"wasi:sockets/udp", "[method]udp-socket.send-buffer-size", no_socket},
    {"wasi:sockets/udp", "[method]udp-socket.set-send-buffer-size", no_socket},
    {"wasi:sockets/udp", "[method]udp-socket.subscribe", no_socket},
    {"wasi:sockets/udp", "[method]incoming-datagram-stream.receive", no_socket},
    {"wasi:sockets/udp", "[method]incoming-datagram-stream.subscribe", no_socket},
    {"wasi:sockets/udp", "[method]outgoing-datagram-stream.check-send", no_socket},
    {"wasi:sockets/udp", "[method]outgoing-datagram-stream.send", no_socket},
    {"wasi:sockets/udp", "[method]outgoing-datagram-stream.subscribe", no_socket},
    {"wasi:sockets/ip-name-lookup", "[method]resolve-address-stream.resolve-next-address", no_socket},
    {"wasi:sockets/ip-name-lookup", "[method]resolve-address-stream.subscribe", no_socket},
    {NULL, NULL, NULL},
};
