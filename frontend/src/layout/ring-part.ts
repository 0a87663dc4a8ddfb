/**
 * The part of the rings a step touches, as a box of the diagram: the event's bytes fall in
 * one of a queue's areas, and the diagram names the three areas by their spec names
 * (virtio-1.2 §2.7 and §2.8: Descriptor, Driver and Device Area), so a DMA read of a
 * descriptor lands on the descriptor table, a used element on the used ring.
 */
import type { Frame, QueueState, Topology } from "../protocol";

const SPEC_AREA: Record<string, string> = {
  desc: "Descriptor Area", ring: "Descriptor Area",
  avail: "Driver Area", driver_event: "Driver Area",
  used: "Device Area", device_event: "Device Area",
};

export function ringPart(topology: Topology, queues: QueueState[], frame: Frame | undefined): string | null {
  if (!frame) return null;
  const ranges = [...frame.event.writes, ...frame.event.reads, ...frame.memory.map((r) => [r.addr, r.hex.length / 2] as [number, number])];
  for (const [addr, length] of ranges) {
    for (const q of queues) {
      const area = q.areas.find((a) => addr < a.addr + a.size && a.addr < addr + length);
      const name = area ? SPEC_AREA[area.name] : undefined;
      const box = name ? topology.boxes.find((b) => b.kind === "memory" && b.sublabel === name) : undefined;
      if (box) return box.id;
    }
  }
  return null;
}
