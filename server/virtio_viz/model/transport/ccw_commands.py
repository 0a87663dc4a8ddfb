"""What the device does for each channel command of virtio-ccw. virtio-1.2 §4.3.1 - §4.3.3.

How this works: `CcwTransport` fetches a CCW and checks its length (`expected_length`);
then the handler of its command code reads the control block at the CCW's data address
from guest memory, acts on the `VirtioDevice`, writes back what the command returns,
and answers with how the channel program ended (`Ending`). The handlers follow QEMU's
virtio_ccw_cb() (hw/s390x/virtio-ccw.c); where QEMU ends a program with a channel
program check for a bad argument, so do these. Command rejects (a unit check with the
sense byte's command-reject bit) are what the spec asks for: an unknown command (N115),
an unsupported revision (N119, N120), a second revision (N121), a status the device did
not take (N130), classic and adapter indicators mixed (N132, N133).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from virtio_viz.model.device_queue import check_layout
from virtio_viz.model.spec import status_names
from virtio_viz.model.transport.ccw_layout import (
    CONFIG_SPACE_MAX,
    DEV_STAT_CHN_END,
    DEV_STAT_DEV_END,
    DEV_STAT_UNIT_CHECK,
    FEATURE_DESC,
    INDICATOR_ADDRESS,
    REV_INFO,
    SCHN_STAT_INCORR_LEN,
    SCHN_STAT_PROG_CHECK,
    SENSE_ID,
    SNS0_CMD_REJECT,
    THININT_AREA,
    VIRTIO_CCW_CU_TYPE,
    VQ_CONFIG_BLOCK,
    VQ_INFO_BLOCK,
    Ccw,
    Command,
    ThinintArea,
    VqInfo,
)

if TYPE_CHECKING:
    from virtio_viz.model.transport.ccw import CcwTransport

VIRTIO_QUEUE_MAX = 1024  # QEMU's limit on a virtqueue index


@dataclass(frozen=True, slots=True)
class Ending:
    """How a channel program ended: device status, channel status, sense byte 0, the
    residual count, and a sentence for the event."""

    device_status: int = DEV_STAT_CHN_END | DEV_STAT_DEV_END
    channel_status: int = 0
    sense: int = 0
    residual: int = 0
    why: str = ""

    @property
    def ok(self) -> bool:
        return self.channel_status == 0 and not self.device_status & DEV_STAT_UNIT_CHECK

    @property
    def command_reject(self) -> bool:
        return bool(self.device_status & DEV_STAT_UNIT_CHECK and self.sense & SNS0_CMD_REJECT)

    def describe(self) -> str:
        if self.command_reject:
            return "unit check, sense: command reject"
        if self.channel_status & SCHN_STAT_INCORR_LEN:
            return "incorrect length"
        if self.channel_status & SCHN_STAT_PROG_CHECK:
            return "channel program check"
        return "channel end, device end"


DONE = Ending()


def reject(why: str) -> Ending:
    return Ending(DEV_STAT_CHN_END | DEV_STAT_DEV_END | DEV_STAT_UNIT_CHECK, 0, SNS0_CMD_REJECT,
                  why=why)  # fmt: skip


def program_check(why: str) -> Ending:
    return Ending(DEV_STAT_CHN_END | DEV_STAT_DEV_END, SCHN_STAT_PROG_CHECK, why=why)


# the length each command's control block has (READ_CONF / WRITE_CONF: the config size)
FIXED_LENGTH = {
    Command.SENSE_ID: SENSE_ID.size + 1,  # Linux's struct senseid starts with these 8 bytes
    Command.SET_VIRTIO_REV: REV_INFO.size,
    Command.READ_FEAT: FEATURE_DESC.size,
    Command.WRITE_FEAT: FEATURE_DESC.size,
    Command.WRITE_STATUS: 1,
    Command.READ_STATUS: 1,
    Command.SET_IND: INDICATOR_ADDRESS.size,
    Command.SET_CONF_IND: INDICATOR_ADDRESS.size,
    Command.SET_IND_ADAPTER: THININT_AREA.size,
    Command.READ_VQ_CONF: VQ_CONFIG_BLOCK.size,
    Command.SET_VQ: VQ_INFO_BLOCK.size,
    Command.VDEV_RESET: 0,
}

Handler = Callable[["CcwTransport", Ccw, int], Ending]


def _sense_id(t: CcwTransport, ccw: Ccw, length: int) -> Ending:
    """§4.3.1: 0xff, control unit type 0x3832, model = the virtio device id, then zeroes."""
    data = SENSE_ID.pack(0xFF, VIRTIO_CCW_CU_TYPE, t.device.device_id, 0, 0)
    t.memory.write(ccw.cda, (data + bytes(length))[:length])
    return DONE


def _set_revision(t: CcwTransport, ccw: Ccw, length: int) -> Ending:
    """§4.3.2.1: revision 1 or 2 with no data; the transport refuses a second one (N121)."""
    revision, data_length = REV_INFO.unpack(t.memory.read(ccw.cda, REV_INFO.size))
    if data_length or not 1 <= revision <= t.max_revision:  # N119, N120 (not transitional)
        return reject(f"revision {revision} with {data_length} byte(s) of data is not "
                      f"supported (1 to {t.max_revision}, with none)")  # fmt: skip
    t.revision = revision
    return DONE


def _read_features(t: CcwTransport, ccw: Ccw, length: int) -> Ending:
    """§4.3.2.4: the device stores the 32 offered bits of word `index`, little-endian."""
    index = t.memory.read(ccw.cda + 4, 1)[0]
    features = t.device.status.features
    features.device_feature_select = index
    t.memory.write(ccw.cda, features.device_word().to_bytes(4, "little"))
    return DONE


def _write_features(t: CcwTransport, ccw: Ccw, length: int) -> Ending:
    word, index = FEATURE_DESC.unpack(t.memory.read(ccw.cda, FEATURE_DESC.size))
    t.device.status.select_driver_word(index)
    t.device.status.write_driver_word(word)
    return DONE


def _read_config(t: CcwTransport, ccw: Ccw, length: int) -> Ending:
    """§4.3.2.5: the configuration space from its start, as many bytes as asked for."""
    space = t.device.backend.config_space()
    t.memory.write(ccw.cda, space[:length])
    return Ending(residual=ccw.count - length)


def _write_config(t: CcwTransport, ccw: Ccw, length: int) -> Ending:
    old = t.device.backend.config_space()[:length]
    new = t.memory.read(ccw.cda, length)
    changed = [i for i in range(length) if old[i] != new[i]]
    if changed:
        first, last = changed[0], changed[-1] + 1
        value = int.from_bytes(new[first:last], "little")
        t.device.write_config(first, last - first, value)
    return Ending(residual=ccw.count - length)


def _write_status(t: CcwTransport, ccw: Ccw, length: int) -> Ending:
    """§4.3.2.3: a status the device does not take is a command reject (N130)."""
    value = t.memory.read(ccw.cda, 1)[0]
    outcome = t.device.write_status(value)  # a reset also drops the indicators
    if outcome.new != value:
        return reject(f"the device keeps status {status_names(outcome.new)}, not "
                      f"{status_names(value)}")  # fmt: skip
    return DONE


def _read_status(t: CcwTransport, ccw: Ccw, length: int) -> Ending:
    """§4.3.2.3: revision 2 and up; the current device status (N131)."""
    t.memory.write(ccw.cda, bytes([t.device.device_status]))
    return DONE


def _reset(t: CcwTransport, ccw: Ccw, length: int) -> Ending:
    """§4.3.3.3: the reset is complete when the command ends."""
    t.device.reset("The driver sends CCW_CMD_VDEV_RESET")  # the indicators go too
    return DONE


def _set_indicators(t: CcwTransport, ccw: Ccw, length: int) -> Ending:
    if t.indicators.mode == "adapter":  # §4.3.2.6.1 (N132)
        return reject("adapter (two-stage) indicators are already set up")
    if len(t.device.queues) > 64:
        return reject("the device has more queues than a 64-bit indicator has bits")
    (address,) = INDICATOR_ADDRESS.unpack(t.memory.read(ccw.cda, 8))
    t.indicators.use_classic(address)
    return DONE


def _set_config_indicators(t: CcwTransport, ccw: Ccw, length: int) -> Ending:
    (address,) = INDICATOR_ADDRESS.unpack(t.memory.read(ccw.cda, 8))
    t.indicators.config_indicators = address
    return DONE


def _set_adapter_indicators(t: CcwTransport, ccw: Ccw, length: int) -> Ending:
    if t.indicators.mode == "classic":  # §4.3.2.6.3.1 (N133)
        return reject("classic queue indicators are already set up")
    area = ThinintArea.unpack(t.memory.read(ccw.cda, THININT_AREA.size))
    t.indicators.use_adapter(area.summary_indicator, area.indicator, area.bit_nr, area.isc)
    return DONE


def _read_queue_config(t: CcwTransport, ccw: Ccw, length: int) -> Ending:
    """§4.3.2.2: max_num of queue `index` (0: the device has no such queue)."""
    (index,) = VQ_CONFIG_BLOCK.unpack(t.memory.read(ccw.cda, 4))[:1]
    if index >= VIRTIO_QUEUE_MAX:
        return program_check(f"queue index {index} is beyond {VIRTIO_QUEUE_MAX - 1}")
    config = t.device.queues.config(index)
    max_num = config.max_size if config is not None else 0
    t.memory.write(ccw.cda + 2, max_num.to_bytes(2, "big"))
    return DONE


def _set_queue(t: CcwTransport, ccw: Ccw, length: int) -> Ending:
    """§4.3.2.2: size and the three areas of queue `index` in one block, then the queue
    runs; desc 0 takes it away. res0 is ignored (N127)."""
    info = VqInfo.unpack(t.memory.read(ccw.cda, VQ_INFO_BLOCK.size))
    queues = t.device.queues
    config = queues.config(info.index)
    if config is None or info.index >= VIRTIO_QUEUE_MAX:
        return program_check(f"the device has no queue {info.index}")
    if info.desc == 0:
        queues.disable(info.index, why="the driver sets its descriptor area to 0",
                       spec="§4.3.2.2")  # fmt: skip
        config.reset()
        return DONE
    if info.num > config.max_size:
        return program_check(f"num {info.num} is above the maximum {config.max_size}")
    queues.check_size(info.index, info.num, over_max_rule=None)
    if not config.enabled and t.device.status.features.latched:
        planned = replace(config, size=info.num, desc_addr=info.desc, driver_addr=info.driver,
                          device_addr=info.device)  # fmt: skip
        check_layout(t.memory, planned, t.device.negotiated)
    queues.set_size(info.index, info.num, locked_rule=None, over_max_rule=None)
    for area, address in (("desc", info.desc), ("driver", info.driver), ("device", info.device)):
        queues.set_address(info.index, area, address, locked_rule=None)  # type: ignore[arg-type]
    queues.enable(info.index, spec="§4.3.2.2")
    return DONE


HANDLERS: dict[int, Handler] = {
    Command.SENSE_ID: _sense_id,
    Command.SET_VIRTIO_REV: _set_revision,
    Command.READ_FEAT: _read_features,
    Command.WRITE_FEAT: _write_features,
    Command.READ_CONF: _read_config,
    Command.WRITE_CONF: _write_config,
    Command.WRITE_STATUS: _write_status,
    Command.READ_STATUS: _read_status,
    Command.VDEV_RESET: _reset,
    Command.SET_IND: _set_indicators,
    Command.SET_CONF_IND: _set_config_indicators,
    Command.SET_IND_ADAPTER: _set_adapter_indicators,
    Command.READ_VQ_CONF: _read_queue_config,
    Command.SET_VQ: _set_queue,
}


def expected_length(t: CcwTransport, command: int) -> int:
    if command in (Command.READ_CONF, Command.WRITE_CONF):
        return min(len(t.device.backend.config_space()), CONFIG_SPACE_MAX)
    return FIXED_LENGTH[Command(command)]
