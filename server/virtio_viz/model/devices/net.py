"""virtio-net, the device side (virtio-1.2 §5.1).

How this works: the device owns three queues (receiveq1 = 0, transmitq1 = 1, controlq = 2
when VIRTIO_NET_F_CTRL_VQ is negotiated; §5.1.2). Every frame on a queue is preceded by
the 12-byte `virtio_net_hdr` of a VERSION_1 device (§5.1.6). Transmit pops a chain,
strips the header and hands the frame to the "wire" (`outbox`). Receive writes header
plus frame into receive buffers the driver posted; with VIRTIO_NET_F_MRG_RXBUF one frame
may span several buffers and `num_buffers` says how many (§5.1.6.3/§5.1.6.4). The
control queue carries `class, command, data..., ack` (§5.1.6.5). Frames are opaque
bytes here; `virtio_viz.frames` builds and decodes them for people.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from virtio_viz.model.device_queue import QueueHost
from virtio_viz.model.events import EventLog
from virtio_viz.model.features import bit
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.spec import DeviceId
from virtio_viz.model.virtqueue import Chain, DeviceQueue

RECEIVEQ1, TRANSMITQ1, CONTROLQ = 0, 1, 2  # §5.1.2, one queue pair
NET_HDR_SIZE = 12  # §5.1.6: always 12 bytes for VERSION_1 (num_buffers included)

VIRTIO_NET_HDR_F_NEEDS_CSUM = 1  # §5.1.6
VIRTIO_NET_HDR_F_DATA_VALID = 2
VIRTIO_NET_HDR_F_RSC_INFO = 4
VIRTIO_NET_HDR_GSO_NONE = 0
VIRTIO_NET_S_LINK_UP = 1  # §5.1.4 config status
VIRTIO_NET_S_ANNOUNCE = 2

VIRTIO_NET_OK, VIRTIO_NET_ERR = 0, 1  # §5.1.6.5 ack values
CTRL_RX, CTRL_MAC, CTRL_ANNOUNCE, CTRL_MQ = 0, 1, 3, 4  # classes
CTRL_RX_PROMISC, CTRL_RX_ALLMULTI = 0, 1
CTRL_MAC_ADDR_SET = 1
CTRL_ANNOUNCE_ACK = 0
CTRL_MQ_VQ_PAIRS_SET = 0

# What QEMU 7.2's virtio-net-pci offered in shared/traces/qemu-split (high 0x101, low
# 0x30bf8024): VERSION_1, RING_RESET, INDIRECT_DESC, EVENT_IDX, MAC, MRG_RXBUF, STATUS,
# CTRL_VQ and the control-queue extras.
QEMU_NET_FEATURES = 0x0000_0101_30BF_8024

_HDR = struct.Struct("<BBHHHHH")


@dataclass(frozen=True, slots=True)
class NetHeader:
    """struct virtio_net_hdr as a VERSION_1 device sees it (§5.1.6), 12 bytes."""

    flags: int = 0
    gso_type: int = VIRTIO_NET_HDR_GSO_NONE
    hdr_len: int = 0
    gso_size: int = 0
    csum_start: int = 0
    csum_offset: int = 0
    num_buffers: int = 0

    def pack(self) -> bytes:
        return _HDR.pack(
            self.flags, self.gso_type, self.hdr_len, self.gso_size,
            self.csum_start, self.csum_offset, self.num_buffers,
        )  # fmt: skip

    @classmethod
    def unpack(cls, data: bytes) -> NetHeader:
        return cls(*_HDR.unpack(data[:NET_HDR_SIZE]))


@dataclass(slots=True)
class NetDevice:
    """Device-type logic for virtio-net; the device core calls it with its queues."""

    memory: GuestMemory
    log: EventLog
    mac: bytes = bytes.fromhex("525400123456")
    offered: int = QEMU_NET_FEATURES
    queue_sizes: tuple[int, ...] = (256, 256, 64)
    link_up: bool = True
    negotiated: int = 0
    outbox: list[bytes] = field(default_factory=list)  # frames sent on the wire
    inbox: list[bytes] = field(default_factory=list)  # frames waiting for receive buffers
    promiscuous: bool = False
    all_multicast: bool = False
    _held_rx: list[Chain] = field(default_factory=list)

    device_id = DeviceId.NET

    # -- configuration space, §5.1.4 --------------------------------------------------
    def config_space(self) -> bytes:
        """mac[6], le16 status, le16 max_virtqueue_pairs, le16 mtu."""
        status = VIRTIO_NET_S_LINK_UP if self.link_up else 0
        return self.mac + struct.pack("<HHH", status, 1, 1500)

    def write_config(self, offset: int, data: bytes) -> None:
        """Every field of §5.1.4 is read-only for a VERSION_1 driver: the write is ignored."""

    def reset(self) -> None:
        self.negotiated = 0
        self.promiscuous = self.all_multicast = False
        self._held_rx.clear()
        self.inbox.clear()

    # -- the device core's entry points -----------------------------------------------------
    def handle_queue(self, device: QueueHost, queue_index: int) -> None:
        """A kick: transmit, take new receive buffers, or run control commands."""
        ring = device.live_queue(queue_index)
        if ring is None:
            return
        if queue_index == TRANSMITQ1:
            self.transmit(ring)
        elif queue_index == RECEIVEQ1:
            self._drain_inbox(ring)
        elif queue_index == CONTROLQ and self.negotiated & bit("VIRTIO_NET_F_CTRL_VQ"):
            self.control(ring)

    def deliver(self, device: QueueHost, frame: bytes) -> bool:
        """A frame arrives from the wire; True if it reached a receive buffer now."""
        ahead = len(self.inbox)  # frames still waiting in front of this one
        self.inbox.append(frame)
        ring = device.live_queue(RECEIVEQ1)
        if ring is None:
            return False
        delivered = self._drain_inbox(ring)
        device.flush_notifications()
        return delivered > ahead

    def _drain_inbox(self, rxq: DeviceQueue) -> int:
        delivered = 0
        while self.inbox and self.receive(rxq, self.inbox[0]):
            self.inbox.pop(0)
            delivered += 1
        return delivered

    @property
    def mergeable(self) -> bool:
        return bool(self.negotiated & bit("VIRTIO_NET_F_MRG_RXBUF"))

    # -- transmit, §5.1.6.2 -------------------------------------------------------------
    def transmit(self, txq: DeviceQueue) -> int:
        """Send every frame the driver queued; return how many went out."""
        sent = 0
        while txq.has_available():
            chain = txq.pop()
            if chain is None:
                break
            data = chain.read_all(self.memory)
            header = NetHeader.unpack(data)
            frame = data[NET_HDR_SIZE:]
            self.outbox.append(frame)
            self._note_tx(header, frame, txq.queue_index)
            txq.push(chain, 0)  # nothing written into a transmit buffer
            sent += 1
        return sent

    def _note_tx(self, header: NetHeader, frame: bytes, queue: int) -> None:
        problem = ""
        if header.num_buffers != 0:
            problem = f"; num_buffers is {header.num_buffers} but a driver must send 0"
        if header.flags & (VIRTIO_NET_HDR_F_DATA_VALID | VIRTIO_NET_HDR_F_RSC_INFO):
            problem += "; DATA_VALID/RSC_INFO are receive-only flags"
        self.log.record(
            "net_tx_frame",
            actor="device",
            plane="data",
            spec="§5.1.6.2",
            analog="virtio_net_flush_tx() in QEMU",
            summary=f"The device strips the {NET_HDR_SIZE}-byte header and puts a "
            f"{len(frame)}-byte frame on the wire{problem}.",
            queue=queue,
            values={
                "frame_len": len(frame),
                "flags": header.flags,
                "num_buffers": header.num_buffers,
            },
        )

    # -- receive, §5.1.6.3 / §5.1.6.4 ---------------------------------------------------------
    def receive(self, rxq: DeviceQueue, frame: bytes) -> bool:
        """Deliver one frame into posted receive buffers; False if it must wait."""
        needed = NET_HDR_SIZE + len(frame)
        while sum(c.writable_capacity for c in self._held_rx) < needed and rxq.has_available():
            chain = rxq.pop()
            if chain is None:
                return False
            self._held_rx.append(chain)
            if not self.mergeable:
                break  # without MRG_RXBUF a frame must fit one buffer
        if sum(c.writable_capacity for c in self._held_rx) < needed:
            return self._rx_short(rxq, needed)
        self._fill_rx(rxq, frame)
        return True

    def _rx_short(self, rxq: DeviceQueue, needed: int) -> bool:
        if self.mergeable or not self._held_rx:
            return False  # wait for the driver to post more buffers
        chain = self._held_rx.pop()  # a single buffer too small: drop the frame
        self.log.record(
            "net_rx_drop",
            actor="device",
            plane="data",
            spec="§5.1.6.3",
            analog="virtio_net_receive_rcu() in QEMU",
            summary=f"A {needed}-byte frame does not fit the {chain.writable_capacity}-byte "
            "receive buffer and is dropped.",
            queue=rxq.queue_index,
            values={"needed": needed, "capacity": chain.writable_capacity},
        )
        rxq.push(chain, 0)
        return True

    def _fill_rx(self, rxq: DeviceQueue, frame: bytes) -> None:
        chains, used = self._held_rx[:], 0
        needed = NET_HDR_SIZE + len(frame)
        spans: list[Chain] = []
        for chain in chains:
            if used >= needed:
                break
            spans.append(chain)
            used += chain.writable_capacity
        self._held_rx = chains[len(spans) :]
        payload = NetHeader(num_buffers=len(spans)).pack() + frame
        lengths, offset = [], 0
        for chain in spans:  # all buffers but the last are filled completely
            written = chain.write_all(self.memory, payload[offset:])
            offset += written
            lengths.append(written)
        self.log.record(
            "net_rx_frame",
            actor="device",
            plane="data",
            spec="§5.1.6.4",
            analog="virtio_net_receive_rcu() in QEMU",
            summary=f"The device writes a {len(frame)}-byte frame behind a {NET_HDR_SIZE}-byte "
            f"header into {len(spans)} receive buffer(s) (num_buffers {len(spans)}).",
            queue=rxq.queue_index,
            values={"frame_len": len(frame), "num_buffers": len(spans)},
        )
        for chain, written in zip(spans, lengths, strict=True):
            rxq.push(chain, written)

    # -- control queue, §5.1.6.5 -----------------------------------------------------------
    def control(self, ctrlq: DeviceQueue) -> int:
        handled = 0
        while ctrlq.has_available():
            chain = ctrlq.pop()
            if chain is None:
                break
            command = chain.read_all(self.memory)
            ack, what = self._run_command(command)
            written = chain.write_all(self.memory, bytes([ack]))
            self.log.record(
                "net_ctrl_command",
                actor="device",
                plane="control",
                spec="§5.1.6.5",
                analog="virtio_net_handle_ctrl() in QEMU",
                summary=f"Control command {command[:2].hex(' ')}: {what}; the device answers "
                f"{'VIRTIO_NET_OK' if ack == VIRTIO_NET_OK else 'VIRTIO_NET_ERR'}.",
                queue=ctrlq.queue_index,
                values={"class": command[0] if command else -1, "ack": ack},
            )
            ctrlq.push(chain, written)
            handled += 1
        return handled

    def _run_command(self, command: bytes) -> tuple[int, str]:
        """Carry out one control command; return (ack, what happened)."""
        klass, cmd, data = (
            (command[0], command[1], command[2:]) if len(command) > 1 else (-1, -1, b"")
        )
        if klass == CTRL_RX and cmd in (CTRL_RX_PROMISC, CTRL_RX_ALLMULTI) and len(data) == 1:
            on = bool(data[0])
            if cmd == CTRL_RX_PROMISC:
                self.promiscuous = on
                return VIRTIO_NET_OK, f"promiscuous mode {'on' if on else 'off'}"
            self.all_multicast = on
            return VIRTIO_NET_OK, f"all-multicast {'on' if on else 'off'}"
        if klass == CTRL_MAC and cmd == CTRL_MAC_ADDR_SET and len(data) == 6:
            self.mac = bytes(data)
            return VIRTIO_NET_OK, "MAC address set to " + data.hex(":")
        if klass == CTRL_ANNOUNCE and cmd == CTRL_ANNOUNCE_ACK:
            return VIRTIO_NET_OK, "announcement acknowledged"
        if klass == CTRL_MQ and cmd == CTRL_MQ_VQ_PAIRS_SET and len(data) == 2:
            pairs = int.from_bytes(data, "little")
            return (VIRTIO_NET_OK if pairs == 1 else VIRTIO_NET_ERR), f"{pairs} queue pair(s)"
        return VIRTIO_NET_ERR, "unknown or malformed command"
