"""Drives the dashboard in a real headless Chromium, through chromedriver's W3C WebDriver API
(plain HTTP and JSON, so the Python standard library is all it needs; the browser and driver
are the distribution's `chromium` and `chromium-driver`). Run by tests/cli/dashboard.rs:

    dashboard_browser.py URL ARTIFACT_DIR RELEASE_COMMAND_JSON DASHBOARD_PID

1. the page shows a row for every cluster, and the token left the address bar;
2. a release started on the command line moves the rows' routed weight, without a reload;
3. a row's detail shows the analysis, hooks, events and the primary's and canary's images;
4. promote on a row held at its gate shows the plan, needs the typed count (the dashboard runs
   with --protected matching that cluster), and its result row comes back;
5. pause fleet-wide asks for the typed number of clusters, refuses a wrong one, then pauses;
6. 1000 rows: how long the page takes to add them and to update them one by one (printed);
7. the dashboard stopped (SIGTERM): the page says its stream is down and dims the rows.

Screenshots go to ARTIFACT_DIR (dashboard-start.png, dashboard-mid-rollout.png). Exits 0 when
every step held, 1 with the reason otherwise.
"""

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

PATIENCE = 60.0
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"

# Flags that keep Chromium from reaching out to the network (this machine has none: it would
# hang on it) and from needing a sandbox a container does not give.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1360,760",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    def __init__(self, chromium, chromedriver, profile):
        self.port = free_port()
        self.driver = subprocess.Popen(
            [chromedriver, f"--port={self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        wait("chromedriver to answer", lambda: self._ready())
        options = {"binary": chromium, "args": CHROMIUM_ARGS + [f"--user-data-dir={profile}"]}
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}}
        self.session = self.call("POST", "/session", caps)["sessionId"]

    def _ready(self):
        try:
            with urllib.request.urlopen(self.base + "/status", timeout=2) as r:
                return json.load(r)["value"]["ready"]
        except (OSError, ValueError, KeyError):
            return False

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=PATIENCE) as r:
                return json.load(r)["value"]
        except urllib.error.HTTPError as e:
            raise AssertionError(f"webdriver {method} {path}: {e.code} {e.read().decode()[:500]}")

    def s(self, path):
        return f"/session/{self.session}{path}"

    def go(self, url):
        self.call("POST", self.s("/url"), {"url": url})

    def js(self, script, *args):
        return self.call("POST", self.s("/execute/sync"), {"script": script, "args": list(args)})

    def find(self, css):
        return self.call("POST", self.s("/element"), {"using": "css selector", "value": css})[ELEMENT]

    def click(self, css):
        self.call("POST", self.s(f"/element/{self.find(css)}/click"), {})

    def type(self, css, text):
        self.call("POST", self.s(f"/element/{self.find(css)}/value"), {"text": text})

    def screenshot(self, path):
        png = base64.b64decode(self.call("GET", self.s("/screenshot")))
        with open(path, "wb") as f:
            f.write(png)

    def quit(self):
        try:
            self.call("DELETE", self.s(""))
        finally:
            self.driver.kill()
            self.driver.wait()


def wait(what, probe):
    deadline = time.monotonic() + PATIENCE
    seen = None
    while time.monotonic() < deadline:
        seen = probe()
        if seen:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"waited {PATIENCE}s for {what}; last seen: {seen!r}")


ROWS = """return [...document.querySelectorAll('#rows tbody tr')].map(tr => ({
  key: tr.dataset.key, phase: tr.dataset.phase, weight: tr.dataset.weight,
  cells: [...tr.children].map(td => td.textContent)}));"""


def rows(b):
    return b.js(ROWS)


def row_of(b, cluster):
    found = [r for r in rows(b) if json.loads(r["key"])[0] == cluster]
    return found[0] if found else None


def dialog_text(b):
    return b.js("return document.getElementById('dialog').hidden ? '' : document.getElementById('dialog').textContent;")


def main():
    url, artifacts, release, dashboard = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
    os.makedirs(artifacts, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="dashboard-chromium-")
    b = Browser(shutil.which("chromium") or "/usr/bin/chromium", shutil.which("chromedriver") or "/usr/bin/chromedriver", profile)
    try:
        run(b, url, artifacts, release, dashboard)
    finally:
        b.quit()
        shutil.rmtree(profile, ignore_errors=True)


def run(b, url, artifacts, release, dashboard):
    clusters = ["kurator-member1", "kurator-member2", "kurator-member3"]
    b.go(url)
    # 1. Every cluster has its row, each canary Initialized, the stream is live.
    wait("a row per cluster", lambda: sorted(json.loads(r["key"])[0] for r in rows(b) if r["phase"] == "Initialized") == clusters)
    wait("the stream live", lambda: b.js("return document.getElementById('stream').textContent") == "live")
    assert "token" not in b.js("return location.href"), "the token stays out of the address bar"
    summary = b.js("return [...document.querySelectorAll('#clusters .chip')].map(c => c.dataset.state)")
    assert summary == ["ready"] * 3, summary
    b.js("window.sameDocument = 'yes'")
    b.screenshot(os.path.join(artifacts, "dashboard-start.png"))

    # 2. A release moves the routed weight, pushed to the page.
    started = subprocess.run(release, capture_output=True, text=True)
    assert started.returncode == 0, f"release: {started.returncode} {started.stdout} {started.stderr}"
    weights = set()

    def progressed():
        for r in rows(b):
            if r["weight"]:
                weights.add(int(r["weight"]))
        return any(w > 0 for w in weights)

    wait("a routed weight above 0", progressed)
    wait("every row held at its promotion gate", lambda: all(r["phase"] == "WaitingPromotion" for r in rows(b)) and len(rows(b)) == 3)
    assert b.js("return window.sameDocument") == "yes", "the page was reloaded"
    held = row_of(b, "kurator-member1")
    assert "50/50 held" in held["cells"][3], held
    assert "confirm-promotion" in held["cells"][5], held

    # 3. The detail of a row, as `get` shows it, with both images.
    b.click("#rows tbody tr[data-key='[\"kurator-member1\",\"test\",\"podinfo\"]'] td.canary")
    detail = wait("the detail", lambda: (lambda t: t if "podinfo:2" in t else None)(b.js("return document.getElementById('detail-body').textContent")))
    for expected in ["kurator-member1 — test/podinfo", "request-success-rate", "rollback", "podinfo:1", "podinfo:2", "Events"]:
        assert expected in detail, f"{expected!r} not in the detail: {detail}"
    b.click("#detail-close")

    # 4. promote on the row at its gate: the plan, the typed count (--protected), the result.
    b.click("#rows tbody tr[data-key='[\"kurator-member1\",\"test\",\"podinfo\"]'] button[data-verb='promote']")
    plan = wait("the plan", lambda: (lambda t: t if "open gate" in t else None)(dialog_text(b)))
    assert "Type 1 to confirm" in plan, plan
    b.type("#confirm-input", "1")
    b.click("#confirm-button")
    result = wait("the result rows", lambda: (lambda t: t if "Result" in t else None)(dialog_text(b)))
    assert "gate opened and closed" in result, result
    b.click("#dialog-close")
    wait("member1 moved on from its gate", lambda: row_of(b, "kurator-member1")["phase"] in ("Promoting", "Finalising", "Succeeded"))
    b.click("#rows tbody tr[data-key='[\"kurator-member2\",\"test\",\"podinfo\"]'] td.canary")
    wait("member2's detail", lambda: "kurator-member2 — test/podinfo" in b.js("return document.getElementById('detail-body').textContent"))
    b.screenshot(os.path.join(artifacts, "dashboard-mid-rollout.png"))
    b.click("#detail-close")

    # 5. pause fleet-wide: the typed number of clusters; a wrong one changes nothing.
    b.click("#fleet-actions button[data-all='pause']")
    plan = wait("the fleet-wide plan", lambda: (lambda t: t if "Type 3 to confirm" in t else None)(dialog_text(b)))
    assert plan.count("set spec.suspend=true") == 3, plan
    b.type("#confirm-input", "2")
    b.click("#confirm-button")
    refused = wait("the refusal", lambda: (lambda t: t if "not carried out" in t else None)(dialog_text(b)))
    assert "not confirmed (type 3): nothing changed" in refused, refused
    b.click("#dialog-close")
    b.click("#fleet-actions button[data-all='pause']")
    wait("the fleet-wide plan again", lambda: "Type 3 to confirm" in dialog_text(b))
    b.type("#confirm-input", "3")
    b.click("#confirm-button")
    result = wait("the pause results", lambda: (lambda t: t if "Result" in t else None)(dialog_text(b)))
    assert result.count("paused") == 3, result
    b.click("#dialog-close")
    wait("every row paused", lambda: all("(paused)" in r["cells"][2] for r in rows(b)))

    # 6. 1000 rows through the page's own update path (numbers printed, not judged here).
    measured = b.js(
        """
        const d = window.kkrDashboard, row = (i, w) => ({key: JSON.stringify(['perf', 'ns', 'c' + i]),
          cluster: 'perf', namespace: 'ns', name: 'c' + i, clusterIndex: 9, found: true, phase: 'Progressing',
          weight: w, statusWeight: w, maxWeight: 50, stepWeights: [], stepWeight: 10, strategy: 'canary',
          failedChecks: 0, threshold: 2, gate: null, message: 'New revision detected', phaseSince: null,
          suspended: false, error: null});
        let t = performance.now();
        d.applyDelta({upsert: Array.from({length: 1000}, (_, i) => row(i, 10))});
        const script = performance.now() - t;
        document.body.offsetHeight;
        const add = performance.now() - t;
        t = performance.now();
        for (let i = 0; i < 200; i++) d.applyDelta({upsert: [row(i * 5, 20)]});
        document.body.offsetHeight;
        const update = performance.now() - t;
        return {rows: d.rowCount(), add: Math.round(add), script: Math.round(script), update: Math.round(update)};
        """
    )
    assert measured["rows"] >= 1003, measured
    # 7. The server goes away: the page says so at once (EventSource keeps retrying).
    os.kill(dashboard, signal.SIGTERM)
    wait("the stream shown down", lambda: b.js("return document.getElementById('stream').textContent") == "reconnecting…")
    assert b.js("return document.body.classList.contains('stale')"), "the rows are shown stale"
    print(f"1000 rows: added in {measured['add']} ms ({measured['script']} ms of script); 200 single-row updates in {measured['update']} ms")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)
    print("OK")
