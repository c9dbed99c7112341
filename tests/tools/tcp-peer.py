#!/usr/bin/env python3
"""A TCP peer outside Wasm for tests/cli/wasi2_sockets.sh (127.0.0.1 only):
    tcp-peer.py serve PORTFILE   listen on an ephemeral port, write it to PORTFILE, accept one
                                 connection, read to its end, answer "echo: " + what came
    tcp-peer.py free             print a port that was free a moment ago
    tcp-peer.py connect PORT     connect (retrying for up to 20 s while nothing listens), send
                                 "ping from host\\n", shut the sending side, print the reply
Times out (exit 2) rather than waiting forever."""
import os, socket, sys, time

cmd = sys.argv[1]
if cmd == "serve":
    l = socket.socket()
    l.bind(("127.0.0.1", 0))
    l.listen(1)
    l.settimeout(60)
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(l.getsockname()[1]))
    os.rename(tmp, sys.argv[2])
    c, _ = l.accept()
    c.settimeout(60)
    data = b""
    while True:
        b = c.recv(4096)
        if not b:
            break
        data += b
    c.sendall(b"echo: " + data)
    c.close()
elif cmd == "free":
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()
elif cmd == "connect":
    end = time.time() + 20
    while True:
        try:
            c = socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=60)
            break
        except OSError:
            if time.time() > end:
                sys.exit(2)
            time.sleep(0.05)
    c.sendall(b"ping from host\n")
    c.shutdown(socket.SHUT_WR)
    data = b""
    while True:
        b = c.recv(4096)
        if not b:
            break
        data += b
    sys.stdout.write(data.decode())
