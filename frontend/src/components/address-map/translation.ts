/**
 * Address translations a step performed, read from its event's values: a vhost-user
 * back-end maps a guest-physical address through its memory table (gpa -> back-end
 * virtual address), an IOMMU maps a device's I/O virtual address (iova -> host-physical).
 */
import type { Frame } from "../../protocol";

export interface Translation { from: string; fromAddr: number; to: string; toAddr: number; length: number | null }

function num(value: unknown): number | null {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^0x[0-9a-f]+$/i.test(value)) return Number(BigInt(value));
  return null;
}

export function translationOf(frame: Frame | undefined): Translation | null {
  const v = frame?.event.values ?? {};
  const length = num(v.length);
  const gpa = num(v.gpa), backend = num(v.backend_addr);
  if (gpa !== null && backend !== null) {
    return { from: "guest-physical", fromAddr: gpa, to: "back-end virtual", toAddr: backend, length };
  }
  const iova = num(v.iova), hpa = num(v.hpa);
  if (iova !== null && hpa !== null) {
    return { from: "IOVA", fromAddr: iova, to: "host-physical", toAddr: hpa, length };
  }
  return null;
}

/** A mapping table's row; `backend`: where a vhost back-end has the same bytes (its own
 * mapping of the region, which a vhost-user process makes at an address of its choosing). */
export interface Mapping { label: string; from: number; to: number; backend: number | null; size: number; note: string }
export interface MappingTable { title: string; columns: string[]; rows: Mapping[] }

/** The memory table or IOMMU mappings a scenario keeps in its state's `extras`. */
export function mappingsOf(extras: Record<string, unknown> | undefined): MappingTable | null {
  const memtable = extras?.memtable;
  if (Array.isArray(memtable) && memtable.length) {
    return {
      title: "Back-end memory table (guest-physical → QEMU virtual and back-end virtual)",
      columns: ["guest-physical", "QEMU virtual", "back-end virtual"],
      rows: memtable.map((r: Record<string, number>, i) => ({
        label: `region ${i}`, from: r.guest_phys ?? 0, to: r.user_addr ?? 0, backend: r.backend_addr ?? null,
        size: r.size ?? 0, note: `mmap offset 0x${(r.mmap_offset ?? 0).toString(16)}`,
      })),
    };
  }
  const iommu = extras?.iommu;
  if (Array.isArray(iommu) && iommu.length) {
    return {
      title: "IOMMU mappings (IOVA → host-physical)",
      columns: ["IOVA", "host-physical"],
      rows: iommu.map((r: Record<string, number | string>, i) => ({
        label: `mapping ${i}`, from: Number(r.iova ?? 0), to: Number(r.hpa ?? 0), backend: null, size: Number(r.size ?? 0),
        note: String(r.perm ?? ""),
      })),
    };
  }
  return null;
}
