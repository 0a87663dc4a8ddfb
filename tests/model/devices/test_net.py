"""virtio-net device logic (virtio-1.2 §5.1) over real split queues."""

from __future__ import annotations

from tests.support.split_rig import Rig, make_rig
from virtio_viz import frames
from virtio_viz.model.devices.net import (
    CTRL_MAC,
    CTRL_MAC_ADDR_SET,
    CTRL_RX,
    CTRL_RX_PROMISC,
    NET_HDR_SIZE,
    VIRTIO_NET_ERR,
    VIRTIO_NET_OK,
    NetDevice,
    NetHeader,
)
from virtio_viz.model.features import bit
from virtio_viz.model.virtqueue import Buffer


def net_on(rig: Rig, *, mergeable: bool = False) -> NetDevice:
    device = NetDevice(rig.memory, rig.log)
    if mergeable:
        device.negotiated = bit("VIRTIO_NET_F_MRG_RXBUF")
    return device


def test_header_is_twelve_bytes_in_the_spec_order() -> None:
    header = NetHeader(flags=1, gso_type=3, hdr_len=0x102, gso_size=0x304, csum_start=0x506,
                       csum_offset=0x708, num_buffers=0x90A)  # fmt: skip
    assert header.pack().hex() == "0103" + "0201" + "0403" + "0605" + "0807" + "0a09"
    assert NetHeader.unpack(header.pack()) == header


def test_transmit_strips_the_header_and_puts_the_frame_on_the_wire() -> None:
    rig = make_rig(8)
    net = net_on(rig)
    frame = frames.icmp_echo(seq=1)
    packet = rig.buf(0, NET_HDR_SIZE + len(frame))
    rig.memory.write(packet.addr, NetHeader().pack() + frame)
    rig.driver.add_buffer([packet], [])
    assert net.transmit(rig.device) == 1
    assert net.outbox == [frame]
    assert rig.used_elem(0) == (0, 0)  # a transmit buffer gets nothing written back
    assert "net_tx_frame" in rig.kinds()


def test_receive_fills_one_buffer_with_header_and_frame_like_the_qemu_trace() -> None:
    rig = make_rig(8)
    net = net_on(rig)
    rx = rig.buf(1, 1526, writable=True)
    rig.driver.add_buffer([], [rx])
    frame = frames.icmp_echo(reply=True)
    assert net.receive(rig.device, frame)
    header = NetHeader.unpack(rig.memory.peek(rx.addr, NET_HDR_SIZE))
    assert header.num_buffers == 1
    assert rig.memory.peek(rx.addr + NET_HDR_SIZE, len(frame)) == frame
    assert rig.used_elem(0) == (0, 110)  # QEMU's trace: virtqueue_fill len 110 for a ping


def test_mergeable_receive_spans_buffers_and_counts_them() -> None:
    """§5.1.6.4: all but the last buffer are filled; num_buffers says how many."""
    rig = make_rig(8)
    net = net_on(rig, mergeable=True)
    heads = [rig.driver.add_buffer([], [rig.buf(n, 64, writable=True)]) for n in range(3)]
    frame = frames.icmp_echo()
    assert net.receive(rig.device, frame)
    assert NetHeader.unpack(rig.memory.peek(rig.buf(0).addr, 12)).num_buffers == 2
    assert [rig.used_elem(i) for i in range(2)] == [(heads[0], 64), (heads[1], 110 - 64)]
    assert rig.used_idx() == 2
    assert rig.memory.peek(rig.buf(1).addr, 46) == frame[52:]


def test_receive_waits_for_buffers_then_delivers() -> None:
    rig = make_rig(8)
    net = net_on(rig, mergeable=True)
    frame = frames.arp_reply()
    assert not net.receive(rig.device, frame)
    rig.driver.add_buffer([], [rig.buf(0, 2048, writable=True)])
    assert net.receive(rig.device, frame)
    assert rig.used_elem(0)[1] == NET_HDR_SIZE + len(frame)


def test_a_frame_too_big_for_a_single_buffer_is_dropped_without_mergeable() -> None:
    rig = make_rig(8)
    net = net_on(rig)
    rig.driver.add_buffer([], [rig.buf(0, 32, writable=True)])
    assert net.receive(rig.device, frames.icmp_echo())
    assert rig.used_elem(0) == (0, 0)
    assert "net_rx_drop" in rig.kinds()


def control(rig: Rig, net: NetDevice, command: bytes) -> int:
    out, ack = rig.buf(0, len(command)), rig.buf(1, 1, writable=True)
    rig.memory.write(out.addr, command)
    rig.driver.add_buffer([out], [ack])
    assert net.control(rig.device) == 1
    return rig.memory.peek(ack.addr, 1)[0]


def test_control_queue_commands_are_acknowledged() -> None:
    rig = make_rig(8)
    net = net_on(rig)
    assert control(rig, net, bytes([CTRL_RX, CTRL_RX_PROMISC, 1])) == VIRTIO_NET_OK
    assert net.promiscuous
    new_mac = bytes.fromhex("020000000001")
    assert control(rig, net, bytes([CTRL_MAC, CTRL_MAC_ADDR_SET]) + new_mac) == VIRTIO_NET_OK
    assert net.config_space()[:6] == new_mac
    assert control(rig, net, bytes([42, 0])) == VIRTIO_NET_ERR


def test_config_space_layout() -> None:
    """§5.1.4: mac[6] at 0, le16 status at 6 (LINK_UP), max_virtqueue_pairs at 8, mtu at 10."""
    net = NetDevice(make_rig().memory, make_rig().log)
    config = net.config_space()
    assert config[:6] == bytes.fromhex("525400123456")
    assert config[6:12] == bytes([1, 0, 1, 0]) + (1500).to_bytes(2, "little")
    net.link_up = False
    assert net.config_space()[6:8] == b"\0\0"


def test_transmit_with_a_nonzero_num_buffers_is_called_out() -> None:
    rig = make_rig(8)
    net = net_on(rig)
    frame = frames.arp_request()
    packet = rig.buf(0, NET_HDR_SIZE + len(frame))
    rig.memory.write(packet.addr, NetHeader(num_buffers=3).pack() + frame)
    rig.driver.add_buffer([Buffer(packet.addr, packet.length)], [])
    net.transmit(rig.device)
    tx = next(e for e in rig.log.events if e.kind == "net_tx_frame")
    assert "num_buffers is 3" in tx.summary
