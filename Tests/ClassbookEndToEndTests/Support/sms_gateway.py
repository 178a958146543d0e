"""A real HTTP server standing in for an SMS gateway in the tests: it appends each request's
path and Authorization header to a log file and answers 200."""
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


HTTPServer(("127.0.0.1", port), Gateway).serve_forever()
