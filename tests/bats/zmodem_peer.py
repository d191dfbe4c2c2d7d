#!/usr/bin/python3
# zmodem_peer.py - a scripted ZMODEM sender that breaks the rules on
# purpose, for hsxfer_zmodem.bats: on stdin/stdout (the far end of a pty
# pair), it offers one file and then misbehaves as the first argument
# says:
#   lie       announce 100 bytes, send 200
#   offset    send data at offset 500 first (never asked for), then right
# Every read has a deadline (10 s): it never hangs a test.
import binascii, os, select, struct, sys, time

ZDLE = 0x18

def esc(data):
    out = bytearray()
    for c in data:
        if c & 0x7f in (0x10, 0x11, 0x13, 0x18):
            out += bytes([ZDLE, c ^ 0x40])
        else:
            out.append(c)
    return bytes(out)

def hexhdr(t, pos):
    raw = bytes([t]) + struct.pack('<I', pos)
    return b'**\x18B' + (raw + struct.pack('>H', binascii.crc_hqx(raw, 0))).hex().encode() + b'\r\x8a\x11'

def binhdr(t, b4):
    raw = bytes([t]) + b4
    return b'*\x18C' + esc(raw + struct.pack('<I', binascii.crc32(raw)))

def sub(data, end):
    return esc(data) + bytes([ZDLE, end]) + esc(struct.pack('<I', binascii.crc32(data + bytes([end]))))

def put(b):
    os.write(1, b)

seen = b''
def wait_for(marker):
    global seen
    limit = time.monotonic() + 10
    while marker not in seen:
        left = limit - time.monotonic()
        if left <= 0 or not select.select([0], [], [], left)[0]:
            sys.exit('zmodem_peer: no %r in 10 s' % marker)
        chunk = os.read(0, 4096)
        if not chunk:
            sys.exit('zmodem_peer: the line closed')
        seen += chunk
    seen = seen[seen.index(marker) + len(marker):]

ZRINIT, ZFILE, ZDATA, ZEOF, ZFIN, ZRPOS = b'**\x18B01', 4, 10, 11, 8, b'**\x18B09'
mode = sys.argv[1]
put(b'rz\r' + hexhdr(0, 0))
wait_for(ZRINIT)
size = 100 if mode == 'lie' else 300
put(binhdr(ZFILE, b'\0\0\0\1') + sub(b'peer.bin\0%d 0 100644\0' % size, ord('k')))
wait_for(ZRPOS)
data = bytes(range(256)) + bytes(44)
if mode == 'offset':
    put(binhdr(ZDATA, struct.pack('<I', 500)) + sub(data[:100], ord('h')))
    wait_for(ZRPOS)
sent = 200 if mode == 'lie' else 300
put(binhdr(ZDATA, struct.pack('<I', 0)) + sub(data[:sent], ord('h')))
put(binhdr(ZEOF, struct.pack('<I', sent)))
wait_for(ZRINIT)
put(hexhdr(ZFIN, 0))
wait_for(b'**\x18B08')
put(b'OO')
