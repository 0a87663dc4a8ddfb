"""The vdpa world: a guest whose virtio-net device QEMU emulates for control, while a
vDPA card runs the rings, and QEMU's calls on /dev/vhost-vdpa-0 that tie them together.

How this works: the guest driver talks to QEMU's emulated registers as in any QEMU
story. QEMU mirrors what matters to the card with vhost-vdpa ioctls (status, features,
each ring's size, position, addresses and eventfds) and maps guest RAM into the card's
IOMMU domain with IOTLB messages it write()s to the same fd. Each call is recorded with
its real request number and argument bytes (`model/vhost/kernel.py`, `structs.py`).
`card_status` is the status byte QEMU keeps in the card (VHOST_VDPA_GET/SET_STATUS), not
the one the guest sees. While the guest's DRIVER_OK write waits for QEMU to start the
card, the reader cannot act: the vCPU that wrote it is still inside QEMU.
"""

from __future__ import annotations

from typing import Any

from virtio_viz.model.features import bit
from virtio_viz.model.iommu import IommuFault, Perm, perm_names
from virtio_viz.model.packed import PackedDeviceQueue
from virtio_viz.model.spec import Status, status_names
from virtio_viz.model.split import SplitDeviceQueue
from virtio_viz.model.vhost import kernel
from virtio_viz.model.vhost.kernel import VhostIoctl
from virtio_viz.model.vhost.structs import (
    VHOST_ACCESS_RW,
    VHOST_IOTLB_BATCH_BEGIN,
    VHOST_IOTLB_BATCH_END,
    VHOST_IOTLB_INVALIDATE,
    VHOST_IOTLB_UPDATE,
    IotlbMsg,
    IovaRange,
    VringAddr,
)
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories.vdpa_card import (
    HIGH_RAM_BASE,
    HIGH_RAM_SIZE,
    IOVA_WINDOW,
    QEMU_RAM_VA,
    CardDma,
    VdpaNic,
    vdpa_machine,
)
from virtio_viz.scenarios.stories.worlds import NetWorld
from virtio_viz.scenarios.story import ActionError, UserAction

ACCESS_PLATFORM = bit("VIRTIO_F_ACCESS_PLATFORM")
VIRTIO_ID_NET = 1
BACKEND_FEATURES = 1 << 1 | 1 << 2  # VHOST_BACKEND_F_IOTLB_MSG_V2, VHOST_BACKEND_F_IOTLB_BATCH
FD = "vdpa_fd"
IOTLB_TYPES = {VHOST_IOTLB_UPDATE: "VHOST_IOTLB_UPDATE", VHOST_IOTLB_INVALIDATE:
               "VHOST_IOTLB_INVALIDATE", VHOST_IOTLB_BATCH_BEGIN: "VHOST_IOTLB_BATCH_BEGIN",
               VHOST_IOTLB_BATCH_END: "VHOST_IOTLB_BATCH_END"}  # fmt: skip


def kick_fd(queue: int) -> int:
    """Illustrative eventfd numbers (QEMU's fd table decides the real ones)."""
    return 40 + 2 * queue


def call_fd(queue: int) -> int:
    return 41 + 2 * queue


class VdpaWorld(NetWorld):
    def __init__(self, options: StoryOptions) -> None:
        machine, dma = vdpa_machine(options)
        super().__init__(machine)
        self.dma: CardDma = dma
        self.iommu = dma.iommu
        self.card_status = 0
        self.card_running = False
        dma.on_fault = self._dma_failed
        nic = machine.net
        assert isinstance(nic, VdpaNic)
        nic.stopping = self._guest_reset

    # -- recording QEMU's calls ---------------------------------------------------------
    def ioctl(self, call: VhostIoctl, says: str, *, spec: str, analog: str,
              result: int | None = None) -> None:  # fmt: skip
        answer = "" if result is None else f" and gets {result:#x} back"
        values: dict[str, int | str] = {
            "request": call.name, "number": call.number, "argument": call.argument.hex(" "),
        }  # fmt: skip
        if result is not None:
            values["result"] = result
        self.log.record(
            "vhost_ioctl", actor="device-model", plane="control", spec=spec,
            analog=f"{analog} in QEMU",
            summary=f"QEMU calls {call.render(FD)}{answer}: {says}", values=values,
        )  # fmt: skip

    def iotlb(self, msg: IotlbMsg, says: str, analog: str) -> None:
        data = msg.encode_v2()
        name = IOTLB_TYPES[msg.type]
        self.log.record(
            "vhost_iotlb_msg", actor="device-model", plane="control", spec="§6.1",
            analog=f"{analog} in QEMU",
            summary=f"QEMU write()s a {len(data)}-byte vhost_msg_v2 (type VHOST_IOTLB_MSG_V2, "
            f"asid 0) to {FD}: {name} {msg.describe()}. {says}",
            values={"msg_type": name, "iova": msg.iova, "size": msg.size, "uaddr": msg.uaddr,
                    "perm": msg.perm, "bytes": data.hex(" ")},
        )  # fmt: skip

    def _status(self, bits: int, says: str) -> None:
        """vhost_vdpa_add_status(): read the card's status, write it back with `bits`."""
        self.ioctl(
            kernel.reading("VHOST_VDPA_GET_STATUS"),
            "read the card's status byte",
            spec="§2.1",
            analog="vhost_vdpa_add_status()",
            result=self.card_status,
        )
        self.card_status |= bits
        self.ioctl(kernel.vdpa_set_status(self.card_status),
                   f"{says} (the card's status is now {status_names(self.card_status)})",
                   spec="§2.1", analog="vhost_vdpa_add_status()")  # fmt: skip

    # -- opening the card (when QEMU starts) ----------------------------------------------
    def take_ownership(self) -> None:
        self.ioctl(
            kernel.no_argument("VHOST_SET_OWNER"),
            "this QEMU process becomes the owner of the vDPA device",
            spec="§3.1.1",
            analog="vhost_vdpa_set_owner()",
        )
        self.ioctl(
            kernel.reading("VHOST_VDPA_GET_DEVICE_ID"),
            "the card says it is a virtio network device (ID 1)",
            spec="§5.1",
            analog="vhost_vdpa_get_device_id()",
            result=VIRTIO_ID_NET,
        )
        self.ioctl(kernel.reading("VHOST_GET_FEATURES"),
                   "the card's own feature offer; it includes VIRTIO_F_ACCESS_PLATFORM (bit "
                   "33): its DMA goes through an IOMMU", spec="§2.2",
                   analog="vhost_vdpa_get_features()", result=self.card_offer)  # fmt: skip

    def read_limits(self) -> None:
        self.ioctl(
            kernel.reading("VHOST_GET_BACKEND_FEATURES"),
            "vhost-vdpa takes version-2 IOTLB messages (bit 1) and batches of them (bit 2)",
            spec="§6.1",
            analog="vhost_vdpa_set_backend_cap()",
            result=BACKEND_FEATURES,
        )
        self.ioctl(
            kernel.scalar("VHOST_SET_BACKEND_FEATURES", BACKEND_FEATURES),
            "QEMU will use both",
            spec="§6.1",
            analog="vhost_vdpa_set_backend_cap()",
        )
        first, last = IOVA_WINDOW
        window = IovaRange(first, last)
        self.ioctl(kernel.build("VHOST_VDPA_GET_IOVA_RANGE", window.encode(),
                                window.describe()),
                   f"the card can only be given I/O virtual addresses 0x{first:x}..0x{last:x}",
                   spec="§6.1", analog="vhost_vdpa_get_iova_range()")  # fmt: skip

    def acknowledge_card(self) -> None:
        self._status(Status.ACKNOWLEDGE | Status.DRIVER, "QEMU acknowledges the card and drives it")

    @property
    def card_offer(self) -> int:
        return self.machine.net.offered | ACCESS_PLATFORM

    # -- starting the card (the guest wrote DRIVER_OK) --------------------------------------
    def set_card_features(self) -> None:
        self.require_live()
        features = self.machine.device.negotiated | ACCESS_PLATFORM
        self.ioctl(kernel.set_features(features),
                   "the features the guest negotiated, plus VIRTIO_F_ACCESS_PLATFORM, which "
                   "QEMU always sets for a vDPA card: the card must use IOVAs",
                   spec="§2.2", analog="vhost_dev_set_features()")  # fmt: skip
        self._status(Status.FEATURES_OK, "QEMU sets FEATURES_OK")
        self.ioctl(kernel.reading("VHOST_VDPA_GET_STATUS"), "FEATURES_OK stuck: the card "
                   "accepts the set", spec="§2.1", analog="vhost_vdpa_set_features()",
                   result=self.card_status)  # fmt: skip

    def set_card_rings(self) -> None:
        self.require_live()
        for config in self.machine.device.queues.configs:
            if not config.enabled:
                continue
            i = config.index
            spec = "§2.8" if self._packed else "§2.7"
            self.ioctl(
                kernel.set_vring_num(i, config.size),
                f"ring {i} has {config.size} entries",
                spec=spec,
                analog="vhost_virtqueue_start()",
            )
            base, text = self._ring_base(i)
            self.ioctl(
                kernel.set_vring_base(i, base),
                f"ring {i} starts at {text}",
                spec=spec,
                analog="vhost_virtqueue_start()",
            )
            addr = VringAddr(i, 0, config.desc_addr, config.device_addr, config.driver_addr)
            self.ioctl(
                kernel.set_vring_addr(addr),
                f"ring {i}'s three areas, at the "
                "addresses the guest wrote into its queue registers: guest-physical "
                "for the guest, and equal to the IOVAs QEMU maps them at",
                spec="§4.1.4.3",
                analog="vhost_vdpa_vq_get_addr()",
            )
            self.ioctl(
                kernel.set_vring_kick(i, kick_fd(i)),
                f"an eventfd for ring {i}'s "
                "kicks, used only if the doorbell page cannot be mapped into the guest",
                spec="§2.9",
                analog="vhost_virtqueue_start()",
            )
            self.ioctl(kernel.set_vring_call(i, call_fd(i)), f"the eventfd the card's MSI "
                       f"for ring {i} signals; KVM turns it into the guest's interrupt "
                       "(irqfd)", spec="§2.3", analog="vhost_virtqueue_mask()")  # fmt: skip

    def map_guest_ram(self) -> None:
        self.require_live()
        self.iotlb(
            IotlbMsg(0, 0, 0, 0, VHOST_IOTLB_BATCH_BEGIN),
            "A batch of map changes begins.",
            "vhost_vdpa_iotlb_batch_begin_once()",
        )
        ram = self.dma.pages
        base, size = ram[0].gpa, sum(page.size for page in ram)
        msg = IotlbMsg(base, size, QEMU_RAM_VA, VHOST_ACCESS_RW, VHOST_IOTLB_UPDATE)
        self.iotlb(
            msg,
            "Guest RAM, readable and writable, at an IOVA equal to its guest-physical address.",
            "vhost_vdpa_dma_map()",
        )
        self.log.record(
            "vdpa_pin_pages", actor="vfio", plane="control", spec="§6.1",
            analog="vhost_vdpa_pa_map() in Linux",
            summary=f"vhost-vdpa pins the {size // 0x1000} pages behind QEMU's address "
            f"0x{QEMU_RAM_VA:x}; they sit in {len(ram)} huge pages of host-physical memory, "
            "so it maps them into the card's IOMMU domain as one run each.",
            values={"uaddr": QEMU_RAM_VA, "size": size, "runs": len(ram)},
        )  # fmt: skip
        for page in ram:
            self.iommu.map(page.gpa, page.hpa, page.size, Perm.READ | Perm.WRITE)
        self.log.record(
            "vdpa_ram_skipped", actor="device-model", plane="control", spec="§6.1",
            analog="vhost_vdpa_listener_skipped_section() in QEMU",
            summary=f"QEMU does not map the guest's RAM at 0x{HIGH_RAM_BASE:x} "
            f"(0x{HIGH_RAM_SIZE:x} bytes): it lies beyond the card's IOVA window, ending at "
            f"0x{IOVA_WINDOW[1]:x}, and QEMU only logs 'RAM section out of device range'.",
            values={"gpa": HIGH_RAM_BASE, "size": HIGH_RAM_SIZE, "iova_last": IOVA_WINDOW[1]},
        )  # fmt: skip
        self.iotlb(IotlbMsg(0, 0, 0, 0, VHOST_IOTLB_BATCH_END), "vhost-vdpa applies the "
                   "batch.", "vhost_vdpa_listener_commit()")  # fmt: skip

    def enable_card_rings(self) -> None:
        self.require_live()
        for config in self.machine.device.queues.configs:
            if not config.enabled:
                continue
            i = config.index
            self.log.record(
                "vdpa_doorbell_mapped", actor="device-model", plane="notification",
                spec="§4.1.4.4", analog="vhost_vdpa_host_notifier_init() in QEMU",
                summary=f"QEMU mmap()s page {i} of {FD}, the card's doorbell for ring {i}, and "
                "puts it in the guest's notify area: the guest's kicks now reach the card "
                "without leaving the guest.", queue=i, values={"queue": i, "offset": i * 0x1000},
            )  # fmt: skip
            self.ioctl(
                kernel.vdpa_set_vring_enable(i, True),
                f"switch ring {i} on",
                spec="§4.1.4.3",
                analog="vhost_vdpa_set_vring_ready()",
            )

    def start_card(self) -> None:
        self.require_live()
        self._status(Status.DRIVER_OK, "the card may now use its rings")
        self.ioctl(
            kernel.reading("VHOST_VDPA_GET_STATUS"),
            "DRIVER_OK stuck: the card runs",
            spec="§2.1",
            analog="vhost_vdpa_dev_start()",
            result=self.card_status,
        )
        self.card_running = True

    def reach_rings(self) -> None:
        """The card's first DMA to each ring area (the IOTLB keeps these translations)."""
        self.require_live()
        for config in self.machine.device.queues.configs:
            if not config.enabled:
                continue
            for addr, length, write in self._ring_areas(
                config.size, config.desc_addr, config.driver_addr, config.device_addr
            ):
                self.dma.reach(addr, length, write=write, queue=config.index)

    def start_all(self) -> None:
        """Everything QEMU does between the guest's DRIVER_OK and the card running."""
        for step in (self.set_card_features, self.set_card_rings, self.map_guest_ram,
                     self.enable_card_rings, self.start_card, self.reach_rings):  # fmt: skip
            step()

    def host_starts(self) -> None:
        self.start_all()

    # -- stopping the card (the guest reset the device) -----------------------------------
    def _guest_reset(self) -> None:
        if not self.card_running:
            return
        self.card_running = False
        self.card_status = 0
        self.ioctl(
            kernel.vdpa_set_status(0),
            "QEMU resets the card: it stops using its rings",
            spec="§2.4",
            analog="vhost_vdpa_reset_device()",
        )
        self._status(Status.ACKNOWLEDGE | Status.DRIVER, "QEMU keeps the card acknowledged")
        self.iotlb(
            IotlbMsg(0, 0, 0, 0, VHOST_IOTLB_BATCH_BEGIN),
            "QEMU takes its memory map back.",
            "vhost_vdpa_iotlb_batch_begin_once()",
        )
        ram = self.dma.pages
        base, size = ram[0].gpa, sum(page.size for page in ram)
        self.iotlb(
            IotlbMsg(base, size, 0, 0, VHOST_IOTLB_INVALIDATE),
            "The card may no longer reach guest RAM.",
            "vhost_vdpa_dma_unmap()",
        )
        self.iommu.unmap(base, size)
        self.iotlb(IotlbMsg(0, 0, 0, 0, VHOST_IOTLB_BATCH_END), "vhost-vdpa applies the batch.",
                   "vhost_vdpa_listener_commit()")  # fmt: skip

    # -- the DMA fault ----------------------------------------------------------------------
    def _dma_failed(self, fault: IommuFault, queue: int | None) -> None:
        way = "write into" if fault.write else "read"
        self.log.record(
            "vdpa_dma_error", actor="nic", plane="data", spec="§2.1.2",
            analog="the card's DMA engine receives an error completion instead of data",
            summary=f"The card could not {way} {fault.length} bytes at IOVA 0x{fault.iova:x}: "
            "no data reached it and no guest memory changed. It cannot finish this buffer, so "
            f"it stops queue {queue} and reports that it needs a reset.",
            queue=queue, values={"iova": fault.iova, "length": fault.length,
                                 "write": fault.write, "reason": fault.reason},
        )  # fmt: skip
        self.machine.device.needs_reset(f"a DMA at IOVA 0x{fault.iova:x} was blocked")

    # -- the viewer and the reader ----------------------------------------------------------
    def extras(self) -> dict[str, Any]:
        return {
            "iommu": [
                {"iova": m.iova, "hpa": m.hpa, "size": m.size, "perm": perm_names(m.perm)}
                for m in self.iommu.mappings
            ],
            "card_status": self.card_status,
        }

    def act(self, action: UserAction) -> None:
        if self.live and not self.card_running:
            raise ActionError("kind", "QEMU is still starting the card; the vCPU that wrote "
                              "DRIVER_OK waits inside QEMU until it is done")  # fmt: skip
        super().act(action)

    # -- helpers ---------------------------------------------------------------------------
    @property
    def _packed(self) -> bool:
        return bool(self.machine.device.negotiated & bit("VIRTIO_F_RING_PACKED"))

    def _ring_base(self, index: int) -> tuple[int, str]:
        """What VHOST_SET_VRING_BASE carries (QEMU: virtio_queue_get_last_avail_idx())."""
        ring = self.machine.device.queues.ring(index)
        inner = None if ring is None else ring.inner
        if isinstance(inner, PackedDeviceQueue):
            avail, used = inner.next_avail, inner.next_used
            a_wrap, u_wrap = inner.avail_wrap_counter, inner.used_wrap_counter
            base = avail | a_wrap << 15 | used << 16 | u_wrap << 31
            return base, f"next_avail {avail} (wrap {a_wrap}), next_used {used} (wrap {u_wrap})"
        last = inner.last_avail_idx if isinstance(inner, SplitDeviceQueue) else 0
        return last, f"last_avail_idx {last}"

    def _ring_areas(self, size: int, desc: int, driver: int, device: int
                    ) -> tuple[tuple[int, int, bool], ...]:  # fmt: skip
        if self._packed:  # virtio-1.2 §2.8.10, §2.8.13: descriptors, two 4-byte event areas
            return ((desc, 16 * size, False), (driver, 4, False), (device, 4, True))
        # virtio-1.2 §2.7.5, §2.7.6, §2.7.8: descriptors, avail (flags idx ring used_event),
        # used (flags idx ring avail_event)
        return ((desc, 16 * size, False), (driver, 6 + 2 * size, False),
                (device, 6 + 8 * size, True))  # fmt: skip


def vdpa_world(options: StoryOptions, seed: int) -> VdpaWorld:
    del seed  # no randomness
    return VdpaWorld(options)
