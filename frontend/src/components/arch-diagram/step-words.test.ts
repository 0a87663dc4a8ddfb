import { describe, expect, it } from "vitest";
import type { Frame, Topology } from "../../protocol";
import topologies from "../../layout/fixtures/topologies.json" with { type: "json" };
import { boxesPassed, stepInWords } from "./step-words";

const vhostNet = (topologies as unknown as Record<string, Topology>)["vhost-net"]!;

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
