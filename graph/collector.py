"""Python's cycle collector during work that builds a great many objects that live until it ends.

Under the default thresholds the collector runs after every 700 new container objects, and now and then
walks every object alive: while an ingest or a projection builds hundreds of thousands of records,
terms and index entries, it walks them again and again and can free almost none of them.

The settings are the process's, and the app runs sessions in threads: the first block to start changes
them and the last to end restores them, however the blocks of different threads interleave.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# A young collection every 100,000 new objects and, in effect, no full one while the work runs: an ingest
# of 10,000 statements took 12.4 s instead of 19.0 s, one of 100,000 186 s instead of 224 s, and reading
# the facts of the 10,000-statement store 5.5 s instead of 7.3–8.0 s, at the same peak memory.
WORK_THRESHOLDS = (100_000, 50, 100)

_lock = threading.Lock()
_few = 0  # blocks of few_collections running
_none = 0  # blocks of no_collections running
_thresholds: tuple[int, ...] = ()  # as they were before the first block of few_collections
_enabled = True  # whether the collector was on before the first block of no_collections


@contextmanager
def few_collections() -> Iterator[None]:
    """Collect rarely while the block runs; the thresholds before it are restored after."""
    global _few, _thresholds
    with _lock:
        if _few == 0:
            _thresholds = gc.get_threshold()
            gc.set_threshold(*WORK_THRESHOLDS)
        _few += 1
    try:
        yield
    finally:
        with _lock:
            _few -= 1
            if _few == 0:
                gc.set_threshold(*_thresholds)


@contextmanager
def no_collections() -> Iterator[None]:
    """No cycle collection at all while the block runs, for work that builds only acyclic containers."""
    global _none, _enabled
    with _lock:
        if _none == 0:
            _enabled = gc.isenabled()
            gc.disable()
        _none += 1
    try:
        yield
    finally:
        with _lock:
            _none -= 1
            if _none == 0 and _enabled:
                gc.enable()
