/** The diagram to draw at a step: an imported device that lived on both ring formats has a
 * diagram for each, and the step's state says which ring is in force. */
import type { State, Topology, TraceHeader } from "../protocol";

export function topologyAt(header: TraceHeader, state: State | undefined): Topology {
  const ring = state?.device["ring"];
  return (typeof ring === "string" ? header.topologies?.[ring] : undefined) ?? header.topology;
}
