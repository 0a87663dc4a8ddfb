"""The device-type half of a Linux-like virtio-net driver (Linux: drivers/net/virtio_net.c).

Features it understands mirror Linux 6.1's table, which notably leaves out
VIRTIO_NET_F_CTRL_RX_EXTRA: that is why Linux accepted 0x30af8024 of QEMU's 0x30bf8024
in shared/traces/qemu-split. Transmit puts header and frame in one descriptor (what
Linux does when the header can be pushed in front of the frame); receive posts
1536-byte buffers; control commands are polled, since the control queue gets no vector.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from virtio_viz.model.devices.net import CONTROLQ, NET_HDR_SIZE, RECEIVEQ1, TRANSMITQ1, NetHeader
from virtio_viz.model.driver.core import QueueWish, VirtioDriver
from virtio_viz.model.driver.ops import ConfigOps
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.features import bit
from virtio_viz.model.spec import DeviceId
from virtio_viz.model.virtqueue import Buffer

LINUX_NET_FEATURES = sum(
    bit("VIRTIO_NET_F_" + name)
    for name in (
        "CSUM", "GUEST_CSUM", "CTRL_GUEST_OFFLOADS", "MTU", "MAC", "GUEST_TSO4", "GUEST_TSO6",
        "GUEST_ECN", "GUEST_UFO", "HOST_TSO4", "HOST_TSO6", "HOST_ECN", "HOST_UFO",
        "MRG_RXBUF", "STATUS", "CTRL_VQ", "CTRL_RX", "CTRL_VLAN", "GUEST_ANNOUNCE", "MQ",
        "CTRL_MAC_ADDR", "HASH_REPORT", "RSS", "STANDBY", "SPEED_DUPLEX",
    )
)  # fmt: skip
RX_BUFFER_LEN = 1536


def _packet_token(token: object) -> tuple[int, int]:
    assert isinstance(token, tuple)
    addr, length = token
    assert isinstance(addr, int) and isinstance(length, int)
    return addr, length


@dataclass(slots=True)
class NetDriver:
    device_id: int = DeviceId.NET
    supported_features: int = LINUX_NET_FEATURES
    reads_config_before_queues: bool = True
    mac: bytes = b""
    link_up: bool = False
    received: list[bytes] = field(default_factory=list)

    def queues(self, negotiated: int) -> list[QueueWish]:
        wishes = [QueueWish(RECEIVEQ1, "receiveq1"), QueueWish(TRANSMITQ1, "transmitq1")]
        if negotiated & bit("VIRTIO_NET_F_CTRL_VQ"):  # §5.1.2: controlq after the pairs
            wishes.append(QueueWish(CONTROLQ, "controlq", interrupts=False))
        return wishes

    def read_config(self, ops: ConfigOps, negotiated: int) -> None:
        """§5.1.4: the MAC (if offered, §2.5.1) and the link status, in one generation."""
        ops.config_generation()
        if negotiated & bit("VIRTIO_NET_F_MAC"):
            self.mac = bytes(ops.read_config(i, 1) for i in range(6))
        if negotiated & bit("VIRTIO_NET_F_STATUS"):
            self.link_up = bool(ops.read_config(6, 2) & 1)
        ops.config_generation()

    # -- the data path --------------------------------------------------------------------
    def refill_rx(self, core: VirtioDriver, count: int | None = None) -> int:
        """Post empty receive buffers (Linux: try_fill_recv()); kick if needed."""
        rxq = core.queues[RECEIVEQ1]
        posted = 0
        while rxq.free_count and (count is None or posted < count):
            addr = core.alloc.allocate(RX_BUFFER_LEN, 64)
            rxq.add_buffer([], [Buffer(addr, RX_BUFFER_LEN, writable=True)], token=addr)
            posted += 1
        if posted and rxq.kick_prepare():
            core.ops.notify(RECEIVEQ1)
        return posted

    def transmit(self, core: VirtioDriver, frame: bytes) -> int:
        """Queue one frame behind a zeroed header (Linux: xmit_skb()); kick if needed."""
        txq = core.queues[TRANSMITQ1]
        self.reclaim_tx(core)
        packet = NetHeader().pack() + frame
        addr = core.alloc.allocate(len(packet), 64)
        core.memory.write(addr, packet)
        head = txq.add_buffer([Buffer(addr, len(packet))], [], token=(addr, len(packet)))
        if txq.kick_prepare():
            core.ops.notify(TRANSMITQ1)
        return head

    def reclaim_tx(self, core: VirtioDriver) -> int:
        """Take back sent buffers (Linux: free_old_xmit_skbs())."""
        reclaimed = 0
        while (used := core.queues[TRANSMITQ1].get_used()) is not None:
            addr, length = _packet_token(used.token)
            core.alloc.free(addr, length)
            reclaimed += 1
        return reclaimed

    def poll_rx(self, core: VirtioDriver) -> list[bytes]:
        """Collect received frames (Linux: virtnet_receive()), then refill."""
        rxq = core.queues[RECEIVEQ1]
        frames: list[bytes] = []
        while (first := rxq.get_used()) is not None:
            data = self._take_rx(core, first.token, first.length)
            parts = [data[NET_HDR_SIZE:]]
            for _ in range(NetHeader.unpack(data).num_buffers - 1):
                more = rxq.get_used()  # §5.1.6.4: the device used them all together
                if more is None:
                    break
                parts.append(self._take_rx(core, more.token, more.length))
            frames.append(b"".join(parts))
        self.received.extend(frames)
        self.refill_rx(core)
        return frames

    @staticmethod
    def _take_rx(core: VirtioDriver, token: object, length: int) -> bytes:
        assert isinstance(token, int)
        data = core.memory.read(token, length)  # §2.7.8.3: only the first len bytes
        core.alloc.free(token, RX_BUFFER_LEN)
        return data

    def send_control(self, core: VirtioDriver, klass: int, command: int, data: bytes = b"") -> None:
        """Queue one control command and kick (Linux: virtnet_send_command())."""
        if CONTROLQ not in core.queues:
            raise ConfigError("the control queue was not negotiated (VIRTIO_NET_F_CTRL_VQ)")
        ctrlq = core.queues[CONTROLQ]
        out_addr = core.alloc.allocate(2 + len(data), 16)
        ack_addr = core.alloc.allocate(1, 16)
        core.memory.write(out_addr, bytes([klass, command]) + data)
        core.memory.write_u8(ack_addr, 0xFF)  # so a missing ack is visible
        out = [Buffer(out_addr, 2)] + ([Buffer(out_addr + 2, len(data))] if data else [])
        ctrlq.add_buffer(out, [Buffer(ack_addr, 1, writable=True)], token=ack_addr)
        if ctrlq.kick_prepare():
            core.ops.notify(CONTROLQ)

    def poll_control(self, core: VirtioDriver) -> int | None:
        """The ack of the oldest answered command, or None while the device is busy.

        Linux spins on virtqueue_get_buf() here: the control queue has no interrupt."""
        used = core.queues[CONTROLQ].get_used()
        if used is None:
            return None
        assert isinstance(used.token, int)
        return core.memory.read_u8(used.token)
