"""A bounded, thread-safe, per-process map that forgets what was least recently used."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict


class Kept:
    """At most `size` entries; with max_age (seconds), an entry older than that is not found (an
    entry may be given a shorter life of its own)."""

    def __init__(self, size: int, max_age: float | None = None):
        self.size, self.max_age = size, max_age
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._data.get(key)
            if found is None:
                return None
            put_at, own_age, value = found
            age = self.max_age if own_age is None else own_age
            if age is not None and time.monotonic() - put_at > age:
                return None
            self._data.move_to_end(key)
            return value

    def put(self, key, value, max_age: float | None = None) -> None:
        with self._lock:
            self._data[key] = (time.monotonic(), max_age, value)
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
