"""A fault-injecting HTTP proxy for the HTTP backend's tests.

    fault_proxy.py PORT_FILE UPSTREAM_URL LOG_FILE [STALL_S [plain]]

Listens on a free loopback port (written to PORT_FILE once it listens) and
forwards every request to UPSTREAM_URL. POST requests are numbered, and by
their number some are answered with faults instead: HTTP 500, HTTP 429 with
Retry-After, a connection closed before any answer, a stall longer than the
client's time-out, or a reply whose body is cut off in the middle (requests
for token counts get only the quick faults, and less often). Each
request's method, path, whether it carried an Authorization header, and the
fault it got are appended to LOG_FILE as one JSON line.

With "plain" it injects no faults and plays a server that is not
llama-server and returns no log-probabilities: /props and /tokenize answer
404, and every "logprobs" member is taken out of the replies. With
"openai" it plays the same server, but one that returns them.
"""
import http.server
import json
import socketserver
import sys
import threading
import time
import urllib.error
import urllib.request

PORT_FILE, UPSTREAM, LOG = sys.argv[1], sys.argv[2].rstrip("/"), sys.argv[3]
STALL_S = float(sys.argv[4]) if len(sys.argv) > 4 else 6.0
MODE = sys.argv[5] if len(sys.argv) > 5 else ""
PLAIN = MODE in ("plain", "openai")
lock = threading.Lock()
counter = [0]

# By number modulo 20, what goes wrong with a request for an answer (one in
# four: a request then fails for good only if all its tries do, about
# 0.25^13 with 12 retries); the rest pass through. Other POSTs (token
# counts, asked one at a time) get only the quick faults, and less often.
FAULTS = {1: "500", 5: "429", 9: "drop", 13: "cut", 17: "stall"}
OTHER_FAULTS = {7: "500", 17: "drop", 27: "cut"}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def log(self, fault):
        with open(LOG, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "auth": "Authorization" in self.headers,
                                "key": self.headers.get("Authorization", ""),
                                "fault": fault}) + "\n")

    def forward(self, body):
        req = urllib.request.Request(UPSTREAM + self.path, data=body, method=self.command)
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=600) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def reply(self, status, data, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n) if n else None
        fault = None
        if PLAIN:
            return self.plain(body)
        if self.command == "POST":
            with lock:
                counter[0] += 1
                if "completion" in self.path:
                    fault = FAULTS.get(counter[0] % 20)
                else:
                    fault = OTHER_FAULTS.get(counter[0] % 30)
        self.log(fault)
        if fault == "500":
            return self.reply(500, b'{"error":{"code":500,"message":"injected failure"}}')
        if fault == "429":
            return self.reply(429, b'{"error":{"message":"slow down"}}', [("Retry-After", "1")])
        if fault == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if fault == "stall":
            time.sleep(STALL_S)
        status, data = self.forward(body)
        if fault == "cut":
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.reply(status, data)

    def plain(self, body):
        self.log(None)
        if self.path.startswith("/props") or self.path.startswith("/tokenize"):
            return self.reply(404, b'{"error":{"message":"not found"}}')
        status, data = self.forward(body)
        try:
            doc = json.loads(data)
            for c in doc.get("choices", []) if MODE == "plain" else []:
                c.pop("logprobs", None)
            data = json.dumps(doc).encode()
        except ValueError:
            pass
        self.reply(status, data)

    def handle_safely(self):
        # The client gives up on stalled requests: their late answers find
        # the connection closed, which is what a stall is for.
        try:
            self.handle_any()
        except OSError:
            self.close_connection = True

    do_GET = handle_safely
    do_POST = handle_safely


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Handler)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(PORT_FILE + ".tmp", PORT_FILE)
srv.serve_forever()
