"""A real SMTP server (aiosmtpd) that accepts a message's envelope and then stalls: it never
answers the message's end. For the test that the client's timeout fires.

    python3 stalled_smtp.py PORT
"""
import asyncio
import sys
import time

from aiosmtpd.controller import Controller


class Stall:
    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(3600)
        return "250 OK"


controller = Controller(Stall(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
while True:
    time.sleep(3600)
