"""Virtio over channel I/O, byte for byte: every channel command Linux's virtio_ccw sends
while it brings up a virtio-net device, the exact CCW and control block of each, the
DIAGNOSE 0x500 notifications and the indicator bytes of interrupts.

virtio-1.2 §4.3. There is no uapi header for ccw, so the expected bytes below are written
out by hand from the spec's structures; each test names the structure it matches in
Linux's drivers/s390/virtio/virtio_ccw.c and QEMU's hw/s390x/virtio-ccw.{c,h}.
"""

from __future__ import annotations

from tests.support.ccw_rig import Program, Tap, run, tapped_machine
from virtio_viz import frames
from virtio_viz.model.devices.net import QEMU_NET_FEATURES
from virtio_viz.model.driver.ccw_ops import CcwOps
from virtio_viz.model.machine import MachineOptions, NetMachine, virtio_blk_machine
from virtio_viz.model.split import SplitDriverQueue
from virtio_viz.model.transport.ccw import CcwTransport

SENSE_ID, SET_VIRTIO_REV, VDEV_RESET = 0xE4, 0x83, 0x33
READ_STATUS, WRITE_STATUS, READ_FEAT, WRITE_FEAT = 0x72, 0x31, 0x12, 0x11
READ_CONF, WRITE_CONF, READ_VQ_CONF, SET_VQ = 0x22, 0x21, 0x32, 0x13
SET_IND, SET_CONF_IND, SET_IND_ADAPTER = 0x43, 0x53, 0x73


def booted(*, adapter_interrupts: bool = True) -> tuple[NetMachine, Tap, CcwOps]:
    machine, tap = tapped_machine(adapter_interrupts=adapter_interrupts)
    assert machine.boot()
    assert isinstance(machine.ops, CcwOps)
    return machine, tap, machine.ops


def be(value: int, size: int) -> bytes:
    return value.to_bytes(size, "big")


def ccw(command: int, flags: int, count: int, cda: int) -> bytes:
    """struct ccw1 (Linux asm/cio.h, QEMU CCW1): cmd_code, flags, be16 count, be32 cda."""
    return bytes([command, flags]) + be(count, 2) + be(cda, 4)


def of(tap: Tap, command: int) -> list[Program]:
    return [p for p in tap.programs if p.command == command]


def test_linux_sends_the_commands_in_virtio_ccw_order() -> None:
    """SENSE ID and the revision at discovery; then virtio_dev_probe(): each status bit is
    a READ_STATUS and a WRITE_STATUS (virtio_add_status()), features in two words,
    config reads, each queue's READ_VQ_CONF + SET_VQ, the indicators, DRIVER_OK."""
    _, tap, _ = booted()
    add_status = [READ_STATUS, WRITE_STATUS]
    queue = [READ_VQ_CONF, SET_VQ]
    assert [p.command for p in tap.programs] == [
        SENSE_ID, SET_VIRTIO_REV, VDEV_RESET, *add_status, *add_status,
        READ_FEAT, READ_FEAT, WRITE_FEAT, WRITE_FEAT, *add_status, READ_STATUS,
        *[READ_CONF] * 7, *queue, *queue, *queue, SET_IND_ADAPTER, SET_CONF_IND, *add_status,
    ]  # fmt: skip
    assert all(p.ending.ok for p in tap.programs)


def test_sense_id_names_the_control_unit_and_the_device() -> None:
    """§4.3.1: SENSE ID data is 0xff, control unit type 0x3832, model = device id (1)."""
    _, tap, ops = booted()
    sense = tap.programs[0]
    assert sense.ccw == ccw(SENSE_ID, 0x20, 8, ops.block)  # SLI: Linux's cio asks with it
    assert sense.after[:7] == bytes.fromhex("ff 3832 01 0000 00")


def test_set_virtio_rev_asks_for_revision_2_with_no_data() -> None:
    """struct virtio_rev_info (spec §4.3.2.1; QEMU VirtIORevInfo): be16 revision, be16 length."""
    _, tap, ops = booted()
    rev = of(tap, SET_VIRTIO_REV)[0]
    assert rev.ccw == ccw(SET_VIRTIO_REV, 0, 4, ops.block)
    assert rev.before == bytes.fromhex("0002 0000")
    assert ops.revision == 2


def test_vdev_reset_carries_no_data() -> None:
    """§4.3.3.3: CCW_CMD_VDEV_RESET, count 0, data address 0 (Linux's virtio_ccw_reset())."""
    _, tap, _ = booted()
    assert of(tap, VDEV_RESET)[0].ccw == bytes.fromhex("33 00 0000 00000000")


def test_status_is_one_byte_each_way() -> None:
    """§4.3.2.3: WRITE_STATUS and READ_STATUS move the 8-bit status (Linux keeps it in
    vcdev_dma_area.status); the bits go 1, 3, 0xb, 0xf."""
    _, tap, ops = booted()
    writes, reads = of(tap, WRITE_STATUS), of(tap, READ_STATUS)
    assert {p.ccw for p in writes} == {ccw(WRITE_STATUS, 0, 1, ops.status_byte)}
    assert {p.ccw for p in reads} == {ccw(READ_STATUS, 0, 1, ops.status_byte)}
    assert [p.before for p in writes] == [b"\x01", b"\x03", b"\x0b", b"\x0f"]
    assert [p.after for p in reads] == [b"\x00", b"\x01", b"\x03", b"\x0b", b"\x0b"]


def test_feature_words_are_little_endian_with_an_index_byte() -> None:
    """struct virtio_feature_desc (§4.3.2.4; QEMU VirtioFeatDesc): le32 features, u8
    index, exactly 5 bytes. The one little-endian block of virtio-ccw."""
    machine, tap, ops = booted()
    reads, writes = of(tap, READ_FEAT), of(tap, WRITE_FEAT)
    assert {p.ccw for p in reads} == {ccw(READ_FEAT, 0, 5, ops.block)}
    assert [p.before for p in reads] == [bytes(5), bytes(4) + b"\x01"]
    assert reads[0].after == bytes.fromhex("2480bf30 00")  # QEMU's offer, bits 0-31
    assert reads[1].after == bytes.fromhex("01010000 01")  # VERSION_1 (32), RING_RESET (40)
    assert QEMU_NET_FEATURES == 0x0000_0101_30BF_8024
    accepted = machine.driver.negotiated
    assert [p.before for p in writes] == [
        (accepted & 0xFFFF_FFFF).to_bytes(4, "little") + b"\x00",
        (accepted >> 32).to_bytes(4, "little") + b"\x01",
    ]


def test_read_conf_reads_from_the_start_up_to_the_field() -> None:
    """§4.3.2.5: the driver reads offset + length bytes (Linux's virtio_ccw_get_config());
    the MAC comes byte by byte, then the 2-byte status at offset 6."""
    machine, tap, ops = booted()
    reads, counts = of(tap, READ_CONF), (1, 2, 3, 4, 5, 6, 8)
    assert [p.ccw for p in reads] == [ccw(READ_CONF, 0, n, ops.block) for n in counts]
    space = machine.net.config_space()
    assert [p.after for p in reads] == [space[:n] for n in counts]
    assert machine.net_driver.mac == space[:6]


def test_read_vq_conf_and_set_vq_blocks() -> None:
    """struct vq_config_block (§4.3.2.2; QEMU VqConfigBlock): be16 index, be16 max_num.
    struct vq_info_block (§4.3.2.2; QEMU VqInfoBlock, Linux's vq_info_block with avail
    and used for driver and device): be64 desc, be32 res0, be16 index, be16 num, be64
    driver, be64 device: 32 bytes."""
    machine, tap, ops = booted()
    configs, infos = of(tap, READ_VQ_CONF), of(tap, SET_VQ)
    assert [p.before for p in configs] == [be(q, 2) + be(0, 2) for q in (0, 1, 2)]
    assert [p.after for p in configs] == [be(q, 2) + be(16, 2) for q in (0, 1)] + [
        be(2, 2) + be(64, 2)  # the control queue
    ]
    assert {p.ccw[:4] for p in infos} == {bytes.fromhex("13 00 0020")}
    for queue, program in enumerate(infos):
        ring = machine.driver.queues[queue]
        assert isinstance(ring, SplitDriverQueue)
        layout = ring.layout
        assert program.ccw == ccw(SET_VQ, 0, 32, ops.info_blocks[queue])
        assert program.before == (
            be(layout.desc_addr, 8) + be(0, 4) + be(queue, 2) + be(layout.size, 2)
            + be(layout.avail_addr, 8) + be(layout.used_addr, 8)
        )  # fmt: skip
        assert layout.used_addr % 4096 == 0  # KVM_VIRTIO_CCW_RING_ALIGN


def test_adapter_indicators_are_registered_with_a_thinint_area() -> None:
    """struct virtio_thinint_area (§4.3.2.6.3; QEMU VirtioThinintInfo): be64
    summary_indicator, be64 indicator, be64 bit_nr, u8 isc: exactly 25 bytes, sent with
    SLI. Then CCW_CMD_SET_CONF_IND with the be64 address of the config indicators."""
    _, tap, ops = booted()
    (adapter,), (conf,) = of(tap, SET_IND_ADAPTER), of(tap, SET_CONF_IND)
    assert adapter.ccw == ccw(SET_IND_ADAPTER, 0x20, 25, ops.block)
    assert adapter.before == be(ops.summary, 8) + be(ops.airq_vector, 8) + be(0, 8) + b"\x03"
    assert conf.ccw == ccw(SET_CONF_IND, 0, 8, ops.block)
    assert conf.before == be(ops.dma_area + 8, 8)  # vcdev_dma_area.indicators2
    assert of(tap, SET_IND) == []


def test_classic_indicators_are_a_be64_address() -> None:
    """§4.3.2.6.1: CCW_CMD_SET_IND points at the be64 guest address of the indicators
    (vcdev_dma_area.indicators in Linux)."""
    _, tap, ops = booted(adapter_interrupts=False)
    (classic,) = of(tap, SET_IND)
    assert classic.ccw == ccw(SET_IND, 0, 8, ops.block)
    assert classic.before == be(ops.dma_area, 8)
    assert of(tap, SET_IND_ADAPTER) == []


def test_diagnose_500_carries_subchannel_queue_and_the_previous_cookie() -> None:
    """§4.3.3.2: GPR1 = 3, GPR2 = subchannel id 0.0.0000 (0x00010000: the 'one' bit),
    GPR3 = queue, GPR4 = the cookie GPR2 returned last time for that queue."""
    machine, tap, _ = booted()
    machine.send(frames.arp_request())
    machine.service_interrupts()
    machine.send(frames.arp_request())
    assert tap.notifications == [
        (3, 0x0001_0000, 0, 0, 0),  # the receive refill
        (3, 0x0001_0000, 1, 0, 1),  # the first frame: no cookie yet; KVM answers 1
        (3, 0x0001_0000, 1, 1, 1),  # the second: the cookie goes back in GPR4
    ]


def test_adapter_interrupt_sets_a_bit_from_the_left_and_the_summary_byte() -> None:
    """§4.3.3.1.2: queue 1 is bit 1 counted from the left (0x40 in the first byte); the
    summary byte becomes 0x01. The handler clears both."""
    machine, _, ops = booted()
    machine.send(frames.arp_request())
    memory = machine.memory
    assert memory.peek(ops.airq_vector, 2) == bytes.fromhex("4000")
    assert memory.peek(ops.summary, 1) == b"\x01"
    machine.service_interrupts()
    assert memory.peek(ops.airq_vector, 2) == bytes(2)
    assert memory.peek(ops.summary, 1) == b"\x00"


def test_classic_interrupt_sets_bit_n_of_a_be64_value() -> None:
    """§4.3.3.1.1: queue n is bit n of the big-endian 64-bit indicators (QEMU's
    `indicators |= 1ULL << vector`, stored with stq); a config change sets bit 0 of the
    configuration indicators."""
    machine, _, ops = booted(adapter_interrupts=False)
    machine.send(frames.arp_request())
    assert machine.memory.peek(ops.dma_area, 8) == be(1 << 1, 8)
    machine.service_interrupts()
    assert machine.memory.peek(ops.dma_area, 8) == bytes(8)
    machine.device.config_changed("the link goes down")
    assert machine.memory.peek(ops.dma_area + 8, 8) == be(1, 8)
    assert [i.cause for i in machine.device.take_interrupts()] == ["config"]


def test_write_conf_sends_the_configuration_from_its_start() -> None:
    """§4.3.2.5: CCW_CMD_WRITE_CONF carries the space from offset 0 up to the field (Linux's
    virtio_ccw_set_config()); the device takes the bytes that changed: here virtio-blk's
    writeback byte at offset 32."""
    machine = virtio_blk_machine(MachineOptions(transport="ccw", queue_size=16))
    assert machine.boot()
    transport = machine.transport
    assert isinstance(transport, CcwTransport)
    before, space = run(transport, READ_CONF, bytes(33))
    assert before.ok and space == machine.blk.config_space()[:33]
    assert space[32] == 1  # write-back cache on
    ending, _ = run(transport, WRITE_CONF, space[:32] + b"\x00")
    assert ending.ok and machine.blk.writeback == 0
    too_long, _ = run(transport, WRITE_CONF, bytes(64), count=64)
    assert too_long.describe() == "incorrect length"  # no SLI, more than the 36-byte space
    assert machine.blk.writeback == 0
