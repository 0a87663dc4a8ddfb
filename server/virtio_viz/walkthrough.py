"""Built-in walkthroughs: the model's machines doing what a guest does, in chapters.

Each walkthrough runs a `Machine` through a few chapters (bring-up, traffic) and returns
the recorded events chapter by chapter. `virtio-viz run` prints them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from virtio_viz import frames
from virtio_viz.model.devices.blk import (
    VIRTIO_BLK_T_FLUSH,
    VIRTIO_BLK_T_GET_ID,
    VIRTIO_BLK_T_IN,
    VIRTIO_BLK_T_OUT,
)
from virtio_viz.model.devices.net import QEMU_NET_FEATURES
from virtio_viz.model.events import Event
from virtio_viz.model.features import bit
from virtio_viz.model.machine import (
    MachineOptions,
    NetMachine,
    TransportKind,
    virtio_blk_machine,
    virtio_net_machine,
)


@dataclass(frozen=True, slots=True)
class Chapter:
    title: str
    events: tuple[Event, ...]


def _gateway_reply(frame: bytes) -> bytes:
    return frames.icmp_echo(
        reply=True, seq=int.from_bytes(frame[40:42], "big"), src_mac=frames.GATEWAY_MAC,
        dst_mac=frames.GUEST_MAC, src_ip=frames.GATEWAY_IP, dst_ip=frames.GUEST_IP,
    )  # fmt: skip


def net_walkthrough(transport: TransportKind = "pci", packed: bool = False) -> list[Chapter]:
    offered = QEMU_NET_FEATURES | (bit("VIRTIO_F_RING_PACKED") if packed else 0)
    machine = virtio_net_machine(MachineOptions(transport=transport, offered=offered))
    steps: list[tuple[str, Callable[[NetMachine], object]]] = [
        ("Bring-up: discovery, status handshake, features, queues, RX refill", NetMachine.boot),
        ("Transmit an ARP request", lambda m: m.send(frames.arp_request())),
        ("Receive the ARP reply", lambda m: (m.arrive(frames.arp_reply()), m.service_interrupts())),
        ("Transmit an ICMP echo request", lambda m: m.send(frames.icmp_echo(seq=1))),
        ("Reclaim the sent buffers, receive the echo reply",
         lambda m: (m.service_interrupts(), m.arrive(_gateway_reply(frames.icmp_echo(seq=1))),
                    m.service_interrupts())),
    ]  # fmt: skip
    chapters = []
    for title, action in steps:
        action(machine)
        chapters.append(Chapter(title, tuple(machine.log.take())))
    return chapters


def blk_walkthrough(transport: TransportKind = "pci", packed: bool = False) -> list[Chapter]:
    offered = None if not packed else bit("VIRTIO_F_RING_PACKED") | 0x0000_0101_3000_6E54
    machine = virtio_blk_machine(MachineOptions(transport=transport, offered=offered))
    data = b"virtio-viz wrote this sector\n".ljust(512, b".")
    steps: list[tuple[str, Callable[[], object]]] = [
        ("Bring-up: discovery, status handshake, features, queue", machine.boot),
        ("Write sector 1", lambda: machine.submit(VIRTIO_BLK_T_OUT, 1, data)),
        ("Flush", lambda: machine.submit(VIRTIO_BLK_T_FLUSH, 0)),
        ("Read sector 1 back", lambda: machine.submit(VIRTIO_BLK_T_IN, 1, read_len=512)),
        ("Ask for the device id", lambda: machine.submit(VIRTIO_BLK_T_GET_ID, 0, read_len=20)),
        ("Complete the requests", machine.service_interrupts),
    ]
    chapters = []
    for title, action in steps:
        action()
        chapters.append(Chapter(title, tuple(machine.log.take())))
    return chapters


WALKTHROUGHS: dict[str, Callable[[TransportKind, bool], list[Chapter]]] = {
    "virtio-net": net_walkthrough,
    "virtio-blk": blk_walkthrough,
}
