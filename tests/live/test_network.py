"""The one host a live guest can reach: what it answers, and everything it drops."""

from __future__ import annotations

import pytest
from scapy.layers.dns import DNS, DNSQR
from scapy.layers.inet import ICMP, IP, UDP
from scapy.layers.l2 import ARP, Ether
from scapy.packet import Raw

from virtio_viz import frames
from virtio_viz.live.network import ECHO_PORT, HOST_IP, HOST_MAC, HOST_NAME, EchoHost

GUEST = Ether(src=frames.GUEST_MAC, dst=HOST_MAC)


def to_host(layer: object, dst: str = HOST_IP) -> bytes:
    return bytes(GUEST / IP(src=frames.GUEST_IP, dst=dst) / layer)


def only_answer(frame: bytes) -> Ether:
    exchange = EchoHost().handle(frame)
    assert len(exchange.answers) == 1, exchange.what
    return Ether(exchange.answers[0])


def test_arp_for_the_host_is_answered_with_its_mac() -> None:
    answer = only_answer(frames.arp_request())
    assert (answer[ARP].op, answer[ARP].psrc, answer[ARP].hwsrc) == (2, HOST_IP, HOST_MAC)
    assert answer[ARP].pdst == frames.GUEST_IP and answer.dst == frames.GUEST_MAC


def test_an_echo_request_comes_back_as_a_reply_with_its_payload() -> None:
    answer = only_answer(frames.icmp_echo(ident=7, seq=3))
    assert (answer[ICMP].type, answer[ICMP].id, answer[ICMP].seq) == (0, 7, 3)
    assert bytes(answer[ICMP].payload) == frames.PING_PAYLOAD
    assert answer[IP].dst == frames.GUEST_IP


def test_a_udp_datagram_to_the_echo_port_comes_back() -> None:
    answer = only_answer(to_host(UDP(sport=40000, dport=ECHO_PORT) / Raw(b"hello")))
    assert (answer[UDP].sport, answer[UDP].dport, bytes(answer[UDP].payload)) == (
        7,
        40000,
        b"hello",
    )


def test_dns_knows_the_hosts_name_only() -> None:
    found = only_answer(to_host(UDP(sport=5353, dport=53) / DNS(id=9, qd=DNSQR(qname=HOST_NAME))))
    assert found[DNS].id == 9 and found[DNS].rcode == 0 and found[DNS].an[0].rdata == HOST_IP
    other = only_answer(to_host(UDP(dport=53) / DNS(qd=DNSQR(qname="example.com"))))
    assert other[DNS].rcode == 3 and other[DNS].ancount == 0  # NXDOMAIN
    aaaa = only_answer(to_host(UDP(dport=53) / DNS(qd=DNSQR(qname=HOST_NAME, qtype="AAAA"))))
    assert aaaa[DNS].rcode == 0 and aaaa[DNS].ancount == 0  # the name exists, without IPv6


@pytest.mark.parametrize(
    ("frame", "why"),
    [
        (to_host(ICMP(type=8), dst="8.8.8.8"), "no route there"),
        (bytes(GUEST / ARP(op=1, pdst="10.0.2.99")), "nobody else"),
        (to_host(UDP(dport=9) / Raw(b"x")), "does not serve"),
        (b"\x01\x02", "cannot parse"),
        (bytes(70_000), "larger than any Ethernet frame"),
    ],
    ids=["elsewhere", "arp-for-another", "udp-port", "garbage", "huge"],
)
def test_everything_else_is_dropped_with_a_reason(frame: bytes, why: str) -> None:
    exchange = EchoHost().handle(frame)
    assert exchange.answers == () and why in exchange.what
