#!/usr/bin/env python3
"""What the live preview costs while nobody edits, and whether its memory stays flat while an editor saves.

Copies the real site to a temporary folder (with --static-files N more files in static/), starts `build.py serve`,
waits for its first build, then reads the process's CPU time from /proc over --seconds of idling, and, with
--edits N, saves a figure N times (--gap seconds apart, waiting for each rebuild) and reads its resident memory
before and after. Ends with one line of JSON:
{"static_files": N, "idle_cpu_percent": ..., "edits": N, "rss_before_mb": ..., "rss_after_mb": ...}

    python3 bench/serve_idle.py [--static-files 2000] [--seconds 20] [--edits 500] [--gap 0.05]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


def copy_site(dest: Path, static_files: int) -> Path:
    """A copy of the project's models, content, templates and static files, with more static files."""
    for name in ("models", "content", "templates", "static"):
        shutil.copytree(REPO / name, dest / name)
    for n in range(static_files):
        folder = dest / "static" / "extra" / f"{n // 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"file-{n}.txt").write_text(f"static file {n}\n")
    return dest


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """The user and system CPU time a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int) -> float:
    """A process's resident memory."""
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def page(port: int) -> str:
    """The home page as the preview serves it."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
        return response.read().decode("utf-8")


def wait_for(check, seconds: float = 60) -> None:
    """Poll until check() is true."""
    deadline = time.time() + seconds
    while not check():
        if time.time() > deadline:
            raise SystemExit("the preview did not answer in time")
        time.sleep(0.02)


def answers(port: int, text: str) -> bool:
    """Whether the home page holds a text yet."""
    try:
        return text in page(port)
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--static-files", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--edits", type=int, default=0)
    parser.add_argument("--gap", type=float, default=0.05, help="seconds between a rebuild and the next save")
    args = parser.parse_args()
    root = copy_site(Path(tempfile.mkdtemp(prefix="serve-idle-")) / "site", args.static_files)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: answers(port, "</html>"))
        time.sleep(3)  # the background work after the first build
        start = cpu_seconds(proc.pid)
        time.sleep(args.seconds)
        idle = (cpu_seconds(proc.pid) - start) / args.seconds * 100
        events = root / "content/events.yaml"
        text = events.read_text()
        before = rss_mb(proc.pid)
        for n in range(args.edits):
            events.write_text(text.replace("value: 217\n", f"value: {1000 + n}\n", 1))
            wait_for(lambda n=n: answers(port, f"{1000 + n:,} projects"))
            time.sleep(args.gap)
        after = rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(root.parent, ignore_errors=True)
    print(
        json.dumps(
            {
                "static_files": args.static_files,
                "idle_cpu_percent": round(idle, 2),
                "edits": args.edits,
                "rss_before_mb": round(before, 1),
                "rss_after_mb": round(after, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
