#!/usr/bin/python3
"""closing_server.py - a raw TCP server that goes away in the middle of a
job: it listens on 127.0.0.1 on a port the kernel picks (written to
PORTFILE once it listens), takes one connection, reads until it has
AFTER bytes, writes how many it read to COUNTFILE and closes.

    /usr/bin/python3 closing_server.py PORTFILE COUNTFILE AFTER
"""
import os
import socket
import sys

portfile, countfile, after = sys.argv[1], sys.argv[2], int(sys.argv[3])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(('127.0.0.1', 0))
srv.listen(1)
with open(portfile + '.tmp', 'w') as f:
    f.write('%d\n' % srv.getsockname()[1])
os.rename(portfile + '.tmp', portfile)
srv.settimeout(30)
conn, _ = srv.accept()
conn.settimeout(30)
got = 0
while got < after:
    data = conn.recv(min(65536, after - got))
    if not data:
        break
    got += len(data)
with open(countfile, 'w') as f:
    f.write('%d\n' % got)
conn.close()
srv.close()
