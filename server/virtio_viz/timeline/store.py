"""Where a timeline keeps its frames: packed a chunk at a time, unpacked on demand.

How this works: frames are grouped in chunks of `interval` steps, and chunk c starts
with keyframe c (the state at step c * interval), so a seek only ever needs one chunk.
While a chunk is being recorded its frames stay as objects; once the next keyframe
arrives the chunk is sealed: its keyframe and frames are pickled together (pickle keeps
objects the frames share, such as unchanged parts of the state, only once) and
compressed with zlib. A long timeline then costs about a tenth of its objects' memory.
Reading a sealed chunk unpacks it into a small LRU cache, so stepping through it
unpacks it once. Pickle only ever reads bytes this module wrote itself, in-process.
"""

from __future__ import annotations

import pickle
import zlib
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import overload

from virtio_viz.timeline.frames import Frame, Keyframe

CACHED_CHUNKS = 4
Chunk = tuple[Keyframe, list[Frame]]


class FrameStore(Sequence[Frame]):
    def __init__(self, interval: int) -> None:
        self.interval = interval
        self._sealed: list[bytes] = []
        self._open_keyframe: Keyframe | None = None
        self._open: list[Frame] = []
        self._cache: OrderedDict[int, Chunk] = OrderedDict()
        self._length = 0

    # -- writing ---------------------------------------------------------------------------
    def append(self, frame: Frame, keyframe: Keyframe | None = None) -> None:
        """Add the next frame; every `interval` frames it comes with its keyframe."""
        if (keyframe is not None) != (self._length % self.interval == 0):
            raise ValueError("a keyframe comes with exactly every interval-th frame")
        if keyframe is not None:
            self._seal()
            self._open_keyframe = keyframe
        self._open.append(frame)
        self._length += 1

    def _seal(self) -> None:
        if self._open_keyframe is None:
            return
        chunk: Chunk = (self._open_keyframe, self._open)
        self._sealed.append(zlib.compress(pickle.dumps(chunk, pickle.HIGHEST_PROTOCOL), 1))
        self._open_keyframe, self._open = None, []

    # -- reading ---------------------------------------------------------------------------
    def chunk(self, number: int) -> Chunk:
        if number == len(self._sealed) and self._open_keyframe is not None:
            return self._open_keyframe, self._open
        cached = self._cache.get(number)
        if cached is not None:
            self._cache.move_to_end(number)
            return cached
        unpacked: Chunk = pickle.loads(zlib.decompress(self._sealed[number]))
        self._cache[number] = unpacked
        if len(self._cache) > CACHED_CHUNKS:
            self._cache.popitem(last=False)
        return unpacked

    def keyframe(self, number: int) -> Keyframe:
        return self.chunk(number)[0]

    @property
    def keyframe_count(self) -> int:
        return len(self._sealed) + (self._open_keyframe is not None)

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Frame: ...
    @overload
    def __getitem__(self, index: slice) -> list[Frame]: ...
    def __getitem__(self, index: int | slice) -> Frame | list[Frame]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(f"step {index} is outside 0..{self._length - 1}")
        return self.chunk(index // self.interval)[1][index % self.interval]

    def __iter__(self) -> Iterator[Frame]:
        for number in range(self.keyframe_count):
            yield from self.chunk(number)[1]

    @property
    def packed_bytes(self) -> int:
        return sum(len(chunk) for chunk in self._sealed)


class Keyframes(Sequence[Keyframe]):
    """The keyframes of a store, as a read-only sequence."""

    def __init__(self, store: FrameStore) -> None:
        self._store = store

    def __len__(self) -> int:
        return self._store.keyframe_count

    @overload
    def __getitem__(self, index: int) -> Keyframe: ...
    @overload
    def __getitem__(self, index: slice) -> list[Keyframe]: ...
    def __getitem__(self, index: int | slice) -> Keyframe | list[Keyframe]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"keyframe {index} is outside 0..{len(self) - 1}")
        return self._store.keyframe(index)
