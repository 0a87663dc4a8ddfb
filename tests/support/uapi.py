"""Ask the real Linux uapi headers for values: compile a C program, run it, parse it.

The tests compare the model's constants and struct layouts with what Debian's
`linux-libc-dev` declares. A missing compiler or header is a failure, not a skip:
`scripts/setup` installs both.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

HEADERS = (
    "linux/virtio_config.h",
    "linux/virtio_ring.h",
    "linux/virtio_pci.h",
    "linux/virtio_mmio.h",
    "linux/virtio_net.h",
    "linux/virtio_blk.h",
    "linux/virtio_ids.h",
    "linux/vhost.h",
    "stddef.h",
    "stdio.h",
)


def uapi_values(expressions: Mapping[str, str], workdir: Path) -> dict[str, int]:
    """Evaluate each C expression (e.g. `offsetof(struct virtq_desc, len)`) as a long long."""
    compiler = shutil.which("gcc") or shutil.which("cc")
    assert compiler, "a C compiler is required (scripts/setup installs gcc)"
    for header in HEADERS:
        assert Path("/usr/include", header).exists() or header in {"stddef.h", "stdio.h"}, (
            f"/usr/include/{header} is missing (scripts/setup installs linux-libc-dev)"
        )
    lines = [f"#include <{h}>" for h in HEADERS]
    lines.append("int main(void) {")
    lines += [
        f'    printf("%s=%lld\\n", "{name}", (long long)({expr}));'
        for name, expr in expressions.items()
    ]
    lines += ["    return 0;", "}"]
    source = workdir / "probe.c"
    binary = workdir / "probe"
    source.write_text("\n".join(lines) + "\n")
    built = subprocess.run(
        [compiler, "-o", str(binary), str(source)], capture_output=True, text=True, check=False
    )
    assert built.returncode == 0, f"probe did not compile:\n{built.stderr}"
    output = subprocess.run([str(binary)], check=True, capture_output=True, text=True).stdout
    return {name: int(value) for name, value in (line.split("=") for line in output.split())}
