"""The cycle collector's settings while an ingest or a projection builds its objects, and after."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.collector import WORK_THRESHOLDS, few_collections, no_collections
from graph.errors import InputError
from graph.store import Store

SAMPLES = Path(__file__).resolve().parent.parent / "ingest" / "samples"


@pytest.fixture
def default_collector() -> Iterator[tuple[int, int, int]]:
    """Python's default thresholds, the collector on; whatever a test leaves is put back after it."""
    before, enabled = gc.get_threshold(), gc.isenabled()
    gc.set_threshold(700, 10, 10)
    gc.enable()
    try:
        yield gc.get_threshold()
    finally:
        gc.set_threshold(*before)
        (gc.enable if enabled else gc.disable)()


def test_few_collections_raises_the_thresholds_and_restores_them(default_collector: tuple[int, int, int]) -> None:
    with few_collections():
        assert gc.get_threshold() == WORK_THRESHOLDS
        with few_collections():
            assert gc.get_threshold() == WORK_THRESHOLDS
        assert gc.get_threshold() == WORK_THRESHOLDS
    assert gc.get_threshold() == default_collector
    with pytest.raises(KeyError), few_collections():
        raise KeyError("x")
    assert gc.get_threshold() == default_collector


def test_no_collections_leaves_the_collector_as_it_found_it(default_collector: tuple[int, int, int]) -> None:
    with no_collections():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    with no_collections():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_blocks_in_two_threads_restore_the_settings_only_when_the_last_ends(
        default_collector: tuple[int, int, int]) -> None:
    started, leave = threading.Event(), threading.Event()

    def other_session() -> None:
        with few_collections(), no_collections():
            started.set()
            leave.wait(10)

    other = threading.Thread(target=other_session)
    other.start()
    assert started.wait(10)
    with few_collections(), no_collections():  # starts after the other thread's blocks, ends before them
        assert gc.get_threshold() == WORK_THRESHOLDS and not gc.isenabled()
    assert gc.get_threshold() == WORK_THRESHOLDS and not gc.isenabled()  # the other thread still works
    leave.set()
    other.join(10)
    assert gc.get_threshold() == default_collector and gc.isenabled()


def test_an_ingest_collects_rarely_while_it_runs(default_collector: tuple[int, int, int]) -> None:
    from ingest.pipeline import ingest_files

    seen = []
    with Store.open("memory:") as store:
        ingest_files(store, sorted(SAMPLES.glob("*.yaml")), progress=lambda _: seen.append(gc.get_threshold()))
        assert seen and set(seen) == {WORK_THRESHOLDS}
        assert gc.get_threshold() == default_collector
        with pytest.raises(InputError):
            ingest_files(store, ["/nonexistent/records.yaml"])
    assert gc.get_threshold() == default_collector


def test_reading_the_facts_collects_rarely_while_it_runs(default_collector: tuple[int, int, int],
                                                          example_store: Store,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import graph.facts as module

    seen = []
    read_names = module._read_names

    def noting(*args: object) -> object:
        seen.append(gc.get_threshold())
        return read_names(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "_read_names", noting)
    facts = module.read_facts(example_store)
    assert seen == [WORK_THRESHOLDS] and facts.entities
    assert gc.get_threshold() == default_collector
