"""Checks a report page in headless Chromium (Debian's `chromium`).

usage: report_check.py PAGE.html WORKDIR MIN_CHARTS

1. Loaded as it is: no console message at all (no script error, no
   blocked fetch), the page's script ran (body[data-ready]), the boards,
   the charts and the sample browser are in the DOM.
2. Loaded with its Content-Security-Policy removed: the network log holds
   no request that the page made, so it fetches nothing even where no
   policy would stop it.
3. A screenshot shows the charts' bars in the palette's first two colours
   and the tables' text.
"""
import json
import os
import re
import struct
import subprocess
import sys
import zlib

PAGE, WORK, MIN_CHARTS = sys.argv[1], sys.argv[2], int(sys.argv[3])
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-default-apps", "--virtual-time-budget=5000"]


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def chromium(*args):
    p = subprocess.run(["chromium"] + FLAGS + list(args), capture_output=True, text=True,
                       timeout=120)
    if p.returncode != 0:
        fail(f"chromium exited {p.returncode}: {p.stderr[-2000:]}")
    return p


def url(path):
    return "file://" + os.path.abspath(path)


# 1. The DOM and the console.
p = chromium("--enable-logging=stderr", "--v=0", "--dump-dom", url(PAGE))
console = [l for l in p.stderr.splitlines() if ":CONSOLE" in l]
if console:
    fail("console messages:\n" + "\n".join(console))
dom = p.stdout
if 'data-ready="1"' not in dom:
    fail("the page's script did not finish")
boards = re.findall(r'<table class="board sortable">', dom)
charts = re.findall(r"<svg ", dom)
cards = re.findall(r'<div class="sample">', dom)
if not boards:
    fail("no board in the page")
if len(charts) < MIN_CHARTS:
    fail(f"{len(charts)} charts, expected at least {MIN_CHARTS}")
if not cards:
    fail("the sample browser shows no sample")
print(f"dom: {len(boards)} boards, {len(charts)} charts, {len(cards)} samples shown")

# 2. The network, with the page's policy taken away.
src = open(PAGE, encoding="utf-8").read()
bare = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", src)
if bare == src:
    fail("the page has no Content-Security-Policy")
bare_path = os.path.join(WORK, "bare.html")
open(bare_path, "w", encoding="utf-8").write(bare)


def page_requests(path, name):
    """The URLs of the requests a page made (not the browser's own)."""
    netlog = os.path.join(WORK, name)
    chromium("--dump-dom", "--log-net-log=" + netlog, url(path))
    log = json.load(open(netlog))
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    made = []
    for e in log["events"]:
        params = e.get("params") or {}
        u = params.get("url", "")
        if names.get(e["type"]) != "URL_REQUEST_START_JOB" or not u:
            continue
        # The browser's own background requests have no origin and no
        # file:// page above them; the page's have both.
        if params.get("initiator") != "not an origin" or \
                "file://" in params.get("network_isolation_key", ""):
            made.append(u)
    return made


made = page_requests(bare_path, "net.json")
if made:
    fail("the page made network requests: " + ", ".join(sorted(set(made))))
# The same check sees a request when a page makes one.
canary = os.path.join(WORK, "canary.html")
open(canary, "w", encoding="utf-8").write(
    bare.replace("<body>", '<body><img src="http://127.0.0.1:9/canary.png">', 1))
if not any("canary.png" in u for u in page_requests(canary, "canary.json")):
    fail("the network check did not see the canary's request")
print("network: no request made by the page")


# 3. The pixels.
def png_pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 6), (depth, color)
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, prev, rows = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


shot = os.path.join(WORK, "page.png")
chromium("--screenshot=" + shot, "--window-size=1280,4000", "--hide-scrollbars", url(PAGE))
w, h, bpp, rows = png_pixels(shot)
counts = {"#4e79a7": 0, "#f28e2b": 0, "text": 0}
want = {(0x4e, 0x79, 0xa7): "#4e79a7", (0xf2, 0x8e, 0x2b): "#f28e2b"}
for row in rows:
    for x in range(0, w * bpp, bpp):
        px = (row[x], row[x + 1], row[x + 2])
        if px in want:
            counts[want[px]] += 1
        elif max(px) < 60:
            counts["text"] += 1
print("screenshot pixels:", counts)
for k, least in (("#4e79a7", 200), ("#f28e2b", 200), ("text", 2000)):
    if counts[k] < least:
        fail(f"the screenshot has {counts[k]} pixels of {k}, expected at least {least}")
print("report: ok")
