"""What split and packed descriptors share: the flag tests and the field-width check.

`struct virtq_desc` (virtio-1.2 §2.7.5) and `struct pvirtq_desc` (§2.8.13) are both
16 bytes with NEXT / WRITE / INDIRECT in their flags; only the id/next field differs.
"""

from __future__ import annotations

from virtio_viz.model.errors import ConfigError
from virtio_viz.model.spec import VIRTQ_DESC_F_INDIRECT, VIRTQ_DESC_F_NEXT, VIRTQ_DESC_F_WRITE


class DescriptorFlags:
    """Flag tests for a descriptor dataclass with a `flags` field."""

    __slots__ = ()
    flags: int

    @property
    def has_next(self) -> bool:
        return bool(self.flags & VIRTQ_DESC_F_NEXT)

    @property
    def writable(self) -> bool:
        return bool(self.flags & VIRTQ_DESC_F_WRITE)

    @property
    def indirect(self) -> bool:
        return bool(self.flags & VIRTQ_DESC_F_INDIRECT)


def refuse_oversized(fields: tuple[tuple[str, int, int], ...]) -> None:
    """Raise ConfigError for the first (name, value, bits) whose value does not fit."""
    for name, value, bits in fields:
        if not 0 <= value < 1 << bits:
            raise ConfigError(f"descriptor {name} {value} does not fit in {bits} bits")
