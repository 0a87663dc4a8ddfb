/**
 * The diagram's type sizes (CSS px, drawn at scale 1) for each place the stage is used:
 * a laptop or desktop, a lecture hall's projector, a blog column and a phone. No diagram
 * text is ever smaller than `min`: 11 px everywhere, 20 px on a projector.
 */

export type Place = "wide" | "column" | "phone";

export interface TypeScale {
  /** a component's name */ label: number;
  /** the line under a name */ sub: number;
  /** a container's name (a process, a VM, a band) */ title: number;
  /** a wire's name */ wire: number;
  /** no text below this */ min: number;
}

export function typeScale(place: Place, projector: boolean): TypeScale {
  if (projector) return { label: 22, sub: 20, title: 20, wire: 20, min: 20 };
  if (place === "wide") return { label: 14, sub: 11.5, title: 12.5, wire: 12.5, min: 11 };
  return { label: 13, sub: 11, title: 11.5, wire: 11.5, min: 11 };
}
