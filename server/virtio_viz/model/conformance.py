"""The MUST checklist of virtio 1.2, as numbered in shared/spec/FACTS.md §12 (N1-N114),
extended with the MUSTs of virtio over channel I/O (N115-N135).

Each rule is paraphrased in the project's own words; `section` is the virtio-1.2
section that states it and `party` says who it binds. A `Violation` event carries the
rule's number, so a reader can look it up here and in docs/conformance.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from virtio_viz.model.frozen import pickled_by_fields

Party = Literal["driver", "device"]


@dataclass(frozen=True, slots=True)
class Rule:
    number: int
    party: Party
    section: str
    requirement: str


_R: Party = "driver"
_D: Party = "device"

_TABLE: tuple[tuple[int, Party, str, str], ...] = (
    (1, _R, "§2.1.1", "set status bits as each initialization step completes"),
    (2, _R, "§2.1.1", "never clear a device status bit (only a reset returns to 0)"),
    (3, _R, "§2.1.1", "after setting FAILED, reset before initializing again"),
    (4, _D, "§2.1.2", "consume no buffers and send no used notifications before DRIVER_OK"),
    (5, _D, "§2.1.2", "after setting DEVICE_NEEDS_RESET while DRIVER_OK, send a config change"),
    (6, _R, "§2.2.1", "accept only features the device offered"),
    (7, _R, "§2.2.1", "accept no feature whose required feature was not accepted"),
    (8, _R, "§2.2.1", "set FAILED and stop if a needed feature is not offered"),
    (9, _D, "§2.2.2", "offer no feature whose required feature is not offered"),
    (10, _D, "§2.2.2", "refuse FEATURES_OK for a subset the device cannot support"),
    (11, _D, "§2.4.1", "read back status 0 after a reset"),
    (12, _D, "§2.4.1", "after a reset, touch no queue and notify nothing until re-initialized"),
    (13, _R, "§2.5.1", "check the feature is offered before using an optional config field"),
    (14, _D, "§2.5.2", "allow device config reads before FEATURES_OK"),
    (15, _R, "§3.1.1", "follow the initialization sequence in order"),
    (16, _R, "§3.1.1", "do not write device config during feature negotiation"),
    (17, _R, "§3.1.1", "accept no new feature bits after FEATURES_OK"),
    (18, _R, "§3.1.1", "stop initializing after a step failed irrecoverably"),
    (19, _R, "§3.1.1", "send no available-buffer notification before DRIVER_OK"),
    (20, _R, "§3.3.1", "do not change exposed entries of a live virtqueue"),
    (21, _R, "§3.3.1", "reset the device before taking back exposed buffers"),
    (22, _R, "§6.1", "accept VIRTIO_F_VERSION_1 when it is offered"),
    (23, _R, "§6.1", "pass only physical addresses without VIRTIO_F_ACCESS_PLATFORM"),
    (24, _R, "§6.1", "use hardware barriers when VIRTIO_F_ORDER_PLATFORM is negotiated"),
    (25, _R, "§6.1", "negotiate VIRTIO_F_SR_IOV only on a PCI device with SR-IOV"),
    (26, _D, "§6.2", "offer VIRTIO_F_VERSION_1"),
    (27, _D, "§6.2", "with VIRTIO_F_IN_ORDER, use buffers in the order they became available"),
    (28, _D, "§6.2", "offer VIRTIO_F_SR_IOV only as a PCI device"),
    (29, _D, "§2.6.1.1.1", "after a queue reset, run no requests and send no notifications for it"),
    (30, _D, "§2.6.1.1.1", "a queue reset returns the available and used state to default"),
    (31, _R, "§2.6.1.1.2", "check that a queue reset has completed"),
    (32, _D, "§2.6.1.2.1", "honour queue configuration changed before re-enable"),
    (33, _R, "§2.6.1.2.2", "re-enable a reset queue exactly as at first setup"),
    (34, _R, "§2.7.1", "align each split ring part (desc 16, avail 2, used 4)"),
    (35, _D, "§2.7.4.1", "assume nothing about how buffers are split into descriptors"),
    (36, _R, "§2.7.4.2", "put device-writable descriptors after device-readable ones"),
    (37, _D, "§2.7.5.1", "never write into a device-readable buffer"),
    (38, _D, "§2.7.5.1", "never write a descriptor table entry"),
    (39, _R, "§2.7.5.2", "a chain totals at most 2^32 bytes, so it cannot loop"),
    (40, _R, "§2.7.5.2", "with IN_ORDER, next is x + 1 (0 for the last table entry)"),
    (41, _R, "§2.7.5.3.1", "use VIRTQ_DESC_F_INDIRECT only if INDIRECT_DESC was negotiated"),
    (42, _R, "§2.7.5.3.1", "no INDIRECT inside an indirect table"),
    (43, _R, "§2.7.5.3.1", "no chain longer than the queue size"),
    (44, _R, "§2.7.5.3.1", "never set both INDIRECT and NEXT"),
    (45, _R, "§2.7.5.3.1", "with IN_ORDER, indirect entries are sequential"),
    (46, _D, "§2.7.5.3.2", "ignore WRITE on a descriptor that points to an indirect table"),
    (47, _D, "§2.7.5.3.2", "accept direct descriptors followed by one indirect descriptor"),
    (48, _R, "§2.7.6.1", "never move avail.idx backwards"),
    (49, _R, "§2.7.7.1", "without EVENT_IDX, avail.flags is 0 or 1"),
    (50, _R, "§2.7.7.1", "with EVENT_IDX, avail.flags is 0"),
    (51, _R, "§2.7.7.1", "cope with spurious used-buffer notifications"),
    (52, _D, "§2.7.7.2", "without EVENT_IDX, ignore used_event"),
    (53, _D, "§2.7.7.2", "without EVENT_IDX, notify when avail.flags is 0"),
    (54, _D, "§2.7.7.2", "with EVENT_IDX, ignore bit 0 of avail.flags"),
    (55, _D, "§2.7.7.2", "with EVENT_IDX, notify when used.idx passes used_event"),
    (56, _D, "§2.7.8.2", "write used len before publishing used.idx"),
    (57, _D, "§2.7.8.2", "write at least len bytes before publishing used.idx"),
    (58, _R, "§2.7.8.3", "trust no bytes of a writable buffer beyond used len"),
    (59, _R, "§2.7.10.1", "zero used.flags when allocating the used ring"),
    (60, _R, "§2.7.10.1", "without EVENT_IDX, ignore avail_event"),
    (61, _R, "§2.7.10.1", "without EVENT_IDX, kick when used.flags is 0"),
    (62, _R, "§2.7.10.1", "with EVENT_IDX, ignore bit 0 of used.flags"),
    (63, _R, "§2.7.10.1", "with EVENT_IDX, kick when avail.idx passes avail_event"),
    (64, _D, "§2.7.10.2", "without EVENT_IDX, used.flags is 0 or 1"),
    (65, _D, "§2.7.10.2", "with EVENT_IDX, used.flags is 0"),
    (66, _D, "§2.7.10.2", "cope with spurious driver notifications"),
    (67, _R, "§2.7.13.3.1", "barrier before publishing avail.idx"),
    (68, _R, "§2.7.13.4.1", "barrier before reading used.flags or avail_event"),
    (69, _R, "§2.8.11", "align each packed ring part (ring 16, event structures 4)"),
    (70, _D, "§2.8.12", "process available descriptors in ring order"),
    (71, _D, "§2.8.12", "write used descriptors in completion order"),
    (72, _D, "§2.8.15", "never write into a device-readable buffer"),
    (73, _D, "§2.8.15", "use a descriptor only after seeing its AVAIL bit flip"),
    (74, _D, "§2.8.15", "never change a descriptor after flipping its USED bit"),
    (75, _R, "§2.8.16", "change a descriptor only after seeing its USED bit flip"),
    (76, _R, "§2.8.16", "never change a descriptor after flipping its AVAIL bit"),
    (77, _R, "§2.8.16", "notification data names the next descriptor not yet made available"),
    (78, _R, "§2.8.17", "no descriptor list longer than the device allows"),
    (79, _R, "§2.8.17", "no descriptor list longer than the queue size"),
    (80, _R, "§2.8.17", "put device-writable descriptors after device-readable ones"),
    (81, _R, "§2.8.17", "do not rely on the device using extra descriptors"),
    (82, _R, "§2.8.17", "make room for the whole list before exposing its first descriptor"),
    (83, _R, "§2.8.17", "expose the first descriptor of a list last"),
    (84, _D, "§2.8.18", "use chained descriptors in the order they were made available"),
    (85, _R, "§2.8.19", "use INDIRECT only if INDIRECT_DESC was negotiated"),
    (86, _R, "§2.8.19", "inside an indirect table only WRITE may be set"),
    (87, _R, "§2.8.19", "no chain longer than the device allows"),
    (88, _R, "§2.8.19", "no INDIRECT descriptor inside a NEXT-linked list"),
    (89, _R, "§2.8.21.1.1", "barrier before writing the head descriptor's flags"),
    (90, _R, "§2.8.21.3.1", "barrier before reading the device event suppression structure"),
    (91, _D, "§4.1.4.3.1", "reset when 0 is written to device_status and then read 0"),
    (92, _D, "§4.1.4.3.1", "present queue_enable 0 after a reset"),
    (93, _D, "§4.1.4.3.1", "split rings: queue_size is 0 or a power of 2"),
    (94, _R, "§4.1.4.3.2", "after writing status 0, wait to read 0 before re-initializing"),
    (95, _R, "§4.1.4.3.2", "never write 0 to queue_enable"),
    (96, _R, "§4.1.4.3.2", "configure a queue fully before writing queue_enable"),
    (97, _D, "§4.1.4.4.1", "present at least one notification capability"),
    (98, _D, "§4.1.4.4.1", "notify_off_multiplier is an even power of 2, or 0"),
    (99, _D, "§4.1.4.4.1", "the notify capability is long enough for every queue's address"),
    (100, _D, "§4.1.4.5.1", "set the ISR config bit before a config change interrupt"),
    (101, _D, "§4.1.4.5.1", "without MSI-X, set the ISR queue bit before a queue interrupt"),
    (102, _D, "§4.1.4.5.1", "a driver read of ISR status resets it to 0"),
    (103, _D, "§4.1.5.1.2.1", "unmap all MSI-X vectors on reset"),
    (104, _R, "§4.1.5.1.2.2", "read a vector back after mapping it"),
    (105, _R, "§4.1.5.2.1", "with NOTIF_CONFIG_DATA, notify with queue_notify_data"),
    (106, _D, "§4.1.5.3.1", "no queue interrupt when its MSI-X vector is NO_VECTOR"),
    (107, _D, "§4.1.5.4.1", "no config interrupt when config_msix_vector is NO_VECTOR"),
    (108, _R, "§4.1.5.4.2", "handle one vector shared by config and queue events"),
    (109, _D, "§4.2.2.1", "keep InterruptStatus bits set until the driver acknowledges them"),
    (110, _D, "§4.2.2.1", "on reset, clear InterruptStatus and every QueueReady"),
    (111, _D, "§4.2.2.1", "touch no queue contents while QueueReady is 0"),
    (112, _R, "§4.2.2.2", "write QueueNum no larger than QueueNumMax"),
    (113, _R, "§4.2.2.2", "leave QueueNum and the queue addresses alone while QueueReady is 1"),
    (114, _R, "§4.2.3.4.1", "acknowledge handled interrupts through InterruptACK"),
    # N115 and up: the MUSTs of virtio over channel I/O (§4.3), which FACTS.md's checklist
    # stops short of; numbered on from it so every Violation keeps one number space.
    (115, _D, "§4.3.1.3", "post a command reject for any channel command it does not support"),
    (116, _D, "§4.3.1.3", "without SLI, report a count that does not match the command's length"),
    (117, _D, "§4.3.1.3", "with SLI, present a check condition when the data is too short"),
    (118, _R, "§4.3.1.4", "check for control unit type 0x3832; ignore device type and model"),
    (119, _D, "§4.3.2.1.1", "command-reject an unsupported revision or a bad revision/length"),
    (120, _D, "§4.3.2.1.1", "a non-transitional device rejects revision 0"),
    (121, _D, "§4.3.2.1.1", "command-reject any other revision once one is selected"),
    (122, _D, "§4.3.2.1.1", "treat the revision as unset until the driver sets one"),
    (123, _R, "§4.3.2.1.2", "send no other virtio-ccw command before setting the revision"),
    (124, _R, "§4.3.2.1.2", "never select another revision once one is selected"),
    (125, _R, "§4.3.2.1.3", "a non-transitional driver stops if every revision is rejected"),
    (126, _D, "§4.3.2.1.3", "a non-transitional device rejects commands sent before a revision"),
    (127, _D, "§4.3.2.2.1", "ignore res0 of the vq_info_block"),
    (128, _R, "§4.3.2.3.1", "after a rejected CCW_CMD_WRITE_STATUS, take the status as unchanged"),
    (129, _R, "§4.3.2.3.1", "send CCW_CMD_READ_STATUS only with revision 2 or higher"),
    (130, _D, "§4.3.2.3.2", "leave a status it cannot take unchanged and command-reject it"),
    (131, _D, "§4.3.2.3.2", "with revision 2, CCW_CMD_READ_STATUS returns the current status"),
    (132, _D, "§4.3.2.6.1", "command-reject CCW_CMD_SET_IND after CCW_CMD_SET_IND_ADAPTER"),
    (133, _D, "§4.3.2.6.3.1", "command-reject CCW_CMD_SET_IND_ADAPTER after CCW_CMD_SET_IND"),
    (134, _R, "§4.3.3.1.2.2", "clear the summary indicator before processing queue indicators"),
    (135, _D, "§4.3.3.2.1", "ignore bits 0-31 of GPR2 in a notification"),
)

RULES: dict[int, Rule] = {n: Rule(n, party, sec, text) for n, party, sec, text in _TABLE}

pickled_by_fields(Rule)  # virtio_viz/model/frozen.py
