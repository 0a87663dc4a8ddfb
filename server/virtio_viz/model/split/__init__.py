"""Split virtqueues (virtio-1.2 §2.7): layout, driver side, device side.

Parallel to `model/packed/`: both sides implement the `DriverQueue` / `DeviceQueue`
protocols of `model/virtqueue.py`.
"""

from virtio_viz.model.split.descriptor import Descriptor
from virtio_viz.model.split.device import SplitDeviceQueue
from virtio_viz.model.split.driver import SplitDriverQueue
from virtio_viz.model.split.layout import SplitLayout, misaligned_parts, record_misalignment

__all__ = [
    "Descriptor",
    "SplitDeviceQueue",
    "SplitDriverQueue",
    "SplitLayout",
    "misaligned_parts",
    "record_misalignment",
]
