"""Small synthetic QEMU logs, written the way QEMU 7.2's `log` backend writes them."""

from __future__ import annotations

from dataclasses import dataclass, field

BASES = {"virtio-net": 0xFEBF8000, "virtio-blk": 0xFEBFC000}
PARTS = {"common": 0, "isr": 0x1000, "device": 0x2000, "notify": 0x3000}
VDEV = {"virtio-net": 0x5600, "virtio-blk": 0x5700}


@dataclass
class Log:
    """Builds log lines; `stamps` adds the `THREAD@SECONDS:` prefix."""

    stamps: bool = True
    lines: list[str] = field(default_factory=list)
    clock: float = 100.0

    def add(self, text: str) -> None:
        self.clock += 0.001
        self.lines.append(f"9573@{self.clock:.6f}:{text}" if self.stamps else text)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def mmio(self, op: str, dev: str, part: str, offset: int, value: int, size: int) -> None:  # noqa: PLR0917
        addr = BASES[dev] + PARTS[part] + offset
        mr = 0x1000 + list(BASES).index(dev) * 16 + list(PARTS).index(part)
        self.add(
            f"memory_region_ops_{op} cpu 0 mr {mr:#x} addr {addr:#x} value {value:#x} "
            f"size {size} name 'virtio-pci-{part}-{dev}'"
        )

    def status(self, dev: str, value: int) -> None:
        self.mmio("write", dev, "common", 0x14, value, 1)
        self.add(f"virtio_set_status vdev {VDEV[dev]:#x} val {value}")

    def handshake(self, dev: str, offered: tuple[int, int], queues: dict[int, int]) -> None:
        """Reset, features (low, high word), queues (index -> size, vector = index + 1)."""
        self.status(dev, 0)
        self.status(dev, 1)
        self.status(dev, 3)
        for word, value in enumerate(offered):
            self.mmio("write", dev, "common", 0x00, word, 4)
            self.mmio("read", dev, "common", 0x04, value, 4)
        for word, value in enumerate(offered):
            self.mmio("write", dev, "common", 0x08, word, 4)
            self.mmio("write", dev, "common", 0x0C, value, 4)
        self.status(dev, 11)
        self.mmio("read", dev, "common", 0x14, 11, 1)
        for index, size in queues.items():
            self.mmio("write", dev, "common", 0x16, index, 2)
            self.mmio("read", dev, "common", 0x18, size, 2)
            self.mmio("write", dev, "common", 0x20, 0x100000 * (index + 1), 4)
            self.mmio("write", dev, "common", 0x28, 0x100000 * (index + 1) + 0x1000, 4)
            self.mmio("write", dev, "common", 0x30, 0x100000 * (index + 1) + 0x2000, 4)
            self.mmio("write", dev, "common", 0x1A, index + 1, 2)
            self.mmio("write", dev, "common", 0x1C, 1, 2)
        self.status(dev, 15)
        self.mmio("read", dev, "common", 0x14, 15, 1)  # Linux reads it back

    def marker(self, char: str) -> None:
        self.add(
            f"memory_region_ops_write cpu 0 mr 0x99 addr 0xe9 value {ord(char):#x} size 1 "
            "name 'isa-debugcon'"
        )

    def round_trip(self, dev: str, queue: int, vq: int, *, in_num: int, out_num: int,
                   length: int, vector: int, packed: bool = False) -> None:  # fmt: skip
        """Kick (virtio_queue_notify), pop, fill, flush, notify, MSI. As QEMU 7.2 does, a
        packed ring's flush leaves no line."""
        self.add(f"virtio_queue_notify vdev {VDEV[dev]:#x} n {queue} vq {vq:#x}")
        self.add(f"virtqueue_alloc_element elem 0x77 size 56 in_num {in_num} out_num {out_num}")
        self.add(f"virtqueue_pop vq {vq:#x} elem 0x77 in_num {in_num} out_num {out_num}")
        self.add(f"virtqueue_fill vq {vq:#x} elem 0x77 len {length} idx 0")
        if not packed:
            self.add(f"virtqueue_flush vq {vq:#x} count 1")
        self.add(f"virtio_notify vdev {VDEV[dev]:#x} vq {vq:#x}")
        self.add(
            f"memory_region_ops_write cpu -1 mr 0x88 addr 0xfee01004 value {vector:#x} size 4 "
            "name 'apic-msi'"
        )
        self.add(f"apic_deliver_irq dest 1 dest_mode 1 delivery_mode 0 vector {vector} "
                 "trigger_mode 0")  # fmt: skip


VERSION_1 = 0x1  # word 1, bit 32
RING_PACKED = 0x4  # word 1, bit 34
EVENT_IDX = 1 << 29
NET_MAC = 1 << 5
