"""Virtqueue round trips per second, with events recorded, split and packed.

One round trip is what a virtio-net receive queue does for every packet: the driver
adds a one-descriptor buffer (1500 device-writable bytes) and publishes it, asks
whether to kick, the device pops the chain, uses it (`push`), asks whether to
interrupt, and the driver reclaims it with `get_used`. Every step records its events
through the shared `EventLog`, exactly as in a story. After each round trip the
consumer takes the events, so memory stays bounded however long the run is: as they
were recorded (`log.take_unread()`: each Event is built when it is first read, which
this consumer never does), or, in the `+read` configurations, reading every one
(`log.take()`), as the timeline does when it turns each event into a frame.

Baselines run in the same process, so the figures can be read as ratios on a noisy
machine:

* `floor`   the bytes a split round trip reads and writes, done with `struct` straight
            on a bytearray: the least any Python model of the ring must do.
* `memory`  the same reads and writes through `GuestMemory` (bounds checks, the access
            journal, drained once per round trip) but without any event.
* `note`    one bare event as the data path records it: a journaled 2-byte write, then
            `EventLog.note` with three values; per iteration, not per round trip.
* `record`  one bare event told at once: a journaled 2-byte write, then
            `EventLog.record` with an f-string summary and three values.

With `--pure`, each ring configuration also runs as `RING@pure`: the same loop in a child
process with VIRTIO_VIZ_PURE_MODEL=1, where the model runs from its Python sources even
when its mypyc extensions are built (`virtio_viz/pure_model.py`), so the compiled and
the pure-Python model are compared in one run, interleaved.

Times are the process's CPU time (`time.process_time`): a rate is what one core does per
second of its own work, and the time a shared machine gives to other processes does not
count. Rates are measured per chunk of round trips; the flatness columns compare the first
and last chunk, and the slowest and fastest chunk, of a run. Each configuration runs
`--repeat` times, interleaved with the others, and the median run (by total rate) is
reported.

    .venv/bin/python -m benchmarks.ring_roundtrip                 # 1M round trips, 3 runs
    .venv/bin/python -m benchmarks.ring_roundtrip --quick         # a smoke test
    .venv/bin/python -m benchmarks.ring_roundtrip --pure --no-read --no-baselines
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import virtio_viz.model
from benchmarks.ring_loops import Loop, bare_event_loop, build, floor_loop, memory_loop, round_trips

GOAL = 50_000  # round trips per second on one core (the goal)
RINGS = ("split", "packed")
READ = "+read"  # a ring configuration whose consumer reads every event
PURE = "@pure"  # a ring configuration run by the pure-Python model, in a child process
BASELINES = ("floor", "memory", "note", "record")


@dataclass(frozen=True, slots=True)
class Run:
    """One timed run: `chunk_seconds[i]` is how long iterations [i*chunk, (i+1)*chunk) took."""

    name: str
    size: int
    iterations: int
    events: int
    chunk: int
    chunk_seconds: tuple[float, ...]

    @property
    def seconds(self) -> float:
        return sum(self.chunk_seconds)

    @property
    def rate(self) -> float:
        """Iterations (round trips) per second over the whole run."""
        return self.iterations / self.seconds

    @property
    def micros(self) -> float:
        """Microseconds per iteration."""
        return 1e6 * self.seconds / self.iterations

    @property
    def events_per_iteration(self) -> float:
        return self.events / self.iterations

    @property
    def chunk_rates(self) -> tuple[float, ...]:
        sizes = [self.chunk] * (self.iterations // self.chunk)
        if self.iterations % self.chunk:
            sizes.append(self.iterations % self.chunk)
        return tuple(n / s for n, s in zip(sizes, self.chunk_seconds, strict=True))

    @property
    def first_over_last(self) -> float:
        rates = self.chunk_rates
        return rates[0] / rates[-1]

    @property
    def max_over_min(self) -> float:
        rates = self.chunk_rates
        return max(rates) / min(rates)


# -- running and reporting -------------------------------------------------------------------
def measure(name: str, size: int, count: int, chunk: int, *, event_idx: bool = True) -> Run:
    """One run of `count` iterations of configuration `name` (a ring or a baseline)."""
    loop: Loop
    if name.endswith(PURE):
        return measure_pure(name, size, count, chunk, event_idx=event_idx)
    if name == "floor":
        loop = floor_loop(size)
    elif name == "memory":
        loop = memory_loop(size)
    elif name in ("note", "record"):
        loop = bare_event_loop(at_once=name == "record")
    else:
        read = name.endswith(READ)
        queues = build(name.removesuffix(READ), size, event_idx=event_idx)
        loop = lambda count, chunk: round_trips(queues, count, chunk, read=read)  # noqa: E731
    events, seconds = loop(count, chunk)
    return Run(name, size, count, events, chunk, seconds)


def measure_pure(name: str, size: int, count: int, chunk: int, *, event_idx: bool) -> Run:
    """`measure` in a child process whose model runs from its Python sources."""
    argv = ["--measure-one", name.removesuffix(PURE), str(size), str(count), str(chunk)]
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.ring_roundtrip", *argv,
         "--event-idx" if event_idx else "--no-event-idx"],
        env={**os.environ, "VIRTIO_VIZ_PURE_MODEL": "1"},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    run = json.loads(child.stdout)
    if not run.pop("pure"):
        raise RuntimeError("the child process did not run the pure-Python model")
    return Run(**{**run, "name": name, "chunk_seconds": tuple(run["chunk_seconds"])})


def median_run(runs: Sequence[Run]) -> Run:
    """The run whose total rate is the median (the lower middle one for an even count)."""
    ordered = sorted(runs, key=lambda r: r.rate)
    return ordered[(len(ordered) - 1) // 2]


def _ring_label(name: str) -> str:
    ring = name.removesuffix(PURE)
    label = f"{ring.removesuffix(READ)}, every event read" if ring.endswith(READ) else ring
    return f"{label}, pure Python" if ring != name else label


def report(results: dict[tuple[str, int], Run], sizes: Sequence[int]) -> str:
    """Markdown: the rings, the baselines, then the ratios."""
    smallest, lines = min(sizes), []
    lines += [
        "| ring | queue size | round trips/s | µs/round trip | events/round trip "
        "| cost vs size " + str(smallest) + " | first/last chunk | max/min chunk | x floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (name, size), run in results.items():
        if name in BASELINES:
            continue
        base, floor = results[(name, smallest)], results.get(("floor", size))
        vs_floor = f"{run.micros / floor.micros:.1f}" if floor is not None else "-"
        lines.append(
            f"| {_ring_label(name)} | {size} | {run.rate:,.0f} | {run.micros:.1f} "
            f"| {run.events_per_iteration:.0f} | {run.micros / base.micros:.2f} "
            f"| {run.first_over_last:.2f} | {run.max_over_min:.2f} | {vs_floor} |"
        )
    baselines = [(n, s) for (n, s) in results if n in BASELINES]
    if baselines:
        lines += [
            "",
            "| baseline | queue size | iterations/s | µs/iteration | what one iteration is |",
            "|---|---:|---:|---:|---|",
        ]
        what = {
            "floor": "a split round trip's ring bytes, `struct` on a bytearray",
            "memory": "the same through GuestMemory + journal, no events",
            "note": "one bare event noted (a le16 write + EventLog.note)",
            "record": "one bare event told at once (a le16 write + EventLog.record)",
        }
        for name, size in baselines:
            run = results[(name, size)]
            lines.append(
                f"| {name} | {size or '-'} | {run.rate:,.0f} | {run.micros:.2f} | {what[name]} |"
            )
    lines += ["", *breakdown(results)]
    return "\n".join(lines)


def breakdown(results: dict[tuple[str, int], Run]) -> list[str]:
    """Per ring run: the goal, and the share of a round trip the bare events explain
    (noted events for a consumer that leaves them unread, events told at once for one
    that reads them all)."""
    bare = {name: run for (name, _), run in results.items() if name in ("note", "record")}
    lines = []
    for (name, size), run in results.items():
        if name in BASELINES:
            continue
        verdict = "meets" if run.rate >= GOAL else f"is {GOAL / run.rate:.2f}x short of"
        line = f"- {_ring_label(name)} {size}: {run.rate:,.0f}/s {verdict} the {GOAL:,}/s goal"
        event = bare.get("record" if name.endswith(READ) else "note")
        if event is not None:
            share = run.events_per_iteration * event.micros
            line += (
                f"; {run.events_per_iteration:.0f} events x {event.micros:.2f} µs per bare "
                f"event ({event.name}) = {share:.1f} of {run.micros:.1f} µs "
                f"({share / run.micros:.0%})"
            )
        lines.append(line)
    return lines


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--round-trips", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=100_000, help="round trips per rate sample")
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 32768])
    parser.add_argument("--rings", nargs="+", choices=RINGS, default=list(RINGS))
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration")
    parser.add_argument(
        "--event-idx",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="negotiate VIRTIO_F_EVENT_IDX (default: yes)",
    )
    parser.add_argument(
        "--no-baselines", action="store_true", help="skip floor, memory, note, record"
    )
    parser.add_argument(
        "--no-read",
        action="store_true",
        help="skip the runs whose consumer reads every event (by default: at the smallest size)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke test: 2000 round trips, chunks of 500, once"
    )
    parser.add_argument(
        "--pure", action="store_true", help="run each ring by the pure-Python model too (RING@pure)"
    )
    parser.add_argument(
        "--measure-one", nargs=4, metavar=("NAME", "SIZE", "COUNT", "CHUNK"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.round_trips, args.chunk, args.repeat = 2000, 500, 1
    if args.round_trips < 1 or args.chunk < 1 or args.repeat < 1:
        parser.error("--round-trips, --chunk and --repeat must be positive")
    return args


def configurations(args: argparse.Namespace) -> list[tuple[str, int]]:
    configs = [(ring, size) for ring in args.rings for size in args.sizes]
    if not args.no_read:
        configs += [(ring + READ, min(args.sizes)) for ring in args.rings]
    if args.pure:
        configs += [(name + PURE, size) for name, size in configs]
    if not args.no_baselines:
        configs += [(name, size) for name in ("floor", "memory") for size in args.sizes]
        configs += [("note", 0), ("record", 0)]
    return configs


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.measure_one:  # the child process of a RING@pure configuration
        name, size, count, chunk = args.measure_one
        run = measure(name, int(size), int(count), int(chunk), event_idx=args.event_idx)
        print(json.dumps({**dataclasses.asdict(run), "pure": virtio_viz.model.PURE}))
        return 0
    compiled = not virtio_viz.model.memory.__file__.endswith(".py")
    print(
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.machine()}, {os.cpu_count()} CPUs; model "
        f"{'compiled by mypyc' if compiled else 'pure Python'}; event_idx={args.event_idx}; "
        f"{args.round_trips:,} iterations x {args.repeat} runs, chunks of {args.chunk:,}\n"
    )
    runs: dict[tuple[str, int], list[Run]] = {c: [] for c in configurations(args)}
    for repetition in range(args.repeat):
        for (name, size), done in runs.items():  # interleaved: machine drift hits all alike
            run = measure(name, size, args.round_trips, args.chunk, event_idx=args.event_idx)
            done.append(run)
            print(
                f"run {repetition + 1}/{args.repeat} {name:11} {size:6}: {run.rate:12,.0f} /s",
                file=sys.stderr,
                flush=True,
            )
    print(report({c: median_run(found) for c, found in runs.items()}, args.sizes))
    spread = max(max(r.rate for r in rs) / min(r.rate for r in rs) for rs in runs.values())
    print(f"\nMedian of {args.repeat} run(s); largest best/worst spread between runs: {spread:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
