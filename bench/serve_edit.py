#!/usr/bin/env python3
"""The preview's rebuild after one figure changes, on a synthetic site: what `build.py serve` does between a save
and the reload, without the HTTP server and browser (bench/reload_latency.py measures those, on the real site).

    python3 bench/serve_edit.py SITE_DIR [--edits 5]

Builds once, then for each edit: writes the figure, waits for the preview's file watcher to hand the change over,
and rebuilds. Prints one line of JSON: {"edits": N, "median_s": ..., "max_s": ...}, the time from the write to the
rebuilt site."""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import synth  # noqa: E402

from sitegen.serve import STEP_MS, Session  # noqa: E402


def watching(folder: Path) -> threading.Event:
    """An event set whenever watchfiles sees a change under folder, as the preview's watcher does (from a thread)."""
    import watchfiles

    seen, ready = threading.Event(), threading.Event()

    def watch() -> None:
        for changes in watchfiles.watch(folder, step=STEP_MS, rust_timeout=100, yield_on_timeout=True):
            ready.set()  # the first answer, a timeout if nothing changed: it is watching
            if changes:
                seen.set()

    threading.Thread(target=watch, daemon=True).start()
    ready.wait(10)
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    if args.edits < 1 or not (args.site / "content/projects.yaml").is_file():
        parser.error("give a site made by bench/synth.py (with content/projects.yaml) and --edits of at least 1")
    gc.disable()  # as in `build.py serve`, which collects when idle, after the reload
    session = Session(args.site, args.site / "_serve", "http://127.0.0.1:8000/", log=lambda line: None)
    if not session.rebuild():
        raise SystemExit("\n".join(session.errors))
    projects = (args.site / "content/projects.yaml").read_text().count("\n- id: ") + 1
    seen = watching(args.site / "content")
    times = []
    for n in range(args.edits):
        seen.clear()
        synth.edit_one_figure(args.site, project=projects // 2, value=800 + n)
        start = time.perf_counter()
        seen.wait(10)
        if not session.rebuild():
            raise SystemExit("\n".join(session.errors))
        times.append(time.perf_counter() - start)
        gc.collect()
    print(
        json.dumps({"edits": args.edits, "median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3)})
    )


if __name__ == "__main__":
    main()
