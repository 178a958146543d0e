"""A real HTTP server standing in for an SMS gateway in the tests: it appends each request's
path and Authorization header to a log file and answers 200. With a certificate and key after
the log file, it speaks HTTPS.

    python3 sms_gateway.py PORT LOG [CERT KEY]
"""
import ssl
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

port, log = int(sys.argv[1]), sys.argv[2]


class Gateway(BaseHTTPRequestHandler):
    def do_GET(self):
        with open(log, "a", encoding="utf-8") as out:
            out.write(self.path + "\t" + (self.headers.get("Authorization") or "") + "\n")
        body = b"OK"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", port), Gateway)
if len(sys.argv) > 4:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[3], sys.argv[4])
    server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
