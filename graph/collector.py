"""Python's cycle collector during work that builds a great many objects that live until it ends.

Under the default thresholds the collector runs after every 700 new container objects, and now and then
walks every object alive: while an ingest or a projection builds hundreds of thousands of records,
terms and index entries, it walks them again and again and can free almost none of them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# A young collection every 100,000 new objects and, in effect, no full one while the work runs: an ingest
# of 10,000 statements took 12.4 s instead of 19.0 s, one of 100,000 186 s instead of 224 s, and reading
# the facts of the 10,000-statement store 5.5 s instead of 7.3–8.0 s, at the same peak memory.
WORK_THRESHOLDS = (100_000, 50, 100)


@contextmanager
def few_collections() -> Iterator[None]:
    """Collect rarely while the block runs; the thresholds before it are restored after."""
    before = gc.get_threshold()
    gc.set_threshold(*WORK_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def no_collections() -> Iterator[None]:
    """No cycle collection at all while the block runs, for work that builds only acyclic containers."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
