"""Virtio over PCI: configuration space, capabilities, common config, ISR, notify, MSI-X.

virtio-1.2 §4.1. Byte-level checks of the capability chain and of every register offset,
the Linux handshake through registers, and the recorded QEMU 7.2 / Linux 6.1 trace in
shared/traces/qemu-split: every access Linux made lands on a register of this model.
"""

from __future__ import annotations

import pytest

from tests.support.device_rig import EVENT_IDX, VERSION_1, EchoBackend, PciRig, make_pci_rig
from tests.support.qemu_trace import register_accesses
from virtio_viz.model.devices.net import QEMU_NET_FEATURES
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.spec import ISR_QUEUE, VIRTIO_MSI_NO_VECTOR, DeviceId
from virtio_viz.model.transport.pci_common import COMMON_FIELDS, locate
from virtio_viz.model.transport.pci_config import walk_capabilities

BAR4 = 0xFEBF_8000


def net_rig() -> PciRig:
    backend = EchoBackend(
        device_id=DeviceId.NET, offered=QEMU_NET_FEATURES, queue_sizes=(256, 256, 64)
    )
    return make_pci_rig(backend=backend)


def config_bytes(rig: PciRig, start: int, length: int) -> bytes:
    return bytes(rig.pci.config.data[start : start + length])


# -- configuration space ---------------------------------------------------------------------------
def test_header_identifies_a_modern_virtio_device() -> None:
    """§4.1.2: vendor 0x1AF4, device 0x1040 + id, revision 1, subsystem >= 0x40."""
    rig = net_rig()
    read = rig.pci.config_read
    assert read(0x00, 4) == 0x1041_1AF4  # vendor_id + device_id
    assert read(0x08, 1) == 1  # revision
    assert read(0x0B, 1) == 0x02  # class: network controller
    assert read(0x06, 2) & 0x10  # capabilities list
    assert (read(0x2C, 2), read(0x2E, 2)) == (0x1AF4, 0x1100)
    assert read(0x34, 1) == 0x98
    assert read(0x3D, 1) == 1  # INTA#
    event = rig.log.events[0]
    assert event.kind == "register_read" and event.values["register"] == "vendor_id+device_id"


def test_capability_chain_bytes_at_exact_offsets() -> None:
    """§4.1.4: struct virtio_pci_cap (16 bytes), notify cap (20) and MSI-X, as QEMU lays them."""
    rig = net_rig()
    common = bytes.fromhex("09 00 10 01 04 00 0000 00000000 00100000")
    isr = bytes.fromhex("09 40 10 03 04 00 0000 00100000 00100000")
    device = bytes.fromhex("09 50 10 04 04 00 0000 00200000 00100000")
    notify = bytes.fromhex("09 60 14 02 04 00 0000 00300000 00100000 04000000")
    pci_cfg = bytes.fromhex("09 70 14 05 00 00 0000 00000000 00000000 00000000")
    msix = bytes.fromhex("11 84 0300 01000000 01080000")  # 4 vectors, table/PBA in BAR1
    assert config_bytes(rig, 0x40, 16) == common
    assert config_bytes(rig, 0x50, 16) == isr
    assert config_bytes(rig, 0x60, 16) == device
    assert config_bytes(rig, 0x70, 20) == notify
    assert config_bytes(rig, 0x84, 20) == pci_cfg
    assert config_bytes(rig, 0x98, 12) == msix


def test_walking_the_capabilities_as_a_driver() -> None:
    rig = net_rig()
    caps = walk_capabilities(rig.pci.config_read)
    assert [(c.at, c.name) for c in caps] == [
        (0x98, "MSI-X"),
        (0x84, "PCI_CFG"),
        (0x70, "NOTIFY_CFG"),
        (0x60, "DEVICE_CFG"),
        (0x50, "ISR_CFG"),
        (0x40, "COMMON_CFG"),
    ]
    notify = caps[2]
    assert (notify.bar, notify.offset, notify.struct_length) == (4, 0x3000, 0x1000)
    assert notify.notify_off_multiplier == 4  # N98: an even power of 2
    assert caps[0].msix_table_size == 4
    assert {e.kind for e in rig.log.events} == {"register_read"}
    assert rig.pci.capabilities() == caps  # the same list, without events


def test_bar_sizing_and_addresses() -> None:
    rig = net_rig()
    assert rig.pci.config_read(0x20, 4) == (BAR4 & 0xFFFF_FFFF) | 0xC  # 64-bit prefetchable
    rig.pci.config_write(0x20, 4, 0xFFFF_FFFF)
    assert rig.pci.config_read(0x20, 4) == 0xFFFF_C00C  # 16 KiB
    rig.pci.config_write(0x20, 4, 0xE000_0000)
    rig.pci.config_write(0x24, 4, 0x1)
    assert rig.pci.bar_address(4) == 0x1_E000_0000


def test_read_only_config_fields_ignore_writes() -> None:
    rig = net_rig()
    rig.pci.config_write(0x00, 2, 0x1234)
    assert rig.pci.config_read(0x00, 2) == 0x1AF4
    assert rig.log.events[0].summary.endswith("read-only: ignored")


@pytest.mark.parametrize(("offset", "width"), [(0x01, 2), (0x02, 4), (0xFE, 4), (0x100, 1), (0, 3)])
def test_bad_config_accesses_raise(offset: int, width: int) -> None:
    rig = net_rig()
    with pytest.raises(ConfigError):
        rig.pci.config_read(offset, width)
    assert rig.log.events == []


def test_pci_cfg_window_reaches_the_bars() -> None:
    """§4.1.4.9: cap.bar / cap.offset / cap.length, then pci_cfg_data."""
    rig = net_rig()
    rig.pci.config_write(0x88, 1, 4)  # bar
    rig.pci.config_write(0x8C, 4, 0x14)  # device_status in common config
    rig.pci.config_write(0x90, 4, 1)  # length
    rig.pci.config_write(0x94, 4, 1)  # ACKNOWLEDGE
    assert rig.read("device_status") == 1
    assert rig.pci.config_read(0x94, 4) == 1


# -- common configuration --------------------------------------------------------------------------
def test_common_config_offsets_match_the_spec() -> None:
    """FACTS.md §6.3 / <linux/virtio_pci.h>: struct virtio_pci_common_cfg, 60 bytes."""
    assert [(f.name, f.offset, f.width) for f in COMMON_FIELDS] == [
        ("device_feature_select", 0, 4),
        ("device_feature", 4, 4),
        ("driver_feature_select", 8, 4),
        ("driver_feature", 12, 4),
        ("config_msix_vector", 16, 2),
        ("num_queues", 18, 2),
        ("device_status", 20, 1),
        ("config_generation", 21, 1),
        ("queue_select", 22, 2),
        ("queue_size", 24, 2),
        ("queue_msix_vector", 26, 2),
        ("queue_enable", 28, 2),
        ("queue_notify_off", 30, 2),
        ("queue_desc", 32, 8),
        ("queue_driver", 40, 8),
        ("queue_device", 48, 8),
        ("queue_notify_data", 56, 2),
        ("queue_reset", 58, 2),
    ]


def test_common_config_reads_at_their_offsets() -> None:
    rig = net_rig()
    bar = rig.pci.bar_read
    bar_write = rig.pci.bar_write
    bar_write(4, 0x00, 4, 0)
    assert bar(4, 0x04, 4) == 0x30BF_8024
    bar_write(4, 0x00, 4, 1)
    assert bar(4, 0x04, 4) == 0x101
    bar_write(4, 0x00, 4, 2)
    assert bar(4, 0x04, 4) == 0  # past bit 63
    assert bar(4, 0x12, 2) == 3  # num_queues
    for queue, size in enumerate((256, 256, 64)):
        bar_write(4, 0x16, 2, queue)
        assert bar(4, 0x18, 2) == size
        assert bar(4, 0x1E, 2) == queue  # queue_notify_off
        assert bar(4, 0x1A, 2) == VIRTIO_MSI_NO_VECTOR
    read_events = [e for e in rig.log.events if e.kind == "register_read"]
    first = read_events[0].values
    assert (first["register"], first["offset"], first["width"]) == ("device_feature", 4, 4)
    assert first["address"] == BAR4 + 4 and first["value"] == 0x30BF_8024
    assert "vp_modern_get_features() in Linux" in read_events[0].analog
    assert read_events[0].spec == "§4.1.4.3"


@pytest.mark.parametrize(
    ("offset", "width", "why"),
    [
        (0x14, 2, "8-bit field"),  # device_status is one byte
        (0x14, 4, "8-bit field"),
        (0x20, 8, "64-bit field"),  # queue_desc: two 32-bit halves only
        (0x18, 4, "16-bit field"),  # queue_size
        (0x16, 4, "unaligned"),
        (0x17, 1, "inside queue_select"),
        (0x21, 1, "inside queue_desc"),
        (0x22, 4, "unaligned"),
        (0x3C, 4, "no register"),
        (0x800, 4, "no register"),
    ],
)
def test_bad_common_accesses_raise_and_change_nothing(offset: int, width: int, why: str) -> None:
    """§4.1.3.1: natural widths, aligned; unknown offsets are ConfigErrors."""
    rig = net_rig()
    assert rig.negotiate(QEMU_NET_FEATURES) == 0xB
    rig.log.take()
    with pytest.raises(ConfigError, match=why):
        rig.pci.bar_write(4, offset, width, 0)
    with pytest.raises(ConfigError):
        rig.pci.bar_read(4, offset, width)
    assert rig.log.events == []
    assert rig.device.device_status == 0xB


def test_bad_bar_accesses_raise() -> None:
    rig = net_rig()
    for bar, offset, width in (
        (0, 0, 4),
        (4, 0x4000, 4),
        (4, 0x1001, 1),
        (4, 0x1000, 2),
        (4, 0x3002, 2),
    ):
        with pytest.raises(ConfigError):
            rig.pci.bar_read(bar, offset, width)
    with pytest.raises(ConfigError):
        rig.pci.bar_write(4, 0x14, 1, 0x100)  # does not fit a byte
    assert rig.log.events == []


# -- the Linux handshake ---------------------------------------------------------------------------
def test_linux_init_sequence_over_pci() -> None:
    """0 -> 1 -> 3 -> 11 (read back 11) -> 15, and what the trace of Linux 6.1 shows."""
    rig = net_rig()
    assert rig.negotiate(0x0000_0101_30AF_8024) == 0xB
    for queue in range(3):
        rig.setup_queue(queue)
    rig.write("device_status", 0xF)
    assert rig.read("device_status") == 0xF
    writes = [
        e.values["value"]
        for e in rig.log.events
        if e.kind == "register_write" and e.values["register"] == "device_status"
    ]
    linux = [
        a.value
        for a in register_accesses()
        if a.device == "net" and a.part == "common" and a.op == "write" and a.offset == 0x14
    ]
    assert writes == [0, 1, 3, 0xB, 0xF] == linux[:5]
    assert rig.rules() == []


def test_every_access_linux_made_lands_on_a_register() -> None:
    """shared/traces/qemu-split: each common / ISR access of Linux and SeaBIOS is a
    register of this model, with the same width (reads replayed on a live device)."""
    rig = net_rig()
    rig.bring_up(queues=3)
    checked = 0
    for access in register_accesses():
        if access.part not in ("common", "isr"):
            continue
        region = {"common": 0x0000, "isr": 0x1000}[access.part]
        if access.op == "read":
            rig.pci.bar_read(4, region + access.offset, access.size)
        elif access.part == "common":
            locate(access.offset, access.size)
        checked += 1
    assert checked > 150
    regions = {e.values["region"] for e in rig.log.events if e.kind == "register_read"}
    assert regions == {"common", "isr"}


def test_offered_features_read_like_qemu() -> None:
    rig = net_rig()
    rig.negotiate(0x0000_0101_30AF_8024)
    reads = [
        (a.offset, a.value)
        for a in register_accesses()
        if a.device == "net" and a.part == "common" and a.op == "read" and a.offset == 4
    ]
    ours = [
        (e.values["offset"], e.values["value"])
        for e in rig.log.events
        if e.kind == "register_read" and e.values["register"] == "device_feature"
    ]
    assert ours == reads[:2] == [(4, 0x30BF_8024), (4, 0x101)]


# -- refused features ------------------------------------------------------------------------------
def test_refused_subset_over_pci() -> None:
    """N10: the read-back lacks FEATURES_OK; the driver sets FAILED and must reset (N3)."""

    def refuse_event_idx(accepted: int) -> str | None:
        return "this device cannot suppress notifications" if accepted & EVENT_IDX else None

    rig = make_pci_rig(refuse_features=refuse_event_idx)
    assert rig.negotiate() == 0x3  # accepted everything offered, EVENT_IDX included
    rig.write("device_status", 0x83)
    assert rig.read("device_status") == 0x83
    rig.write("device_status", 0x87)
    assert rig.only_violation().rule == 3
    assert rig.read("device_status") == 0x83
    assert rig.negotiate(VERSION_1) == 0xB  # after a reset it works


# -- notifications ---------------------------------------------------------------------------------
def test_notify_address_is_bar_plus_offset_plus_notify_off_times_multiplier() -> None:
    """§4.1.4.4: BAR4 + 0x3000 + queue_notify_off * 4; N99: inside the 0x1000 structure."""
    rig = net_rig()
    assert [rig.pci.notify_address(q) for q in range(3)] == [
        BAR4 + 0x3000,
        BAR4 + 0x3004,
        BAR4 + 0x3008,
    ]
    assert all(q * 4 + 2 <= 0x1000 for q in range(3))


def test_a_notify_write_kicks_the_queue_of_its_address() -> None:
    rig = make_pci_rig()
    rig.bring_up()
    driver = rig.driver_queue(1)
    driver.add_buffer([rig.buf(0, 2)], [rig.buf(1, 2, writable=True)])
    rig.log.take()
    rig.pci.bar_write(4, 0x3004, 2, 1)
    assert rig.backend.handled == [1]
    write = rig.log.events[0]
    assert write.values["register"] == "notify[1]" and write.plane == "notification"
    assert write.values["address"] == BAR4 + 0x3004
    assert "vp_notify() in Linux" in write.analog
    assert rig.kinds()[1] == "queue_notify"


def test_isr_is_read_to_clear() -> None:
    """N102: a read returns the bits and clears them; the PCI status bit mirrors ISR (INTx)."""
    rig = make_pci_rig()
    rig.bring_up()
    driver = rig.driver_queue(0)
    driver.add_buffer([rig.buf(0, 2)], [rig.buf(1, 2, writable=True)])
    rig.kick(0)
    assert rig.pci.config_read(0x06, 2) & 0x08  # interrupt status
    assert rig.pci.bar_read(4, 0x1000, 1) == ISR_QUEUE
    assert rig.pci.bar_read(4, 0x1000, 1) == 0
    assert not rig.pci.config_read(0x06, 2) & 0x08
    rig.pci.bar_write(4, 0x1000, 1, 0xFF)  # read-only: ignored
    assert rig.device.interrupts.isr == 0


# -- MSI-X vectors ---------------------------------------------------------------------------------
def test_msix_vector_read_back() -> None:
    """§4.1.5.1.2: a vector beyond the table reads back NO_VECTOR; NO_VECTOR unmaps."""
    rig = make_pci_rig()  # 2 queues: 3 vectors
    rig.negotiate(VERSION_1)
    rig.write("config_msix_vector", 2)
    assert rig.read("config_msix_vector") == 2
    rig.write("config_msix_vector", 3)
    assert rig.read("config_msix_vector") == VIRTIO_MSI_NO_VECTOR
    assert "NO_VECTOR" in rig.log.events[-2].summary
    rig.write("queue_select", 1)
    rig.write("queue_msix_vector", 1)
    assert rig.read("queue_msix_vector") == 1
    rig.write("queue_msix_vector", VIRTIO_MSI_NO_VECTOR)
    assert rig.read("queue_msix_vector") == VIRTIO_MSI_NO_VECTOR
    rig.write("queue_msix_vector", 0x7FF)
    assert rig.read("queue_msix_vector") == VIRTIO_MSI_NO_VECTOR
    assert rig.rules() == []


def test_driver_ok_without_reading_the_vector_back_is_n104() -> None:
    """N104: after mapping an event to a vector the driver must read it back."""
    rig = make_pci_rig()
    assert rig.negotiate(VERSION_1) == 0xB
    rig.write("config_msix_vector", 0)
    rig.setup_queue(0)
    rig.write("device_status", 0xF)
    assert rig.only_violation().rule == 104


def test_msix_table_message_shows_in_the_interrupt() -> None:
    rig = make_pci_rig()
    rig.bring_up(msix=True)
    rig.pci.bar_write(1, 0x10, 4, 0xFEE0_0000)  # entry 1: address low
    rig.pci.bar_write(1, 0x18, 4, 0x4029)  # entry 1: data
    driver = rig.driver_queue(0)
    driver.add_buffer([rig.buf(0, 2)], [rig.buf(1, 2, writable=True)])
    rig.kick(0)
    interrupt = next(e for e in rig.log.events if e.kind == "interrupt")
    assert interrupt.values["msi_address"] == 0xFEE0_0000 and interrupt.values["msi_data"] == 0x4029
    assert rig.pci.bar_read(1, 0x18, 4) == 0x4029
    with pytest.raises(ConfigError):
        rig.pci.bar_read(1, 0x400, 4)  # neither table (3 entries) nor PBA


# -- queue_enable ----------------------------------------------------------------------------------
def test_queue_enable_zero_is_n95() -> None:
    """N95: the driver must never write 0 to queue_enable; the queue stays enabled."""
    rig = make_pci_rig()
    rig.bring_up()
    rig.write("queue_select", 0)
    rig.write("queue_enable", 0)
    assert rig.only_violation().rule == 95
    assert rig.read("queue_enable") == 1
