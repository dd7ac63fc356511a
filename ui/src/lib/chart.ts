// The arithmetic behind the dashboard charts: a "nice" axis for the counts
// and the bar geometry, apart from the SVG so it can be tested.

/** A round axis maximum and its tick step for values up to `max`. */
export function niceAxis(max: number, ticks = 4): { top: number; step: number } {
  if (!(max > 0)) return { top: ticks, step: 1 };
  const raw = max / ticks;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const whole = Math.max(1, Math.ceil(step));
  return { top: whole * Math.ceil(max / whole), step: whole };
}

export type Bar = { x: number; y: number; width: number; height: number; value: number; label: string };

/** Bars for `points` in a plot of `width` × `height` whose axis runs to `top`. */
export function bars(points: { title: string; count: number }[], width: number, height: number, top: number): Bar[] {
  const n = points.length;
  if (n === 0) return [];
  const slot = width / n;
  const w = Math.max(2, slot * 0.7);
  return points.map((p, i) => {
    const h = top > 0 ? (Math.max(0, p.count) / top) * height : 0;
    return { x: i * slot + (slot - w) / 2, y: height - h, width: w, height: h, value: p.count, label: p.title };
  });
}

/** `count` with id-ID thousands separators. */
export function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ".");
}
