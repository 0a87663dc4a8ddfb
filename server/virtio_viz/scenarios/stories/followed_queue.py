"""A device queue whose popped chains pass through a back-end's hands first.

A vhost-user back-end translates each buffer through its memory table, a vDPA card's
DMA engine through the IOMMU; either may find a buffer it cannot reach. Both wrap the
model's device queue in a `FollowedQueue`: `follow(chain, queue_index)` records what
the back-end did and returns the chain it will use, or None when it cannot reach the
buffers and stops using the ring (the ring logic itself stays the model's).
"""

from __future__ import annotations

from collections.abc import Callable

from virtio_viz.model.virtqueue import Chain, DeviceQueue

Follow = Callable[[Chain, int], Chain | None]


class FollowedQueue:
    def __init__(self, inner: DeviceQueue, follow: Follow) -> None:
        self.inner = inner
        self.queue_index = inner.queue_index
        self._follow = follow

    def has_available(self) -> bool:
        return self.inner.has_available()

    def pop(self) -> Chain | None:
        chain = self.inner.pop()
        return None if chain is None else self._follow(chain, self.queue_index)

    def push(self, chain: Chain, written: int) -> None:
        self.inner.push(chain, written)  # same id, descriptor count and writable room

    def should_notify(self) -> bool:
        return self.inner.should_notify()

    def disable_notifications(self) -> None:
        self.inner.disable_notifications()

    def enable_notifications(self) -> None:
        self.inner.enable_notifications()
