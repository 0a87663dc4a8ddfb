"""Virtio over channel I/O (virtio-ccw), the device side. virtio-1.2 §4.3.

How this works: `CcwTransport` is one virtio-ccw proxy device behind a subchannel of the
channel subsystem (QEMU: a VirtioCcwDevice on the virtual css, which QEMU's css.c runs
when KVM hands it the guest's START SUBCHANNEL). The driver talks to it in two ways:

- `start_subchannel(ccw_address)`: the driver has written a CCW and its control block
  into guest memory; the channel subsystem fetches the CCW, checks its byte count
  against what the command carries (without CCW_FLAG_SLI a mismatch is an incorrect
  length, N116; with it a too-short block is a program check, N117), refuses virtio
  commands until a revision is set (N123, N126) and CCW_CMD_READ_STATUS below revision 2
  (N129), then runs the command's handler (`ccw_commands.py`) and ends the program with
  a status. Every program is two events: `ccw_start` (the driver's CCW, and the bytes it
  wrote) and `ccw_end` (how it ended, and the bytes the device read or wrote).
- `diagnose_500(gpr1, gpr2, gpr3, gpr4)`: the available-buffer notification, a
  hypercall rather than a channel command (§4.3.3.2). GPR1 is subcode 3, GPR2 the
  subchannel id (its upper 32 bits are ignored, N135), GPR3 the queue, GPR4 the cookie of
  the previous notification. The answer in GPR2 is a cookie: like KVM, the index of the
  ioeventfd that matched, which here is the queue index.

The other direction is `Indicators` (indicator bits in guest memory, then an I/O
interrupt), which the transport hands to the device core's `Interrupts`.
"""

from __future__ import annotations

from virtio_viz.model.device import VirtioDevice
from virtio_viz.model.errors import ConfigError
from virtio_viz.model.events import Value
from virtio_viz.model.transport.ccw_commands import (
    HANDLERS,
    VIRTIO_QUEUE_MAX,
    Ending,
    expected_length,
    program_check,
    reject,
)
from virtio_viz.model.transport.ccw_indicators import Indicators
from virtio_viz.model.transport.ccw_layout import (
    CCW1,
    CCW_FLAG_SLI,
    DEV_STAT_CHN_END,
    DEV_STAT_DEV_END,
    KVM_S390_VIRTIO_CCW_NOTIFY,
    REVISION_MAX,
    SCHN_STAT_INCORR_LEN,
    Ccw,
    Command,
    SubchannelId,
)

EINVAL = -22
# the Linux function behind each command (drivers/s390/virtio/virtio_ccw.c)
LINUX = {
    Command.SENSE_ID: "ccw_device_sense_id_start() in Linux's cio",
    Command.SET_VIRTIO_REV: "virtio_ccw_set_transport_rev()",
    Command.READ_FEAT: "virtio_ccw_get_features()",
    Command.WRITE_FEAT: "virtio_ccw_finalize_features()",
    Command.READ_CONF: "virtio_ccw_get_config()",
    Command.WRITE_CONF: "virtio_ccw_set_config()",
    Command.WRITE_STATUS: "virtio_ccw_set_status()",
    Command.READ_STATUS: "virtio_ccw_get_status()",
    Command.VDEV_RESET: "virtio_ccw_reset()",
    Command.SET_IND: "virtio_ccw_find_vqs()",
    Command.SET_CONF_IND: "virtio_ccw_find_vqs()",
    Command.SET_IND_ADAPTER: "virtio_ccw_register_adapter_ind()",
    Command.READ_VQ_CONF: "virtio_ccw_read_vq_conf()",
    Command.SET_VQ: "virtio_ccw_setup_vq()",
}
SECTION = {
    Command.SENSE_ID: "§4.3.1", Command.SET_VIRTIO_REV: "§4.3.2.1",
    Command.READ_VQ_CONF: "§4.3.2.2", Command.SET_VQ: "§4.3.2.2",
    Command.WRITE_STATUS: "§4.3.2.3", Command.READ_STATUS: "§4.3.2.3",
    Command.READ_FEAT: "§4.3.2.4", Command.WRITE_FEAT: "§4.3.2.4",
    Command.READ_CONF: "§4.3.2.5", Command.WRITE_CONF: "§4.3.2.5",
    Command.SET_IND: "§4.3.2.6.1", Command.SET_CONF_IND: "§4.3.2.6.2",
    Command.SET_IND_ADAPTER: "§4.3.2.6.3", Command.VDEV_RESET: "§4.3.3.3",
}  # fmt: skip
_BASIC = {Command.SENSE_ID}  # channel commands every device knows; no revision needed


class CcwTransport:
    """One virtio-ccw proxy device (QEMU: VirtioCcwDevice) on subchannel `subchannel`."""

    line = "an I/O interrupt"
    kind = "ccw"  # what Machine.channel_io() asks, with no import of the others
    msix_enabled = False

    def __init__(
        self,
        device: VirtioDevice,
        *,
        subchannel: SubchannelId | None = None,
        max_revision: int = REVISION_MAX,
    ) -> None:
        self.device = device
        self.log = device.log
        self.memory = device.memory
        self.subchannel = subchannel or SubchannelId()
        self.max_revision = max_revision  # QEMU's max_revision property
        self.revision: int | None = None  # unset until CCW_CMD_SET_VIRTIO_REV (N122)
        self.indicators = Indicators(device.memory)
        device.attach(self)
        device.interrupts.indicators = self.indicators

    def msi_message(self, vector: int) -> tuple[int, int]:
        raise ConfigError("channel I/O has no MSI-X vectors")

    # -- START SUBCHANNEL ------------------------------------------------------------------
    def start_subchannel(self, ccw_address: int) -> Ending:
        """Run the one-CCW channel program at `ccw_address` and end it with a status."""
        if ccw_address % 8:
            raise ConfigError(f"a CCW must be doubleword aligned, not at {ccw_address:#x}")
        ccw = Ccw.unpack(self.memory.read(ccw_address, CCW1.size))
        self._record_start(ccw, ccw_address)
        ending = self._run(ccw)
        self._record_end(ccw, ending)
        return ending

    def _run(self, ccw: Ccw) -> Ending:
        handler = HANDLERS.get(ccw.command)
        if handler is None:  # §4.3.1.3 (N115)
            return reject(f"the device does not know command {ccw.command:#04x}")
        refused = self._refused(ccw)
        if refused is not None:
            return refused
        length, problem = self._length(ccw)
        if problem is not None:
            return problem
        if length and not self.memory.contains(ccw.cda, length):
            return program_check(f"the data address {ccw.cda:#x} is not in guest memory")
        return handler(self, ccw, length)

    def _refused(self, ccw: Ccw) -> Ending | None:
        """§4.3.2.1 / §4.3.2.3: commands the selected revision does not allow."""
        command = Command(ccw.command)
        if command in _BASIC:
            return None
        if command == Command.SET_VIRTIO_REV:
            if self.revision is None:
                return None
            self.log.violation(124, actor="driver", detail=f"the driver asks for another "
                               f"revision after revision {self.revision} was selected")  # fmt: skip
            return reject(f"revision {self.revision} is already selected (N121)")
        if self.revision is None:
            self.log.violation(123, actor="driver", detail=f"the driver sends {ccw.name} "
                               "before it has set a revision")  # fmt: skip
            return reject("no revision is selected yet (N126)")
        if command == Command.READ_STATUS and self.revision < 2:
            self.log.violation(129, actor="driver", detail="the driver sends "
                               f"CCW_CMD_READ_STATUS with revision {self.revision}")  # fmt: skip
            return reject("revision 1 has no CCW_CMD_READ_STATUS")
        return None

    def _length(self, ccw: Ccw) -> tuple[int, Ending | None]:
        """How many bytes the command moves, or how the program ends on a bad count."""
        expected = expected_length(self, ccw.command)
        sli = bool(ccw.flags & CCW_FLAG_SLI)
        variable = ccw.command in (Command.READ_CONF, Command.WRITE_CONF)
        if variable:
            if ccw.count > expected and not sli:  # N116
                return 0, self._incorrect_length(ccw, expected)
            return min(ccw.count, expected), None
        if sli and ccw.count < expected:  # §4.3.1.3 (N117): too short to process
            return 0, program_check(f"{ccw.count} bytes are fewer than the {expected} the "
                                    "command needs")  # fmt: skip
        if not sli and ccw.count != expected:  # N116
            return 0, self._incorrect_length(ccw, expected)
        return expected, None

    @staticmethod
    def _incorrect_length(ccw: Ccw, expected: int) -> Ending:
        why = f"the count is {ccw.count}, the command carries {expected} bytes"
        return Ending(DEV_STAT_CHN_END | DEV_STAT_DEV_END, SCHN_STAT_INCORR_LEN, why=why)

    # -- DIAGNOSE 0x500 --------------------------------------------------------------------
    def diagnose_500(self, gpr1: int, gpr2: int, gpr3: int, gpr4: int) -> int:
        """The guest's notification hypercall; returns what lands in GPR2 (§4.3.3.2)."""
        if gpr1 != KVM_S390_VIRTIO_CCW_NOTIFY:
            raise ConfigError(f"DIAGNOSE 0x500 subcode {gpr1} is not a virtio-ccw notification")
        schid, queue = gpr2 & 0xFFFF_FFFF, gpr3  # N135: bits 0-31 of GPR2 are ignored
        ours = schid == self.subchannel.word() and queue < VIRTIO_QUEUE_MAX
        cookie = queue if ours else EINVAL
        values: dict[str, Value] = {"transport": "ccw", "gpr1": gpr1, "gpr2": gpr2,
                                    "gpr3": gpr3, "gpr4": gpr4, "cookie": cookie}  # fmt: skip
        summary = (
            f"The driver issues DIAGNOSE 0x500, subcode 3: subchannel {schid:#010x} in GPR2, "
            f"queue {queue} in GPR3, cookie {gpr4} in GPR4"
        )
        if not ours:
            summary += "; no virtio queue matches, so GPR2 returns -EINVAL"
        self.log.record(
            "diagnose_notify", actor="driver", plane="notification", spec="§4.3.3.2",
            analog="virtio_ccw_kvm_notify() in Linux; __diag_virtio_hypercall() in KVM",
            summary=summary, queue=queue if ours else None, values=values,
        )  # fmt: skip
        if ours:
            self.device.notify(queue)
        return cookie

    # -- events ----------------------------------------------------------------------------
    def _record_start(self, ccw: Ccw, address: int) -> None:
        linux = LINUX.get(Command(ccw.command)) if ccw.command in HANDLERS else None
        flags = f", flags {ccw.flags:#04x}" + (" (SLI)" if ccw.flags & CCW_FLAG_SLI else "")
        self.log.record(
            "ccw_start", actor="driver", plane="control",
            spec=SECTION.get(Command(ccw.command), "§4.3.1") if linux else "§4.3.1",
            analog=f"{linux or 'ccw_device_start()'} in Linux; css_do_ssch() in QEMU",
            summary=f"The driver starts subchannel {self.subchannel}: {ccw.name} "
            f"({ccw.command:#04x}){flags}, count {ccw.count}, data at {ccw.cda:#x}",
            values=self._ccw_values(ccw) | {"ccw_address": address},
        )  # fmt: skip

    def _record_end(self, ccw: Ccw, ending: Ending) -> None:
        said = ending.describe()
        why = f": {ending.why}" if ending.why else ""
        residual = f", residual count {ending.residual}" if ending.residual else ""
        self.log.record(
            "ccw_end", actor="device", plane="control",
            spec="§4.3.1.3" if not ending.ok else SECTION.get(Command(ccw.command), "§4.3.1"),
            analog="virtio_ccw_cb() in QEMU; virtio_ccw_int_handler() in Linux",
            summary=f"{ccw.name} ends with {said}{residual}{why}; the I/O interrupt wakes "
            "the driver",
            values=self._ccw_values(ccw) | {
                "device_status": ending.device_status, "channel_status": ending.channel_status,
                "sense": ending.sense, "residual": ending.residual, "ending": said,
            },
        )  # fmt: skip

    def _ccw_values(self, ccw: Ccw) -> dict[str, Value]:
        return {
            "transport": "ccw", "subchannel": str(self.subchannel), "command": ccw.name,
            "code": ccw.command, "flags": ccw.flags, "count": ccw.count, "cda": ccw.cda,
        }  # fmt: skip
