import { describe, expect, it } from "vitest";
import type { Frame } from "../../protocol";
import { mappingsOf, translationOf } from "./translation";

const frame = (values: Record<string, unknown>) => ({ event: { values } }) as unknown as Frame;

describe("address translations", () => {
  it("reads a back-end's guest-physical lookup and an IOMMU lookup from the event", () => {
    expect(translationOf(frame({ gpa: 0x2008000, backend_addr: 0x7f8102008000, length: 54 }))).toEqual({
      from: "guest-physical", fromAddr: 0x2008000, to: "back-end virtual", toAddr: 0x7f8102008000, length: 54,
    });
    expect(translationOf(frame({ iova: "0x2000000", hpa: 5305794560, length: 256 }))?.toAddr).toBe(5305794560);
    expect(translationOf(frame({ addr: 1 }))).toBeNull();
  });

  it("lists the memory table or the IOMMU mappings from the state's extras", () => {
    const table = mappingsOf({ memtable: [{ guest_phys: 0x2000000, user_addr: 0x7f00, mmap_offset: 0, size: 0x400000, backend_addr: 0x7e00 }] });
    expect(table?.rows[0]).toMatchObject({ from: 0x2000000, to: 0x7f00, backend: 0x7e00, size: 0x400000 });
    expect(table?.columns).toEqual(["guest-physical", "QEMU virtual", "back-end virtual"]);
    expect(mappingsOf({ iommu: [{ iova: 1, hpa: 2, size: 3, perm: "read" }] })?.rows[0]?.note).toBe("read");
    expect(mappingsOf({})).toBeNull();
  });
});
