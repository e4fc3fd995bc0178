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
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# A young collection every 100,000 new objects and, in effect, no full one while the work runs: an ingest
# of 10,000 statements took 12.4 s instead of 19.0 s, one of 100,000 186 s instead of 224 s, and reading
# the facts of the 10,000-statement store 5.5 s instead of 7.3–8.0 s, at the same peak memory.
WORK_THRESHOLDS = (100_000, 50, 100)

_lock = threading.Lock()


class _Held:
    """A setting of the process held by blocks in any thread: the first block to start makes it (`make`
    returns how to undo it) and the last to end undoes it."""

    def __init__(self, make: Callable[[], Callable[[], None]]) -> None:
        self.make = make
        self.holders = 0
        self.undo: Callable[[], None] = lambda: None

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with _lock:
            if self.holders == 0:
                self.undo = self.make()
            self.holders += 1
        try:
            yield
        finally:
            with _lock:
                self.holders -= 1
                if self.holders == 0:
                    self.undo()


def _raise_thresholds() -> Callable[[], None]:
    before = gc.get_threshold()
    gc.set_threshold(*WORK_THRESHOLDS)
    return lambda: gc.set_threshold(*before)


def _stop_collecting() -> Callable[[], None]:
    enabled = gc.isenabled()
    gc.disable()
    return gc.enable if enabled else lambda: None


# Collect rarely while the block runs; the thresholds before it are restored after.
few_collections = _Held(_raise_thresholds)
# No cycle collection at all while the block runs, for work that builds only acyclic containers.
no_collections = _Held(_stop_collecting)
