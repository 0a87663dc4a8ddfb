"""The back-end against a scripted front-end (no QEMU): QEMU's messages in QEMU's order,
real fds and eventfds, rings the model's Linux-like driver writes into a sealed memfd."""

from __future__ import annotations

import asyncio

import pytest
from scapy.layers.inet import ICMP, IP
from scapy.layers.l2 import ARP, Ether

from tests.support.live import Running
from tests.support.raw_rings import check_descriptor_frame
from tests.support.vhost_frontend import BUFFER_SIZE, NET_HDR, ScriptedFrontend, on_loop, until
from virtio_viz import frames
from virtio_viz.live.backend import OFFERED
from virtio_viz.model.vhost import user
from virtio_viz.model.vhost.user_requests import ProtocolFeature, Request

R = Request
VARIANTS = [(False, True), (False, False), (True, True), (True, False)]
IDS = ["split-event_idx", "split-no_event_idx", "packed-event_idx", "packed-no_event_idx"]


@pytest.mark.parametrize(("packed", "event_idx"), VARIANTS, ids=IDS)
@on_loop
async def test_a_ping_through_the_back_end(packed: bool, event_idx: bool) -> None:
    async with Running.serving(ScriptedFrontend(packed=packed, event_idx=event_idx)) as running:
        frontend = running.frontend
        replies = await frontend.connect()
        answers = [r.payload.encode() if r else None for r in replies[:2]]
        assert answers == [
            OFFERED.to_bytes(8, "little"), ProtocolFeature.REPLY_ACK.mask.to_bytes(8, "little"),
        ]  # fmt: skip
        ack = (await frontend.start())[1]
        assert ack is not None and ack.request == R.SET_MEM_TABLE
        assert ack.payload.encode() == bytes(8)  # REPLY_ACK: 0 is success
        table = running.world.ram.table
        assert table is not None and table.regions[0].memory_size == 0x10_0000
        frontend.post_receive_buffers(4)
        frontend.kick(0)
        frontend.transmit(frames.icmp_echo(seq=1))
        frontend.kick(1)
        await until(lambda: bool(frontend.signalled(frontend.calls, 0)), "a receive interrupt")
        used = frontend.drivers[0].get_used()
        assert used is not None and used.length == len(NET_HDR) + 98
        reply = Ether(frontend.memory.peek(int(str(used.token)), used.length)[len(NET_HDR) :])
        assert reply[IP].src == frames.GATEWAY_IP
        assert (reply[ICMP].type, reply[ICMP].seq) == (0, 1)
        sent = frontend.drivers[1].get_used()
        assert sent is not None and sent.length == 0  # nothing is written into a tx buffer
        kinds = running.kinds()
        assert kinds.count("net_tx_frame") == 1 and kinds.count("net_rx_frame") == 1
        assert "violation" not in kinds and "device_needs_reset" not in kinds
    assert running.ended_with is None  # the front-end hung up: not an error


@pytest.mark.parametrize("packed", [False, True], ids=["split", "packed"])
@on_loop
async def test_frames_carry_the_bytes_the_device_decoded(packed: bool) -> None:
    async with Running.serving(ScriptedFrontend(packed=packed)) as running:
        read = await running.sent_arp("desc_read")
        check_descriptor_frame(read, running.frontend.drivers[1].layout.desc_addr, packed)


@on_loop
async def test_every_buffer_is_translated_with_real_addresses() -> None:
    async with Running.serving(ScriptedFrontend()) as running:
        event = (await running.sent_arp("gpa_translate")).event
        region = running.world.ram.table.regions[0]  # type: ignore[union-attr]
        gpa, backend = int(str(event.values["gpa"])), int(str(event.values["backend_addr"]))
        assert backend == region.backend_base + gpa - region.guest_phys_addr
        assert event.values["user_addr"] == region.userspace_addr + gpa - region.guest_phys_addr


@on_loop
async def test_an_arp_request_gets_the_hosts_answer() -> None:
    async with Running.serving(ScriptedFrontend()) as running:
        frontend = await running.started()
        (buffer,) = frontend.post_receive_buffers(1)
        frontend.kick(0)
        frontend.transmit(frames.arp_request())
        frontend.kick(1)
        await until(lambda: "net_rx_frame" in running.kinds(), "the ARP answer")
        answer = Ether(frontend.memory.peek(buffer, BUFFER_SIZE)[len(NET_HDR) :])
        assert answer[ARP].op == 2 and answer[ARP].psrc == frames.GATEWAY_IP
        assert answer[ARP].hwsrc == frames.GATEWAY_MAC


@on_loop
async def test_get_vring_base_stops_a_ring_where_the_device_is() -> None:
    async with Running.serving(ScriptedFrontend()) as running:
        frontend = await running.started()
        frontend.transmit(frames.arp_request())
        frontend.transmit(frames.arp_request())
        frontend.kick(1)
        await until(lambda: running.kinds().count("net_tx_frame") == 2, "two frames sent")
        reply = await frontend.request(user.vring_state(R.GET_VRING_BASE, 1, 0))
        assert reply == user.vring_base_reply(1, 2)  # last_avail_idx 2
        assert 1 not in running.world.device.rings
        frontend.transmit(frames.arp_request())
        frontend.kick(1)  # a stopped ring is not served
        await asyncio.sleep(0.05)
        assert running.kinds().count("net_tx_frame") == 2


@pytest.mark.parametrize("packed", [False, True], ids=["split", "packed"])
@on_loop
async def test_the_steps_credit_virtio_viz_s_back_end_not_qemu_for_the_rings(packed: bool) -> None:
    """The model's device side says "in QEMU" where QEMU is the device; live, virtio-viz's
    own back-end reads and writes the rings, and QEMU's virtio code never touches them."""
    async with Running.serving(ScriptedFrontend(packed=packed, event_idx=True)) as running:
        frontend = await running.started()
        frontend.post_receive_buffers(2)
        frontend.kick(0)
        frontend.transmit(frames.icmp_echo(seq=1))
        frontend.kick(1)
        await until(lambda: bool(frontend.signalled(frontend.calls, 0)), "a receive interrupt")
        ring_steps = [frame.event for frame in running.timeline.frames
                      if frame.event.actor == "device" and frame.event.plane != "control"
                      and not frame.event.kind.startswith("interrupt")]  # fmt: skip
        kinds = {event.kind for event in ring_steps}
        assert {"chain_pop", "notify_check", "net_tx_frame", "net_rx_frame"} <= kinds
        assert all("virtio-viz's vhost-user back-end" in event.analog for event in ring_steps)
        assert not [event.analog for event in ring_steps if "in QEMU" in event.analog]
