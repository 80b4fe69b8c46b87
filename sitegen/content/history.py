"""The committed history of content/, read from git: for each publish date (the committer date of the commits that
touched content/, in the order they were made), what changed as versions.compare() finds it: figures whose value,
qualifier, as-of date or source changed, items and sources added and removed, other edits counted. Nothing here
fails a build: without git, outside a repository or in a shallow clone the history is unavailable, and says why.
Only commits count: edits not yet committed are not history.

Two git processes per reading, whatever the length of the history: one `git log --raw` for every commit's changed
blobs, one `git cat-file --batch` for the file versions compared, asked for one at a time (a file no kind reads is
compared by its blob id, never read); `head()` (one `git rev-parse`) keys the result,
so a build at the same commit reads nothing again."""

from __future__ import annotations

import contextlib
import os
import re
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .kinds import Registry
from .versions import FOLDER, Difference, FigureChange, ItemChange, Reader, compare

if TYPE_CHECKING:
    import subprocess

__all__ = ["Entry", "FigureChange", "History", "ItemChange", "head", "read"]
TIMEOUT = 60  # seconds a git process may take before the history is given up as unavailable
GITLINK = "160000"  # the mode of a submodule's entry


@dataclass(frozen=True)
class Entry(Difference):
    """What one publish date changed (a Difference), with its date, its id on the changes page and its commits."""

    date: str = ""
    anchor: str = ""  # change-2026-11-30 (change-2026-11-30-2 when a date comes back after another)
    commits: tuple[str, ...] = ()


@dataclass(frozen=True)
class History:
    """The changes of content/ by publish date, newest first, as of one commit (`key`: HEAD and the project's
    folder in the repository). Without a key it is unavailable, for `reason`."""

    key: str = ""
    entries: tuple[Entry, ...] = ()
    reason: str = ""

    @property
    def available(self) -> bool:
        """Whether git gave a history (it may still hold no entry)."""
        return bool(self.key)

    @cached_property
    def marks(self) -> dict[str, Entry]:
        """Each figure's latest change (of value, qualifier, as-of date or source), by figure key."""
        found: dict[str, Entry] = {}
        for entry in self.entries:  # newest first: the first entry naming a figure is its latest
            for change in entry.figures:
                found.setdefault(change.key, entry)
        return found

    def __getstate__(self):
        return {name: getattr(self, name) for name in ("key", "entries", "reason")}  # not the cached marks

    def __setstate__(self, state):
        self.__dict__.update(state)


def head(root: Path) -> tuple[str, str]:
    """(key, reason): the HEAD commit and the project's folder in its repository, or '' and why no history can be
    read (git missing, not a repository, no commit yet, a shallow clone). Read from the repository's files where
    they are plain (every edit in the preview asks), else from `git rev-parse`."""
    return _head_from_files(root) or _head_from_git(root)


def _head_from_files(root: Path) -> tuple[str, str] | None:
    """head() from .git/HEAD and the branch's ref, loose or packed, in an ordinary repository; None where anything is
    less plain (a worktree or submodule's .git file, GIT_DIR set, a ref table, a symbolic ref elsewhere)."""
    if any(
        name in os.environ
        for name in (
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_COMMON_DIR",
            "GIT_CEILING_DIRECTORIES",
            "GIT_DISCOVERY_ACROSS_FILESYSTEM",
            "GIT_NAMESPACE",
            "GIT_SHALLOW_FILE",
        )
    ):
        return None
    project = root.resolve()
    top = next((folder for folder in (project, *project.parents) if (folder / ".git").exists()), None)
    if top is None:
        return "", "the project is not in a git repository"  # as git would say, without starting it on each edit
    if not (top / ".git").is_dir():
        return None
    git = top / ".git"
    try:
        said = (git / "HEAD").read_text(encoding="ascii").strip()
        if said.startswith("ref: refs/heads/"):
            ref = said[5:]
            loose = git / ref
            if loose.is_file():
                said = loose.read_text(encoding="ascii").strip()
            else:
                packed = (git / "packed-refs").read_text(encoding="ascii") if (git / "packed-refs").is_file() else ""
                said = next((line[:40] for line in packed.splitlines() if line.endswith(" " + ref)), "")
    except (OSError, UnicodeDecodeError):
        return None
    if len(said) != 40 or any(c not in "0123456789abcdef" for c in said):
        return None  # no commit yet, a ref table, SHA-256 object names: git says what it is
    if (git / "shallow").exists():
        return "", "the repository is a shallow clone"
    prefix = project.relative_to(top).as_posix()
    return f"{said}:{'' if prefix == '.' else prefix + '/'}", ""


def _head_from_git(root: Path) -> tuple[str, str]:
    """head() as `git rev-parse` tells it."""
    done = _git(root, "rev-parse", "--is-shallow-repository", "--show-prefix", "HEAD")
    if isinstance(done, str):
        return "", done
    if done.returncode:
        reason = next((line for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()), "")
        if "not a git repository" in reason:
            return "", "the project is not in a git repository"
        if "HEAD" in reason:
            return "", "the repository has no commit"
        return "", f"git: {reason.removeprefix('fatal: ')}"
    lines = done.stdout.decode("utf-8", "replace").split("\n")
    if len(lines) < 3:
        return "", "git rev-parse gave no commit"
    if lines[0] == "true":
        return "", "the repository is a shallow clone"
    return f"{lines[2]}:{lines[1]}", ""


def read(root: Path, registry: Registry, key: str, reason: str = "") -> History:
    """The history of root/content/ at the commit `key` names (from head()); unavailable, with the reason, when git
    fails along the way. An old version git cannot give counts as one that cannot be read."""
    if not key:
        return History(reason=reason)
    prefix = key.partition(":")[2]
    log = _git(
        root,
        "log",
        "--first-parent",
        "--diff-merges=first-parent",
        "--raw",
        "--no-renames",
        "--no-abbrev",
        "-z",
        "--format=%x01%H %cs",
        key.partition(":")[0],
        "--",
        FOLDER,
    )
    if isinstance(log, str) or log.returncode:
        said = "" if isinstance(log, str) else log.stderr.decode("utf-8", "replace").strip().partition("\n")[0]
        return History(reason=log if isinstance(log, str) else f"git log failed: {said.removeprefix('fatal: ')}")
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    with Blobs(root) as blobs:
        reader = Reader(blobs.read)
        for before, after, date, shas in _runs(_commits(log.stdout, prefix)):
            n = seen[date] = seen.get(date, 0) + 1
            anchor = f"change-{date}" + (f"-{n}" if n > 1 else "")
            difference = compare(registry, before, after, reader)
            entries.append(Entry(**vars(difference), date=date, anchor=anchor, commits=shas))
    return History(key, tuple(reversed(entries)))


def _git(root: Path, *args: str, feed: bytes | None = None):
    """Run git in root (with `feed` on its standard input): its completed process, or why it could not run (a str).
    The settings that change what log prints are fixed, so that every machine reads the same history; git never
    asks for anything, nor fetches (a partial clone's missing blob is a failure, not a download)."""
    import subprocess  # here: a build whose HEAD did not move runs no git (1.5 ms of imports saved)

    try:
        return subprocess.run(
            _command(*args),
            cwd=root,
            capture_output=True,
            timeout=TIMEOUT,
            env=_env(),
            input=feed,
            stdin=None if feed is not None else subprocess.DEVNULL,
        )
    except FileNotFoundError:
        return "git is not installed"
    except (OSError, subprocess.SubprocessError) as exc:
        return f"git could not run: {exc}"


def _env() -> dict[str, str]:
    """The environment of every git process: no prompt, no lock, no fetch of a missing object."""
    return dict(os.environ, LC_ALL="C", GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0", GIT_NO_LAZY_FETCH="1")


def _command(*args: str) -> list[str]:
    """A git command line with the settings that change what git prints fixed."""
    return ["git", "-c", "log.showSignature=false", "-c", "log.showRoot=true", "-c", "core.quotePath=false", *args]


def _commits(out: bytes, prefix: str) -> list[tuple[str, str, list[tuple[str, str | None]]]]:
    """`git log --raw -z` output as (sha, date, [(path under content/, new blob or None)]) oldest first. A submodule
    (a gitlink: a commit of another repository, whose objects this one lacks) is no file of the content."""
    commits = []
    for chunk in out.split(b"\x01")[1:]:
        header, _, rest = chunk.partition(b"\0")
        sha, _, date = header.decode("ascii", "replace").partition(" ")
        tokens = rest.lstrip(b"\n").split(b"\0")
        changes = []
        for meta, path in zip(tokens[::2], tokens[1::2]):
            parts = meta.decode("ascii", "replace").split()
            if len(parts) < 5 or not meta.startswith(b":"):
                continue
            rel = path.decode("utf-8", "replace").removeprefix(prefix)
            changes.append((rel, None if parts[4].startswith("D") or parts[1] == GITLINK else parts[3]))
        commits.append((sha, calendar_date(date), changes))
    return commits[::-1]


def calendar_date(date: str) -> str:
    """A committer date as git prints it (YYYY-MM-DD), within the years 1 to 9999 that pages, feeds and calendars
    write: git takes any date, and a clock or a hand that slipped can give a commit the year 10000."""
    if re.fullmatch(r"\d{4}-\d\d-\d\d", date):
        return date
    return "9999-12-31" if re.match(r"\d{5}", date) else "0001-01-01"


class Run(NamedTuple):
    """Consecutive commits of one date: the files before and after them (path -> blob), the date, the commits."""

    before: dict[str, str]
    after: dict[str, str]
    date: str
    shas: tuple[str, ...]


def _runs(commits: list) -> list[Run]:
    """Consecutive commits of one date, each run with the files before and after it."""
    runs: list[Run] = []
    files: dict[str, str] = {}
    for sha, date, changes in commits:
        if not runs or runs[-1].date != date:
            runs.append(Run(dict(files), files, date, ()))
        files = dict(files)
        for path, blob in changes:
            if blob is None:
                files.pop(path, None)
            else:
                files[path] = blob
        run = runs[-1]
        runs[-1] = run._replace(after=files, shas=run.shas + (sha,))
    return runs


class Blobs:
    """One `git cat-file --batch` for a whole reading, asked for one blob at a time: only the versions compared are
    read, and only one is held at a time. read() gives None for a blob git cannot give (a partial clone's, or git
    gone); the process is stopped after TIMEOUT seconds, like every git of the history."""

    def __init__(self, root: Path):
        self.root = root
        self.process: subprocess.Popen[bytes] | None = None
        self.timer: threading.Timer | None = None

    def __enter__(self) -> "Blobs":
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            if self.timer is not None:
                self.timer.cancel()
            self.process.kill()
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                with contextlib.suppress(OSError):  # a pipe to a process gone
                    if stream is not None:
                        stream.close()

    def read(self, blob: str) -> bytes | None:
        """A blob's bytes, or None."""
        import subprocess

        process = self.process
        if process is None:
            try:
                process = self.process = subprocess.Popen(
                    _command("cat-file", "--batch"),
                    cwd=self.root,
                    env=_env(),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                )
            except OSError:
                return None
            timer = self.timer = threading.Timer(TIMEOUT, process.kill)
            timer.daemon = True
            timer.start()
        stdin, stdout = process.stdin, process.stdout
        assert stdin is not None and stdout is not None  # both piped
        try:
            stdin.write(blob.encode("ascii") + b"\n")
            stdin.flush()
            header = stdout.readline().split()
            if len(header) != 3 or header[0] != blob.encode("ascii"):  # "<id> missing": an object the clone lacks
                return None
            size = int(header[2])
            data = stdout.read(size)
            stdout.read(1)  # the line break after the object
        except (OSError, ValueError):
            return None
        return data if len(data) == size else None
