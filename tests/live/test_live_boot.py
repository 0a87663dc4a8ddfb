"""A real Linux guest (Debian's 6.1 kernel in Debian's QEMU 7.2, TCG) drives virtio-viz's
own vhost-user device: split and packed rings, EVENT_IDX on and off, three pings each.

For each boot: the vhost-user handshake QEMU sent; the status values Linux wrote (from
QEMU's trace) and the features it negotiated (the guest prints them); three ping
replies counted in the guest's console; and the rings: every chain the device took is
read again from a second mapping of guest RAM and must match what the device decoded,
and every descriptor step carries the bytes it decoded."""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.support.raw_rings import RawGuest, check_descriptor_frame
from virtio_viz.live.backend import OFFERED
from virtio_viz.live.guest import FEATURES, RUN_ENDED, cached_kernel
from virtio_viz.live.live_vm import GuestFiles, LiveVM
from virtio_viz.live.vm import VmOptions
from virtio_viz.qemu_record import host
from virtio_viz.timeline.frames import Frame

PROTOCOL_BIT = 1 << 30
PACKED, EVENT_IDX, VERSION_1, MRG_RXBUF, INDIRECT = 1 << 34, 1 << 29, 1 << 32, 1 << 15, 1 << 28
CONNECT = ["GET_FEATURES", "GET_PROTOCOL_FEATURES", "SET_PROTOCOL_FEATURES", "SET_OWNER"]
RING_SETUP = ["SET_VRING_NUM", "SET_VRING_BASE", "SET_VRING_ADDR", "SET_VRING_KICK"]


@pytest.fixture(scope="module")
def files() -> GuestFiles:
    vmlinuz, modules = cached_kernel()
    return GuestFiles(vmlinuz, modules, host.static_busybox())


async def boot(options: VmOptions, files: GuestFiles, raw: RawGuest) -> LiveVM:
    vm = LiveVM(options, max_steps=50_000)
    raw.attach(vm.world)
    await vm.start(files, run="ping -c 3 10.0.2.2")
    async with asyncio.timeout(240):
        await vm.done.wait()
    return vm


def requests(frames: list[Frame]) -> list[str]:
    return [str(f.event.values["request"]).removeprefix("VHOST_USER_") for f in frames
            if f.event.kind == "vhost_user_message"]  # fmt: skip


def guest_features(console: str) -> int:
    bits = re.search(re.escape(FEATURES) + r"([01]+)", console)
    assert bits is not None, console
    return sum(1 << n for n, c in enumerate(bits.group(1)) if c == "1")


@pytest.mark.parametrize(
    ("ring", "event_idx"),
    [("split", True), ("split", False), ("packed", True), ("packed", False)],
    ids=["split-event_idx", "split-no_event_idx", "packed-event_idx", "packed-no_event_idx"],
)
def test_linux_pings_through_virtio_vizs_device(
    ring: str, event_idx: bool, files: GuestFiles
) -> None:
    raw = RawGuest()
    vm = asyncio.run(boot(VmOptions(ring=ring, event_idx=event_idx), files, raw))  # type: ignore[arg-type]
    console = vm.console.decoded()
    frames = list(vm.timeline.frames)
    ended = RUN_ENDED.search(console)
    assert ended is not None and ended.group(1) == "0", console
    assert console.count("bytes from 10.0.2.2") == 3
    assert "3 packets transmitted, 3 packets received" in console

    sent = requests(frames)  # the handshake, in QEMU's order
    assert sent[:4] == CONNECT
    start = sent.index("SET_FEATURES")
    assert sent[start + 1] == "SET_MEM_TABLE"
    for name in RING_SETUP:  # both vrings described after DRIVER_OK
        assert sent[start:].count(name) == 2, name
    assert sent.count("GET_VRING_BASE") == 2  # and stopped at the reset of power-off

    statuses = [f.event.values["value"] for f in frames
                if f.event.values.get("register") == "device_status"]  # fmt: skip
    assert statuses == [1, 3, 11, 15, 0]  # §3.1.1, then the reset at power-off

    set_features = next(
        f for f in frames if f.event.values.get("request") == "VHOST_USER_SET_FEATURES"
    )
    acked = int.from_bytes(bytes.fromhex(str(set_features.event.values["payload"])), "little")
    negotiated = acked & ~PROTOCOL_BIT
    assert negotiated == guest_features(console) & OFFERED
    assert bool(negotiated & PACKED) == (ring == "packed")
    assert bool(negotiated & EVENT_IDX) == event_idx
    assert negotiated & (VERSION_1 | MRG_RXBUF | INDIRECT) == VERSION_1 | MRG_RXBUF | INDIRECT

    kinds = [f.event.kind for f in frames]
    assert not {"violation", "device_error", "device_needs_reset"} & set(kinds)
    assert kinds.count("net_tx_frame") >= 4 and kinds.count("net_rx_frame") >= 4  # ARP + 3
    assert raw.checked_chains >= 8  # every chain taken was checked against raw memory
    descriptor_steps = [f for f in frames if f.event.kind in {"desc_read", "indirect_desc_read"}]
    assert descriptor_steps
    for frame in descriptor_steps:
        queue = vm.timeline.snapshot(frame.index).state["queues"][frame.event.queue or 0]
        check_descriptor_frame(frame, int(queue["areas"][0]["addr"]), ring == "packed")
