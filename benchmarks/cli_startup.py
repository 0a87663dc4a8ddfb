"""How long the `virtio-viz` command takes, start to exit, against a bare interpreter.

Each command runs `--repeat` times as a child process (`python -m virtio_viz.cli ...`),
interleaved with the baseline `python -c pass` of the same interpreter, so a busy minute
of the machine hits both alike. Bytecode is compiled first and the children may write it
(PYTHONDONTWRITEBYTECODE is cleared for them), as after `pip install`; otherwise every
run would compile the whole package again.

    .venv/bin/python -m benchmarks.cli_startup                # 5 runs of each command
    .venv/bin/python -m benchmarks.cli_startup --repeat 1     # a smoke run

Goals (issue 20): `--help` and `scenarios` at most 0.25 s (or within 3x of the
baseline); every `export` at most 0.5 s.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import virtio_viz
from virtio_viz.scenarios.catalog import STORY_IDS

BASELINE = ("-c", "pass")


@dataclass(frozen=True)
class Figure:
    name: str
    seconds: tuple[float, ...]  # wall clock, start to exit
    cpu: tuple[float, ...]  # the child's user + system time (what load on the machine adds
    goal: float | None  # to the wall clock but not to this)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def commands(out: Path) -> dict[str, tuple[tuple[str, ...], float | None]]:
    """name -> (interpreter arguments, goal in seconds)."""
    cli = ("-m", "virtio_viz.cli")
    found: dict[str, tuple[tuple[str, ...], float | None]] = {
        "python -c pass": (BASELINE, None),
        "virtio-viz --help": ((*cli, "--help"), 0.25),
        "virtio-viz scenarios": ((*cli, "scenarios"), 0.25),
    }
    for story_id in STORY_IDS:
        found[f"virtio-viz export {story_id}"] = ((*cli, "export", story_id, "-o", str(out)), 0.5)
    return found


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time_once(arguments: tuple[str, ...], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run."""
    cpu, start = _cpu_of_children(), time.perf_counter()
    subprocess.run(
        [sys.executable, *arguments], env=env, check=True, timeout=120,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - start, _cpu_of_children() - cpu


def measure(repeat: int = 5, only: tuple[str, ...] = ()) -> list[Figure]:
    """Every command (or those named in `only`), `repeat` times each."""
    compileall.compile_dir(Path(virtio_viz.__file__).parent, quiet=1)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as folder:
        table = {
            name: command
            for name, command in commands(Path(folder) / "trace.json").items()
            if not only or name in only
        }
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in table}
        for arguments, _ in table.values():  # warm the caches once
            _time_once(arguments, env)
        for _ in range(repeat):
            for name, (arguments, _) in table.items():
                times[name].append(_time_once(arguments, env))
    return [
        Figure(name, tuple(w for w, _ in times[name]), tuple(c for _, c in times[name]), goal)
        for name, (_, goal) in table.items()
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    figures = measure(args.repeat)
    base = figures[0].median
    print("| command | min | median | max | x `python -c pass` | CPU, median | goal |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for f in figures:
        goal = "" if f.goal is None else f"<= {f.goal} s: " + ("met" if f.median <= f.goal
                                                              else "missed")  # fmt: skip
        print(f"| `{f.name}` | {min(f.seconds):.3f} s | {f.median:.3f} s | "
              f"{max(f.seconds):.3f} s | {f.median / base:.1f} | "
              f"{statistics.median(f.cpu):.3f} s | {goal} |")  # fmt: skip


if __name__ == "__main__":
    main()
