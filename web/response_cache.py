"""The in-process LRU of answers (``web.caching``), its bodies kept in one fixed region of memory.

Answers come and go all the time under never-seen queries: thousands of bodies of ~17 KiB (and their gzip)
replaced among the worker's long-lived objects. Kept as Python ``bytes``, that churn fragments the malloc
heap, and a worker's memory crept up after its cache was full. Here the bodies live in blocks of one
anonymous private mapping of ``max_bytes``, made on the first answer kept (so after the fork, in the
worker): a full cache reuses its blocks and its memory stays where it is. A hit copies its body out.

    >>> cache = ResponseCache(64 * 1024)
    >>> cache.put("k", Entry("gen#0", 200, (("Content-Type", "text/plain"),), b"hello", None))
    >>> cache.get("k").body
    b'hello'
    >>> cache.stats()["entries"], cache.get("other")
    (1, None)
"""

from __future__ import annotations

import mmap
import threading
from array import array
from collections import OrderedDict
from dataclasses import dataclass

BLOCK = 1024  # bytes: a body takes whole blocks (on average half a block of each body unused)
ENTRY_OVERHEAD = 512  # bytes counted per entry beside its bodies (key, headers, block lists)


@dataclass(frozen=True)
class Entry:
    """One answer: what ``web.caching`` keeps and gets back."""

    generation: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    gz: bytes | None

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gz or b"") + ENTRY_OVERHEAD


@dataclass(frozen=True)
class _Stored:
    generation: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: tuple[array, int]  # (its blocks, its length)
    gz: tuple[array, int] | None
    size: int


class BlockArena:
    """``n`` blocks of ``BLOCK`` bytes in one anonymous private mapping, handed out and taken back."""

    def __init__(self, n: int):
        self._mem = mmap.mmap(-1, max(1, n) * BLOCK, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        self._view = memoryview(self._mem)
        self._free = array("I", range(n - 1, -1, -1))  # a stack: the lowest blocks are used first

    @property
    def free(self) -> int:
        return len(self._free)

    @staticmethod
    def blocks_for(data: bytes) -> int:
        return -(-len(data) // BLOCK)

    def write(self, data: bytes) -> tuple[array, int]:
        """Copy ``data`` into free blocks (the caller made sure there are enough)."""
        blocks = array("I", (self._free.pop() for _ in range(self.blocks_for(data))))
        src = memoryview(data)
        for i, b in enumerate(blocks):
            chunk = src[i * BLOCK : (i + 1) * BLOCK]
            self._view[b * BLOCK : b * BLOCK + len(chunk)] = chunk
        return blocks, len(data)

    def read(self, stored: tuple[array, int]) -> bytes:
        blocks, length = stored
        last = length - (len(blocks) - 1) * BLOCK
        parts = [self._view[b * BLOCK : b * BLOCK + BLOCK] for b in blocks[:-1]]
        if blocks:
            parts.append(self._view[blocks[-1] * BLOCK : blocks[-1] * BLOCK + last])
        return b"".join(parts)

    def release(self, stored: tuple[array, int]) -> None:
        self._free.extend(stored[0])


class ResponseCache:
    """An LRU of answers bounded in bytes; one per worker process (a hit is a dict lookup and one copy)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max(0, int(max_bytes))
        self.max_entry = self.max_bytes // 16
        self._entries: OrderedDict[str, _Stored] = OrderedDict()
        self._arena: BlockArena | None = None  # made on the first put: in the worker, not before the fork
        self._bytes = 0
        self._generation: str | None = None
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: str) -> Entry | None:
        with self._lock:
            stored = self._entries.get(key)
            if stored is None or self._arena is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            gz = self._arena.read(stored.gz) if stored.gz is not None else None
            return Entry(stored.generation, stored.status, stored.headers, self._arena.read(stored.body), gz)

    def put(self, key: str, entry: Entry) -> None:
        if entry.size > self.max_entry:
            return
        need = BlockArena.blocks_for(entry.body) + (BlockArena.blocks_for(entry.gz) if entry.gz is not None else 0)
        with self._lock:
            if self._arena is None:
                self._arena = BlockArena(self.max_bytes // BLOCK)
            if entry.generation != self._generation:  # a newer generation: the older answers are dead weight
                self._generation = entry.generation
                for k in [k for k, e in self._entries.items() if e.generation != entry.generation]:
                    self._drop(k)
            if key in self._entries:
                self._drop(key)
            while self._entries and (self._bytes + entry.size > self.max_bytes or self._arena.free < need):
                self._drop(next(iter(self._entries)))
            if self._arena.free < need:
                return
            body = self._arena.write(entry.body)
            gz = self._arena.write(entry.gz) if entry.gz is not None else None
            self._entries[key] = _Stored(entry.generation, entry.status, entry.headers, body, gz, entry.size)
            self._bytes += entry.size

    def _drop(self, key: str) -> None:
        stored = self._entries.pop(key)
        self._bytes -= stored.size
        assert self._arena is not None
        self._arena.release(stored.body)
        if stored.gz is not None:
            self._arena.release(stored.gz)

    def stats(self) -> dict:
        with self._lock:
            return {
                "entries": len(self._entries),
                "bytes": self._bytes,
                "max_bytes": self.max_bytes,
                "hits": self.hits,
                "misses": self.misses,
            }
