"""The preview's collector policy (scripts/preview_heap.py): a save's cyclic garbage is collected before
anything freezes it, frozen garbage is collected when idle, and never while a build holds the lock."""

from __future__ import annotations

import gc
import weakref

import pytest

from scripts.preview_heap import Heap


class _Node:
    """An object that can be part of a reference cycle and be watched through a weak reference."""


def _cycle() -> weakref.ref:
    node = _Node()
    node.self = node
    return weakref.ref(node)


@pytest.fixture
def heap():
    heap = Heap(every=2, idle_s=60)
    yield heap
    heap.stop()
    gc.unfreeze()  # give this process's objects back to the collector


def test_a_saves_garbage_is_collected_before_it_is_frozen(heap):
    gc.freeze()
    dropped = _cycle()
    assert dropped() is not None  # a cycle: reference counting alone does not free it
    assert heap.settle() >= 1 and dropped() is None
    assert heap.timer is None  # one save: no full collection planned yet


def test_frozen_garbage_waits_for_the_idle_full_collection(heap):
    dropped = _cycle()
    gc.freeze()  # as a load does: the cycle is frozen with everything else
    heap.settle()
    assert dropped() is not None
    heap.settle()
    assert heap.timer is not None and heap.timer.is_alive()  # every=2 settled saves: planned
    with heap.lock:  # a build is running: the full collection stands aside
        assert heap.collect_all() == -1 and dropped() is not None
    assert heap.collect_all() >= 1 and dropped() is None
    assert heap.saves == 0 and heap.full_collections == 1 and gc.get_freeze_count() > 0
