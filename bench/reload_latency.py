#!/usr/bin/env python3
"""Measure save-to-reloaded-page latency of `build.py serve` in real Chromium.

Copies the real site to a temporary folder, starts the preview, opens the home page, then saves a
figure in content/events.yaml N times and reads, from the browser's own clock, when each reloaded
page finished loading. Prints each latency and ends with one line of JSON, with the median of the rebuild times the
preview logged (the rest is the watch, the reload message and the page's load).

    python3 bench/reload_latency.py [--edits 15] [--page summits/]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
ARGS = [
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def copy_site(dest: Path) -> Path:
    """A copy of the project's models, content, templates and static files."""
    for name in ("models", "content", "templates", "static"):
        shutil.copytree(REPO / name, dest / name)
    return dest


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 20) -> None:
    """Block until something listens on the port."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the preview server did not start")


REBUILDS: list[int] = []  # each rebuild's time as the preview logged it, in ms


def measure(edits: int, path: str) -> list[float]:
    """Save a figure `edits` times; return each save-to-loadEventEnd latency in seconds."""
    root = copy_site(Path(tempfile.mkdtemp()) / "site")
    port = free_port()
    log = open(root.parent / "preview.log", "w+b")  # noqa: SIM115 - read once the preview has stopped
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    events = root / "content/events.yaml"
    latencies = []
    try:
        wait_for_port(port)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page()
            with page.expect_websocket() as ws:
                page.goto(f"http://127.0.0.1:{port}/{path}")
            ws.value.wait_for_event("framereceived")
            value = 217
            for _ in range(edits):
                page.wait_for_timeout(300)
                text = events.read_text()
                with page.expect_event("load", timeout=10_000):
                    t0 = time.time()
                    events.write_text(
                        text.replace(f"value: {value}\n", f"value: {value + 1}\n", 1).replace(
                            f'"{value} projects', f'"{value + 1} projects', 1
                        )
                    )  # and its quote
                value += 1
                end = page.evaluate(
                    "performance.timeOrigin + performance.getEntriesByType('navigation')[0].loadEventEnd"
                )
                latencies.append(end / 1000 - t0)
                page.wait_for_function("() => window.LiveReload && window.LiveReload.connector._connectionDesired")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
        log.seek(0)
        REBUILDS[:] = [int(m) for m in re.findall(rb"Rebuilt .* in (\d+) ms", log.read())]
        log.close()
        shutil.rmtree(root.parent, ignore_errors=True)
    return latencies


def main() -> None:
    """Run the measurement and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument("--page", default="", help="page to keep open, relative to the site root")
    args = parser.parse_args()
    latencies = measure(args.edits, args.page)
    for n, s in enumerate(latencies, 1):
        print(f"edit {n:2}: {s * 1000:6.0f} ms")
    print(
        json.dumps(
            {
                "edits": len(latencies),
                "median_s": round(statistics.median(latencies), 3),
                "min_s": round(min(latencies), 3),
                "max_s": round(max(latencies), 3),
                "rebuild_median_ms": statistics.median(REBUILDS) if REBUILDS else None,
            }
        )
    )


if __name__ == "__main__":
    main()
