"""Naming the real software behind each step once the data plane has left QEMU.

The model names QEMU's functions for the device side and Linux's for the driver side. In
the vhost stories the rings are served by vhost-net (Linux drivers/vhost) or by a
DPDK-style vhost-user back-end (DPDK lib/vhost), and in virtio-user the driver is DPDK's
virtio poll-mode driver. A `voice` rewrites an event's analog for its architecture, by
event kind, and leaves the control plane (status, features, queue registers) to QEMU.
Configuration-change interrupts stay QEMU's too: the back-end never raises them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from virtio_viz.model.events import Event
from virtio_viz.scenarios.routing import is_notify_write

Namer = Callable[[Event], str | None]

_POP_KINDS = frozenset({"avail_idx_read", "avail_ring_read", "desc_read", "indirect_desc_read",
                        "chain_pop", "avail_desc_empty"})  # fmt: skip
_USED_KINDS = frozenset({"used_elem_write", "used_idx_publish", "used_desc_write",
                         "used_desc_flags_write"})  # fmt: skip
_SUPPRESS_KINDS = frozenset({"notifications_disabled", "used_flags_write", "device_event_write"})
KICK_VIA_IOEVENTFD = "KVM's ioeventfd_write() signals the kick eventfd"
KICK_VIA_DIAGNOSE = "KVM's __diag_virtio_hypercall() signals the kick eventfd"


def make_voice(
    device: Namer, driver: Namer | None = None, *, config_by_device: bool = False
) -> Callable[[Event], Event]:
    """A story voice: `device` names the back-end's functions for data-plane events of
    the device, `driver` (if given) the driver's functions. Configuration-change
    interrupts are QEMU's (actor "device-model") unless `config_by_device`: then QEMU is
    the device, and `device` names them too."""

    def voice(event: Event) -> Event:
        if event.actor == "device":
            config_change = event.kind.startswith("interrupt") and event.queue is None
            if config_change and not config_by_device:
                return replace(event, actor="device-model")  # QEMU raises config changes
            named = None if event.plane == "control" else device(event)
        elif event.actor == "driver" and driver is not None:
            named = driver(event)
        else:
            return event
        return event if named is None else replace(event, analog=named)

    return voice


def by_kind(table: Mapping[str, str], per_queue: Mapping[tuple[str, int], str]) -> Namer:
    """A namer from (kind, queue) first, then kind alone."""

    def name(event: Event) -> str | None:
        if event.queue is not None and (event.kind, event.queue) in per_queue:
            return per_queue[event.kind, event.queue]
        return table.get(event.kind)

    return name


def _expand(groups: Mapping[frozenset[str], str], single: Mapping[str, str]) -> dict[str, str]:
    table = {kind: analog for kinds, analog in groups.items() for kind in kinds}
    table.update(single)
    return table


# -- vhost-net: Linux drivers/vhost/vhost.c and drivers/vhost/net.c ----------------------------
VHOST_NET_DEVICE = by_kind(
    _expand(
        {
            _POP_KINDS: "vhost_get_vq_desc() in vhost",
            _USED_KINDS: "vhost_add_used_n() in vhost",
            _SUPPRESS_KINDS: "vhost_disable_notify() / vhost_enable_notify() in vhost",
        },
        {
            "avail_event_write": "vhost_update_avail_event() in vhost",
            "notify_check": "vhost_notify() in vhost",
            "interrupt": "vhost_signal() in vhost: eventfd_signal() on the call eventfd",
            "interrupt_suppressed": "vhost_notify() in vhost",
            "queue_notify": "vhost_poll_wakeup() in vhost: the kick eventfd wakes the worker",
            "net_tx_frame": "handle_tx() in vhost-net: sendmsg() on the tap socket",
            "net_rx_frame": "handle_rx() in vhost-net: recvmsg() from the tap socket",
            "net_rx_drop": "handle_rx() in vhost-net",
        },
    ),
    {
        ("queue_notify", 0): "handle_rx_kick() in vhost-net, woken by the kick eventfd",
        ("queue_notify", 1): "handle_tx_kick() in vhost-net, woken by the kick eventfd",
    },
)

# -- a DPDK-style vhost-user back-end: DPDK lib/vhost (virtio_net.c, vhost.c) ---------------
_DPDK = "in DPDK's rte_vhost"
VHOST_USER_DEVICE = by_kind(
    _expand(
        {
            _POP_KINDS: f"fill_vec_buf_split() / fill_vec_buf_packed() {_DPDK}",
            _USED_KINDS: f"flush_shadow_used_ring_split() / _packed() {_DPDK}",
            _SUPPRESS_KINDS: "rte_vhost_enable_guest_notification() in DPDK",
        },
        {
            "avail_event_write": f"vhost_enable_notify_split() {_DPDK}",
            "notify_check": f"vhost_vring_call_split() / vhost_vring_call_packed() {_DPDK}",
            "interrupt": f"vhost_vring_call_split() {_DPDK}: eventfd_write() on the call fd",
            "interrupt_suppressed": f"vhost_vring_call_split() {_DPDK}",
            "queue_notify": "the back-end's kick eventfd handler (a DPDK-style back-end mostly "
            "polls instead)",
            "net_tx_frame": "rte_vhost_dequeue_burst() in DPDK, then rte_eth_tx_burst()",
            "net_rx_frame": "rte_eth_rx_burst(), then rte_vhost_enqueue_burst() in DPDK",
            "net_rx_drop": "rte_vhost_enqueue_burst() in DPDK",
        },
    ),
    {
        ("queue_notify", 1): "the kick eventfd wakes the back-end's transmitq handler, which "
        "calls rte_vhost_dequeue_burst() in DPDK",
        ("queue_notify", 0): "the kick eventfd tells the back-end that receive buffers "
        "arrived (rte_vhost_enqueue_burst() in DPDK can use them)",
    },
)


def kick_through_ioeventfd(event: Event) -> str | None:
    """The guest's notify write never reaches QEMU: KVM turns it into an eventfd signal."""
    if is_notify_write(event):
        how = KICK_VIA_DIAGNOSE if event.kind == "diagnose_notify" else KICK_VIA_IOEVENTFD
        return f"{event.analog.split(';', 1)[0]}; {how}"
    return None
