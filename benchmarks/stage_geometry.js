// The stage's legibility, measured on the page as drawn: see stage_geometry.py.
() => {
  const v = document.querySelector('virtio-viz'), root = v.shadowRoot;
  const diagram = root.querySelector('vv-diagram'), svg = diagram.shadowRoot.querySelector('.viewport svg');
  if (!svg) return null;
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const texts = [...svg.querySelectorAll('text')];
  const smallest = Math.min(...texts.map((t) => parseFloat(getComputedStyle(t).fontSize) * scale));
  const box = (r) => ({ x: r.x, y: r.y, w: r.width, h: r.height });
  const area = (a, b) => Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  const named = (t) => t.dataset.wire ? `label ${t.dataset.wire}` : `${t.closest('g').dataset.box}: ${t.textContent}`;
  const glyphs = texts.map((t) => ({ name: named(t), r: box(t.getBBox()), label: !!t.dataset.wire }));
  const overlaps = [];
  glyphs.forEach((a, i) => glyphs.slice(i + 1).forEach((b) => {
    if ((a.label || b.label) && area(a.r, b.r) > 2) overlaps.push(`${a.name} / ${b.name}`);
    if (!a.label && !b.label && area(a.r, b.r) > 2) overlaps.push(`${a.name} / ${b.name}`);
  }));
  const boxes = new Map([...svg.querySelectorAll('g.box')].map((g) => {
    const r = g.querySelector('rect');
    return [g.dataset.box, { id: g.dataset.box, parent: g.dataset.parent || null, band: g.classList.contains('space') && !g.dataset.parent,
      leaf: g.classList.contains('leaf') && !g.classList.contains('space'),
      r: { x: +r.getAttribute('x'), y: +r.getAttribute('y'), w: +r.getAttribute('width'), h: +r.getAttribute('height') } }];
  }));
  const line = (id) => { const out = []; for (let at = id; at; at = boxes.get(at)?.parent) out.push(at); return out; };
  const wires = [...svg.querySelectorAll('path.wire')].map((p) => {
    const length = p.getTotalLength(), points = [];
    for (let s = 0; s <= length; s += 3) { const q = p.getPointAtLength(s); points.push({ x: q.x, y: q.y }); }
    return { id: p.dataset.wire, a: p.dataset.a, b: p.dataset.b, points };
  });
  const inside = (q, r, by) => q.x > r.x + by && q.x < r.x + r.w - by && q.y > r.y + by && q.y < r.y + r.h - by;
  const crossings = [];
  for (const w of wires) {
    const free = new Set([...line(w.a), ...line(w.b)]);
    for (const b of boxes.values()) {
      if (b.band || free.has(b.id) || line(b.id).includes(w.a) || line(b.id).includes(w.b)) continue;
      if (w.points.some((q) => inside(q, b.r, 2))) crossings.push(`${w.id} through ${b.id}`);
    }
  }
  const onBoxes = []; // a name across a box's border, or on a component, memory or hardware box
  const crossesEdge = (g, r) => [[r.x, r.y, r.x + r.w, r.y], [r.x, r.y + r.h, r.x + r.w, r.y + r.h]].some(([x0, y, x1]) =>
      y > g.y + 1 && y < g.y + g.h - 1 && x0 < g.x + g.w - 1 && x1 > g.x + 1)
    || [[r.x, r.y, r.y + r.h], [r.x + r.w, r.y, r.y + r.h]].some(([x, y0, y1]) =>
      x > g.x + 1 && x < g.x + g.w - 1 && y0 < g.y + g.h - 1 && y1 > g.y + 1);
  for (const g of glyphs.filter((g) => g.label)) {
    for (const b of boxes.values()) {
      if (b.band) continue;
      if (crossesEdge(g.r, b.r) || (b.leaf && area(g.r, b.r) > 2)) onBoxes.push(`${g.name.slice(6)} on ${b.id}`);
    }
  }
  const onWires = [];
  for (const g of glyphs.filter((g) => g.label)) {
    const id = g.name.slice(6);
    for (const w of wires) if (w.id !== id && w.points.some((q) => inside(q, g.r, 1))) onWires.push(`${id} on ${w.id}`);
  }
  const bar = root.querySelector('footer.bar');
  const bottom = Math.min(innerHeight, bar && getComputedStyle(bar).position === 'sticky' ? bar.getBoundingClientRect().top : innerHeight);
  const within = (r, c) => r.left >= c.left - 1 && r.right <= c.right + 1 && r.top >= c.top - 1 && r.bottom <= c.bottom + 1;
  const screen = { left: 0, top: 0, right: innerWidth, bottom };
  const lit = svg.querySelector('g.box.active rect');
  const view = diagram.shadowRoot.querySelector('.viewport').getBoundingClientRect();
  // In view: all of it, or, a box larger than the view, the view filled with it (but for
  // the pan's margins).
  const shown = (r, c) => [['left', 'right'], ['top', 'bottom']].every(([lo, hi]) => {
    const size = r[hi] - r[lo], room = c[hi] - c[lo];
    return Math.min(r[hi], c[hi]) - Math.max(r[lo], c[lo]) >= (size <= room ? size - 2 : room - 28);
  });
  const litBox = lit?.getBoundingClientRect();
  const seen = { left: Math.max(view.left, 0), right: Math.min(view.right, innerWidth),
    top: Math.max(view.top, 0), bottom: Math.min(view.bottom, bottom) }; // the diagram's view, on screen
  const active = litBox ? shown(litBox, seen) : null;
  const subject = root.querySelector('section.subject[aria-label="virtqueues"]');
  let rings = null;
  if (subject && !subject.hidden) {
    const rv = subject.querySelector('vv-rings').shadowRoot;
    const parts = [subject, ...rv.querySelectorAll('.chips, thead')].map((e) => e.getBoundingClientRect());
    rings = parts.every((r) => within(r, screen));
  }
  return { smallest, overlaps, crossings, on_wires: onWires, on_boxes: onBoxes, active, rings };
}
