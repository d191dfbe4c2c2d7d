#!/usr/bin/python3
"""rfc2217_server.py - pyserial's RFC 2217 server example (Debian's
python3-serial, run unmodified) on 127.0.0.1 only and a port the kernel
picks: its socket calls are redirected before it runs, and the port is
written to PORTFILE once it listens (written whole: a temp file, renamed).

    /usr/bin/python3 rfc2217_server.py PORTFILE [SERIAL-URL [ARGS...]]

ARGS go to the example (-v -v: log every request it executes).
SERIAL-URL defaults to loop:// (what is sent comes back, RTS shows as CTS
and DTR as DSR). Debian's python3 has the serial module; a python3 on PATH
may not.
"""
import os
import runpy
import socket
import sys

EXAMPLE = '/usr/share/doc/python3-serial/examples/rfc2217_server.py'

portfile = sys.argv[1]
url = sys.argv[2] if len(sys.argv) > 2 else 'loop://'
real_bind = socket.socket.bind
real_listen = socket.socket.listen


def bind(sock, address):
    return real_bind(sock, ('127.0.0.1', 0))


def listen(sock, *args):
    real_listen(sock, *args)
    with open(portfile + '.tmp', 'w') as f:
        f.write('%d\n' % sock.getsockname()[1])
    os.rename(portfile + '.tmp', portfile)


socket.socket.bind = bind
socket.socket.listen = listen
sys.argv = [EXAMPLE, url, '-p', '0'] + sys.argv[3:]
runpy.run_path(EXAMPLE, run_name='__main__')
