"""What a hostile or broken front-end or guest can do to the back-end: end its own VM, at
worst, with a clear reason; never another VM, never the process, never a leaked fd."""

from __future__ import annotations

import os
import socket

import pytest

from tests.support.live import Running
from tests.support.vhost_frontend import (
    RAM_GPA,
    RAM_SIZE,
    ScriptedFrontend,
    on_loop,
    sealed_memfd,
    until,
)
from virtio_viz import frames
from virtio_viz.live.channel import MAX_FDS
from virtio_viz.model.split import SplitDriverQueue
from virtio_viz.model.vhost import user
from virtio_viz.model.vhost.user_payloads import UserMemoryRegion
from virtio_viz.model.vhost.user_requests import Request

R = Request
REGION = UserMemoryRegion(RAM_GPA, RAM_SIZE, 0x7F00_0000_0000, 0)


def open_fds() -> set[int]:
    return {int(name) for name in os.listdir("/proc/self/fd")}


@on_loop
async def test_a_malformed_message_ends_that_vm_alone() -> None:
    async with Running.serving(ScriptedFrontend()) as good:
        async with Running.serving(ScriptedFrontend()) as bad:
            await bad.frontend.connect()
            await bad.frontend.send(user.HEADER.pack(999, 1, 0))  # no such request
            assert await bad.frontend.receive() is None  # the back-end hung up
        assert bad.ended_with == "999 is not a vhost-user request id"
        assert bad.kinds()[-1] == "vhost_user_refused"
        frontend = await good.started()  # the other VM carries on
        frontend.transmit(frames.arp_request())
        frontend.kick(1)
        await until(lambda: "network_exchange" in good.kinds(), "the other VM's frame")
    assert good.ended_with is None


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (user.HEADER.pack(R.SET_FEATURES, 1, 1 << 20), "announces 1048576 payload bytes"),
        (user.HEADER.pack(R.SET_FEATURES, 1, 8) + bytes(3), "ended inside a message"),
        (user.HEADER.pack(R.SET_FEATURES, 1, 4) + bytes(4), "carries a u64"),
    ],
    ids=["too-big", "cut-short", "wrong-size"],
)
@on_loop
async def test_broken_framing_is_refused_with_its_reason(raw: bytes, why: str) -> None:
    async with Running.serving(ScriptedFrontend()) as running:
        await running.frontend.send(raw)
        running.frontend.sock.shutdown(socket.SHUT_WR)
        await until(running.task.done, "the back-end to give up")
    assert running.ended_with is not None and why in running.ended_with


@on_loop
async def test_too_many_fds_and_the_fds_of_refused_messages_are_closed() -> None:
    before = open_fds()
    async with Running.serving(ScriptedFrontend()) as running:
        await running.frontend.connect()
        extra = [os.eventfd(0) for _ in range(MAX_FDS + 2)]
        await running.frontend.send(user.vring_fd(R.SET_VRING_CALL, 0), tuple(extra))
        await until(running.task.done, "the back-end to give up")
        for fd in extra:
            os.close(fd)
    assert running.ended_with is not None and "more than 8 file descriptors" in running.ended_with
    assert open_fds() <= before  # nothing the back-end received is left open


@pytest.mark.parametrize(
    ("seals", "size", "why"),
    [(0, RAM_SIZE, "not sealed against shrinking"), (None, RAM_SIZE // 2, "holds 524288 bytes")],
    ids=["unsealed", "too-small"],
)
@on_loop
async def test_guest_ram_must_be_a_sealed_memfd_long_enough(
    seals: int | None, size: int, why: str
) -> None:
    async with Running.serving(ScriptedFrontend()) as running:
        await running.frontend.connect()
        await running.frontend.request(user.u64_request(R.SET_FEATURES, 1 << 32))
        fd = sealed_memfd(size) if seals is None else sealed_memfd(size, seals)
        await running.frontend.send(user.set_mem_table((REGION,)), (fd,))
        os.close(fd)
        await until(running.task.done, "the back-end to refuse the table")
    assert running.ended_with is not None and why in running.ended_with
    assert running.world.ram.table is None


async def _broken_ring(running: Running, damage: str) -> None:
    frontend = await running.started()
    driver = frontend.drivers[1]
    assert isinstance(driver, SplitDriverQueue)
    if damage == "avail.idx":
        frontend.memory.write_le16(driver.layout.avail_idx_addr, 100)  # 100 ahead of 8 slots
    else:
        frontend.transmit(frames.arp_request())
        desc = driver.layout.desc_addr
        if damage == "loop":
            frontend.memory.write_le16(desc + 12, 1)  # flags NEXT
            frontend.memory.write_le16(desc + 14, 0)  # next: itself
        else:
            frontend.memory.write_le64(desc, 0x9000_0000)  # outside guest RAM
    frontend.kick(1)
    await until(lambda: "device_needs_reset" in running.kinds(), "the device to give up")


@pytest.mark.parametrize("damage", ["avail.idx", "loop", "outside"])
@on_loop
async def test_a_guest_writing_nonsense_gets_violations_and_needs_reset(damage: str) -> None:
    async with Running.serving(ScriptedFrontend()) as running:
        await _broken_ring(running, damage)
        frontend = running.frontend
        kinds = running.kinds()
        # a chain that loops breaks a MUST of the spec (a Violation); an index too far ahead
        # or a buffer outside RAM is the device's own refusal (device_error)
        assert ("violation" if damage == "loop" else "device_error") in kinds
        assert running.timeline.frames[-1].changes["status"]["names"] == ["DEVICE_NEEDS_RESET"]
        assert frontend.signalled(frontend.errs, 1) == 1  # the error eventfd
        frontend.kick(1)  # the device no longer serves its rings ...
        await until(lambda: running.kinds()[-1] == "queue_notify_ignored", "the kick ignored")
        for q in (0, 1):  # ... until the driver resets it; QEMU stops both rings
            await frontend.request(user.vring_state(R.GET_VRING_BASE, q, 0))
        assert running.world.device.needs_reset_reason is None
        assert not running.task.done()  # the back-end itself never stopped
    assert running.ended_with is None
