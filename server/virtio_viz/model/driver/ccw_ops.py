"""The driver side of virtio over channel I/O: Linux's virtio_ccw, as channel programs.

How this works: every operation writes a control block and one CCW into guest memory
(below 2 GiB, as the 31-bit data address needs) and starts the subchannel; the device's
answer is read back from the same memory once the program has ended. The steps follow
drivers/s390/virtio/virtio_ccw.c in Linux 6.1:
- discovery: SENSE ID, checking only the control unit type 0x3832 (N118), then
  CCW_CMD_SET_VIRTIO_REV from revision 2 down to 1; a device that rejects both is left
  alone, as a non-transitional driver must (N125);
- status: CCW_CMD_WRITE_STATUS of a byte the driver keeps, restored if the device
  rejects it (N128); CCW_CMD_READ_STATUS only with revision 2 (N129);
- features: CCW_CMD_READ_FEAT / WRITE_FEAT, index 0 then 1, the bits little-endian;
- configuration: CCW_CMD_READ_CONF of `offset + length` bytes from the start;
- queues: CCW_CMD_READ_VQ_CONF, then CCW_CMD_SET_VQ with the 1.x vq_info_block; the
  rings' parts are page-aligned (KVM_VIRTIO_CCW_RING_ALIGN);
- interrupts: two-stage (adapter) indicators with CCW_CMD_SET_IND_ADAPTER, falling back
  to classic ones with CCW_CMD_SET_IND, then CCW_CMD_SET_CONF_IND for config changes;
- notifications: DIAGNOSE 0x500 with the cookie of the previous one (§4.3.3.2).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Protocol

from virtio_viz.model.driver.alloc import GuestAllocator
from virtio_viz.model.driver.ops import QueueSetup
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.events import EventLog
from virtio_viz.model.memory import GuestMemory
from virtio_viz.model.transport.ccw_layout import (
    CCW_FLAG_SLI,
    CLASSIC_INDICATORS,
    CONFIG_SPACE_MAX,
    FEATURE_DESC,
    INDICATOR_ADDRESS,
    KVM_S390_VIRTIO_CCW_NOTIFY,
    KVM_VIRTIO_CCW_RING_ALIGN,
    REV_INFO,
    REVISION_MAX,
    SENSE_ID,
    THININT_AREA,
    VIRTIO_AIRQ_ISC,
    VIRTIO_CCW_CU_TYPE,
    VQ_CONFIG_BLOCK,
    VQ_INFO_BLOCK,
    Ccw,
    Command,
    SubchannelId,
    ThinintArea,
    VqInfo,
)

AIRQ_VECTOR_BYTES = 256  # Linux's airq_iv of VIRTIO_IV_BITS (L1_CACHE_BYTES * 8) bits


class ChannelStatus(Protocol):
    """What TEST SUBCHANNEL tells the driver about the program that ended."""

    @property
    def ok(self) -> bool: ...

    @property
    def command_reject(self) -> bool: ...


class CcwBus(Protocol):
    """How the driver reaches its subchannel: START SUBCHANNEL and DIAGNOSE 0x500."""

    def start_subchannel(self, ccw_address: int) -> ChannelStatus: ...

    def diagnose_500(self, gpr1: int, gpr2: int, gpr3: int, gpr4: int) -> int: ...


@dataclass(slots=True)
class CcwOps:
    bus: CcwBus
    memory: GuestMemory
    log: EventLog
    alloc: GuestAllocator
    adapter_interrupts: bool = True  # Linux's virtio_ccw_use_airq
    subchannel: SubchannelId = field(default_factory=SubchannelId)
    name: str = "virtio-ccw"
    vring_align: int = KVM_VIRTIO_CCW_RING_ALIGN
    revision: int = 0
    thinint: bool = False
    bit_nr: int = 0  # the first queue indicator bit of this device in the adapter area
    cookies: dict[int, int] = field(default_factory=dict)
    info_blocks: dict[int, int] = field(default_factory=dict)
    # Linux's struct vcdev_dma_area: indicators, indicators2, config_block, status
    dma_area: int = 0
    ccw_address: int = 0
    block: int = 0  # the control block of the current program (config area size)
    summary: int = 0  # this device's summary indicator byte
    airq_vector: int = 0  # the adapter's queue indicator area

    def __post_init__(self) -> None:
        self.dma_area = self.alloc.allocate(24, 8)
        self.memory.fill(self.dma_area, 24)
        self.ccw_address = self.alloc.allocate(8, 8)
        self.block = self.alloc.allocate(CONFIG_SPACE_MAX, 8)
        self.summary = self.alloc.allocate(8, 8)
        self.airq_vector = self.alloc.allocate(AIRQ_VECTOR_BYTES, 8)
        self.memory.fill(self.summary, 8)
        self.memory.fill(self.airq_vector, AIRQ_VECTOR_BYTES)

    @property
    def indicators(self) -> int:
        return self.dma_area

    @property
    def config_indicators(self) -> int:
        return self.dma_area + 8

    @property
    def status_byte(self) -> int:
        return self.dma_area + 20

    # -- one channel program ----------------------------------------------------------------
    def _start(self, command: Command, count: int, cda: int, *, flags: int = 0) -> ChannelStatus:
        """Write the CCW and START SUBCHANNEL (Linux: ccw_io_helper())."""
        self.memory.write(self.ccw_address, Ccw(command, flags, count, cda).pack())
        return self.bus.start_subchannel(self.ccw_address)

    def _block(self, data: bytes) -> int:
        self.memory.write(self.block, data)
        return self.block

    # -- discovery: SENSE ID and the revision -----------------------------------------------
    def discover(self) -> int:
        """§4.3.1 and §4.3.2.1: the virtio device id, once a revision is set."""
        self.memory.fill(self.block, SENSE_ID.size + 1)
        self._start(Command.SENSE_ID, SENSE_ID.size + 1, self.block, flags=CCW_FLAG_SLI)
        sense: tuple[int, int, int, int, int] = SENSE_ID.unpack(
            self.memory.read(self.block, SENSE_ID.size)
        )
        _, cu_type, cu_model, _, _ = sense
        if cu_type != VIRTIO_CCW_CU_TYPE:  # N118: device type and model are ignored
            raise ConfigError(f"control unit type {cu_type:#06x} is not virtio-ccw (0x3832)")
        for revision in range(REVISION_MAX, 0, -1):
            status = self._start(Command.SET_VIRTIO_REV, REV_INFO.size,
                                 self._block(REV_INFO.pack(revision, 0)))  # fmt: skip
            if status.ok:
                self.revision = revision
                return cu_model
            if not status.command_reject:
                break
        # N125: this driver is not transitional, so no revision 0 (legacy) fallback
        raise ConfigError("the device accepts no virtio 1 revision of the ccw transport")

    # -- ConfigOps --------------------------------------------------------------------------
    def reset(self) -> None:
        """§4.3.3.3: the reset is done when CCW_CMD_VDEV_RESET ends."""
        self.memory.write(self.status_byte, b"\x00")
        self._start(Command.VDEV_RESET, 0, 0)

    def get_status(self) -> int:
        if self.revision >= 2:  # N129: READ_STATUS exists from revision 2 on
            self._start(Command.READ_STATUS, 1, self.status_byte)
        return self.memory.read(self.status_byte, 1)[0]

    def set_status(self, status: int) -> None:
        old = self.memory.read(self.status_byte, 1)
        self.memory.write(self.status_byte, bytes([status]))
        if not self._start(Command.WRITE_STATUS, 1, self.status_byte).ok:
            self.memory.write(self.status_byte, old)  # N128: the status did not change

    def get_features(self) -> int:
        features = 0
        for index in (0, 1):
            desc = self._block(FEATURE_DESC.pack(0, index))
            if not self._start(Command.READ_FEAT, FEATURE_DESC.size, desc).ok:
                break
            features |= FEATURE_DESC.unpack(self.memory.read(desc, FEATURE_DESC.size))[0] << (
                32 * index
            )
        return features

    def finalize_features(self, features: int) -> None:
        for index in (0, 1):
            word = features >> (32 * index) & 0xFFFF_FFFF
            desc = self._block(FEATURE_DESC.pack(word, index))
            if not self._start(Command.WRITE_FEAT, FEATURE_DESC.size, desc).ok:
                return

    def read_config(self, offset: int, size: int) -> int:
        """Linux reads the configuration from its start up to the field (§4.3.2.5)."""
        self.memory.fill(self.block, offset + size)
        self._start(Command.READ_CONF, offset + size, self.block)
        return int.from_bytes(self.memory.read(self.block + offset, size), "little")

    def config_generation(self) -> int:
        return 0  # no generation counter on channel I/O: the driver compares the bytes

    def set_config_vector(self, vector: int | None) -> bool:
        return False  # indicators, not vectors

    def queue_max_size(self, index: int) -> int:
        block = self.dma_area + 16
        self.memory.write(block, VQ_CONFIG_BLOCK.pack(index, 0))
        if not self._start(Command.READ_VQ_CONF, VQ_CONFIG_BLOCK.size, block).ok:
            return 0
        max_num: int = VQ_CONFIG_BLOCK.unpack(self.memory.read(block, VQ_CONFIG_BLOCK.size))[1]
        return max_num

    def setup_queue(self, setup: QueueSetup) -> bool:
        """§4.3.2.2: one vq_info_block per queue, kept while the queue lives."""
        info = self.info_blocks.get(setup.index)
        if info is None:
            info = self.info_blocks[setup.index] = self.alloc.allocate(VQ_INFO_BLOCK.size, 8)
        block = VqInfo(setup.desc_addr, setup.index, setup.size, setup.driver_addr,
                       setup.device_addr)  # fmt: skip
        self.memory.write(info, block.pack())
        return self._start(Command.SET_VQ, VQ_INFO_BLOCK.size, info).ok

    def enable_queues(self, indices: list[int]) -> bool:
        """Linux's virtio_ccw_find_vqs(), after the queues: register the indicators."""
        self.memory.fill(self.dma_area, 16)
        if self.adapter_interrupts:
            self.thinint = self._register_adapter_indicators()
        if not self.thinint:  # §4.3.2.6.1: classic queue indicators
            pointer = self._block(INDICATOR_ADDRESS.pack(self.indicators))
            if not self._start(Command.SET_IND, INDICATOR_ADDRESS.size, pointer).ok:
                return False
        pointer = self._block(INDICATOR_ADDRESS.pack(self.config_indicators))  # §4.3.2.6.2
        return self._start(Command.SET_CONF_IND, INDICATOR_ADDRESS.size, pointer).ok

    def _register_adapter_indicators(self) -> bool:
        area = ThinintArea(self.summary, self.airq_vector, self.bit_nr, VIRTIO_AIRQ_ISC)
        status = self._start(Command.SET_IND_ADAPTER, THININT_AREA.size,
                             self._block(area.pack()), flags=CCW_FLAG_SLI)  # fmt: skip
        if status.command_reject:
            self.adapter_interrupts = False  # the host has no adapter interrupts: stop trying
        return status.ok

    def notify(self, index: int) -> None:
        """§4.3.3.2: DIAGNOSE 0x500; the returned cookie goes back in GPR4 next time."""
        cookie = self.cookies.get(index, 0)
        gprs = (KVM_S390_VIRTIO_CCW_NOTIFY, self.subchannel.word(), index, cookie)
        self.cookies[index] = self.bus.diagnose_500(*gprs)

    # -- the interrupt handler --------------------------------------------------------------
    def service_interrupt(self, queues: Collection[int]) -> None:
        """Linux's virtio_ccw_int_handler(): scan the indicators (virtio-1.2 §4.3.3.1)."""
        self.handle_interrupt(sorted(queues))

    def handle_interrupt(self, queues: list[int]) -> tuple[list[int], bool]:
        """Find what the device signalled through the indicators: (queues, config)."""
        signalled = self._scan_adapter(queues) if self.thinint else self._scan_classic()
        config = self._take_classic(self.config_indicators) & 1
        if self.thinint:
            self.memory.write(self.summary, b"\x00")  # N134: before the queues are served
            signalled += self._scan_adapter(queues)
        self._record_handler(sorted(set(signalled)), bool(config))
        return sorted(set(signalled)), bool(config)

    def _scan_adapter(self, queues: list[int]) -> list[int]:
        """Linux's airq_iv_scan(): find each set bit (from the left) and clear it."""
        found = []
        for queue in queues:
            bit = self.bit_nr + queue
            at, mask = self.airq_vector + bit // 8, 0x80 >> (bit % 8)
            byte = self.memory.read(at, 1)[0]
            if byte & mask:
                self.memory.write(at, bytes([byte & ~mask]))
                found.append(queue)
        return found

    def _scan_classic(self) -> list[int]:
        bits = self._take_classic(self.indicators)
        return [n for n in range(64) if bits >> n & 1]

    def _take_classic(self, address: int) -> int:
        bits: int = CLASSIC_INDICATORS.unpack(self.memory.read(address, 8))[0]
        if bits:
            self.memory.write(address, bytes(8))
        return bits

    def _record_handler(self, queues: list[int], config: bool) -> None:
        found = [f"queue {q}" for q in queues] + (["a configuration change"] if config else [])
        what = ", ".join(found) or "nothing new"
        if self.thinint:
            summary = (f"The driver's adapter interrupt handler scans the queue indicator bits "
                       f"({what}), clears the summary byte and scans once more")  # fmt: skip
            spec, analog = "§4.3.3.1.2", "virtio_airq_handler() in Linux"
        else:
            summary = f"The driver's I/O interrupt handler takes the indicator bits ({what})"
            spec, analog = "§4.3.3.1.1", "virtio_ccw_int_handler() in Linux"
        self.log.record(
            "ccw_indicators", actor="driver", plane="notification", spec=spec, analog=analog,
            summary=summary, values={"queues": tuple(queues), "config": config,
                                     "adapter": self.thinint},
        )  # fmt: skip
