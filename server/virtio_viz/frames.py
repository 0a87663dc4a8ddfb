"""Real Ethernet frames for the stories and views, built and decoded with scapy.

The model carries frames as opaque bytes; this module (outside `model/`) makes the
frames a guest would really send on QEMU's user-mode network (guest 10.0.2.15, gateway
10.0.2.2 with slirp's MAC) and decodes any frame into layers for display. scapy loads
on the first frame built or decoded (a third of a second), not with the stories that
only name their frames, so listing the scenarios does not wait for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from virtio_viz.scapy_layers import Packet

GUEST_MAC = "52:54:00:12:34:56"  # QEMU's default NIC MAC
GUEST_IP = "10.0.2.15"
GATEWAY_MAC = "52:55:0a:00:02:02"  # slirp's virtual gateway
GATEWAY_IP = "10.0.2.2"
BROADCAST_MAC = "ff:ff:ff:ff:ff:ff"
PING_PAYLOAD = bytes(range(56))  # ping's default 56 data bytes -> a 98-byte frame
# what the first frame loads: a process that builds many stories imports them up front
SCAPY_MODULES = ("virtio_viz.scapy_layers",)


def arp_request(
    src_mac: str = GUEST_MAC, src_ip: str = GUEST_IP, target_ip: str = GATEWAY_IP
) -> bytes:
    from virtio_viz.scapy_layers import ARP, Ether  # noqa: PLC0415

    frame = Ether(src=src_mac, dst=BROADCAST_MAC) / ARP(
        op="who-has", hwsrc=src_mac, psrc=src_ip, pdst=target_ip
    )
    return bytes(frame)


def arp_reply(
    src_mac: str = GATEWAY_MAC,
    src_ip: str = GATEWAY_IP,
    dst_mac: str = GUEST_MAC,
    dst_ip: str = GUEST_IP,
) -> bytes:
    from virtio_viz.scapy_layers import ARP, Ether  # noqa: PLC0415

    frame = Ether(src=src_mac, dst=dst_mac) / ARP(
        op="is-at", hwsrc=src_mac, psrc=src_ip, hwdst=dst_mac, pdst=dst_ip
    )
    return bytes(frame)


def icmp_echo(
    *,
    reply: bool = False,
    ident: int = 1,
    seq: int = 1,
    src_mac: str = GUEST_MAC,
    dst_mac: str = GATEWAY_MAC,
    src_ip: str = GUEST_IP,
    dst_ip: str = GATEWAY_IP,
) -> bytes:
    """An ICMP echo request (or reply) with ping's default 56-byte payload."""
    from virtio_viz.scapy_layers import ICMP, IP, Ether  # noqa: PLC0415

    frame = (
        Ether(src=src_mac, dst=dst_mac)
        / IP(src=src_ip, dst=dst_ip, id=seq, flags="DF")
        / ICMP(type="echo-reply" if reply else "echo-request", id=ident, seq=seq)
        / PING_PAYLOAD
    )
    return bytes(frame)


@dataclass(frozen=True, slots=True)
class Layer:
    name: str
    fields: dict[str, str]


def decode(frame: bytes) -> list[Layer]:
    """The frame's protocol layers with their fields, outermost first."""
    from virtio_viz.scapy_layers import Ether  # noqa: PLC0415  (with IP and ICMP bound to it)

    layers: list[Layer] = []
    packet: Packet = Ether(frame)
    while packet:  # a NoPayload terminator is falsy
        fields = {name: _show(packet, name) for name in packet.fields}
        layers.append(Layer(str(packet.name), fields))
        packet = packet.payload
    return layers


def annotation(frame: bytes) -> dict[str, str]:
    """What a view shows of a frame: its layer names, and every layer with its fields."""
    decoded, shown = _annotated(frame)
    return {"decoded": decoded, "layers": shown}


@lru_cache(maxsize=64)  # every fork of a timeline replays (and decodes) its frames again
def _annotated(frame: bytes) -> tuple[str, str]:
    layers = decode(frame)
    shown = " / ".join(
        f"{layer.name}({', '.join(f'{k}={v}' for k, v in layer.fields.items())})"
        for layer in layers
    )
    return " / ".join(layer.name for layer in layers), shown


def _show(packet: Packet, field_name: str) -> str:
    value = packet.getfieldval(field_name)
    if isinstance(value, bytes):
        return value.hex()
    return str(packet.get_field(field_name).i2repr(packet, value))
