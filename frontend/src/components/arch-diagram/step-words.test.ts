import { describe, expect, it } from "vitest";
import type { Frame, Topology } from "../../protocol";
import topologies from "../../layout/fixtures/topologies.json" with { type: "json" };
import { boxesPassed, routeOf, stepInWords } from "./step-words";

const vhostNet = (topologies as unknown as Record<string, Topology>)["vhost-net"]!;
const recording = (topologies as unknown as Record<string, Topology>)["qemu-recording"]!; // two devices

function frame(box: string, route: string | null, hops: string[], plane: "control" | "data" | "notification"): Frame {
  return { index: 0, chapter: 0, box, route, hops, narration: "", memory: [], changes: {},
    event: { plane } as Frame["event"] };
}

describe("the diagram in words", () => {
  it("names a kick's path box by box, in the order it travels", () => {
    expect(stepInWords(vhostNet, frame("driver", "kick", ["notify-exit", "ioeventfd"], "notification")))
      .toBe("kick (notification): virtio-net driver → KVM → vhost-net; VM exit, then KVM signals the vhost worker's kick eventfd");
  });

  it("follows a wire against its drawn direction (a frame coming in from the NIC)", () => {
    expect(boxesPassed(vhostNet, "nic", ["uplink", "tap-fd", "shm"])).toEqual(["nic", "tap", "vhost-net", "virtqueue"]);
  });

  it("says where a step without a path happens", () => {
    expect(stepInWords(vhostNet, frame("vhost-net", null, [], "data"))).toBe("inside vhost-net");
  });

  it("says the plane of a path that is not a named route", () => {
    expect(stepInWords(vhostNet, frame("device-model", null, ["vhost-ioctls"], "control"))).toBe("control plane: virtio-net device model → vhost-net");
  });
});

describe("a recording of two devices", () => {
  it("takes the route of the step's own device, though both have a kick route", () => {
    const blk = recording.routes.find((r) => r.name === "kick" && r.start !== "driver")!;
    const step = frame(blk.start, "kick", blk.hops, "notification");
    expect(routeOf(recording, step)).toBe(blk);
    expect(stepInWords(recording, step)).toMatch(/^kick \(notification\): virtio-blk driver → KVM → virtio-blk device model;/);
  });

  it("names the virtio-blk driver and device model for a register access of virtio-blk", () => {
    const pci = recording.routes.filter((r) => r.name === "config").map((r) => r.hops);
    expect(pci).toHaveLength(2);
    const words = pci.map((hops) => stepInWords(recording, frame("driver", "config", hops, "control")));
    expect(words).toEqual([
      "config (control plane): virtio-net driver → virtio-net device model; the driver sets status, features and queue addresses",
      "config (control plane): virtio-blk driver → virtio-blk device model; the driver sets status, features and queue addresses",
    ]);
  });
});
