"""The whole network a live guest can reach: one host inside the back-end.

How this works: every frame the guest transmits is parsed with scapy, and the host at
10.0.2.2 (QEMU's usual gateway address and MAC, so the guest's habits carry over)
answers four things: ARP requests for its address, ICMP echo requests, UDP datagrams
to the echo port 7, which come back with the same payload, and DNS queries on port 53
for its own name, HOST_NAME (busybox has no UDP netcat, but `nslookup` speaks UDP). Every
other frame is dropped. There is no socket, tap device or route to anything else: a
guest on this network reaches nobody but this host, whatever it sends.
"""

from __future__ import annotations

from dataclasses import dataclass

from virtio_viz.scapy_layers import ARP, ICMP, IP, UDP, Ether, Packet, Raw  # before DNS: no routes

# isort: split
from scapy.layers.dns import DNS, DNSQR, DNSRR

from virtio_viz import frames

HOST_IP = frames.GATEWAY_IP
HOST_MAC = frames.GATEWAY_MAC
ECHO_PORT = 7  # RFC 862
DNS_PORT = 53
HOST_NAME = "host.virtio-viz"
MAX_FRAME = 65_550  # a 64 KiB IP packet behind an Ethernet header
ARP_REQUEST, ICMP_ECHO_REQUEST, ICMP_ECHO_REPLY = 1, 8, 0


@dataclass(frozen=True, slots=True)
class Exchange:
    """A frame from the guest, what the host made of it, and its answers."""

    what: str
    answers: tuple[bytes, ...] = ()


class EchoHost:
    """The host at HOST_IP."""

    def handle(self, frame: bytes) -> Exchange:
        if len(frame) > MAX_FRAME:
            return Exchange(f"a {len(frame)}-byte frame, larger than any Ethernet frame: dropped")
        try:
            return self._answer(Ether(frame))
        except Exception as error:  # scapy on hostile bytes: never the back-end's problem
            return Exchange(f"a frame scapy cannot parse ({type(error).__name__}): dropped")

    def _answer(self, packet: Packet) -> Exchange:
        if ARP in packet:
            return self._arp(packet[ARP])
        if IP not in packet:
            return Exchange(f"a {packet.sprintf('%Ether.type%')} frame: no one here answers it")
        ip = packet[IP]
        if ip.dst != HOST_IP:
            return Exchange(f"an IPv4 packet for {ip.dst}: this network has no route there")
        if ICMP in ip and ip[ICMP].type == ICMP_ECHO_REQUEST:
            icmp = ip[ICMP]
            reply = (Ether(src=HOST_MAC, dst=packet.src) / IP(src=HOST_IP, dst=ip.src)
                     / ICMP(type=ICMP_ECHO_REPLY, id=icmp.id, seq=icmp.seq)
                     / Raw(bytes(icmp.payload)))  # fmt: skip
            return Exchange(f"ICMP echo request {icmp.seq} from {ip.src}: the host answers",
                            (bytes(reply),))  # fmt: skip
        if UDP in ip and ip[UDP].dport in (ECHO_PORT, DNS_PORT):
            return self._udp(packet, ip)
        return Exchange(f"an IPv4 packet (protocol {ip.proto}) the host does not serve: dropped")

    def _udp(self, packet: Packet, ip: Packet) -> Exchange:
        udp = ip[UDP]
        head = Ether(src=HOST_MAC, dst=packet.src) / IP(src=HOST_IP, dst=ip.src)
        head /= UDP(sport=udp.dport, dport=udp.sport)
        if udp.dport == ECHO_PORT:
            size = len(bytes(udp.payload))
            return Exchange(f"a {size}-byte UDP datagram to the echo port: it comes back",
                            (bytes(head / Raw(bytes(udp.payload))),))  # fmt: skip
        if DNS not in udp or not udp[DNS].qd:
            return Exchange("a UDP datagram to port 53 that is no DNS query: dropped")
        query = udp[DNS]
        name = query[DNSQR].qname.decode(errors="replace").rstrip(".")
        ours, wants_a = name == HOST_NAME, query[DNSQR].qtype == 1
        answer = DNSRR(rrname=query[DNSQR].qname, type="A", ttl=60, rdata=HOST_IP)
        reply = DNS(id=query.id, qr=1, aa=1, rd=query.rd, rcode=0 if ours else 3,  # NXDOMAIN
                    qd=query.qd, an=[answer] if ours and wants_a else [])  # fmt: skip
        told = (HOST_IP if wants_a else "no record of that type") if ours else "no such name"
        return Exchange(f"a DNS query over UDP for {name} (type {query[DNSQR].qtype}): {told}",
                        (bytes(head / reply),))  # fmt: skip

    def _arp(self, arp: Packet) -> Exchange:
        if arp.op != ARP_REQUEST or arp.pdst != HOST_IP:
            return Exchange(f"ARP for {arp.pdst}: nobody else is on this network")
        reply = Ether(src=HOST_MAC, dst=arp.hwsrc) / ARP(
            op="is-at", hwsrc=HOST_MAC, psrc=HOST_IP, hwdst=arp.hwsrc, pdst=arp.psrc
        )
        return Exchange(f"ARP: who has {HOST_IP}? The host answers with {HOST_MAC}",
                        (bytes(reply),))  # fmt: skip
