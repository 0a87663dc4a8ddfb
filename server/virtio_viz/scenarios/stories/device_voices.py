"""Naming the real software behind notifications where QEMU or a card is the device.

How this works: the model names one generic path for every notification (the guest's
notify write handled by `virtio_pci_notify_write()`, the interrupt raised by
`virtio_notify()`). Which code really runs depends on the architecture, so each story's
voice (see `vhost_voice.make_voice`) renames them:

- QEMU-emulated virtio-net (QEMU 7.2, KVM, ioeventfd on): KVM catches the notify write
  and signals an eventfd that QEMU's main loop reads; the interrupt is raised by QEMU
  itself, `msix_notify()`, which with KVM's in-kernel irqchip becomes a `KVM_SIGNAL_MSI`
  ioctl (an interrupt line, `KVM_IRQ_LINE`, over virtio-mmio; indicator bits and an
  adapter interrupt over channel I/O). No irqfd is involved:
  that is for the vhost architectures, whose data plane has left QEMU.
- QEMU-emulated virtio-blk: QEMU 7.2 runs virtio-blk's queues through its data-plane
  code whenever ioeventfd is on, and that code signals each queue's guest notifier,
  an eventfd bound to KVM with an irqfd (`virtio_notify_irqfd()`, as the recordings show).
  Configuration changes are still raised by QEMU's main loop.
- vDPA: the card is the device. Its virtio engine reads and writes the rings by DMA,
  the driver's doorbell write lands in the card's own register, and the card's MSI-X
  interrupt is taken by its parent driver in the host kernel, which hands it to
  vhost-vdpa, which signals the call eventfd that KVM's irqfd injects.

- A live VM (`virtio-viz live`): virtio-viz is the vhost-user back-end. The model's device
  side runs, in Python, on the guest RAM it mapped from QEMU's memfd; nothing of QEMU's
  virtio code touches the rings.

The guest driver's half of an analog (the part before ";") is kept: it already names
Linux's function for the transport in use (`vp_notify()` or `vm_notify()`).
"""

from __future__ import annotations

from collections.abc import Callable

from virtio_viz.model.events import Event
from virtio_viz.scenarios.routing import is_notify_write
from virtio_viz.scenarios.stories.vhost_voice import Namer, by_kind, make_voice

_CARD = "the card's virtio engine (hardware: no software runs)"


def _guest_half(event: Event) -> str:
    return event.analog.split(";", 1)[0]


def _is_kick(event: Event) -> bool:
    return (
        event.actor == "driver"
        and event.kind == "register_write"
        and (event.plane == "notification")
    )


def _over_msi(event: Event) -> bool:
    return "msi_address" in event.values or "vector" in event.values


# -- QEMU-emulated devices ----------------------------------------------------------------
def _qemu_kick(event: Event) -> str | None:
    if not is_notify_write(event):
        return None
    return (
        f"{_guest_half(event)}; KVM's ioeventfd catches the kick and QEMU's main loop "
        "reads the eventfd (virtio_queue_host_notifier_read())"
    )


def _qemu_raises(event: Event, what: str) -> str:
    if _over_msi(event):
        return f"{what} -> msix_notify() in QEMU; KVM_SIGNAL_MSI ioctl to KVM"
    if "indicators" in event.values:  # channel I/O, virtio-1.2 §4.3.3.1
        return (
            f"{what} -> virtio_ccw_notify() in QEMU: the indicator bits, then "
            "css_adapter_interrupt() has KVM inject the adapter interrupt"
        )
    return f"{what} -> virtio_mmio_update_irq() in QEMU; qemu_set_irq(), a KVM_IRQ_LINE ioctl"


def _qemu_net_device(event: Event) -> str | None:
    if event.kind == "queue_notify":
        return "virtio_queue_host_notifier_read() -> virtio_queue_notify_vq() in QEMU"
    if event.kind == "interrupt":
        return _qemu_raises(event, "virtio_notify()")
    return None


def _qemu_blk_device(event: Event) -> str | None:
    if event.kind == "queue_notify":
        return "virtio_queue_host_notifier_read() in QEMU's virtio-blk data plane"
    if event.kind == "interrupt" and event.queue is not None:
        if "line" in event.values:  # virtio-mmio: QEMU binds no irqfd
            return (
                "virtio_notify_irqfd() in QEMU's virtio-blk data plane signals the queue's "
                "guest notifier; QEMU's main loop reads it and raises the line "
                "(qemu_set_irq(), a KVM_IRQ_LINE ioctl)"
            )
        return (
            "virtio_notify_irqfd() in QEMU's virtio-blk data plane: it signals the queue's "
            "guest notifier, an eventfd that KVM's irqfd turns into the interrupt"
        )
    return None


def _config_change(event: Event) -> str | None:
    """Configuration-change interrupts: QEMU's main loop raises them, whatever the data
    plane (virtio_notify_config())."""
    if event.kind == "interrupt" and event.queue is None:
        return _qemu_raises(event, "virtio_notify_config()")
    return None


def _first(*namers: Namer) -> Namer:
    def name(event: Event) -> str | None:
        return next((found for namer in namers if (found := namer(event)) is not None), None)

    return name


QEMU_NET_VOICE: Callable[[Event], Event] = make_voice(
    _first(_config_change, _qemu_net_device), _qemu_kick, config_by_device=True
)
QEMU_BLK_VOICE: Callable[[Event], Event] = make_voice(
    _first(_config_change, _qemu_blk_device), _qemu_kick, config_by_device=True
)


# -- vDPA: the card is the device ---------------------------------------------------------
_CARD_KINDS = {
    "queue_notify": "the card's doorbell register (hardware): the write the driver made "
    "lands here directly",
    "avail_idx_read": f"{_CARD} reads avail.idx by DMA",
    "avail_ring_read": f"{_CARD} reads the available ring by DMA",
    "desc_read": f"{_CARD} reads the descriptor by DMA",
    "indirect_desc_read": f"{_CARD} reads the indirect table by DMA",
    "chain_pop": f"{_CARD} takes the chain",
    "avail_desc_empty": f"{_CARD} finds no new descriptor",
    "avail_event_write": f"{_CARD} writes avail_event by DMA",
    "used_elem_write": f"{_CARD} writes the used element by DMA",
    "used_idx_publish": f"{_CARD} publishes used.idx by DMA",
    "used_desc_write": f"{_CARD} writes the used descriptor by DMA",
    "used_desc_flags_write": f"{_CARD} flips the descriptor's flags by DMA",
    "device_event_write": f"{_CARD} writes its event suppression structure by DMA",
    "used_flags_write": f"{_CARD} writes used.flags by DMA",
    "notifications_disabled": f"{_CARD} stops asking for kicks",
    "notify_check": f"{_CARD} decides whether the driver wants an interrupt",
    "interrupt_suppressed": f"{_CARD} decides whether the driver wants an interrupt",
    "interrupt": "the card's MSI-X message; its parent driver's interrupt handler in the host "
    "kernel calls vhost-vdpa's vhost_vdpa_virtqueue_cb(), which signals the call eventfd "
    "that KVM's irqfd injects (or IRQ bypass posts it to the vCPU directly)",
    "net_tx_frame": "the card puts the frame on its port (hardware)",
    "net_rx_frame": "the card takes the frame from its port and writes it by DMA (hardware)",
    "net_rx_drop": "the card has no buffer for the frame and drops it (hardware)",
}


def _vdpa_kick(event: Event) -> str | None:
    if not is_notify_write(event):
        return None
    return (
        f"{_guest_half(event)}: a store to the card's doorbell page, which QEMU mapped into "
        "the guest (vhost_vdpa_host_notifier_init())"
    )


def _card(event: Event) -> str | None:
    return _CARD_KINDS.get(event.kind, _CARD)


VDPA_VOICE: Callable[[Event], Event] = make_voice(_card, _vdpa_kick)


# -- a live VM: virtio-viz's own back-end is the device ----------------------------------------
_BACKEND = "virtio-viz's vhost-user back-end (Python, server/virtio_viz/live/device.py)"
_BACKEND_KINDS = {
    "queue_notify": f"the vring's kick eventfd (VHOST_USER_SET_VRING_KICK) wakes {_BACKEND}",
    "avail_idx_read": f"{_BACKEND} reads avail.idx from the guest RAM it mapped",
    "avail_ring_read": f"{_BACKEND} reads the available ring from the guest RAM it mapped",
    "desc_read": f"{_BACKEND} reads the descriptor from the guest RAM it mapped",
    "indirect_desc_read": f"{_BACKEND} reads the indirect table from the guest RAM it mapped",
    "chain_pop": f"{_BACKEND} takes the chain",
    "avail_desc_empty": f"{_BACKEND} finds no new descriptor",
    "avail_event_write": f"{_BACKEND} writes avail_event into guest RAM",
    "used_elem_write": f"{_BACKEND} writes the used element into guest RAM",
    "used_idx_publish": f"{_BACKEND} publishes used.idx in guest RAM",
    "used_desc_write": f"{_BACKEND} writes the used descriptor into guest RAM",
    "used_desc_flags_write": f"{_BACKEND} flips the descriptor's flags in guest RAM",
    "device_event_write": f"{_BACKEND} writes its event suppression structure",
    "used_flags_write": f"{_BACKEND} writes used.flags",
    "notifications_disabled": f"{_BACKEND} stops asking for kicks",
    "notify_check": f"{_BACKEND} decides whether Linux wants an interrupt",
    "interrupt_suppressed": f"{_BACKEND} decides whether Linux wants an interrupt",
    "net_tx_frame": f"{_BACKEND} hands the frame to its own little network (scapy)",
    "net_rx_frame": f"{_BACKEND} writes its network's reply into a receive buffer",
    "net_rx_drop": f"{_BACKEND} has no receive buffer for the frame and drops it",
}


# the back-end's own interrupt step (live/device.py) names its call eventfd already
LIVE_VOICE: Callable[[Event], Event] = make_voice(by_kind(_BACKEND_KINDS, {}))
