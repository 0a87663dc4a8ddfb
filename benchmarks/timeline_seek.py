"""Seeking in a long timeline: how long a seek takes, and what the timeline weighs.

The timeline is the qemu-emulated story (queue size 256) followed by ping after ping
(transmit an ICMP echo, receive the reply, handle the interrupts) until it holds
`--steps` steps. Then:

* `seek`      `Timeline.snapshot(k)` for random steps k: the state and every byte written
              up to k, rebuilt from the last keyframe plus the frames after it.
* `keyframe`  the same call on steps that are keyframes (nothing to replay): the
              baseline in the same run, so the replay's share reads as a ratio.
* flatness    seeks in the first and the last tenth of the timeline, compared: a seek
              must cost the same wherever it lands and however long the timeline is.
* memory      what the built timeline keeps alive (tracemalloc, after a collection),
              in MB and per step.

    .venv/bin/python -m benchmarks.timeline_seek                  # 100,000 steps
    .venv/bin/python -m benchmarks.timeline_seek --steps 5000     # a smoke run
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass, replace

from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import story
from virtio_viz.scenarios.stories.worlds import NetWorld
from virtio_viz.scenarios.story import Beat, Chapter
from virtio_viz.timeline import Timeline


def _ping(world: NetWorld) -> None:
    world.send("icmp_echo")
    world.arrive("icmp_echo_reply")
    world.service_interrupts()


def long_timeline(steps: int, queue_size: int = 256) -> Timeline:
    """The qemu-emulated story, then pings until the timeline has at least `steps` steps."""
    base = story("qemu-emulated")
    options = StoryOptions(queue_size=queue_size)
    told = base.chapters(options)
    story_steps = len(Timeline(base, options))
    pings = max(0, (steps - story_steps) // 38 + 1)  # a ping is about 40 steps

    def chapters(opts: StoryOptions) -> tuple[Chapter[NetWorld], ...]:
        beats = tuple(Beat("ping", _ping) for _ in range(pings))
        traffic = Chapter("traffic", "Traffic", "", beats)
        return (*told[:-1], traffic)

    return Timeline(replace(base, chapters=chapters), options, max_steps=10 * steps + 10_000)


@dataclass(frozen=True)
class Result:
    steps: int
    build_seconds: float
    megabytes: float
    seek_ms: float
    seek_p99_ms: float
    keyframe_ms: float
    first_tenth_ms: float
    last_tenth_ms: float


def _median_ms(timeline: Timeline, steps: Sequence[int]) -> tuple[float, float]:
    times = []
    for step in steps:
        start = time.perf_counter()
        timeline.snapshot(step)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.99 * (len(times) - 1))]


def measure(steps: int, seeks: int, seed: int = 1) -> Result:
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    timeline = long_timeline(steps)
    build = time.perf_counter() - start
    gc.collect()
    current, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rng = random.Random(seed)
    n = len(timeline)
    anywhere = [rng.randrange(n) for _ in range(seeks)]
    keyframes = [k.step for k in rng.choices(timeline.keyframes, k=seeks)]
    first = [rng.randrange(n // 10) for _ in range(seeks)]
    last = [n - 1 - rng.randrange(n // 10) for _ in range(seeks)]
    seek, seek_p99 = _median_ms(timeline, anywhere)
    return Result(
        steps=n,
        build_seconds=build,
        megabytes=current / 1e6,
        seek_ms=seek,
        seek_p99_ms=seek_p99,
        keyframe_ms=_median_ms(timeline, keyframes)[0],
        first_tenth_ms=_median_ms(timeline, first)[0],
        last_tenth_ms=_median_ms(timeline, last)[0],
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--seeks", type=int, default=500)
    args = parser.parse_args(argv)
    r = measure(args.steps, args.seeks)
    print(f"timeline: {r.steps} steps, built in {r.build_seconds:.1f} s")
    print(f"memory: {r.megabytes:.1f} MB ({1e6 * r.megabytes / r.steps:.0f} bytes per step)")
    print(f"seek anywhere: median {r.seek_ms:.2f} ms, p99 {r.seek_p99_ms:.2f} ms")
    print(f"seek to a keyframe (baseline): median {r.keyframe_ms:.2f} ms "
          f"-> seek/keyframe {r.seek_ms / r.keyframe_ms:.2f}x")  # fmt: skip
    print(f"first tenth {r.first_tenth_ms:.2f} ms, last tenth {r.last_tenth_ms:.2f} ms "
          f"-> last/first {r.last_tenth_ms / r.first_tenth_ms:.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
