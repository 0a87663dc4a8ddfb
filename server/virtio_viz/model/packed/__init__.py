"""Packed virtqueues (virtio-1.2 §2.8): layout, driver side, device side.

Parallel to `model/split/`: both sides implement the `DriverQueue` / `DeviceQueue`
protocols of `model/virtqueue.py`. One descriptor ring is shared by driver and device.
"""

from virtio_viz.model.packed.device import PackedDeviceQueue
from virtio_viz.model.packed.driver import PackedDriverQueue
from virtio_viz.model.packed.layout import PackedLayout, misaligned_parts, record_misalignment
from virtio_viz.model.packed.ring import EventSuppress, PackedDesc

__all__ = [
    "EventSuppress",
    "PackedDesc",
    "PackedDeviceQueue",
    "PackedDriverQueue",
    "PackedLayout",
    "misaligned_parts",
    "record_misalignment",
]
