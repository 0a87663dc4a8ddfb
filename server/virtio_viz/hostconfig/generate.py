"""`host_config(scenario_id, options)` and `catalog()` (the package's entry points, see
`virtio_viz.hostconfig`), and the notes that go with a configuration."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from virtio_viz.hostconfig.libvirt import domain
from virtio_viz.hostconfig.parts import HostConfig, Note, marks_in
from virtio_viz.hostconfig.plan import HostConfigError, HostPlan, plan_for
from virtio_viz.hostconfig.qemu import (
    BLK_QUEUE,
    CCW_DEVNO,
    NET_QUEUE,
    PCI_SLOT,
    PLATFORMS,
    SOCKET_PATH,
    VDPA_DEVICE,
    checkable,
    clamp,
    qemu_args,
)
from virtio_viz.scenarios.options import OptionError, StoryOptions
from virtio_viz.scenarios.stories import STORIES

__all__ = ["HostConfig", "HostConfigError", "catalog", "host_config"]

_NOT_HERE = {
    "tap": "a tap interface needs CAP_NET_ADMIN (create it with `ip tuntap add tap0 mode tap` "
    "and put it on a bridge); the check on this machine uses QEMU's user networking instead",
    "vhost-net": "vhost=on needs /dev/vhost-net and a tap, so root or CAP_NET_ADMIN; the "
    "check on this machine uses QEMU's user networking, which has no vhost",
    "vhost-user": f"QEMU connects to a back-end that must already listen on {SOCKET_PATH}, for "
    f"example DPDK's `dpdk-testpmd --no-pci --vdev net_vhost0,iface={SOCKET_PATH} -- -i`; "
    "this machine has none, so only QEMU's own help checks these options",
    "vdpa": f"{VDPA_DEVICE} is a vDPA device: a card that runs virtio rings in hardware "
    "(or the vdpa_sim kernel module); this machine has none, so only QEMU's own help checks "
    "these options",
}


def host_config(scenario_id: str, raw_options: Mapping[str, object] | None = None) -> HostConfig:
    """The host configuration of a scenario; HostConfigError (naming the field) if none."""
    story = STORIES.get(scenario_id)
    if story is None:
        raise HostConfigError("scenario", f"unknown scenario {scenario_id!r}; known: "
                              f"{', '.join(STORIES)}")  # fmt: skip
    try:
        options = StoryOptions.parse(raw_options)
        plan = plan_for(story, options)
    except OptionError as error:
        raise HostConfigError(f"options.{error.field}", error.message) from None
    args = qemu_args(plan)
    node = domain(plan)
    return HostConfig(
        scenario=scenario_id, options=options.to_json(), binary=PLATFORMS[plan.transport].binary,
        args=args, domain=node, notes=notes(plan), guest=guest_commands(plan),
        checkable=checkable(plan, args), marks=marks_in(args, node),
        transports=story.transports,
    )  # fmt: skip


@cache
def catalog() -> dict[str, tuple[str, ...]]:
    """The scenarios that have a host configuration, with the transports each runs on."""
    found: dict[str, tuple[str, ...]] = {}
    for story in STORIES.values():
        try:
            plan_for(story, StoryOptions())
        except HostConfigError:
            continue
        found[story.id] = story.transports
    return found


def notes(plan: HostPlan) -> tuple[Note, ...]:
    found = [Note("not-here", _NOT_HERE[plan.backend])] if plan.backend in _NOT_HERE else []
    found.append(Note("not-here", "accel=kvm needs /dev/kvm" + (
        " on an IBM Z or LinuxONE host" if plan.transport == "ccw" else "")
        + "; the check on this machine runs the same devices under TCG"))  # fmt: skip
    limits = BLK_QUEUE if plan.device == "blk" else NET_QUEUE
    if clamp(plan.queue_size, limits) != plan.queue_size:
        found.append(Note("adjusted", f"the model's queues hold {plan.queue_size} entries, "
                          f"which keeps the rings small enough to watch; QEMU takes "
                          f"{limits[0]} to {limits[1]}, so the configuration asks for "
                          f"{clamp(plan.queue_size, limits)}"))  # fmt: skip
    if plan.packed_dropped:
        found.append(Note("adjusted", f"{plan.backend} cannot serve packed rings, so QEMU "
                          "leaves VIRTIO_F_RING_PACKED out of its offer (as the model "
                          "does): packed=on stays, the guest gets split rings"))  # fmt: skip
    found += _transport_notes(plan)
    return tuple(found)


def _transport_notes(plan: HostPlan) -> list[Note]:
    if plan.transport == "ccw":
        return [Note("about", f"devno={CCW_DEVNO}: QEMU keeps virtual devices in channel "
                     "subsystem 0xfe; a guest without MCSS-E sees the device as 0.0.0000, "
                     "the subchannel the model drives")]  # fmt: skip
    if plan.transport == "mmio":
        return [Note("about", "QEMU's x86 microvm machine has virtio-mmio slots; libvirt "
                     "supports virtio-mmio on Arm and RISC-V 'virt' machines, so the XML "
                     "describes an aarch64 guest")]  # fmt: skip
    return []


def guest_commands(plan: HostPlan) -> tuple[str, ...]:
    """Inside the guest: give the device to a poll-mode driver (virtio-user)."""
    if not plan.guest_pmd:
        return ()
    address = f"0000:00:{PCI_SLOT:02x}.0"
    return (
        "modprobe vfio enable_unsafe_noiommu_mode=1  # this VM has no virtual IOMMU",
        "modprobe vfio-pci",
        f"dpdk-devbind.py --bind=vfio-pci {address}",
        f"dpdk-testpmd -l 0-1 -a {address} -- -i",
    )
