import { describe, expect, it } from "vitest";
import { snippets } from "./snippets";

describe("share snippets", () => {
  it("gives the permalink, an iframe of /embed and the element for the same view", () => {
    const s = snippets("https://viz.example", "?scenario=vhost-net&step=12", "vhost-net", 11, 'A "story"');
    expect(s.permalink).toBe("https://viz.example/?scenario=vhost-net&step=12");
    expect(s.iframe).toContain('src="https://viz.example/embed?scenario=vhost-net&amp;step=12"');
    expect(s.iframe).toContain('title="A &quot;story&quot;"');
    expect(s.element).toContain('src="https://viz.example/virtio-viz.js"');
    expect(s.element).toContain('scenario="vhost-net" step="11"');
  });

  it("shares a recording on the server as that trace", () => {
    const s = snippets("https://v", "?src=%2Fapi%2Frecordings%2Fqemu-split%2Ftrace&step=5", "qemu-import", 4, "t",
      null, "/api/recordings/qemu-split/trace");
    expect(s.permalink).toBe("https://v/?src=%2Fapi%2Frecordings%2Fqemu-split%2Ftrace&step=5");
    expect(s.iframe).toContain('src="https://v/embed?src=%2Fapi%2Frecordings%2Fqemu-split%2Ftrace&amp;step=5"');
    expect(s.element).toContain('<virtio-viz src="https://v/api/recordings/qemu-split/trace" step="4"');
    expect(s.element).not.toContain("scenario=");
    expect(s.live).toBe(false);
  });

  it("carries the reader's fork in all three", () => {
    const s = snippets("https://v", "?scenario=x&act=200%3Asend_frame&step=223", "x", 222, "t", null, null, "200:send_frame");
    expect(s.permalink).toContain("act=200%3Asend_frame");
    expect(s.iframe).toContain("/embed?scenario=x&amp;act=200%3Asend_frame&amp;step=223");
    expect(s.element).toContain('scenario="x" actions="200:send_frame" step="222"');
  });

  it("keeps an embed inside a step range when asked", () => {
    const s = snippets("https://v", "?scenario=x&step=3", "x", 2, "t", { from: 2, to: 9 });
    expect(s.iframe).toContain("/embed?scenario=x&amp;step=3&amp;from=3&amp;to=10");
    expect(s.permalink).toBe("https://v/?scenario=x&step=3");
  });
});
