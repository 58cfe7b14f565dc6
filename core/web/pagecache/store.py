"""The per-process store of rendered pages: an LRU bounded in bytes, entries with a version and a deadline."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    version: int  # the data version read before the page was rendered
    expires: float  # time.monotonic() after which the entry is not served (time-dependent bits of a page)
    status: int
    headers: tuple[tuple[bytes, bytes], ...]  # the application's own headers (security headers are added per response)
    parts: tuple[bytes, ...]  # the body split at the CSP nonce: joined with each response's fresh nonce
    size: int
    note: object = None  # what the rendering request left for its route's on_hit hook (core.web.pagecache.layer)

    def body(self, nonce: bytes) -> bytes:
        return nonce.join(self.parts)


class PageStore:
    """Least recently used out first once the stored bodies pass ``max_bytes`` (0: store nothing)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple) -> Entry | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: tuple, entry: Entry) -> None:
        if entry.size > self.max_bytes:
            return
        self.drop(key)
        self._entries[key] = entry
        self.bytes += entry.size
        while self.bytes > self.max_bytes:
            _, old = self._entries.popitem(last=False)
            self.bytes -= old.size

    def drop(self, key: tuple) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= old.size

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0
