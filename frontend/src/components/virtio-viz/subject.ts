/**
 * What the stage shows beside the diagram: the rings of the queue the story acts on, or,
 * while the story is about the device itself (its status handshake, feature negotiation,
 * a reset), the status lights and the features. A step that is about neither keeps what
 * the story showed last.
 */
import type { Frame, QueueState } from "../../protocol";
import type { TimelineStore } from "../../store/store";

export type Subject = "rings" | "device";

const ABOUT_THE_DEVICE = new Set([
  "status_set", "status_reset", "device_reset", "device_needs_reset", "config_changed",
  "driver_features_chosen", "driver_features_write", "features_accepted",
]);

function about(frame: Frame): Subject | null {
  if (ABOUT_THE_DEVICE.has(frame.event.kind)) return "device";
  return frame.event.queue !== null ? "rings" : null;
}

export function subjectAt(store: TimelineStore, queues: QueueState[], step: number = store.step): Subject {
  if (!queues.some((q) => q.areas.length)) return "device"; // no rings yet
  return store.lookBack(step, about) ?? "rings";
}
