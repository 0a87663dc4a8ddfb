"""An IOMMU domain: how a device's DMA addresses become host-physical addresses.

How this works: once VIRTIO_F_ACCESS_PLATFORM is negotiated (virtio-1.2 §6, §6.1), the
addresses a driver gives the device are I/O virtual addresses (IOVAs) that the platform
translates, not physical ones. For a vDPA or VFIO device the host fills one IOMMU domain
with mappings: each a page-aligned IOVA range, the host-physical range behind it, and
whether the device may read it, write it, or both (VFIO_IOMMU_MAP_DMA / UNMAP_DMA).
Every DMA of the device is looked up there. A range inside one mapping, with the right
permission, reaches host-physical memory; anything else is blocked and reported as a
fault, and the access never touches memory.

Map and unmap are control-plane events, each DMA translation or fault a data-plane
event, all on the shared EventLog with actor "iommu". Host requests no real IOMMU API
accepts (unaligned, empty, overlapping, outside the aperture, splitting a mapping) raise
ConfigError before anything changes. DMA addresses come from the guest and the device,
so `translate()` never raises for them: it returns an `IommuFault`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from enum import IntFlag
from typing import Literal

from virtio_viz.model.errors import ConfigError
from virtio_viz.model.events import EventLog

PAGE_SIZE = 0x1000  # mappings are made of whole 4 KiB pages
SPEC = "§6.1"  # VIRTIO_F_ACCESS_PLATFORM
MAP_ANALOG = "iommu_map() / vfio_iommu_type1_ioctl(VFIO_IOMMU_MAP_DMA) in Linux"
UNMAP_ANALOG = "iommu_unmap() / vfio_iommu_type1_ioctl(VFIO_IOMMU_UNMAP_DMA) in Linux"
DMA_ANALOG = "DMA remapping in the IOMMU hardware (iommu_iova_to_phys() in Linux)"
FAULT_ANALOG = "a DMA remapping fault (dmar_fault() for Intel VT-d in Linux)"
_LIMIT = 1 << 64


class Perm(IntFlag):
    """What the device may do through a mapping (VFIO_DMA_MAP_FLAG_READ / _WRITE)."""

    READ = 1
    WRITE = 2


def perm_names(perm: Perm) -> str:
    return "|".join(p.name.lower() for p in Perm if p in perm and p.name) or "none"


@dataclass(frozen=True, slots=True)
class IommuMapping:
    iova: int
    hpa: int
    size: int
    perm: Perm

    @property
    def end(self) -> int:
        return self.iova + self.size

    def describe(self) -> str:
        return (
            f"IOVA 0x{self.iova:x}..0x{self.end:x} -> host-physical 0x{self.hpa:x} "
            f"({self.size // PAGE_SIZE} page(s), {perm_names(self.perm)})"
        )


@dataclass(frozen=True, slots=True)
class DmaTranslation:
    """A DMA the IOMMU let through: `hpa` is where its first byte lands."""

    iova: int
    length: int
    write: bool
    hpa: int
    mapping: IommuMapping


FaultReason = Literal["unmapped", "permission", "straddle"]


@dataclass(frozen=True, slots=True)
class IommuFault:
    """A DMA the IOMMU blocked, and why."""

    iova: int
    length: int
    write: bool
    reason: FaultReason
    detail: str


def _check_pages(what: str, value: int) -> None:
    if value % PAGE_SIZE:
        raise ConfigError(f"{what} 0x{value:x} is not a multiple of the 4 KiB page size")


class IommuDomain:
    """One IOMMU domain (an address space for the devices attached to it)."""

    def __init__(
        self,
        log: EventLog,
        *,
        aperture: tuple[int, int] = (0, _LIMIT - 1),
        device: str = "device",
    ) -> None:
        first, last = aperture
        if not 0 <= first <= last < _LIMIT:
            raise ConfigError(f"IOVA aperture 0x{first:x}..0x{last:x} is impossible")
        self.log = log
        self.aperture = aperture  # inclusive, as VHOST_VDPA_GET_IOVA_RANGE reports it
        self.device = device  # how summaries name the device doing DMA
        self._mappings: list[IommuMapping] = []  # sorted by iova, never overlapping

    @property
    def mappings(self) -> tuple[IommuMapping, ...]:
        return tuple(self._mappings)

    def lookup(self, iova: int) -> IommuMapping | None:
        """The mapping holding this IOVA, without recording anything (for views)."""
        at = bisect.bisect_right([m.iova for m in self._mappings], iova) - 1
        if at >= 0 and iova < self._mappings[at].end:
            return self._mappings[at]
        return None

    # -- control plane ----------------------------------------------------------------------
    def map(self, iova: int, hpa: int, size: int, perm: Perm) -> IommuMapping:
        """Install a mapping of whole pages; overlapping an existing one is refused."""
        for what, value in (("IOVA", iova), ("host-physical address", hpa), ("size", size)):
            _check_pages(what, value)
        if size <= 0 or hpa < 0 or hpa + size > _LIMIT:
            raise ConfigError(f"cannot map 0x{size:x} bytes at host-physical 0x{hpa:x}")
        first, last = self.aperture
        if iova < first or iova + size - 1 > last:
            raise ConfigError(
                f"IOVA 0x{iova:x}+0x{size:x} leaves the aperture 0x{first:x}..0x{last:x}"
            )
        if not perm or perm & ~(Perm.READ | Perm.WRITE):
            raise ConfigError(f"permission {int(perm)} must be read, write or both")
        for other in self._mappings:
            if iova < other.end and other.iova < iova + size:
                raise ConfigError(f"IOVA 0x{iova:x}+0x{size:x} overlaps {other.describe()}")
        mapping = IommuMapping(iova, hpa, size, Perm(perm))
        bisect.insort(self._mappings, mapping, key=lambda m: m.iova)
        self.log.record(
            "iommu_map", actor="iommu", plane="control", spec=SPEC, analog=MAP_ANALOG,
            summary=f"The host maps {mapping.describe()} for the {self.device}",
            values={"iova": iova, "hpa": hpa, "size": size, "perm": perm_names(mapping.perm)},
        )  # fmt: skip
        return mapping

    def unmap(self, iova: int, size: int) -> tuple[IommuMapping, ...]:
        """Remove every mapping inside [iova, iova + size); cutting one in two is refused."""
        _check_pages("IOVA", iova)
        _check_pages("size", size)
        if size <= 0 or iova < 0 or iova + size > _LIMIT:
            raise ConfigError(f"cannot unmap 0x{size:x} bytes at IOVA 0x{iova:x}")
        end = iova + size
        touched = [m for m in self._mappings if m.iova < end and iova < m.end]
        for mapping in touched:
            if mapping.iova < iova or mapping.end > end:
                raise ConfigError(
                    f"unmapping IOVA 0x{iova:x}+0x{size:x} would cut {mapping.describe()}"
                )
        self._mappings = [m for m in self._mappings if m not in touched]
        freed = sum(m.size for m in touched)
        self.log.record(
            "iommu_unmap", actor="iommu", plane="control", spec=SPEC, analog=UNMAP_ANALOG,
            summary=(
                f"The host unmaps IOVA 0x{iova:x}..0x{end:x}: {len(touched)} mapping(s), "
                f"{freed // PAGE_SIZE} page(s) removed"
            ),
            values={"iova": iova, "size": size, "removed": len(touched), "bytes": freed},
        )  # fmt: skip
        return tuple(touched)

    # -- data plane ---------------------------------------------------------------------------
    def translate(
        self, iova: int, length: int, *, write: bool, queue: int | None = None
    ) -> DmaTranslation | IommuFault:
        """Look up one DMA of the device; record the translation or the fault."""
        if not 0 <= iova < _LIMIT or length < 0:
            raise ConfigError(f"IOVA 0x{iova:x} / length {length} is not a DMA range")
        verdict = self._check(iova, length, write)
        access = f"{'write' if write else 'read'} of {length} bytes at IOVA 0x{iova:x}"
        values = {"iova": iova, "length": length, "write": write}
        if isinstance(verdict, IommuFault):
            self.log.record(
                "iommu_fault", actor="iommu", plane="data", spec=SPEC, analog=FAULT_ANALOG,
                summary=f"The IOMMU blocks the {self.device}'s {access}: {verdict.detail}",
                queue=queue, values={**values, "reason": verdict.reason},
            )  # fmt: skip
        else:
            self.log.record(
                "iommu_translate", actor="iommu", plane="data", spec=SPEC, analog=DMA_ANALOG,
                summary=(
                    f"The IOMMU lets the {self.device}'s {access} through to "
                    f"host-physical 0x{verdict.hpa:x}"
                ),
                queue=queue, values={**values, "hpa": verdict.hpa},
            )  # fmt: skip
        return verdict

    def _check(self, iova: int, length: int, write: bool) -> DmaTranslation | IommuFault:
        mapping = self.lookup(iova)
        if mapping is None:
            detail = f"no mapping holds IOVA 0x{iova:x}"
            return IommuFault(iova, length, write, "unmapped", detail)
        if iova + length > mapping.end:
            hole = self._first_hole(mapping.end, iova + length)
            if hole is not None:
                detail = f"the range runs past {mapping.describe()}; IOVA 0x{hole:x} is unmapped"
                return IommuFault(iova, length, write, "unmapped", detail)
            detail = (
                f"the range runs from {mapping.describe()} into the next mapping; "
                f"the access must be split at IOVA 0x{mapping.end:x}"
            )
            return IommuFault(iova, length, write, "straddle", detail)
        needed = Perm.WRITE if write else Perm.READ
        if needed not in mapping.perm:
            detail = f"{mapping.describe()} does not allow {'writes' if write else 'reads'}"
            return IommuFault(iova, length, write, "permission", detail)
        return DmaTranslation(iova, length, write, mapping.hpa + iova - mapping.iova, mapping)

    def _first_hole(self, start: int, stop: int) -> int | None:
        """The first IOVA of [start, stop) that no mapping holds, or None."""
        while start < stop:
            mapping = self.lookup(start)
            if mapping is None:
                return start
            start = mapping.end
        return None
