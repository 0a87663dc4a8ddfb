/**
 * Sparse guest memory: the bytes written so far as sorted, non-overlapping runs.
 * Bytes never written read as zero (as in the model's guest RAM); `held` tells them apart
 * for a recording, where an unwritten byte is one the trace does not have.
 */
import type { MemoryRun } from "../protocol";

export class SparseMemory {
  private runs: { addr: number; bytes: Uint8Array }[] = [];

  static from(runs: MemoryRun[]): SparseMemory {
    const memory = new SparseMemory();
    for (const run of runs) memory.write(run.addr, hexToBytes(run.hex));
    return memory;
  }

  clone(): SparseMemory {
    const twin = new SparseMemory();
    twin.runs = this.runs.map((r) => ({ addr: r.addr, bytes: r.bytes.slice() }));
    return twin;
  }

  write(addr: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const end = addr + bytes.length;
    const touching = this.runs.filter((r) => r.addr <= end && r.addr + r.bytes.length >= addr);
    const start = Math.min(addr, ...touching.map((r) => r.addr));
    const stop = Math.max(end, ...touching.map((r) => r.addr + r.bytes.length));
    const merged = new Uint8Array(stop - start);
    for (const run of touching) merged.set(run.bytes, run.addr - start);
    merged.set(bytes, addr - start);
    this.runs = this.runs.filter((r) => !touching.includes(r));
    this.runs.push({ addr: start, bytes: merged });
    this.runs.sort((a, b) => a.addr - b.addr);
  }

  read(addr: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (const run of this.runs) {
      const lo = Math.max(run.addr, addr);
      const hi = Math.min(run.addr + run.bytes.length, addr + length);
      if (lo < hi) out.set(run.bytes.subarray(lo - run.addr, hi - run.addr), lo - addr);
    }
    return out;
  }

  /** 1 for each byte of the range that was ever written, 0 for the others. */
  held(addr: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (const run of this.runs) {
      const lo = Math.max(run.addr, addr);
      const hi = Math.min(run.addr + run.bytes.length, addr + length);
      if (lo < hi) out.fill(1, lo - addr, hi - addr);
    }
    return out;
  }

  u16(addr: number): number { const b = this.read(addr, 2); return b[0]! | (b[1]! << 8); }
  u32(addr: number): number { const b = this.read(addr, 4); return (b[0]! | (b[1]! << 8) | (b[2]! << 16)) + b[3]! * 0x1000000; }
  u64(addr: number): number { return this.u32(addr) + this.u32(addr + 4) * 0x100000000; }

  get runCount(): number { return this.runs.length; }
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
