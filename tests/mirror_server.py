"""A file server for the download tests: serves ROOT over HTTP on loopback
with strong ETags, HEAD, and single "bytes=N-" ranges guarded by If-Range
(as a CDN does), and breaks transfers on request: each line of the file
CUT names a path whose next whole-file answer stops after half its body
(the line is then removed). Every request is logged to LOG as
"METHOD PATH range=R if-range=I -> STATUS".

usage: mirror_server.py ROOT PORT_FILE LOG CUT
"""
import hashlib
import http.server
import os
import sys
import threading

ROOT, PORT_FILE, LOG, CUT = sys.argv[1:5]
lock = threading.Lock()


def take_cut(path):
    """Whether path is to be cut now; one-shot."""
    with lock:
        try:
            with open(CUT) as f:
                lines = [l.strip() for l in f if l.strip()]
        except FileNotFoundError:
            return False
        if path not in lines:
            return False
        lines.remove(path)
        with open(CUT, "w") as f:
            f.write("".join(l + "\n" for l in lines))
        return True


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def log(self, status):
        with lock, open(LOG, "a") as f:
            f.write("%s %s range=%s if-range=%s -> %d\n" % (
                self.command, self.path, self.headers.get("Range", "-"),
                self.headers.get("If-Range", "-"), status))

    def answer(self, body):
        path = self.path.split("?")[0]
        full = os.path.join(ROOT, path.lstrip("/"))
        if ".." in path or not os.path.isfile(full):
            self.log(404)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = open(full, "rb").read()
        etag = '"%s"' % hashlib.sha256(data).hexdigest()[:16]
        start, status = 0, 200
        rng, if_range = self.headers.get("Range"), self.headers.get("If-Range")
        if rng and rng.startswith("bytes=") and rng.endswith("-") and (
                if_range is None or if_range == etag):
            start, status = int(rng[6:-1]), 206
            if start >= len(data):
                self.log(416)
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % len(data))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        self.log(status)
        self.send_response(status)
        self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(data) - start))
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1,
                                                                  len(data)))
        self.end_headers()
        if not body:
            return
        if status == 200 and take_cut(path):
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.wfile.write(data[start:])

    def do_GET(self):
        self.answer(True)

    def do_HEAD(self):
        self.answer(False)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORT_FILE + ".tmp", PORT_FILE)
server.serve_forever()
