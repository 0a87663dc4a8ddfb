"""Frames for the stories are real, well-formed Ethernet frames."""

from __future__ import annotations

from virtio_viz import frames


def internet_checksum(data: bytes) -> int:
    """RFC 1071 one's-complement sum; 0 over a header that carries a valid checksum."""
    if len(data) % 2:
        data += b"\0"
    total = sum(int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def test_ping_frame_is_98_bytes_with_valid_ip_and_icmp_checksums() -> None:
    frame = frames.icmp_echo(seq=3)
    assert len(frame) == 98  # what Linux's ping sends; the QEMU trace shows 12 + 98
    assert frame[12:14] == b"\x08\x00"  # IPv4
    ip_header, icmp = frame[14:34], frame[34:]
    assert internet_checksum(ip_header) == 0
    assert internet_checksum(icmp) == 0
    assert icmp[0] == 8 and int.from_bytes(icmp[6:8], "big") == 3  # echo request, seq 3
    assert frames.icmp_echo(reply=True)[34] == 0  # echo reply


def test_arp_request_is_broadcast_who_has() -> None:
    frame = frames.arp_request()
    assert frame[:6] == b"\xff" * 6
    assert frame[12:14] == b"\x08\x06"
    assert int.from_bytes(frame[20:22], "big") == 1  # who-has
    assert frame[38:42] == bytes([10, 0, 2, 2])  # target 10.0.2.2


def test_decode_names_layers_and_fields() -> None:
    layers = frames.decode(frames.icmp_echo(seq=9))
    assert [layer.name for layer in layers] == ["Ethernet", "IP", "ICMP", "Raw"]
    assert layers[1].fields["src"] == frames.GUEST_IP
    assert layers[2].fields["type"] == "echo-request"
    arp = frames.decode(frames.arp_reply())
    assert arp[1].name == "ARP" and arp[1].fields["op"] == "is-at"


def test_an_annotation_names_every_layer_and_each_call_gets_its_own_copy() -> None:
    """Annotations are memoized on the frame's bytes: a caller changing its dict must not
    change what the next caller of the same frame gets."""
    first = frames.annotation(frames.arp_request())
    assert first["decoded"] == "Ethernet / ARP"
    assert first["layers"].startswith(f"Ethernet(dst=ff:ff:ff:ff:ff:ff, src={frames.GUEST_MAC}")
    assert "op=who-has" in first["layers"] and f"pdst={frames.GATEWAY_IP}" in first["layers"]
    first["decoded"] = "changed by a caller"
    again = frames.annotation(frames.arp_request())
    assert again["decoded"] == "Ethernet / ARP" and again is not first
    ping = frames.annotation(frames.icmp_echo(seq=3))
    assert ping["decoded"] == "Ethernet / IP / ICMP / Raw" and "seq=0x3" in ping["layers"]
