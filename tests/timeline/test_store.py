"""The frame store packs sealed chunks and gives back equal frames."""

from __future__ import annotations

import pytest

from virtio_viz.scenarios.stories import story
from virtio_viz.timeline import Timeline
from virtio_viz.timeline.runs import Runs
from virtio_viz.timeline.store import FrameStore

PACKED = Timeline(story("qemu-emulated"), interval=32)
LOOSE = Timeline(story("qemu-emulated"), interval=100_000)  # one open chunk: never packed


def test_sealed_chunks_unpack_to_the_frames_that_were_recorded() -> None:
    assert PACKED.frames.packed_bytes > 0 and LOOSE.frames.packed_bytes == 0
    assert list(PACKED.frames) == list(LOOSE.frames)
    assert PACKED.frames[-1] == LOOSE.frames[len(LOOSE) - 1]
    assert PACKED.frames[10:13] == [LOOSE.frames[i] for i in (10, 11, 12)]


def test_a_keyframe_comes_with_every_interval_th_frame() -> None:
    store = FrameStore(4)
    frame = PACKED.frames[0]
    with pytest.raises(ValueError, match="keyframe"):
        store.append(frame)
    with pytest.raises(IndexError):
        store[0]


def test_runs_merge_overlapping_and_adjacent_writes() -> None:
    runs = Runs()
    runs.write(10, b"\x01\x02")
    runs.write(14, b"\x05")
    runs.write(12, b"\x03\x04")  # fills the gap: one run 10..15
    runs.write(30, b"\x09")
    assert runs.frozen() == ((10, b"\x01\x02\x03\x04\x05"), (30, b"\x09"))
    runs.write(8, bytes(25))  # swallows both runs
    assert runs.frozen() == ((8, bytes(25)),)
    assert runs.read(6, 4) == bytes(4)
