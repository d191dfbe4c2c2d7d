"""pty_modem.py - the far end of a pty that plays a modem with no modem
lines: AT... gets OK, ATD gets CONNECT 9600, and from then on what comes
is swallowed, so a call stays up and quiet until the pty closes. Used by
tests/bats/waits.bats and bench/hsdial_idle.sh (socat ... EXEC:...)."""
import os

buf, online = b"", False
while True:
    data = os.read(0, 256)
    if not data:
        break
    if online:
        continue
    buf += data
    while b"\r" in buf and not online:
        line, buf = buf.split(b"\r", 1)
        line = line.strip().upper()
        if line.startswith(b"ATD"):
            os.write(1, b"\r\nCONNECT 9600\r\n")
            online = True
        elif line.startswith(b"AT"):
            os.write(1, b"\r\nOK\r\n")
