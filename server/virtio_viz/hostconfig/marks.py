"""The moments of a story when a piece of the host configuration is what acts.

Each `Mark` names event kinds (and values) of the model and chapter ids of the stories,
so the page can light the piece up at exactly those steps.
"""

from __future__ import annotations

from virtio_viz.hostconfig.parts import Mark
from virtio_viz.model.vhost.user_requests import Request

DEVICE = Mark(
    "device", "the virtio device the guest finds on its bus and brings up",
    chapters=("discovery", "handshake"),
)  # fmt: skip
ADDRESS = Mark(
    "address", "where the device sits: the guest's bus scan, or SENSE ID on its subchannel, "
    "finds it here", chapters=("discovery",),
)  # fmt: skip
RING = Mark(
    "ring", "this decides whether the device offers VIRTIO_F_RING_PACKED",
    kinds=("driver_features_chosen", "features_accepted"), chapters=("features",),
)  # fmt: skip
EVENT_IDX = Mark(
    "event-idx", "this decides whether the device offers VIRTIO_F_EVENT_IDX",
    kinds=("driver_features_chosen", "features_accepted"), chapters=("features", "suppression"),
)  # fmt: skip
QUEUE_SIZE = Mark(
    "queue-size", "the largest queue size the device offers the driver",
    kinds=("queue_enabled",), chapters=("queues",),
)  # fmt: skip
VHOST_ON = Mark(
    "vhost-on", "vhost=on: QEMU hands the rings to /dev/vhost-net with these ioctls",
    kinds=("vhost_ioctl", "kvm_eventfd"),
)  # fmt: skip
VHOST_OFF = Mark(
    "vhost-off", "vhost=off: QEMU's own thread moves every frame between rings and tap",
    kinds=("net_tx_frame", "net_rx_frame", "queue_notify"),
)  # fmt: skip
TAP = Mark(
    "tap", "the tap interface: the host end of the guest's network card",
    kinds=("net_tx_frame", "net_rx_frame"),
)  # fmt: skip
SHARED_MEMORY = Mark(
    "shared-memory", "guest RAM lives in a shared memfd, whose fd QEMU passes to the back-end "
    "in the memory table", kinds=("vhost_user_message",),
    values=(("request", Request.SET_MEM_TABLE.full_name),),
)  # fmt: skip
SOCKET = Mark(
    "socket", "the unix socket of the vhost-user conversation",
    kinds=("vhost_user_message", "vhost_user_reply"),
)  # fmt: skip
VDPA = Mark(
    "vdpa", "the vhost-vdpa character device QEMU sets the card up through",
    kinds=("vhost_ioctl", "vhost_iotlb_msg", "iommu_map"),
)  # fmt: skip
DISK = Mark(
    "disk", "the image file behind the disk: each request is file I/O here",
    kinds=("blk_request",),
)  # fmt: skip
