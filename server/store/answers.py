"""Answers kept for the life of a build: a least-recently-used store bounded in bytes.

The data under a build never changes (a new build has a new digest, and a new server process), so an
answer computed once may be given again to the same question for as long as the build is served. The
engine keys its answers by the build's digest, the text it runs (parameters bound), the dataset, the
format, the row limit, the base IRI and the prefixes (server.store.engine); the web layer keeps whole
HTTP answers in the same store under keys of its own (server.web.caching). One store per web worker,
shared by all its requests. Only answers go in: errors, timeouts and 503s are raised, never stored.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from typing import Hashable

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
ENTRY_OVERHEAD = 256  # bytes charged per entry besides its body and key (the objects around them)


def size_of_key(key) -> int:
    """Bytes charged for a key: its strings and bytes, roughly (tuples of them, nested)."""
    if isinstance(key, (str, bytes)):
        return len(key)
    if isinstance(key, tuple):
        return sum(size_of_key(k) for k in key) + 8 * len(key)
    return sys.getsizeof(key)


class AnswerCache:
    """key → value, at most `max_bytes` in all (each entry charged the size its owner gives, plus its key);
    the least recently used entries go first. A value larger than an eighth of the store is not kept,
    so that one big answer cannot empty it. Safe to share between threads and greenlets."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES):
        self.max_bytes = max(0, int(max_bytes))
        self.max_entry = self.max_bytes // 8
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable):
        """The value kept for `key` (now the most recently used), or None."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: Hashable, value, size: int) -> bool:
        """Keep `value` (of `size` bytes) for `key`; False if it is too large to keep."""
        charged = size + size_of_key(key) + ENTRY_OVERHEAD
        if charged > self.max_entry:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._entries[key] = (value, charged)
            self.bytes += charged
            while self.bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped
        return True

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0
