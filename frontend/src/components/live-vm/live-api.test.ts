import { afterEach, describe, expect, it, vi } from "vitest";
import { claimVm } from "./live-api";

function reply(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

describe("claiming a live VM", () => {
  afterEach(() => { vi.unstubAllGlobals(); });

  it("takes a VM when the server has room, and keeps its token", async () => {
    const calls: string[] = [];
    vi.stubGlobal("sessionStorage", { setItem: vi.fn(), getItem: vi.fn() });
    vi.stubGlobal("fetch", vi.fn(async (url: URL, init?: RequestInit) => {
      calls.push(`${init?.method ?? "GET"} ${url.pathname}`);
      if (init?.method === "POST") return reply({ vm: "v1", token: "t", options: { vm: "v1" } }, 201);
      return reply({ available: true, reason: null, max_vms: 1, vms: [{ id: "v1", state: "booting", claimed: false }] });
    }));
    const claimed = await claimVm("http://x/", { ring: "packed" });
    expect(claimed).toEqual({ vm: "v1", token: "t", options: { vm: "v1" } });
    expect(calls).toEqual(["GET /api/live", "POST /api/live"]);
    expect(sessionStorage.setItem).toHaveBeenCalledWith("virtio-viz-live-v1", "t");
  });

  it("watches the running VM, without a token, when every VM is taken", async () => {
    const fetch = vi.fn(async () => reply({ available: true, reason: null, max_vms: 1, vms: [{ id: "v9", state: "ready", claimed: true }] }));
    vi.stubGlobal("fetch", fetch);
    expect(await claimVm("http://x/", {})).toEqual({ vm: "v9", token: "", options: { vm: "v9" } });
    expect(fetch).toHaveBeenCalledTimes(1); // no POST that would only be refused
  });

  it("says why when the server cannot start one", async () => {
    vi.stubGlobal("fetch", vi.fn(async (_url: URL, init?: RequestInit) => init?.method === "POST"
      ? reply({ type: "error", code: "vm_failed", message: "QEMU did not connect" }, 503)
      : reply({ available: true, reason: null, max_vms: 1, vms: [] })));
    await expect(claimVm("http://x/", {})).rejects.toThrow("QEMU did not connect");
  });
});
