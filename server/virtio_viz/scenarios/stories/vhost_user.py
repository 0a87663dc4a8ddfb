"""vhost-user: the data plane runs in a separate host process QEMU talks to over a socket.

How this works: as in vhost-net, the guest's driver is unchanged and QEMU keeps the
control plane. QEMU connects to the back-end's unix socket when it starts (GET_FEATURES,
GET/SET_PROTOCOL_FEATURES, SET_OWNER) and, at DRIVER_OK, sends the negotiated features,
the memory table (one fd per RAM region, acknowledged because REPLY_ACK was agreed) and
each ring's size, base, addresses and eventfds, then enables the rings. Every message is
an event of the device model on the "setup" wire with its exact bytes
(`model.vhost.user`); replies are the back-end's events. The back-end maps guest RAM at
its own address and translates every descriptor through the memory table
(`VhostWorld`), so the view shows both addresses. The fault is the realistic one for a
separate process: the back-end goes away, QEMU reports the link down, and replays the
whole setup when the back-end comes back.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from virtio_viz.model.features import bit
from virtio_viz.model.vhost import user
from virtio_viz.model.vhost.memtable import Translation
from virtio_viz.model.vhost.user import Message
from virtio_viz.model.vhost.user_requests import (
    VHOST_USER_F_PROTOCOL_FEATURES,
    ProtocolFeature,
    Request,
)
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import net_chapters as chapters
from virtio_viz.scenarios.stories import questions
from virtio_viz.scenarios.stories.vhost_setup import (
    BACKEND_RAM_VA,
    CHECKED,
    DATA_QUEUES,
    QUEUE_NAMES,
    VhostWorld,
    vhost_machine,
)
from virtio_viz.scenarios.stories.vhost_voice import (
    VHOST_USER_DEVICE,
    kick_through_ioeventfd,
    make_voice,
)
from virtio_viz.scenarios.story import Beat, Chapter, Story
from virtio_viz.scenarios.topologies import vhost_user

R = Request
# What this DPDK-style back-end serves: VERSION_1, packed and split rings, EVENT_IDX,
# INDIRECT_DESC, MRG_RXBUF, ANY_LAYOUT, IN_ORDER, ACCESS_PLATFORM and the vhost-user
# protocol features (bit 30). No RING_RESET, so QEMU does not offer it.
BACKEND_FEATURES = sum(1 << n for n in (15, 27, 28, 29, 30, 32, 33, 34, 35))
LACKING = CHECKED & ~BACKEND_FEATURES
PROTOCOL_OFFERED = sum(
    f.mask for f in (ProtocolFeature.LOG_SHMFD, ProtocolFeature.RARP, ProtocolFeature.REPLY_ACK)
)
_SPEC = {
    R.GET_FEATURES: "§2.2", R.SET_FEATURES: "§2.2", R.GET_PROTOCOL_FEATURES: "§2.2",
    R.SET_PROTOCOL_FEATURES: "§2.2", R.SET_OWNER: "§3.1.1", R.SET_MEM_TABLE: "§2.7.5",
    R.SET_VRING_NUM: "§2.7", R.SET_VRING_ADDR: "§2.7", R.SET_VRING_BASE: "§2.7.14",
    R.GET_VRING_BASE: "§2.4", R.SET_VRING_KICK: "§2.9", R.SET_VRING_CALL: "§2.3",
    R.SET_VRING_ENABLE: "§4.1.4.3",
}  # fmt: skip


def _analog(request: Request) -> str:
    return f"vhost_user_{request.name.lower()}() in QEMU and in DPDK's lib/vhost"


def send(world: VhostWorld, message: Message, note: str = "", queue: int | None = None) -> None:
    """QEMU writes one vhost-user message on the socket (and its fds beside it)."""
    data, fds = message.encode(), message.fds(PROTOCOL_OFFERED)
    extra = f" {note}" if note else ""
    with_fds = f", with {fds} fd(s) as SCM_RIGHTS" if fds else ""
    world.log.record(
        "vhost_user_message", actor="device-model", plane="control",
        spec=_SPEC[message.request], analog=_analog(message.request),
        summary=f"QEMU sends {message.describe()} ({len(data)} bytes{with_fds}).{extra}",
        queue=queue,
        values={"request": message.request.full_name, "request_id": int(message.request),
                "flags": message.flags, "size": len(data) - user.HEADER.size,
                "message": data.hex(), "payload": message.payload.encode().hex(), "fds": fds,
                "description": message.describe()},
    )  # fmt: skip


def answer(world: VhostWorld, message: Message, note: str = "", queue: int | None = None) -> None:
    """The back-end writes its reply on the socket."""
    data = message.encode()
    extra = f" {note}" if note else ""
    world.log.record(
        "vhost_user_reply", actor="vhost-user", plane="control", spec=_SPEC[message.request],
        analog=_analog(message.request),
        summary=f"The back-end answers {message.describe()} ({len(data)} bytes).{extra}",
        queue=queue,
        values={"request": message.request.full_name, "request_id": int(message.request),
                "flags": message.flags, "message": data.hex(),
                "payload": message.payload.encode().hex(), "description": message.describe()},
    )  # fmt: skip


# -- when QEMU starts: vhost_user_backend_init() and vhost_dev_init() -----------------------
def get_features(world: VhostWorld) -> None:
    send(world, user.request(R.GET_FEATURES))
    answer(world, user.u64_reply(R.GET_FEATURES, BACKEND_FEATURES),
           "QEMU will not offer the guest a ring feature the back-end lacks")  # fmt: skip


def protocol_features(world: VhostWorld) -> None:
    send(world, user.request(R.GET_PROTOCOL_FEATURES))
    answer(world, user.u64_reply(R.GET_PROTOCOL_FEATURES, PROTOCOL_OFFERED))
    send(
        world,
        user.u64_request(R.SET_PROTOCOL_FEATURES, PROTOCOL_OFFERED),
        "With REPLY_ACK agreed, QEMU may ask for an acknowledgement of any message.",
    )


def set_owner(world: VhostWorld) -> None:
    send(world, user.request(R.SET_OWNER))


def connect_beats() -> tuple[Beat[VhostWorld], ...]:
    return (
        Beat("VHOST_USER_GET_FEATURES", get_features),
        Beat("the protocol features", protocol_features),
        Beat("VHOST_USER_SET_OWNER", set_owner),
    )


# -- at DRIVER_OK: vhost_dev_start() ------------------------------------------------------
def set_features(world: VhostWorld) -> None:
    world.take_rings()
    acked = world.machine.device.negotiated & BACKEND_FEATURES
    acked |= 1 << VHOST_USER_F_PROTOCOL_FEATURES
    send(world, user.u64_request(R.SET_FEATURES, acked),
         "Bit 30 stays set: it keeps the protocol features in force.")  # fmt: skip


def set_mem_table(world: VhostWorld) -> None:
    payload = world.table.user_payload()
    send(world, user.set_mem_table(payload.regions).with_need_reply(),
         "The back-end mmap()s each fd and remembers where: "
         + "; ".join(f"region {i} lands at 0x{r.backend_base:x}"
                     for i, r in enumerate(world.table.regions)) + ".")  # fmt: skip
    world.table_sent = True
    answer(world, user.u64_reply(R.SET_MEM_TABLE, 0), "0 means the table is in place.")


def start_ring(world: VhostWorld, queue: int) -> None:
    config = world.machine.device.queues.config(queue)
    assert config is not None
    name, position = QUEUE_NAMES[queue], world.position(queue)
    send(world, user.vring_state(R.SET_VRING_NUM, queue, config.size), queue=queue)
    send(world, user.vring_state(R.SET_VRING_BASE, queue, position.base),
         f"({name}: {position.text})", queue=queue)  # fmt: skip
    found = {a: world.table.translate(config.address(a), 1) for a in ("desc", "driver", "device")}
    qva = {a: f.uaddr if isinstance(f, Translation) else 0 for a, f in found.items()}
    addr = user.VringAddr(queue, 0, qva["desc"], qva["device"], qva["driver"])
    send(world, user.set_vring_addr(addr), queue=queue)
    _translate_ring(world, queue, found)
    send(world, user.vring_fd(R.SET_VRING_KICK, queue), queue=queue)
    send(world, user.vring_fd(R.SET_VRING_CALL, queue), queue=queue)


def _translate_ring(world: VhostWorld, queue: int, found: dict[str, Any]) -> None:
    parts = [f"{area} 0x{f.uaddr:x} -> 0x{f.backend_addr:x}" for area, f in found.items()
             if isinstance(f, Translation)]  # fmt: skip
    world.log.record(
        "ring_translate", actor="vhost-user", plane="control", spec="§2.7",
        analog="translate_ring_addresses() / qva_to_vva() in DPDK's lib/vhost",
        summary=f"The back-end looks {QUEUE_NAMES[queue]}'s three areas up by QEMU's addresses "
        f"in its memory table and keeps its own: {', '.join(parts)}.",
        queue=queue,
        values={f"{area}_addr": f.backend_addr for area, f in found.items()
                if isinstance(f, Translation)},
    )  # fmt: skip


def enable_rings(world: VhostWorld) -> None:
    for queue in world.rings:
        send(world, user.vring_state(R.SET_VRING_ENABLE, queue, 1),
             f"The back-end starts serving {QUEUE_NAMES[queue]}.", queue=queue)  # fmt: skip
    world.running = True


def start_beats() -> tuple[Beat[VhostWorld], ...]:
    return (
        Beat("VHOST_USER_SET_FEATURES", set_features),
        Beat("VHOST_USER_SET_MEM_TABLE", set_mem_table),
        *(Beat(f"describe {QUEUE_NAMES[q]}", partial(start_ring, queue=q)) for q in DATA_QUEUES),
        Beat("VHOST_USER_SET_VRING_ENABLE", enable_rings),
    )


def stop(world: VhostWorld) -> None:
    """vhost_net_stop() in QEMU when the driver resets the device."""
    for queue in world.rings:
        send(world, user.vring_state(R.SET_VRING_ENABLE, queue, 0), queue=queue)
    for queue in world.rings:
        position = world.position(queue)
        send(world, user.vring_state(R.GET_VRING_BASE, queue, 0), queue=queue)
        answer(
            world,
            user.vring_base_reply(queue, position.base),
            f"({QUEUE_NAMES[queue]}: {position.text}; QEMU keeps it)",
            queue=queue,
        )
    world.rings = {}


def _run(beats: tuple[Beat[VhostWorld], ...]) -> Any:
    def run(world: VhostWorld) -> None:
        for beat in beats:
            beat.run(world)

    return run


# -- the fault: the back-end process goes away and comes back -----------------------------
STATUS_OFFSET = 6  # virtio_net_config.status (virtio-1.2 §5.1.4)


def backend_dies(world: VhostWorld) -> None:
    world.require_live()
    world.log.record(
        "backend_disconnect", actor="vhost-user", plane="control", spec="§5.1.4",
        analog="CHR_EVENT_CLOSED -> net_vhost_user_event() in QEMU",
        summary="The back-end process exits; QEMU's end of the unix socket reads end-of-file. "
        "Nobody serves the rings now: kicks land on an eventfd no one reads.",
    )  # fmt: skip
    world.running = False
    world.machine.net.link_up = False
    world.machine.device.config_changed("QEMU marks the link down: the back-end is gone")


def driver_reads_link(world: VhostWorld) -> None:
    world.notice_config_change()
    if world.machine.device.negotiated & bit("VIRTIO_NET_F_STATUS"):
        status = world.machine.driver.ops.read_config(STATUS_OFFSET, 2)
        world.machine.net_driver.link_up = bool(status & 1)


def backend_returns(world: VhostWorld) -> None:
    world.require_live()
    world.log.record(
        "backend_reconnect", actor="vhost-user", plane="control", spec="§3.1.1",
        analog="CHR_EVENT_OPENED -> vhost_user_start() in QEMU",
        summary="A new back-end process listens on the socket again and QEMU reconnects. It "
        "could not ask the old one where the rings stopped, so it will start them where the "
        "device model last saw them, after replaying the whole setup.",
    )  # fmt: skip
    world.rings = {}


def link_up(world: VhostWorld) -> None:
    world.require_live()
    world.machine.net.link_up = True
    world.machine.device.config_changed("QEMU marks the link up again")


def fault(intro: str = "") -> Chapter[Any]:
    return Chapter(
        "fault",
        "The back-end goes away, and comes back",
        intro or FAULT,
        (
            Beat("the back-end process exits", backend_dies),
            Beat("the driver sees the link down", driver_reads_link),
            Beat("a back-end reconnects", backend_returns),
            Beat("QEMU replays the connection", _run(connect_beats())),
            Beat("QEMU replays the ring setup", _run(start_beats())),
            Beat("the link comes back", link_up),
            Beat("the driver sees the link up", driver_reads_link),
        ),
    )


FAULT = (
    "A back-end is an ordinary process: it can crash or be restarted. QEMU notices the socket "
    "close, stops counting on the back-end and tells the guest the only thing virtio-net can "
    "say about it: the link is down (VIRTIO_NET_S_LINK_UP cleared, a configuration-change "
    "interrupt). When a back-end listens again, QEMU reconnects and replays everything, from "
    "GET_FEATURES to SET_VRING_ENABLE; then the link comes back up. The guest's driver never "
    "resets anything."
)


# -- the story ------------------------------------------------------------------------------
def opening(title: str, intro: str) -> Chapter[Any]:
    return Chapter("backend-open", title, intro, connect_beats())


def backend_setup(intro: str) -> Chapter[Any]:
    return Chapter("backend-setup", "DRIVER_OK: QEMU hands the rings to the back-end", intro,
                   start_beats())  # fmt: skip


def build(options: StoryOptions, seed: int, *, declined: int = 0) -> VhostWorld:
    del seed
    world = VhostWorld(
        vhost_machine(options, lacking=LACKING, declined=declined), backend="vhost-user",
        translate_analog="vhost_iova_to_vva() in DPDK's lib/vhost (the IOVA is the "
        "guest-physical address when there is no IOMMU)",
        mapped_base=BACKEND_RAM_VA,
    )  # fmt: skip
    world.stop_backend = stop
    world.start_backend = _run(start_beats())
    return world


def _chapters(options: StoryOptions) -> tuple[Chapter[Any], ...]:
    return (
        opening("Before the guest runs: QEMU connects to the back-end", OPENING),
        chapters.discovery(options),
        chapters.handshake(options),
        chapters.features(options),
        chapters.queues(options),
        backend_setup(SETUP),
        replace(chapters.rx_refill(), intro=RX_REFILL),
        replace(chapters.transmit(), intro=TRANSMIT),
        replace(chapters.receive(), intro=RECEIVE),
        chapters.suppression(options),
        fault(),
        replace(chapters.teardown(), intro=TEARDOWN),
    )


OPENING = (
    "A DPDK-style back-end process is already running and listening on a unix socket. QEMU "
    "connects when it starts, asks for the virtio features the back-end serves and for the "
    "vhost-user protocol extensions, agrees on the ones both know, and claims the session. "
    "Every message is a 12-byte header (request, flags, size) and a payload."
)
SETUP = (
    "When the driver sets DRIVER_OK, QEMU sends the back-end what it needs to serve the rings "
    "on its own. The memory table says which guest-physical range is backed by which part of "
    "QEMU's memory, and carries one file descriptor per region, so the back-end can map the "
    "same RAM into its own address space at an address of its choosing. Ring addresses "
    "arrive as QEMU's addresses; the back-end converts them through the table too. Then "
    "each ring gets its eventfds and is enabled."
)
RX_REFILL = (
    "The driver posts its empty receive buffers and kicks. KVM turns the kick (a notify "
    "write, or DIAGNOSE 0x500 on an s390x guest) into a signal on the ring's kick eventfd, "
    "which belongs to the back-end process; QEMU does not run."
)
TRANSMIT = (
    "The guest sends an ARP request. The back-end takes the chain, looks the buffer's "
    "guest-physical address up in its memory table to find the frame in its own mapping of "
    "guest RAM, and sends it on the card from user space. It returns the buffer and signals "
    "the call eventfd; KVM's irqfd interrupts the guest."
)
RECEIVE = (
    "The gateway's ARP reply comes in on the card the back-end drives. The back-end "
    "translates the next receive buffer's address, copies header and frame into it, fills "
    "in the used ring and signals the call eventfd."
)
TEARDOWN = (
    "The driver resets the device. Before the device forgets its rings QEMU disables them "
    "in the back-end and asks where each one stopped (GET_VRING_BASE, which also makes the "
    "back-end let go of the ring)."
)

STORY = Story(
    id="vhost-user", topology=vhost_user.TOPOLOGY, build=build, chapters=_chapters,
    voice=make_voice(VHOST_USER_DEVICE, kick_through_ioeventfd), questions=questions.NET,
)  # fmt: skip
