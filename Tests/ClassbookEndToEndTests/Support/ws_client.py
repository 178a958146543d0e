"""A real WebSocket client (the `websockets` package, from PyPI) for the tests of IRC over
WebSocket: connects, sends each step, and prints what comes back, one message a line ("T " text
frame, "B " binary frame), then how the connection ended.

    python3 ws_client.py URL SUBPROTOCOL|none ORIGIN|none STEP...

After the steps it reads until the connection closes (at most 10 s). A step is a line to send, or: @CRLF (a frame holding two lines), @BIG (a 9,000-byte frame),
@PING (a WebSocket ping; prints PONG when answered), @FLOOD:N (N PING lines at once), @WAIT:S,
@UNTIL:TEXT (reads until a message holding TEXT has come, at most 30 s: no fixed wait that a
loaded machine outlasts), @CLOSE.
"""
import ssl
import sys
import time

from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

url, subprotocol, origin, steps = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
binary = subprotocol == "binary.ircv3.net"


def drain(ws, seconds, until=None):
    end = time.time() + seconds
    while time.time() < end:
        try:
            message = ws.recv(timeout=0.1)
        except TimeoutError:
            continue
        text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
        print(("B " if isinstance(message, bytes) else "T ") + text, flush=True)
        if until is not None and until in text:
            return


try:
    with connect(url, ssl=context, subprotocols=None if subprotocol == "none" else [subprotocol],
                 origin=None if origin == "none" else origin, open_timeout=5, max_size=None) as ws:
        print("SUBPROTOCOL " + str(ws.subprotocol), flush=True)
        try:
            for step in steps:
                if step == "@CRLF":
                    ws.send("PING :a\r\nPING :b")
                elif step == "@BIG":
                    ws.send("PRIVMSG diary :" + "x" * 9000)
                elif step == "@PING":
                    ws.ping().wait(5)
                    print("PONG", flush=True)
                elif step.startswith("@FLOOD:"):
                    for n in range(int(step[7:])):
                        # Cheap lines, as the TLS flood test sends: what is measured is the
                        # flood control, not how fast the bot answers /help on a loaded machine.
                        ws.send("PING :f%d" % n)
                elif step.startswith("@WAIT:"):
                    drain(ws, float(step[6:]))
                elif step.startswith("@UNTIL:"):
                    drain(ws, 30.0, until=step[7:])
                elif step == "@CLOSE":
                    ws.close()
                else:
                    ws.send(step.encode() if binary else step)
            # Until the server closes (every scenario ends in a close), at most 10 s.
            drain(ws, 10.0)
        except ConnectionClosed as closed:
            pass
        print("CLOSED " + str(ws.close_code), flush=True)
except InvalidStatus as refused:
    print("REFUSED " + str(refused.response.status_code), flush=True)
