"""Processes and signals: Ctrl-C and SIGTERM held while files are swapped, and children that end with the build.

Below every tier (like errors.py): the output folder's swap and the search index's Pagefind process use it."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

STOPS = (signal.SIGINT, signal.SIGTERM)  # the signals that stop a build (Ctrl-C, `kill`)


@contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block ends: a swap, once begun, finishes, and so does its clean-up (only
    SIGKILL can cut them, and the next build's recover() then rolls back). Their handlers run in the main thread, so
    this holds whichever thread the system hands a signal to; elsewhere than in the main thread it holds nothing."""
    caught: list[int] = []
    held = {}
    try:
        for sig in STOPS:
            held[sig] = signal.signal(sig, lambda signum, frame: caught.append(signum))
    except ValueError:  # not the main thread
        pass
    try:
        yield
    finally:
        for sig, handler in held.items():
            signal.signal(sig, handler)
        for signum in caught:
            signal.raise_signal(signum)  # now, to the handler it was meant for


def ending_with_this_process():
    """A function for a child process to run between fork and exec, on Linux (None elsewhere): it asks to be killed
    when the process that made it is (a killed build's Pagefind would go on writing into a folder the next build
    removes), and ends at once if that process is gone already (killed before the ask, which then would never be
    heard). Everything it calls is looked up here, in the parent: between fork and exec a child imports nothing."""
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def ask() -> None:
        prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:
            os._exit(1)

    return ask


def give_back_memory() -> None:
    """Hand the memory this process has freed back to the system, where the C library can (glibc's malloc_trim;
    elsewhere nothing): freed pages between live ones otherwise stay in its resident size, under whatever it takes
    next. At 10,000 projects, before the search bundle arrives: 11 MB off the build's peak."""
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass
