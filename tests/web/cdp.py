#!/usr/bin/env python3
"""Drive headless Chromium over the DevTools protocol on a pipe
(--remote-debugging-pipe: fd 3 in, fd 4 out, NUL-separated JSON), with
the Python standard library only. Used by tests/web/browser.sh:

  cdp.py --browser chromium --cookie NAME=VALUE --origin http://H:P \
         --url URL --png OUT.png --dom OUT.html --eval JS --eval-out OUT.json

loads URL with the session cookie set, waits for the load event, saves a
screenshot, the DOM as rendered, and the JSON value of the expression.
"""
import argparse, base64, json, os, subprocess, sys, tempfile, time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--browser", default="chromium")
    ap.add_argument("--cookie", action="append", default=[])
    ap.add_argument("--origin", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--png")
    ap.add_argument("--dom")
    ap.add_argument("--eval")
    ap.add_argument("--eval-out")
    ap.add_argument("--timeout", type=float, default=30)
    a = ap.parse_args()

    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()
    profile = tempfile.mkdtemp(prefix="cdp-profile.")

    def child_fds():
        # copies first: a pipe end may already be fd 3 or 4, and dup2()
        # onto itself would leave it close-on-exec
        r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)
        os.dup2(r, 3)
        os.dup2(w, 4)

    proc = subprocess.Popen(
        [a.browser, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-dev-shm-usage", "--no-first-run",
         "--no-default-browser-check", "--disable-extensions",
         "--user-data-dir=" + profile, "--remote-debugging-pipe",
         "--window-size=1280,900", "about:blank"],
        preexec_fn=child_fds,
        close_fds=False, stdout=subprocess.DEVNULL,
        stderr=open(os.path.join(profile, "stderr"), "w"))
    os.close(to_chrome_r)
    os.close(from_chrome_w)
    out = os.fdopen(to_chrome_w, "wb", buffering=0)
    inp = os.fdopen(from_chrome_r, "rb", buffering=0)
    buf = b""
    deadline = time.time() + a.timeout
    next_id = [0]
    events = []

    def read_msg():
        nonlocal buf
        while b"\0" not in buf:
            if time.time() > deadline:
                raise SystemExit("cdp: timed out")
            chunk = inp.read(65536)
            if not chunk:
                raise SystemExit("cdp: browser closed the pipe")
            buf += chunk
        msg, buf = buf.split(b"\0", 1)
        return json.loads(msg)

    def call(method, params=None, session=None):
        next_id[0] += 1
        m = {"id": next_id[0], "method": method, "params": params or {}}
        if session:
            m["sessionId"] = session
        out.write(json.dumps(m).encode() + b"\0")
        while True:
            r = read_msg()
            if r.get("id") == next_id[0]:
                if "error" in r:
                    raise SystemExit("cdp: %s: %s" % (method, r["error"]))
                return r.get("result", {})
            events.append(r)

    def wait_event(name, session):
        while True:
            for i, e in enumerate(events):
                if e.get("method") == name and e.get("sessionId") == session:
                    del events[i]
                    return e
            events.append(read_msg())

    try:
        cookies = []
        for c in a.cookie:
            name, value = c.split("=", 1)
            cookies.append({"name": name, "value": value, "url": a.origin,
                            "httpOnly": True, "sameSite": "Strict"})
        if cookies:
            call("Storage.setCookies", {"cookies": cookies})
        t = call("Target.createTarget", {"url": "about:blank"})
        s = call("Target.attachToTarget",
                 {"targetId": t["targetId"], "flatten": True})["sessionId"]
        call("Page.enable", session=s)
        call("Emulation.setDeviceMetricsOverride",
             {"width": 1280, "height": 900, "deviceScaleFactor": 1,
              "mobile": False}, session=s)
        call("Page.navigate", {"url": a.url}, session=s)
        wait_event("Page.loadEventFired", s)
        if a.dom:
            r = call("Runtime.evaluate",
                     {"expression": "document.documentElement.outerHTML",
                      "returnByValue": True}, session=s)
            with open(a.dom, "w") as f:
                f.write(r["result"]["value"])
        if a.eval:
            r = call("Runtime.evaluate",
                     {"expression": a.eval, "returnByValue": True},
                     session=s)
            if "exceptionDetails" in r:
                raise SystemExit("cdp: eval: %s" % r["exceptionDetails"])
            with open(a.eval_out, "w") as f:
                json.dump(r["result"].get("value"), f, ensure_ascii=False)
        if a.png:
            r = call("Page.captureScreenshot",
                     {"format": "png", "captureBeyondViewport": True},
                     session=s)
            with open(a.png, "wb") as f:
                f.write(base64.b64decode(r["data"]))
        try:
            call("Browser.close")
        except SystemExit:
            pass
    finally:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        subprocess.call(["rm", "-rf", profile])


if __name__ == "__main__":
    main()
