"""What the guest does: the `/init` shell script busybox runs inside the recorded VM.

How this works: the VM boots a Debian kernel straight into an initramfs whose only
program is busybox. `/init` loads the virtio modules one by one, brings the NIC up,
pings the slirp gateway, reads and writes the disk with O_DIRECT (so every block is a
virtio-blk request, not a page-cache hit), then powers off. Before each phase it writes
one letter to I/O port 0xe9, QEMU's isa-debugcon: the byte shows up in the trace as a
`memory_region_ops_write ... name 'isa-debugcon'` line, which the importer turns into a
chapter (qemu_trace/phases.py names the letters). The letters match the recording in
`shared/traces/qemu-split`, so a fresh recording reads like that one.

`S` is an idle window in which the host asks QEMU over QMP for its view of every queue
and then throttles the disk to one request per second; `T` starts a read in the
background that the throttle keeps in flight long enough for the host to see it.
"""

from __future__ import annotations

from dataclasses import dataclass

# Loaded in this order: each needs the ones before it (modules.dep of Linux 6.1).
MODULES = (
    "virtio_ring", "virtio", "virtio_pci_modern_dev", "virtio_pci_legacy_dev", "virtio_pci",
    "failover", "net_failover", "virtio_net", "virtio_blk",
)  # fmt: skip
CORE_MODULES = MODULES[:5]
NET_MODULES = MODULES[5:8]
BLK_MODULES = MODULES[8:]
RNG_MODULE = "virtio-rng"  # only with GuestPlan.rng (Debian builds the hwrng core in)

GUEST_ADDRESS = "10.0.2.15/24"  # slirp's defaults: the guest, and the gateway it pings
GATEWAY = "10.0.2.2"
DEBUGCON_PORT = 0xE9


@dataclass(frozen=True, slots=True)
class GuestPlan:
    """The knobs of the guest script; the defaults make the shared recording's phases."""

    pings: int = 3
    idle_seconds: int = 6  # the QMP window after `S`
    read_offset_kib: int = 256
    write_offset_kib: int = 512
    rng: bool = False  # a virtio-rng device too, read in phase `R`


def phase_letters(plan: GuestPlan) -> str:
    """The markers a whole run writes, in order."""
    return "MNB" + ("R" if plan.rng else "") + "UPpDWdSTX"


def _entropy_phase(plan: GuestPlan) -> list[str]:
    if not plan.rng:
        return []
    return [
        "mark R read 32 bytes from the entropy device",
        f"load {RNG_MODULE}",
        "dd if=/dev/hwrng of=/dev/null bs=16 count=2",
    ]


def init_script(plan: GuestPlan = GuestPlan()) -> str:
    """The text of `/init` (run by the kernel as PID 1 from the initramfs)."""
    read_skip = plan.read_offset_kib // 4
    write_seek = plan.write_offset_kib // 4
    lines = [
        "#!/bin/busybox sh",
        "/bin/busybox --install -s /bin",
        "export PATH=/bin",
        "mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs dev /dev",
        # No IPv6: the network phases carry ARP, ICMP and control-queue commands only.
        "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6",
        "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6",
        "mark() {",
        f"  printf '%s' \"$1\" | dd of=/dev/port bs=1 seek={DEBUGCON_PORT} count=1 2>/dev/null",
        '  echo "=== MARK $*"',
        "}",
        # A module that does not load ends the run: the recorder reports the phases seen.
        "load() {",
        '  for m in "$@"; do insmod /lib/modules/$m.ko || { echo "insmod $m failed"; '
        "poweroff -f; }; done",
        "}",
        "mark M insmod virtio core + virtio_pci",
        f"load {' '.join(CORE_MODULES)}",
        "mark N insmod virtio_net",
        f"load {' '.join(NET_MODULES)}",
        "mark B insmod virtio_blk",
        f"load {' '.join(BLK_MODULES)}",
        "for d in /sys/bus/virtio/devices/*; do",
        '  echo "$d device=$(cat $d/device) status=$(cat $d/status) '
        'driver=$(basename $(readlink $d/driver))"',
        '  echo "  features=$(cat $d/features)"',
        "done",
        *_entropy_phase(plan),
        "mark U ip link set eth0 up",
        f"ip addr add {GUEST_ADDRESS} dev eth0",
        "ip link set eth0 up",
        f"mark P ping -c {plan.pings} {GATEWAY}",
        f"ping -c {plan.pings} {GATEWAY}",
        "mark p ping done",
        f"mark D read 16 KiB from /dev/vda at {plan.read_offset_kib} KiB, O_DIRECT",
        f"dd if=/dev/vda of=/dev/null bs=4096 count=4 skip={read_skip} iflag=direct",
        f"mark W write 4 KiB to /dev/vda at {plan.write_offset_kib} KiB, O_DIRECT, then fsync",
        f"dd if=/dev/zero of=/dev/vda bs=4096 count=1 seek={write_seek} oflag=direct conv=fsync",
        "mark d disk done",
        "cat /proc/interrupts",
        f"mark S idle {plan.idle_seconds} s: the host queries QEMU, then throttles the disk",
        f"sleep {plan.idle_seconds}",
        "mark T throttled O_DIRECT read of 16 KiB in the background",
        f"dd if=/dev/vda of=/dev/null bs=4096 count=4 skip={read_skip} iflag=direct &",
        "wait",
        "mark X poweroff",
        "poweroff -f",
    ]
    return "\n".join(lines) + "\n"
