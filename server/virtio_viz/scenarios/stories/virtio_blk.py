"""virtio-blk: a disk that QEMU emulates, from finding it to reading, writing, flushing,
a refused request, a device error, and tearing it down."""

from __future__ import annotations

from dataclasses import replace

from virtio_viz.model.devices.blk import SECTOR_SIZE
from virtio_viz.model.spec import Status
from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import blk_requests as requests
from virtio_viz.scenarios.stories import net_chapters as generic
from virtio_viz.scenarios.stories import questions
from virtio_viz.scenarios.stories.device_voices import QEMU_BLK_VOICE
from virtio_viz.scenarios.stories.worlds import BlkWorld, blk_world
from virtio_viz.scenarios.story import Beat, Chapter, Story
from virtio_viz.scenarios.topologies import virtio_blk

BlkChapter = Chapter[BlkWorld]
BOOT_TEXT = b"virtio-viz disk image, sector 0"
WRITE_SECTOR = 8


def build(options: StoryOptions, seed: int) -> BlkWorld:
    """A blk world whose disk image starts with an MBR-like sector 0: some text, and the
    boot signature 0x55 0xaa in its last two bytes."""
    world = blk_world(options, seed)
    disk = world.machine.blk.disk
    disk[: len(BOOT_TEXT)] = BOOT_TEXT
    disk[SECTOR_SIZE - 2 : SECTOR_SIZE] = b"\x55\xaa"
    return world


def _handle(world: BlkWorld) -> None:
    requests.complete(world.machine)


def _live(world: BlkWorld) -> BlkWorld:
    world.require_live()
    return world


def _request(chapter_id: str, title: str, intro: str, submit: Beat[BlkWorld]) -> BlkChapter:
    """A request chapter: submit (the device serves it at the kick), then the interrupt."""
    return Chapter(chapter_id, title, intro, (submit, Beat("handle the interrupt", _handle)))


def _bring_up(options: StoryOptions) -> tuple[BlkChapter, ...]:
    discovery: BlkChapter = generic.discovery(options)
    handshake: BlkChapter = generic.handshake(options)
    features: BlkChapter = generic.features(options)
    queues: BlkChapter = generic.queues(options)
    where = {
        "mmio": "reads the MMIO registers: magic value, version, and device id 2, a block device",
        "ccw": "is an s390x machine: SENSE ID on the subchannel answers control unit type "
        "0x3832, model 2 (a virtio block device), and the driver sets revision 2 of the "
        "ccw transport",
    }.get(
        options.transport,
        "scans PCI and finds function 0x1af4:0x1042 (0x1040 + device id 2: a modern "
        "virtio block device), then walks its capabilities to the configuration "
        "structures in the BARs",
    )
    reset = (
        "CCW_CMD_VDEV_RESET, done when the channel program ends"
        if options.transport == "ccw"
        else "device_status 0, read back until it is 0"
    )
    return (
        replace(discovery, intro=f"The guest {where}. Behind it is QEMU's virtio-blk device "
                "model, which keeps the disk image in a host file."),
        replace(handshake, intro=(
            f"As for any virtio device, the driver first resets the disk ({reset}), then "
            "sets ACKNOWLEDGE and DRIVER one bit at a time, each with a read and a write of "
            "the status."
        )),
        replace(features, intro=(
            "The disk offers block features besides the generic ones: FLUSH (it has a write "
            "cache the driver may flush), BLK_SIZE, SEG_MAX, TOPOLOGY, CONFIG_WCE, DISCARD and "
            "WRITE_ZEROES. The driver keeps what Linux's virtio_blk understands, writes it "
            "back and sets FEATURES_OK, which the device must keep for the set to hold."
        )),
        replace(queues, intro=(
            "A virtio-blk device has one request queue (requestq1) unless it offers MQ. The "
            "driver places its ring in guest memory and enables it, then reads the "
            "configuration: capacity, counted in 512-byte sectors whatever the block size, "
            "and blk_size. DRIVER_OK makes the disk live."
        )),
    )  # fmt: skip


def _io_chapters() -> tuple[BlkChapter, ...]:
    return (
        _request(
            "read", "Reading a sector",
            "Every request is one chain: a 16-byte header the device reads (type, a reserved "
            "word, and the sector), the data, and one status byte the device writes last. "
            "The driver reads sector 0: the header says VIRTIO_BLK_T_IN, the data buffer is "
            "device-writable, and QEMU fills it from the image file before writing status 0 "
            "(OK) and interrupting.",
            Beat("read sector 0", lambda world: requests.read(_live(world).machine, 0)),
        ),
        _request(
            "write", "Writing a sector",
            f"Now the driver writes sector {WRITE_SECTOR}, {WRITE_SECTOR * SECTOR_SIZE} bytes "
            "into the disk. The header says VIRTIO_BLK_T_OUT, the data buffer is "
            "device-readable this time, and only the status byte is writable: the used length "
            "the device reports is 1.",
            Beat(f"write sector {WRITE_SECTOR}",
                 lambda world: requests.write(_live(world).machine, WRITE_SECTOR)),
        ),
        _request(
            "flush", "Flushing the write cache",
            "The disk negotiated VIRTIO_BLK_F_FLUSH, so a completed write may still sit in a "
            "cache. A VIRTIO_BLK_T_FLUSH request (sector 0, no data) asks the device to make "
            "every completed write durable before it answers.",
            Beat("flush", lambda world: requests.flush(_live(world).machine)),
        ),
        _request(
            "get-id", "Asking for the disk's serial",
            "VIRTIO_BLK_T_GET_ID fills a 20-byte device-writable buffer with the disk's "
            "identifier, padded with zero bytes. Linux shows it as the disk's serial in sysfs.",
            Beat("ask for the serial", lambda world: requests.get_id(_live(world).machine)),
        ),
        _request(
            "rejected", "A request past the end of the disk",
            "The capacity the driver read is the last word on the disk's size, and no request "
            "may reach past it. Here the driver reads the sector just after the last one. The "
            "device does not touch the data buffer: it writes status 1 (IOERR) and completes "
            "the request as usual; the failure stays with that one request.",
            Beat("read past the end", lambda world: requests.read(
                _live(world).machine, world.machine.blk.capacity)),
        ),
    )  # fmt: skip


def _fault() -> BlkChapter:
    def fail(world: BlkWorld) -> None:
        if world.machine.device.device_status & Status.DRIVER_OK:
            world.machine.device.needs_reset("the block device model hit an internal error")

    return Chapter(
        "fault", "A device error and the way back",
        "A bad request only fails itself, but a device that loses track of its own state "
        "cannot go on. It sets DEVICE_NEEDS_RESET and raises a configuration-change "
        "interrupt; the driver reads the status, sees the bit, resets the disk and "
        "initializes it again from the start, with a fresh ring. Then it reads sector "
        f"{WRITE_SECTOR} to check that the data written before the error is still there.",
        (
            Beat("the device fails", fail),
            Beat("the driver notices", BlkWorld.notice_config_change),
            Beat("the driver resets the device and brings it up again", BlkWorld.recover),
            Beat(f"read sector {WRITE_SECTOR}",
                 lambda world: requests.read(_live(world).machine, WRITE_SECTOR)),
            Beat("handle the interrupt", _handle),
        ),
    )  # fmt: skip


def _teardown() -> BlkChapter:
    teardown: BlkChapter = generic.teardown()
    return replace(teardown, intro=(
        "When the disk goes away (the guest shuts down, or the driver unbinds), the driver "
        "resets it: after device_status reads back 0 the device no longer touches the ring "
        "or any buffer, and the driver may free them."
    ))  # fmt: skip


def _chapters(options: StoryOptions) -> tuple[BlkChapter, ...]:
    return (*_bring_up(options), *_io_chapters(), _fault(), _teardown())


STORY = Story(
    id="virtio-blk",
    topology=virtio_blk.TOPOLOGY,
    build=build,
    chapters=_chapters,
    voice=QEMU_BLK_VOICE,
    questions=questions.BLK,
)
