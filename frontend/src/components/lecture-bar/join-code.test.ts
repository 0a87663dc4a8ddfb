import { describe, expect, it } from "vitest";
import { qrSvg } from "./join-code";

describe("join code", () => {
  it("draws the join link as a scalable SVG QR code, locally", () => {
    const svg = qrSvg("http://127.0.0.1:8000/?room=J73R5H");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("viewBox");
    expect(qrSvg("http://a/?room=AAAAAA")).not.toBe(svg);
  });
});
