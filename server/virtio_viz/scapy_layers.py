"""The scapy layers virtio-viz builds and reads frames with, loaded without the host's routes.

When its layers first load, scapy reads this host's IPv4 and IPv6 routing tables over
netlink: a tenth of a second or more of every `virtio-viz export` of a network story,
longer on a host with many routes. virtio-viz only builds and parses frames of QEMU's
user-mode network, with every address given, and never sends one on the host, so it
has no use for them. Import scapy's layers through this module, or after it.
"""

from scapy.config import conf

conf.route_autoload = False
conf.route6_autoload = False

from scapy.layers.inet import ICMP, IP, UDP  # noqa: E402
from scapy.layers.l2 import ARP, Ether  # noqa: E402
from scapy.packet import Packet, Raw  # noqa: E402

__all__ = ["ARP", "ICMP", "IP", "UDP", "Ether", "Packet", "Raw"]
