"""An IOMMU domain in front of a vDPA device: the host maps guest RAM for DMA, the device's
reads and writes are translated, and anything outside the mappings is blocked and told."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtio_viz.model.errors import ConfigError
from virtio_viz.model.events import EventLog
from virtio_viz.model.iommu import (
    MAP_ANALOG,
    PAGE_SIZE,
    DmaTranslation,
    IommuDomain,
    IommuFault,
    IommuMapping,
    Perm,
)
from virtio_viz.model.memory import GuestMemory

RW = Perm.READ | Perm.WRITE


def domain(aperture: tuple[int, int] = (0, (1 << 64) - 1)) -> tuple[IommuDomain, EventLog]:
    log = EventLog(GuestMemory.with_regions([("ram", 0x200_0000, 0x40_0000)]))
    return IommuDomain(log, aperture=aperture, device="vDPA NIC"), log


def test_map_records_a_control_plane_event() -> None:
    iommu, log = domain()
    mapping = iommu.map(0x200_0000, 0x1_2340_0000, 4 * PAGE_SIZE, RW)
    assert mapping == IommuMapping(0x200_0000, 0x1_2340_0000, 0x4000, RW)
    (event,) = log.take()
    assert (event.kind, event.actor, event.plane, event.spec) == (
        "iommu_map", "iommu", "control", "§6.1"
    )  # fmt: skip
    assert event.analog == MAP_ANALOG
    assert event.summary == (
        "The host maps IOVA 0x2000000..0x2004000 -> host-physical 0x123400000 "
        "(4 page(s), read|write) for the vDPA NIC"
    )
    assert event.values == {"iova": 0x200_0000, "hpa": 0x1_2340_0000, "size": 0x4000,
                            "perm": "read|write"}  # fmt: skip


def test_dma_inside_a_mapping_reaches_host_physical_memory() -> None:
    iommu, log = domain()
    iommu.map(0x200_0000, 0x1_2340_0000, 0x4000, RW)
    log.take()
    result = iommu.translate(0x200_1010, 1514, write=True, queue=0)
    assert isinstance(result, DmaTranslation)
    assert result.hpa == 0x1_2340_1010
    (event,) = log.take()
    assert (event.kind, event.plane, event.queue) == ("iommu_translate", "data", 0)
    assert event.summary == (
        "The IOMMU lets the vDPA NIC's write of 1514 bytes at IOVA 0x2001010 through to "
        "host-physical 0x123401010"
    )
    assert event.values["hpa"] == 0x1_2340_1010
    last_byte = iommu.translate(0x200_3FFF, 1, write=False)
    assert isinstance(last_byte, DmaTranslation) and last_byte.hpa == 0x1_2340_3FFF


def test_dma_to_an_unmapped_iova_faults_on_the_data_plane() -> None:
    iommu, log = domain()
    iommu.map(0x200_0000, 0x1_2340_0000, 0x1000, RW)
    log.take()
    fault = iommu.translate(0x300_0000, 64, write=False)
    assert fault == IommuFault(0x300_0000, 64, False, "unmapped", "no mapping holds IOVA 0x3000000")
    (event,) = log.take()
    assert (event.kind, event.actor, event.plane) == ("iommu_fault", "iommu", "data")
    assert event.summary == (
        "The IOMMU blocks the vDPA NIC's read of 64 bytes at IOVA 0x3000000: "
        "no mapping holds IOVA 0x3000000"
    )
    assert event.values["reason"] == "unmapped"
    past = iommu.translate(0x200_0F00, 0x200, write=False)
    assert isinstance(past, IommuFault) and past.reason == "unmapped"
    assert past.detail.endswith("(1 page(s), read|write); IOVA 0x2001000 is unmapped")


def test_writing_through_a_read_only_mapping_is_a_permission_fault() -> None:
    iommu, _ = domain()
    iommu.map(0x200_0000, 0x1_2340_0000, 0x1000, Perm.READ)  # a TX buffer: device only reads
    assert isinstance(iommu.translate(0x200_0000, 16, write=False), DmaTranslation)
    fault = iommu.translate(0x200_0000, 16, write=True)
    assert isinstance(fault, IommuFault)
    assert (fault.reason, fault.write) == ("permission", True)
    assert fault.detail.endswith("(1 page(s), read) does not allow writes")
    iommu.map(0x300_0000, 0x1_5000_0000, 0x1000, Perm.WRITE)
    assert isinstance(iommu.translate(0x300_0000, 4, write=False), IommuFault)


def test_dma_across_two_mappings_is_a_straddle_fault() -> None:
    iommu, _ = domain()
    iommu.map(0x200_0000, 0x1_0000_0000, 0x1000, RW)
    iommu.map(0x200_1000, 0x2_0000_0000, 0x1000, RW)  # next IOVA page, far-away host page
    fault = iommu.translate(0x200_0F00, 0x200, write=True)
    assert isinstance(fault, IommuFault) and fault.reason == "straddle"
    assert fault.detail.endswith("the access must be split at IOVA 0x2001000")
    second = iommu.translate(0x200_1000, 0x100, write=True)
    assert isinstance(second, DmaTranslation) and second.hpa == 0x2_0000_0000


def test_unmap_removes_whole_mappings_and_later_dma_faults() -> None:
    iommu, log = domain()
    iommu.map(0x200_0000, 0x1_0000_0000, 0x2000, RW)
    iommu.map(0x200_2000, 0x1_0000_2000, 0x1000, RW)
    iommu.map(0x400_0000, 0x1_1000_0000, 0x1000, RW)
    log.take()
    removed = iommu.unmap(0x200_0000, 0x3000)
    assert [m.iova for m in removed] == [0x200_0000, 0x200_2000]
    assert [m.iova for m in iommu.mappings] == [0x400_0000]
    (event,) = log.take()
    assert (event.kind, event.plane) == ("iommu_unmap", "control")
    assert event.summary == (
        "The host unmaps IOVA 0x2000000..0x2003000: 2 mapping(s), 3 page(s) removed"
    )
    assert isinstance(iommu.translate(0x200_0000, 4, write=False), IommuFault)
    assert iommu.unmap(0x800_0000, 0x1000) == ()  # nothing there: an empty, recorded unmap
    assert log.take()[-1].values["removed"] == 0


def test_impossible_host_requests_are_refused_before_anything_changes() -> None:
    iommu, log = domain(aperture=(0x1000, 0xFFFF_FFFF))
    iommu.map(0x10_0000, 0x1_0000_0000, 0x2000, RW)
    log.take()
    no_access = Perm(0)
    refused: dict[str, Callable[[], object]] = {
        "IOVA 0x100800 is not a multiple": lambda: iommu.map(0x10_0800, 0, 0x1000, RW),
        "host-physical address 0x10 is not": lambda: iommu.map(0x20_0000, 0x10, 0x1000, RW),
        "size 0x1800 is not a multiple": lambda: iommu.map(0x20_0000, 0, 0x1800, RW),
        "cannot map 0x0 bytes": lambda: iommu.map(0x20_0000, 0, 0, RW),
        "overlaps IOVA 0x100000..0x102000": lambda: iommu.map(0x10_1000, 0, 0x1000, RW),
        "leaves the aperture 0x1000..0xffffffff": lambda: iommu.map(0, 0, 0x1000, RW),
        "permission 0 must be read": lambda: iommu.map(0x30_0000, 0, 0x1000, no_access),
        "would cut IOVA 0x100000..0x102000": lambda: iommu.unmap(0x10_1000, 0x1000),
        "not a DMA range": lambda: iommu.translate(-1, 4, write=False),
    }  # fmt: skip
    for complaint, attempt in refused.items():
        with pytest.raises(ConfigError, match=complaint):
            attempt()
    assert iommu.mappings == (IommuMapping(0x10_0000, 0x1_0000_0000, 0x2000, RW),)
    assert log.take() == []
    with pytest.raises(ConfigError, match="aperture"):
        IommuDomain(log, aperture=(0x2000, 0x1000))


@settings(max_examples=150, deadline=None)
@given(
    iova=st.integers(0x1FF_E000, 0x200_8000),
    length=st.integers(1, 0x3000),
    write=st.booleans(),
)
def test_translation_agrees_with_the_mapping_pages(iova: int, length: int, write: bool) -> None:
    iommu, _ = domain()
    iommu.map(0x200_0000, 0x1_0000_0000, 0x4000, RW)
    iommu.map(0x200_4000, 0x3_0000_0000, 0x2000, Perm.READ)
    result = iommu.translate(iova, length, write=write)
    first, last = iommu.lookup(iova), iommu.lookup(iova + length - 1)
    if isinstance(result, DmaTranslation):
        assert first is last is result.mapping
        assert result.hpa - first.hpa == iova - first.iova
        assert not write or Perm.WRITE in first.perm
    elif result.reason == "permission":
        assert first is last and first is not None and write
    elif result.reason == "straddle":  # mappings hold every byte, but not one mapping
        assert first is not None and last is not None and first is not last
        assert all(iommu.lookup(page) for page in range(iova, iova + length, PAGE_SIZE))
    else:  # some byte of the range has no mapping
        holes = [a for a in (*range(iova, iova + length, PAGE_SIZE), iova + length - 1)
                 if iommu.lookup(a) is None]  # fmt: skip
        assert holes
