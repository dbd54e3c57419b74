"""The live preview's use of Python's cyclic garbage collector (used by :mod:`scripts.preview_server`).

The preview keeps the content cache and MkDocs' objects of its last build in memory: at 10,000 entries
some millions of objects, and one walk of them by the cyclic collector takes about 0.7 s of CPU. So
what a build leaves alive is frozen (``gc.freeze``: moved where the collector never looks), and:

* after each save, once the browsers were told, the objects made since the last freeze are collected
  and the survivors frozen (:meth:`Heap.settle`): the collector walks only what the save made (a few
  milliseconds), and the garbage of one save is not frozen by the next save's load
  (``build._gc_paused`` freezes what is alive when a load ends);
* before MkDocs builds the whole site again, everything is given back to the collector
  (:meth:`Heap.thaw`), and what that build leaves is frozen (:meth:`Heap.freeze`);
* what is frozen and later dropped inside a reference cycle (a few hundred objects a save) can only be
  collected by a full collection: once :data:`EVERY` saves have settled, it runs when no save came for
  :data:`IDLE_S` seconds, in a timer thread, and never during a build (:attr:`Heap.lock`).
"""

from __future__ import annotations

import gc
import threading

EVERY = 16  # saves between full collections
IDLE_S = 5.0  # seconds without a save before a full collection runs


class Heap:
    """When the preview's process collects and freezes (the builder holds :attr:`lock` while it builds)."""

    def __init__(self, every: int = EVERY, idle_s: float = IDLE_S):
        self.every, self.idle_s = every, idle_s
        self.lock = threading.Lock()
        self.saves = 0  # settled saves since the last full collection
        self.timer: threading.Timer | None = None
        self.full_collections = 0

    @staticmethod
    def thaw() -> None:
        """Give every frozen object back to the collector (MkDocs is about to replace its objects)."""
        gc.unfreeze()

    @staticmethod
    def freeze() -> None:
        """Move every object alive now out of the collector's sight (after a build of the whole site)."""
        gc.freeze()

    def settle(self) -> int:
        """After a build (once its news is out): collect what is not frozen, freeze the rest; returns the
        number of unreachable objects found. Schedules a full collection every :attr:`every` saves."""
        found = gc.collect()  # frozen objects are not walked: this is what the build made
        gc.freeze()
        self.saves += 1
        if self.timer is not None:
            self.timer.cancel()  # a save came: wait for the next idle spell
            self.timer = None
        if self.saves >= self.every:
            self.timer = threading.Timer(self.idle_s, self.collect_all)
            self.timer.daemon = True
            self.timer.start()
        return found

    def collect_all(self) -> int:
        """Give the frozen objects back to the collector, collect every generation and freeze the
        survivors (skipped while a build runs; the next settled save schedules it again). Returns the
        number of unreachable objects found, or -1 when skipped."""
        if not self.lock.acquire(blocking=False):
            return -1
        try:
            gc.unfreeze()
            found = gc.collect()
            gc.freeze()
            self.saves = 0
            self.full_collections += 1
            return found
        finally:
            self.lock.release()

    def stop(self) -> None:
        """Cancel a scheduled full collection."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
