#!/usr/bin/env python3
"""Command line for the Jiangyin profile generator: build, check or serve the site.

Exit codes: 0 success, 1 content error (or the output could not be written), 2 usage error, 3 a bug in the
generator, 130 interrupted (Ctrl-C), 141 output pipe closed early, 143 stopped (SIGTERM).
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import traceback
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
# The generator's own modules keep their compiled bytecode (sitegen/__pycache__/) even where PYTHONDONTWRITEBYTECODE
# is set: compiling them again on every run would cost a small build more than the build itself.
sys.dont_write_bytecode = False


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the command line; argparse exits 2 on a usage error."""
    parser = argparse.ArgumentParser(prog="build.py", description="Build the Jiangyin economic profile site.")
    parser.add_argument(
        "command",
        nargs="?",
        default="build",
        choices=("build", "check", "serve", "schema"),
        help="build (default): write the site; check: validate without writing; serve: live preview; "
        "schema: regenerate the JSON Schemas in schema/",
    )
    parser.add_argument(
        "--root",
        default=str(ROOT),
        help="project folder holding content/, templates/ and static/ (default: the folder of build.py)",
    )
    parser.add_argument("--out", help="output folder (default: _site in the project folder)")
    parser.add_argument(
        "--base-url",
        help="public address of the site, e.g. https://user.github.io/repo/ (default: "
        "http://127.0.0.1:8000/, links from the site root, to view it locally)",
    )
    parser.add_argument("--fresh", action="store_true", help="ignore the cache in .cache/ and build everything")
    parser.add_argument(
        "--verify",
        action="store_true",
        help="build: then build everything afresh into a temporary "
        "folder and compare the two, byte for byte (also set by SITEGEN_VERIFY=1)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="serve: address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="serve: port (default: 8000)")
    args = parser.parse_args(argv)
    if args.base_url is not None:
        try:
            parts = urlsplit(args.base_url)
        except ValueError:  # 'https://[x/': an unclosed IPv6 bracket
            parts = urlsplit("")
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c in args.base_url for c in ' "<>\\^`{|}'):
            parser.error(
                f"--base-url must be an http(s) address such as https://user.github.io/repo/, got '{args.base_url}'"
            )
    if not 1 <= args.port <= 65535:
        parser.error(f"--port must be between 1 and 65535, got {args.port}")
    args.root = Path(args.root).resolve()
    if not args.root.is_dir():
        parser.error(f"--root {args.root} is not a folder")
    args.out = Path(args.out).resolve() if args.out else args.root / "_site"
    problem = out_dir_problem(args.root, args.out) if args.command in ("build", "serve") else ""
    if problem:
        parser.error(problem)
    return args


def out_dir_problem(root: Path, out: Path) -> str:
    """Why a build may not write an output folder, or ''. It replaces the folder whole: only one that a build made
    (it holds the marker) or an empty one, never a folder of the project or a place where no folder can be made."""
    from sitegen.output.write import MARKER, foreign

    if out == root or out in root.parents:
        return f"--out {out} would replace the project itself"
    for name in ("content", "templates", "static", "tests", "sitegen", ".git"):
        if out == root / name or (root / name) in out.parents:
            return f"--out {out} is inside {name}/; choose a folder such as _site"
    there = next(folder for folder in (out, *out.parents) if os.path.lexists(folder))  # the nearest that exists
    if not there.is_dir():
        return (
            f"--out {out} is a file, not a folder" if there == out else f"--out {out}: {there} is a file, not a folder"
        )
    if not os.access(there if there != out else out.parent, os.W_OK):
        return f"--out {out}: {there if there != out else out.parent} is not writable; choose another folder"
    if foreign(out):
        return (
            f"the output folder {out} holds files that no build made (it has no {MARKER}); a build replaces "
            f"its output folder whole, so it is refusing to replace it\n  hint: choose a new or empty folder with "
            f"--out, or delete this one first if nothing in it is needed (a site built before builds marked theirs)"
        )
    return ""


def stop_on_sigterm(signum, frame) -> None:
    """SIGTERM (`kill`) unwinds the build like Ctrl-C, so it leaves no staging folder; then exits 143."""
    raise SystemExit(128 + signum)


def failure(failed, kept: str) -> int:
    """Print a build's errors at their lines and the count (with what became of the output); exit code 1."""
    for error in failed.errors:
        print(error.format(), file=sys.stderr)
    n = len(failed.errors)
    print(f"Failed: {n} error{'s' * (n != 1)}{kept}.", file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    """Run the chosen command and print its outcome; return the exit code."""
    from sitegen.errors import BuildFailed

    root, out = args.root, args.out
    if args.command == "schema":
        from sitegen.pipeline import write_schemas

        try:
            changed = write_schemas(root)
        except BuildFailed as failed:
            return failure(failed, "")
        print(f"Wrote {len(changed)} changed schema file(s) to schema/." if changed else "schema/ is up to date.")
        return 0
    if args.command == "serve":
        from sitegen.serve import serve

        return serve(root, out, args.base_url, args.host, args.port)
    from sitegen.command import VerifyFailed, build_from_cache

    verify = args.verify or os.environ.get("SITEGEN_VERIFY", "") not in ("", "0")
    gc.disable()  # one build a process: the collector would walk the state it loaded, kept till exit, again and again
    try:
        result = build_from_cache(
            root,
            out,
            args.base_url,
            write=args.command == "build",
            fresh=args.fresh,
            verify=verify and args.command == "build",
        )
    except BuildFailed as failed:
        return failure(failed, f"; {display(out, root)}/ was left as it was" if args.command == "build" else "")
    except VerifyFailed as failed:
        print(
            f"error: {failed}\nThis is a bug in the generator, not in your content: an incremental build differs "
            "from a fresh one. Please report it; build with --fresh meanwhile.",
            file=sys.stderr,
        )
        return 3
    for warning in result.warnings:
        print(warning.format(), file=sys.stderr)
    warned = f", {len(result.warnings)} warning{'s' * (len(result.warnings) != 1)}" if result.warnings else ""
    if args.command == "check":
        print(f"Checked {result.pages} pages: no errors{warned} ({result.seconds:.2f} s).")
    else:
        partial = (
            f"; {result.rendered} pages rendered, {result.written} files written"
            if result.rendered < result.pages
            else ""
        )
        print(
            f"Built {result.pages} pages ({result.files} files, {result.bytes / 1024:.0f} KB{partial}) into "
            f"{display(out, root)}/ in {result.seconds:.2f} s{warned}."
        )
    return 0


def display(path: Path, root: Path) -> str:
    """A path relative to the project when it is inside it."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def main(argv: list[str]) -> int:
    """Entry point: user errors exit 1, usage errors 2, generator bugs 3 with a traceback."""
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    command = "build"
    try:
        args = parse_args(argv)
        command = args.command
        return run(args)
    except BrokenPipeError:  # the output was cut short (build.py | head): the work is done, stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        if command != "serve":  # stopping the preview with Ctrl-C is the normal way out
            print("Interrupted before the build finished; run it again.", file=sys.stderr)
        return 130
    except SystemExit as stop:
        if stop.code != 128 + signal.SIGTERM:
            raise  # argparse's: --help, or a usage error it has printed
        if command != "serve":
            print("Stopped before the build finished; run it again.", file=sys.stderr)
        return stop.code
    except Exception:  # noqa: BLE001 - anything left is a bug in the generator, not in the content
        traceback.print_exc()
        print(
            "This is a bug in the generator, not in your content. Please report it with the text above.",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    code = main(sys.argv[1:])
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # a closed pipe (build.py | head): nothing more to say
            pass
    sys.exit(code)
