/** Feature words (hex strings, 64 bits) and the rows of the feature table. */

export interface FeatureName { bit: number; name: string; section: string }
export interface FeatureWords { offered: string; driver: string; negotiated: string }
export interface FeatureRow { bit: number; name: string; section: string; offered: boolean; driver: boolean; negotiated: boolean }

export function bitSet(word: string, bit: number): boolean {
  try {
    return ((BigInt(word) >> BigInt(bit)) & 1n) === 1n;
  } catch {
    return false;
  }
}

export function setBits(word: string): number[] {
  const out: number[] = [];
  let value: bigint;
  try { value = BigInt(word); } catch { return out; }
  for (let bit = 0; value > 0n; bit++, value >>= 1n) if (value & 1n) out.push(bit);
  return out;
}

/**
 * One row per bit that the device offers or the driver wrote, named when the trace
 * names it (a trace without `feature_names` still shows every bit, by number).
 */
export function featureRows(names: FeatureName[] | undefined, words: FeatureWords): FeatureRow[] {
  const byBit = new Map((names ?? []).map((n) => [n.bit, n] as [number, FeatureName]));
  const bits = [...new Set([...setBits(words.offered), ...setBits(words.driver)])].sort((a, b) => a - b);
  return bits.map((bit) => ({
    bit,
    name: byBit.get(bit)?.name ?? `feature bit ${bit}`,
    section: byBit.get(bit)?.section ?? "",
    offered: bitSet(words.offered, bit),
    driver: bitSet(words.driver, bit),
    negotiated: bitSet(words.negotiated, bit),
  }));
}
