"""The questions each built-in story asks its readers (`virtio_viz.quiz` computes them).

Each story asks about the handshake, the negotiation, one full trip of a buffer through
the rings (what the driver publishes, whether it kicks, where the kick lands, what the
device takes, whether it interrupts and which way the interrupt goes), and notification
suppression. Split and packed rings get their own ring question (`avail_idx` fits only a
split ring, `avail_flags` only a packed one), so one list serves both formats. The ring
lab has no story of its own to ask about: its questions are drawn at random from the
steps the reader makes.
"""

from __future__ import annotations

from virtio_viz.scenarios.story import Ask


def _one_trip(chapter: str) -> tuple[Ask, ...]:
    return (
        Ask("avail_idx", chapter), Ask("avail_flags", chapter), Ask("will_kick", chapter),
        Ask("kick_lands", chapter), Ask("device_takes", chapter),
        Ask("will_interrupt", chapter), Ask("interrupt_path", chapter),
    )  # fmt: skip


BRING_UP = (
    Ask("status_bit", "handshake", 0),
    Ask("status_bit", "handshake", 1),
    Ask("negotiated", "features"),
    Ask("status_bit", "features"),
    Ask("status_bit", "queues"),
    Ask("status_bit", "card-start"),  # vDPA: DRIVER_OK comes with starting the card
)

SUPPRESSION = tuple(
    Ask(kind, "suppression", nth) for nth in range(4) for kind in ("will_kick", "will_interrupt")
)

NET = (
    *BRING_UP,
    Ask("will_kick", "rx-refill"),
    *_one_trip("transmit"),
    Ask("device_takes", "receive"),
    Ask("will_interrupt", "receive"),
    *SUPPRESSION,
)

BLK = (
    *BRING_UP,
    *_one_trip("read"),
    Ask("device_takes", "write"),
    Ask("will_interrupt", "write"),
)

RING_LAB = (
    Ask("avail_idx", sample=3),
    Ask("avail_flags", sample=3),
    Ask("device_takes", sample=3),
    Ask("will_kick", sample=2),
    Ask("will_interrupt", sample=2),
)
