/**
 * The diagram in words, for whoever cannot see it: the step's route as the boxes it
 * passes ("kick: virtio-net driver → KVM → vhost-net"), or the box it happens in.
 */
import type { Frame, Route, Topology } from "../../protocol";

/** The boxes a step's hops pass, in the order of travel, starting at `start`. */
export function boxesPassed(topology: Topology, start: string, hops: string[]): string[] {
  const wires = new Map(topology.wires.map((w) => [w.id, w]));
  const passed = [start];
  for (const id of hops) {
    const wire = wires.get(id), here = passed[passed.length - 1];
    if (!wire) continue;
    passed.push(wire.a === here ? wire.b : wire.b === here ? wire.a : wire.b);
  }
  return passed;
}

/** The route a step travels: of the routes with its name, the one whose wires it lists (a
 * recording of several devices has a "kick" route per device), else the first. */
export function routeOf(topology: Topology, frame: Frame): Route | undefined {
  if (!frame.route) return undefined;
  const named = topology.routes.filter((r) => r.name === frame.route);
  return named.find((r) => r.hops.join(" ") === frame.hops.join(" ")) ?? named[0];
}

/** What the step's picture shows, in one line. */
export function stepInWords(topology: Topology, frame: Frame | undefined): string {
  if (!frame) return "";
  const label = (id: string) => topology.boxes.find((b) => b.id === id)?.label ?? id;
  if (!frame.hops.length) return `inside ${label(frame.box)}`;
  const route = routeOf(topology, frame);
  const path = boxesPassed(topology, route?.start ?? frame.box, frame.hops).map(label).join(" → ");
  const plane = `${frame.event.plane === "notification" ? "notification" : `${frame.event.plane} plane`}`;
  return route ? `${route.name} (${plane}): ${path}; ${route.label}` : `${plane}: ${path}`;
}
