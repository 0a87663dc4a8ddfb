"""The live world: what the back-end knows of the VM, told as the model's events.

How this works: a `LiveWorld` is a story world (scenarios/story.py) whose actions come
from a real VM instead of beats. It owns the guest RAM mapping (`GuestRam`), the event
log, the model's device side (`LiveNetDevice`) and the network (`EchoHost`). The
back-end calls it for each vhost-user message and reply, each ring it starts or stops,
each status value QEMU's trace shows Linux writing, and each console command; every call
records events, and the timeline's recorder turns each event into a frame, reading
`state()` as the event left it. A world says where chapters begin (`on_chapter`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from virtio_viz import frames
from virtio_viz.live.device import RING_PACKED, LiveNetDevice, RingPlace, Signal
from virtio_viz.live.mapping import CapturingMemory, GuestRam
from virtio_viz.live.network import EchoHost
from virtio_viz.live.protocol import PROTOCOL_BIT, Vring
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.events import Event, EventLog, Value
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.spec import DeviceId, Status, status_names
from virtio_viz.model.vhost.memtable import Translation
from virtio_viz.model.vhost.user import Message
from virtio_viz.model.vhost.user_payloads import MemTablePayload
from virtio_viz.model.vhost.user_requests import Request
from virtio_viz.scenarios import view
from virtio_viz.scenarios.story import ActionError, ActionSpec, UserAction

R = Request
QUEUE_NAMES = ("receiveq1", "transmitq1")
Chapter = Callable[[str, str, str], None]
_SPEC = {
    R.GET_FEATURES: "§2.2", R.SET_FEATURES: "§2.2", R.GET_PROTOCOL_FEATURES: "§2.2",
    R.SET_PROTOCOL_FEATURES: "§2.2", R.SET_OWNER: "§3.1.1", R.RESET_OWNER: "§2.4",
    R.SET_MEM_TABLE: "§2.7.5", R.SET_VRING_NUM: "§2.6", R.SET_VRING_ADDR: "§2.6",
    R.SET_VRING_BASE: "§2.7.14", R.GET_VRING_BASE: "§2.4", R.SET_VRING_KICK: "§2.9",
    R.SET_VRING_CALL: "§2.3", R.SET_VRING_ERR: "§2.1.2", R.SET_VRING_ENABLE: "§2.6",
}  # fmt: skip


class LiveWorld:
    def __init__(self, on_chapter: Chapter = lambda *_: None) -> None:
        self.captured = CapturingMemory()
        self.memory: GuestMemory = self.captured
        self.log = EventLog(self.memory)
        self.ram = GuestRam(self.captured)
        self.host = EchoHost()
        self.signal_call: Signal = lambda _: False  # set by the back-end: write a call eventfd
        self.signal_error: Signal = lambda _: False
        self.device = LiveNetDevice(
            self.captured, self.log, network=self._network,
            call=self._call, error=self._error,
        )  # fmt: skip
        self.on_chapter = on_chapter
        self.status = 0
        self.offered = 0  # what GET_FEATURES answered
        self.acked: int | None = None  # SET_FEATURES
        self.vrings: list[Vring] = [Vring(0), Vring(1)]
        self._sent: bytes = b""
        self._arrived: bytes = b""
        self._driver_ok_seen = False
        self._kicked_since_start = False

    def _call(self, index: int) -> bool:
        return self.signal_call(index)

    def _error(self, index: int) -> bool:
        return self.signal_error(index)

    # -- the story world's interface -------------------------------------------------------
    def action_specs(self) -> tuple[ActionSpec, ...]:
        return ()  # a live VM takes its commands on its console

    def act(self, action: UserAction) -> None:
        raise ActionError("kind", f"a live VM takes commands in its console, not {action.kind!r}")

    def state(self) -> dict[str, Any]:
        status = self.status
        if self.device.needs_reset_reason is not None:
            status |= Status.DEVICE_NEEDS_RESET
        offered = self.offered & ~PROTOCOL_BIT  # bit 30 is vhost-user's, not virtio's
        acked = (self.acked or 0) & ~PROTOCOL_BIT
        return {
            "status": view.status_state(status),
            "features": view.features_state(DeviceId.NET, offered, acked, acked & offered),
            "device": {"needs_reset": self.device.needs_reset_reason is not None,
                       "config_generation": 0, "isr": 0},
            "queues": [self._queue(v) for v in self.vrings],
            "extras": {"memtable": self._memtable()},
        }  # fmt: skip

    def _queue(self, vring: Vring) -> dict[str, Any]:
        ring = self.device.rings.get(vring.index)
        state = view.queue_state(
            vring.index, QUEUE_NAMES[vring.index], None, ring.inner if ring else None,
            enabled=vring.enabled and ring is not None, msix_vector=None,
        )  # fmt: skip
        if ring is None and (self.acked or 0) & RING_PACKED:
            state["format"] = "packed"
        return state

    def _memtable(self) -> list[dict[str, int]]:
        table = self.ram.table
        if table is None:
            return []
        return [{"guest_phys": r.guest_phys_addr, "user_addr": r.userspace_addr,
                 "mmap_offset": r.mmap_offset, "size": r.memory_size,
                 "backend_addr": r.backend_base} for r in table.regions]  # fmt: skip

    def annotate(self, event: Event) -> dict[str, Value] | None:
        """The frame a transmit or receive event carried, decoded with scapy."""
        frame = {"net_tx_frame": self._sent, "net_rx_frame": self._arrived}.get(event.kind)
        if not frame:
            return None
        return dict(frames.annotation(frame))

    # -- the vhost-user conversation ---------------------------------------------------------
    def preparing(self, what: str) -> None:
        """The first step of every live timeline, before QEMU even starts."""
        self.on_chapter("boot", "virtio-viz starts a VM", BOOT)
        self.vm_note(
            "vm_preparing",
            f"virtio-viz prepares a live VM ({what}): a Debian kernel, a "
            "busybox initramfs, and a unix socket for its own vhost-user back-end.",
        )

    def connected(self) -> None:
        self.on_chapter("connect", "QEMU connects to the back-end", CONNECT)

    def message(self, message: Message, size: int, fds: tuple[int, ...]) -> None:
        if message.request == R.SET_FEATURES:
            self.on_chapter("start", "DRIVER_OK: QEMU hands the rings to the back-end", START)
        numbers = ", ".join(map(str, fds))
        with_fds = f", with {len(fds)} fd(s) as SCM_RIGHTS (here: {numbers})" if fds else ""
        packed = (self.acked or 0) & RING_PACKED and message.request == R.SET_VRING_ADDR
        note = (" In a packed ring the three addresses are the descriptor ring, the driver "
                "and the device event suppression areas." if packed else "")  # fmt: skip
        self.log.record(
            "vhost_user_message", actor="device-model", plane="control",
            spec=_SPEC.get(message.request, ""), analog=_analog(message.request),
            summary=f"QEMU sends {message.describe()} ({size} bytes{with_fds}).{note}",
            values={"request": message.request.full_name, "request_id": int(message.request),
                    "flags": message.flags, "size": size - 12, "message": message.encode().hex(),
                    "payload": message.payload.encode().hex(), "fds": len(fds),
                    "description": message.describe()},
        )  # fmt: skip

    def reply(self, message: Message) -> None:
        data = message.encode()
        self.log.record(
            "vhost_user_reply", actor="vhost-user", plane="control",
            spec=_SPEC.get(message.request, ""), analog=_analog(message.request),
            summary=f"The back-end answers {message.describe()} ({len(data)} bytes).",
            values={"request": message.request.full_name, "request_id": int(message.request),
                    "flags": message.flags, "message": data.hex(),
                    "payload": message.payload.encode().hex(), "description": message.describe()},
        )  # fmt: skip

    def refused(self, what: str) -> None:
        self.log.record(
            "vhost_user_refused", actor="vhost-user", plane="control", spec="",
            analog="the back-end closes the socket (QEMU: 'Failed to read from slave')",
            summary=f"The back-end refuses the front-end's message: {what}. It closes the "
            "connection; this VM stops, nothing else does.",
            values={"reason": what},
        )  # fmt: skip

    def features(self, offered: int, acked: int | None = None) -> None:
        self.offered = offered
        if acked is not None:
            self.acked = acked
            self.device.set_features(acked & ~PROTOCOL_BIT)

    # -- memory and rings ------------------------------------------------------------------
    def map_table(self, table: MemTablePayload, fds: tuple[int, ...]) -> None:
        mapped = self.ram.map(table, fds)
        self.device.table = mapped
        for number, region in enumerate(mapped.regions):
            self.log.record(
                "memory_mapped", actor="vhost-user", plane="control", spec="§2.7.5",
                analog="mmap() in vhost_user_set_mem_table() (DPDK) / vu_set_mem_table_exec()",
                summary=f"The back-end mmap()s region {number} from fd {fds[number]}: guest "
                f"0x{region.guest_phys_addr:x}..0x{region.guest_phys_addr + region.memory_size:x} "
                f"({region.memory_size >> 20} MiB), QEMU's 0x{region.userspace_addr:x}, now also "
                f"at 0x{region.backend_base:x} in this process.",
                values={"region": number, "guest_phys": region.guest_phys_addr,
                        "size": region.memory_size, "user_addr": region.userspace_addr,
                        "backend_addr": region.backend_base},
            )  # fmt: skip

    def start_ring(self, vring: Vring) -> None:
        """Translate the ring's three addresses and hand the ring to the device side."""
        assert vring.addr is not None  # the protocol only starts complete rings
        table = self.ram.table
        uaddrs = {"desc": vring.addr.desc_user_addr, "driver": vring.addr.avail_user_addr,
                  "device": vring.addr.used_user_addr}  # fmt: skip
        found = {area: table.translate_uaddr(uaddr, 1) if table else None
                 for area, uaddr in uaddrs.items()}  # fmt: skip
        gpa = {area: f.gpa for area, f in found.items() if isinstance(f, Translation)}
        if len(gpa) != len(found):
            raise ConfigError(f"vring {vring.index}: a ring address is outside every memory region")
        self.device.start(RingPlace(vring.index, vring.num, gpa["desc"], gpa["driver"],
                                    gpa["device"], vring.base))  # fmt: skip
        parts = ", ".join(f"{area} 0x{uaddrs[area]:x} -> guest 0x{gpa[area]:x}" for area in gpa)
        self.log.record(
            "ring_started", actor="vhost-user", plane="control", spec="§2.6",
            analog="vhost_user_set_vring_kick() in DPDK: the ring starts", queue=vring.index,
            summary=f"{QUEUE_NAMES[vring.index]} starts: the back-end looks its areas up by "
            f"QEMU's addresses ({parts}) and serves {vring.num} entries from there.",
            values={f"{area}_addr": addr for area, addr in gpa.items()},
        )  # fmt: skip

    def kick(self, index: int) -> None:
        """Vring `index`'s kick eventfd fired: the driver notified the queue."""
        if not self._kicked_since_start:
            self._kicked_since_start = True
            self.on_chapter("traffic", "Linux uses the rings", TRAFFIC)
        self.log.record(
            "register_write", actor="driver", plane="notification", spec="§4.1.4.4",
            analog="vp_notify() in Linux; QEMU's memory core writes the ioeventfd (TCG)",
            queue=index,
            summary=f"Linux writes {index} to the notify address of {QUEUE_NAMES[index]}: "
            "the back-end knows because the ring's kick eventfd fired.",
            values={"register": "queue_notify", "value": index},
        )  # fmt: skip
        self.device.kick(index)

    def stop_ring(self, index: int) -> int:
        base = self.device.stop(index)
        self.log.record(
            "ring_stopped", actor="vhost-user", plane="control", spec="§2.4",
            analog="vhost_user_get_vring_base() in DPDK", queue=index,
            summary=f"{QUEUE_NAMES[index]} stops; the back-end reports base 0x{base:x} and lets "
            "go of the ring.",
            values={"base": base},
        )  # fmt: skip
        return base

    # -- what QEMU's trace and the console say ---------------------------------------------
    def status_written(self, value: int) -> None:
        old, self.status = self.status, value
        if value and not old:
            self.on_chapter("status", "Linux finds the device: the status handshake", STATUS)
        if value == 0 and self._driver_ok_seen:
            self.on_chapter("reset", "The driver resets the device", RESET)
            self._driver_ok_seen = self._kicked_since_start = False
        self._driver_ok_seen |= bool(value & Status.DRIVER_OK)
        self.log.record(
            "register_write", actor="driver", plane="control", spec="§3.1.1",
            analog="vp_set_status() in Linux; virtio_set_status() in QEMU (traced)",
            summary=f"Linux writes device_status 0x{value:x} ({status_names(value)}); QEMU's "
            "trace shows virtio_set_status() taking it.",
            values={"register": "device_status", "value": value, "old": old},
        )  # fmt: skip

    def command(self, text: str) -> None:
        self.on_chapter("command", f"guest$ {text}", "")
        self.log.record(
            "console_command", actor="guest-user", plane="control", spec="",
            analog="a shell on the guest's serial console (ttyS0)",
            summary=f"You type `{text}` on the guest's serial console.",
            values={"command": text},
        )  # fmt: skip

    def vm_note(self, kind: str, summary: str) -> None:
        self.log.record(kind, actor="device-model", plane="control", spec="", analog="QEMU",
                        summary=summary)  # fmt: skip

    # -- the network ---------------------------------------------------------------------
    def _network(self, frame: bytes) -> list[bytes]:
        self._sent = frame
        exchange = self.host.handle(frame)
        self.log.record(
            "network_exchange", actor="nic", plane="data", spec="§5.1.6",
            analog="the back-end's network: scapy answers for the host 10.0.2.2",
            summary=f"The network sees {exchange.what}.",
            values={"answers": len(exchange.answers)},
        )  # fmt: skip
        for answer in exchange.answers:
            self._arrived = answer
        return list(exchange.answers)


def _analog(request: Request) -> str:
    return f"vhost_user_{request.name.lower()}() in QEMU's hw/virtio/vhost-user.c"


BOOT = (
    "The VM is QEMU under TCG, booting Debian's Linux 6.1 from a busybox initramfs. Its guest "
    "RAM is a memfd QEMU shares, and its network card is a vhost-user device whose back-end "
    "is this server: nothing of the guest's traffic leaves virtio-viz."
)
CONNECT = (
    "QEMU starts and connects to virtio-viz's unix socket before the guest runs. It asks which "
    "virtio features this back-end serves and which vhost-user extensions it knows, claims the "
    "session, and hands over each ring's call and error eventfds. Every message below is the "
    "exact bytes QEMU wrote, decoded by the same code the vhost-user story uses."
)
STATUS = (
    "Linux's virtio_pci finds the device and walks the status handshake. QEMU, not the "
    "back-end, owns the status byte and the feature registers; the back-end sees each status "
    "value in QEMU's trace (virtio_set_status) and waits for DRIVER_OK."
)
START = (
    "The driver set DRIVER_OK, so QEMU starts the vhost-user device: the negotiated features, "
    "the memory table with a file descriptor for guest RAM (the back-end maps it), each ring's "
    "size, base and addresses, and the kick eventfd that starts it. From now on the back-end "
    "reads the rings Linux wrote, straight from guest memory."
)
TRAFFIC = (
    "The driver posts receive buffers and sends frames. Each kick wakes the back-end, which "
    "runs the model's device code on the guest's real rings: the same reads, walks, used-ring "
    "writes and notification checks as in the stories, on bytes Linux wrote."
)
RESET = (
    "The driver writes 0 to device_status. QEMU stops the vhost-user device first: it asks "
    "each ring where it stopped (GET_VRING_BASE), which also makes the back-end let go of it."
)
