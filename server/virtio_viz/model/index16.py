"""16-bit free-running ring index arithmetic, in one place.

`avail.idx`, `used.idx`, `used_event` and `avail_event` are le16 counters that only
ever increase and wrap at 65536 (virtio-1.2 §2.7.13.3). Every comparison between them
must be done modulo 2^16; these helpers are the only place that does it.
"""

INDEX_MODULUS = 1 << 16


def wrap16(value: int) -> int:
    """Reduce an index to its le16 representation."""
    return value & 0xFFFF


def distance16(new: int, old: int) -> int:
    """How far `new` is ahead of `old`, modulo 2^16 (0..65535)."""
    return wrap16(new - old)


def need_event(event_idx: int, new_idx: int, old_idx: int) -> bool:
    """True when moving an index from `old_idx` to `new_idx` passes `event_idx`.

    virtio-1.2 §2.7.10 / §2.7.7 with VIRTIO_F_EVENT_IDX; identical to Linux's
    `vring_need_event()` in <linux/virtio_ring.h>: true iff event_idx lies in
    [old_idx, new_idx) modulo 2^16.
    """
    return wrap16(new_idx - event_idx - 1) < wrap16(new_idx - old_idx)
