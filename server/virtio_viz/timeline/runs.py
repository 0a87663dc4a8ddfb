"""Sparse guest memory: the bytes written so far, as sorted runs of adjacent bytes.

How this works: a timeline only needs the bytes that were ever written (everything else
of guest RAM is zero), so it keeps them as non-overlapping runs `(start, bytearray)`,
sorted by start. `write()` patches a run in place, or merges the runs it touches or
adjoins into one. Keyframes take a `copy()`; seeking patches the copy forward.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator


class Runs:
    __slots__ = ("_data", "_starts")

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._data: list[bytearray] = []

    def write(self, addr: int, payload: bytes) -> None:
        if not payload:
            return
        end = addr + len(payload)
        i = bisect_right(self._starts, addr) - 1
        if i >= 0 and addr + len(payload) <= self._starts[i] + len(self._data[i]):
            offset = addr - self._starts[i]  # inside one run: the common case
            self._data[i][offset : offset + len(payload)] = payload
            return
        first = i if i >= 0 and self._starts[i] + len(self._data[i]) >= addr else i + 1
        last = bisect_right(self._starts, end) - 1  # the last run starting at or before end
        touched = range(first, last + 1)
        start = min([addr] + [self._starts[j] for j in touched])
        stop = max([end] + [self._starts[j] + len(self._data[j]) for j in touched])
        merged = bytearray(stop - start)
        for j in touched:
            offset = self._starts[j] - start
            merged[offset : offset + len(self._data[j])] = self._data[j]
        merged[addr - start : end - start] = payload
        self._starts[first : last + 1] = [start]
        self._data[first : last + 1] = [merged]

    def read(self, addr: int, length: int) -> bytes:
        """`length` bytes at `addr`; bytes never written read as zero."""
        out = bytearray(length)
        for start, run in self:
            lo, hi = max(start, addr), min(start + len(run), addr + length)
            if lo < hi:
                out[lo - addr : hi - addr] = run[lo - start : hi - start]
        return bytes(out)

    def copy(self) -> Runs:
        twin = Runs()
        twin._starts = list(self._starts)
        twin._data = [bytearray(run) for run in self._data]
        return twin

    def frozen(self) -> tuple[tuple[int, bytes], ...]:
        return tuple((start, bytes(run)) for start, run in self)

    @classmethod
    def thaw(cls, runs: tuple[tuple[int, bytes], ...]) -> Runs:
        fresh = cls()
        fresh._starts = [start for start, _ in runs]
        fresh._data = [bytearray(data) for _, data in runs]
        return fresh

    def __iter__(self) -> Iterator[tuple[int, bytearray]]:
        return zip(self._starts, self._data, strict=True)

    def __len__(self) -> int:
        return len(self._starts)

    @property
    def size(self) -> int:
        return sum(len(run) for run in self._data)
