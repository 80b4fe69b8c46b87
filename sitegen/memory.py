"""The cyclic garbage collector's part in a build: kept out of the way while long-lived objects pile up.

A build makes hundreds of thousands of objects that live until it ends (YAML nodes, content items, page
dependencies, the cache's state). Python's collector re-walks them all every few thousand allocations, which
at 10,000 projects cost more than the work itself (pickle.loads of the cache ran 3x slower with it). Nearly
everything a build allocates is freed by reference counting, so pausing the collector costs no memory;
it runs again, as usual, once the build is over."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Switch the cyclic collector off for the block (nested blocks are fine); restore it afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Move every live object out of the collector's reach for the block, so forked workers never walk (and so
    never copy) the parent's memory."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
