import { describe, expect, it } from "vitest";
import type { State, Topology, TraceHeader } from "../protocol";
import { topologyAt } from "./topology-at";

const diagram = (id: string): Topology => ({ id, title: id, summary: "", boxes: [], wires: [], routes: [], placement: {} });
const header = (extra: Partial<TraceHeader>): TraceHeader => ({
  format: "virtio-viz-trace", version: 1, topology: diagram("main"), feature_names: [], chapters: [],
  step_count: 0, stopped: null, keyframe_interval: 256,
  scenario: { id: "qemu-import", title: "", summary: "", options: {}, seed: 0, actions: [] }, ...extra,
});
const at = (ring: string | undefined): State => ({
  status: { value: 0, names: [] }, features: { device_id: 2, offered: "0x0", driver: "0x0", negotiated: "0x0" },
  device: ring ? { ring } : {}, queues: [], extras: {},
});

describe("topologyAt", () => {
  it("draws each life of a device with its own ring format", () => {
    const h = header({ topologies: { split: diagram("split"), packed: diagram("packed") } });
    expect(topologyAt(h, at("split")).id).toBe("split");
    expect(topologyAt(h, at("packed")).id).toBe("packed");
  });
  it("keeps the header's diagram when there is one format, or the step names none", () => {
    expect(topologyAt(header({}), at("packed")).id).toBe("main");
    expect(topologyAt(header({ topologies: { split: diagram("split") } }), at(undefined)).id).toBe("main");
    expect(topologyAt(header({}), undefined).id).toBe("main");
  });
});
