/**
 * The host configuration of a scenario, as GET /api/host/{scenario} answers it
 * (server/virtio_viz/hostconfig/parts.py, HostConfig.to_json), and the pure logic the
 * panel needs: which marks the current step lights, the query for the options, and the
 * same request as a `virtio-viz host` command line.
 */

export interface HostMark {
  id: string;
  why: string;
  kinds: string[];
  values: Record<string, string>;
  chapters: string[];
}
export interface HostSegment { text: string; mark: string | null }
export type HostLines = HostSegment[][];
export interface HostNote { kind: "not-here" | "adjusted" | "guest" | "about" | string; text: string }

export interface HostConfig {
  scenario: string;
  options: Record<string, unknown>;
  transports: string[];
  qemu: { binary: string; argv: string[]; lines: HostLines };
  libvirt: { xml: string; lines: HostLines };
  marks: HostMark[];
  notes: HostNote[];
  guest: string[];
  checkable: string[];
}

/** What a step offers for matching: its event's kind and values, and its chapter's id. */
export interface StepFacts { kind: string; values: Record<string, unknown>; chapter: string | null }

/** The ids of the marks this step lights: an event of one of the mark's kinds (with its
 * values), or any step of one of its chapters. */
export function litMarks(marks: HostMark[], step: StepFacts | null): Set<string> {
  const lit = new Set<string>();
  if (!step) return lit;
  for (const mark of marks) {
    const byKind = mark.kinds.includes(step.kind)
      && Object.entries(mark.values).every(([key, value]) => String(step.values[key]) === value);
    if (byKind || (step.chapter !== null && mark.chapters.includes(step.chapter))) lit.add(mark.id);
  }
  return lit;
}

const QUERY_KEYS = ["transport", "ring", "queue_size", "event_idx"] as const;

/** The query of GET /api/host/{scenario} for these story options (the others do not
 * change the host). */
export function hostQuery(options: Record<string, unknown>): string {
  const query = new URLSearchParams();
  for (const key of QUERY_KEYS) {
    const value = options[key];
    if (value !== undefined && value !== null) query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `?${text}` : "";
}

/** The same configuration from a terminal. */
export function cliCommand(scenario: string, options: Record<string, unknown>): string {
  const words = ["virtio-viz", "host", scenario];
  if (options.transport && options.transport !== "pci") words.push("--transport", String(options.transport));
  if (options.ring && options.ring !== "split") words.push("--ring", String(options.ring));
  if (options.queue_size !== undefined && options.queue_size !== 16) words.push("--queue-size", String(options.queue_size));
  if (options.event_idx === false) words.push("--no-event-idx");
  return words.join(" ");
}

/** GET /api/host: the scenarios that have a host configuration, and their transports. */
export type HostCatalog = Record<string, string[]>;

/** Is there a configuration to ask for (so the page never asks for one that is not)? */
export function hasConfig(catalog: HostCatalog, scenario: string, options: Record<string, unknown>): boolean {
  const transports = catalog[scenario];
  return transports !== undefined && transports.includes(String(options.transport ?? "pci"));
}

export const TRANSPORT_NAMES: Record<string, string> = { pci: "PCI", mmio: "MMIO", ccw: "channel I/O (s390x)" };
