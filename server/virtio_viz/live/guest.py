"""The live guest: its `/init`, its initramfs, and the kernel it boots (cached unpacked).

How this works: the guest is the Debian kernel `virtio-viz record` uses, booted into a
busybox initramfs. `/init` loads virtio and virtio_net, gives eth0 the address
10.0.2.15/24 (the host is 10.0.2.2, as with QEMU's user networking), prints the features
Linux negotiated, then either

- runs the command in `/etc/vv-run` (the scripted mode: `--headless --run`, the CI
  boots), prints its exit status between markers and powers off; or
- prints READY and starts a shell on the serial console with ttyS0 as its controlling
  terminal, so Ctrl-C reaches `ping` (the interactive mode the page's console drives).

Unpacking the kernel package takes seconds, so its vmlinuz and modules are kept next to
the cached .deb, in a folder named after it, and read from there on later boots.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from virtio_viz.qemu_record import host, kernel
from virtio_viz.qemu_record.errors import RecordError
from virtio_viz.qemu_record.guest import CORE_MODULES, NET_MODULES
from virtio_viz.qemu_record.initramfs import char_device, directory, file, initramfs

GUEST_ADDRESS = "10.0.2.15/24"
READY = "virtio-viz: guest ready"
FEATURES = "virtio-viz: features "
RUN_BEGINS = "virtio-viz: run begins"
RUN_ENDED = re.compile(r"virtio-viz: run ended with status (\d+)")
PROMPT = "guest# "
MODULES = (*CORE_MODULES, *NET_MODULES)


def init_script() -> str:
    """The text of `/init` (PID 1)."""
    lines = [
        "#!/bin/busybox sh",
        "/bin/busybox --install -s /bin",
        "export PATH=/bin",
        "mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs dev /dev",
        "dmesg -n 1",  # keep kernel messages off the console the reader types in
        "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6",
        "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6",
        f"for m in {' '.join(MODULES)}; do",
        '  insmod /lib/modules/$m.ko || echo "insmod $m failed"',
        "done",
        "ip link set lo up",
        f"ip addr add {GUEST_ADDRESS} dev eth0",
        "ip link set eth0 up",
        f'echo "{FEATURES}$(cat /sys/bus/virtio/devices/virtio0/features)"',
        "if [ -f /etc/vv-run ]; then",
        f"  echo '{RUN_BEGINS}'",
        "  sh /etc/vv-run; status=$?",
        '  echo "virtio-viz: run ended with status $status"',
        "  poweroff -f",
        "fi",
        f"export PS1='{PROMPT}'",
        f"echo '{READY}'",
        "exec setsid -c sh </dev/ttyS0 >/dev/ttyS0 2>&1",
    ]
    return "\n".join(lines) + "\n"


def build_initramfs(modules: dict[str, bytes], busybox: Path, run: str | None) -> bytes:
    """The gzip'd initramfs; with `run`, the guest runs that command line and powers off."""
    folders = ("bin", "dev", "etc", "proc", "sys", "lib", "lib/modules")
    entries = [directory(name) for name in folders]
    entries.append(char_device("dev/console", 5, 1))
    entries.append(file("bin/busybox", busybox.read_bytes(), executable=True))
    entries += [file(f"lib/modules/{name}.ko", modules[name]) for name in MODULES]
    entries.append(file("init", init_script().encode(), executable=True))
    if run is not None:
        entries.append(file("etc/vv-run", (run + "\n").encode()))
    return initramfs(entries)


def check_command(text: str) -> str:
    """A command line for the guest's shell: one line of printable text."""
    if not text.strip() or len(text) > 1000 or any(c in text for c in "\r\n\0"):
        raise RecordError("the command must be one line of at most 1000 characters")
    try:
        shlex.split(text)  # a quote left open would leave the guest's shell waiting
    except ValueError as error:
        raise RecordError(f"the command does not parse: {error}") from None
    return text


def cached_kernel(
    cache: Path | None = None, deb: Path | None = None
) -> tuple[Path, dict[str, bytes]]:
    """(vmlinuz path, modules) of the current Debian kernel, unpacked once and kept."""
    cache = cache or host.default_cache()
    if deb is None:
        deb = kernel.download(kernel.resolve_package(), cache)
    folder = cache / f"{deb.stem}.unpacked"
    vmlinuz = folder / "vmlinuz"
    if vmlinuz.is_file() and all((folder / f"{name}.ko").is_file() for name in MODULES):
        return vmlinuz, {name: (folder / f"{name}.ko").read_bytes() for name in MODULES}
    unpacked = kernel.unpack(deb)
    modules = {name: unpacked.modules[name] for name in MODULES}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in modules.items():
            (folder / f"{name}.ko").write_bytes(data)
        vmlinuz.write_bytes(unpacked.vmlinuz)  # last: its presence says the folder is whole
    except OSError as error:
        raise RecordError(f"cannot keep the unpacked kernel in {folder}: {error}") from None
    return vmlinuz, modules
