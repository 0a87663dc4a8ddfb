"""qemu-emulated: QEMU plays the whole virtio-net device (the seed's first architecture)."""

from __future__ import annotations

from virtio_viz.scenarios.options import StoryOptions
from virtio_viz.scenarios.stories import net_chapters as chapters
from virtio_viz.scenarios.stories import questions
from virtio_viz.scenarios.stories.device_voices import QEMU_NET_VOICE
from virtio_viz.scenarios.stories.worlds import NetWorld, net_world
from virtio_viz.scenarios.story import Chapter, Story
from virtio_viz.scenarios.topologies import qemu_emulated


def _chapters(options: StoryOptions) -> tuple[Chapter[NetWorld], ...]:
    return (
        chapters.discovery(options),
        chapters.handshake(options),
        chapters.features(options),
        chapters.queues(options),
        chapters.rx_refill(),
        chapters.transmit(),
        chapters.receive(),
        chapters.suppression(options),
        chapters.fault(),
        chapters.teardown(),
    )


STORY = Story(id="qemu-emulated", topology=qemu_emulated.TOPOLOGY, build=net_world,
              chapters=_chapters, voice=QEMU_NET_VOICE, questions=questions.NET)  # fmt: skip
