"""index16.need_event agrees with Linux's vring_need_event() from <linux/virtio_ring.h>.

A small C program includes the real uapi header, reads (event, new, old) triples on
stdin and prints vring_need_event() for each. The grid covers the 16-bit wraparound
corners; a few thousand seeded random triples fill in between. A missing compiler or
header is a failure, not a skip: scripts/setup installs both.
"""

from __future__ import annotations

import itertools
import random
import shutil
import subprocess
from pathlib import Path

from virtio_viz.model.index16 import need_event

HEADER = Path("/usr/include/linux/virtio_ring.h")
CORNERS = (0, 1, 2, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF)
RANDOM_TRIPLES = 4000
SEED = 0x5EED

PROGRAM = """\
#include <stdio.h>
#include <linux/virtio_ring.h>

int main(void)
{
    unsigned int event, new_idx, old;
    while (scanf("%u %u %u", &event, &new_idx, &old) == 3)
        printf("%d\\n", vring_need_event((__u16)event, (__u16)new_idx, (__u16)old) ? 1 : 0);
    return 0;
}
"""


def triples() -> list[tuple[int, int, int]]:
    grid = [(e, n, o) for e, n, o in itertools.product(CORNERS, repeat=3)]
    rng = random.Random(SEED)
    grid += [
        (rng.randrange(0x10000), rng.randrange(0x10000), rng.randrange(0x10000))
        for _ in range(RANDOM_TRIPLES)
    ]
    # and near-misses around each random window edge, where off-by-one bugs hide
    for _ in range(RANDOM_TRIPLES // 4):
        old = rng.randrange(0x10000)
        new = (old + rng.randrange(1, 64)) & 0xFFFF
        for event in (old - 1, old, new - 1, new):
            grid.append((event & 0xFFFF, new, old))
    return grid


def compile_probe(workdir: Path) -> Path:
    compiler = shutil.which("gcc") or shutil.which("cc")
    assert compiler, "gcc is required for this test (scripts/setup installs it)"
    assert HEADER.exists(), f"{HEADER} is missing (scripts/setup installs linux-libc-dev)"
    source, binary = workdir / "need_event.c", workdir / "need_event"
    source.write_text(PROGRAM)
    built = subprocess.run(
        [compiler, "-Wall", "-Werror", "-o", str(binary), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, f"the need_event probe did not compile:\n{built.stderr}"
    return binary


def test_need_event_matches_vring_need_event(tmp_path: Path) -> None:
    cases = triples()
    binary = compile_probe(tmp_path)
    stdin = "".join(f"{e} {n} {o}\n" for e, n, o in cases)
    run = subprocess.run([str(binary)], input=stdin, capture_output=True, text=True, check=True)
    linux = [line == "1" for line in run.stdout.split()]
    assert len(linux) == len(cases)
    mismatches = [
        (case, want) for case, want in zip(cases, linux, strict=True) if need_event(*case) != want
    ]
    assert mismatches == []
    # the grid really exercises both answers, including across the wrap
    assert any(linux) and not all(linux)
    assert linux[cases.index((0xFFFF, 0, 0xFFFF))] is True
    assert linux[cases.index((1, 1, 0xFFFF))] is False
