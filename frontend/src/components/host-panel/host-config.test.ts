import { describe, expect, it } from "vitest";
import { cliCommand, hasConfig, hostQuery, litMarks, type HostMark } from "./host-config";

const marks: HostMark[] = [
  { id: "vhost-on", why: "", kinds: ["vhost_ioctl"], values: {}, chapters: [] },
  { id: "shared-memory", why: "", kinds: ["vhost_user_message"], values: { request: "VHOST_USER_SET_MEM_TABLE" }, chapters: [] },
  { id: "ring", why: "", kinds: ["features_accepted"], values: {}, chapters: ["features"] },
];

describe("host configuration marks", () => {
  it("lights a mark for its event kinds, with the values it names", () => {
    expect([...litMarks(marks, { kind: "vhost_ioctl", values: {}, chapter: "backend-setup" })]).toEqual(["vhost-on"]);
    const memTable = { kind: "vhost_user_message", values: { request: "VHOST_USER_SET_MEM_TABLE" }, chapter: null };
    expect([...litMarks(marks, memTable)]).toEqual(["shared-memory"]);
    const other = { kind: "vhost_user_message", values: { request: "VHOST_USER_SET_OWNER" }, chapter: null };
    expect(litMarks(marks, other).size).toBe(0);
  });

  it("lights a mark for every step of its chapters, and nothing without a step", () => {
    expect([...litMarks(marks, { kind: "register_read", values: {}, chapter: "features" })]).toEqual(["ring"]);
    expect(litMarks(marks, null).size).toBe(0);
  });
});

describe("host configuration requests", () => {
  it("asks only for the options that change the host", () => {
    expect(hostQuery({ transport: "ccw", ring: "packed", initial_index: 5, event_idx: false })).toBe("?transport=ccw&ring=packed&event_idx=false");
    expect(hostQuery({})).toBe("");
  });

  it("says the same request as a command line", () => {
    expect(cliCommand("vhost-net", { transport: "ccw", ring: "packed", queue_size: 16, event_idx: false }))
      .toBe("virtio-viz host vhost-net --transport ccw --ring packed --no-event-idx");
    expect(cliCommand("virtio-blk", { queue_size: 64 })).toBe("virtio-viz host virtio-blk --queue-size 64");
  });
});

describe("the host catalog", () => {
  it("knows which scenarios and transports have a configuration", () => {
    const catalog = { "vhost-net": ["pci", "mmio", "ccw"], vdpa: ["pci", "mmio"] };
    expect(hasConfig(catalog, "vhost-net", { transport: "ccw" })).toBe(true);
    expect(hasConfig(catalog, "vdpa", {})).toBe(true);
    expect(hasConfig(catalog, "vdpa", { transport: "ccw" })).toBe(false);
    expect(hasConfig(catalog, "ring-lab", {})).toBe(false);
  });
});
