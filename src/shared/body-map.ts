// Body maps: marks on a front and back outline of a child's body.
//
// Coordinates are normalised to the outline's box: x 0..1 left to right, y 0..1 top to bottom, in a
// box twice as tall as it is wide (BODY_MAP_VIEWBOX). The UI draws the same polygons exported here
// with svgPath(), so a mark the server accepts is always a mark the UI drew on the body. Changing
// the outline can make stored marks fall "off the map": never reshape it without migrating marks.

export const BODY_MAP_SIDES = ['front', 'back'] as const;
export type BodyMapSide = (typeof BODY_MAP_SIDES)[number];

export const BODY_MARK_TYPES = [
  'bruise',
  'cut',
  'burn',
  'mark',
  'swelling',
  'bite',
  'other',
] as const;
export type BodyMarkType = (typeof BODY_MARK_TYPES)[number];

export interface BodyMapMark {
  side: BodyMapSide;
  x: number;
  y: number;
  type: BodyMarkType;
  description: string;
}

export const MAX_BODY_MAP_MARKS = 50;
export const MAX_MARK_DESCRIPTION = 500;
/** The SVG viewBox the outline is drawn in: 100 wide, 200 tall. */
export const BODY_MAP_VIEWBOX = { width: 100, height: 200 } as const;
/**
 * A mark within this distance of the outline (in viewBox units, 1 = 1% of the width) counts as on
 * the body: a finger on a phone cannot hit a 2-unit-wide wrist exactly.
 */
export const EDGE_TOLERANCE = 2;

export type Point = readonly [x: number, y: number];
export type Polygon = readonly Point[];

function circle(cx: number, cy: number, r: number, steps: number): Point[] {
  return Array.from({ length: steps }, (_, i): Point => {
    const a = (2 * Math.PI * i) / steps;
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
  });
}

// The left half of the figure (as drawn), neck to crotch, in viewBox units; mirrored for the right.
const LEFT_HALF: Point[] = [
  [44, 27],
  [44, 38],
  [30, 41],
  [22, 45],
  [17, 55],
  [13, 80],
  [9, 108],
  [5, 120],
  [9, 128],
  [15, 126],
  [17, 110],
  [21, 84],
  [26, 64],
  [29, 66],
  [30, 95],
  [28, 118],
  [30, 150],
  [33, 183],
  [28, 194],
  [45, 195],
  [45, 183],
  [46, 150],
  [48, 128],
];

function silhouette(): Polygon[] {
  const right = LEFT_HALF.map(([x, y]): Point => [BODY_MAP_VIEWBOX.width - x, y]).reverse();
  const body = [...LEFT_HALF, [50, 126] as const, ...right];
  const head = circle(50, 19, 12, 24);
  return [head, body].map((polygon) =>
    polygon.map(([x, y]): Point => [
      round(x / BODY_MAP_VIEWBOX.width),
      round(y / BODY_MAP_VIEWBOX.height),
    ]),
  );
}

function round(n: number): number {
  return Math.round(n * 10000) / 10000;
}

/** The outline of each side as polygons in normalised coordinates (x, y in 0..1). */
export const BODY_OUTLINES: Readonly<Record<BodyMapSide, readonly Polygon[]>> = {
  // A simple silhouette looks the same from the front and the back; the UI labels the sides.
  front: silhouette(),
  back: silhouette(),
};

/** An SVG path (`d` attribute) for one side, in BODY_MAP_VIEWBOX units. */
export function svgPath(side: BodyMapSide): string {
  return BODY_OUTLINES[side]
    .map(
      (polygon) =>
        polygon
          .map(([x, y], i) => {
            const px = round(x * BODY_MAP_VIEWBOX.width);
            const py = round(y * BODY_MAP_VIEWBOX.height);
            return `${i === 0 ? 'M' : 'L'}${px} ${py}`;
          })
          .join(' ') + ' Z',
    )
    .join(' ');
}

function toViewBox([x, y]: Point): Point {
  return [x * BODY_MAP_VIEWBOX.width, y * BODY_MAP_VIEWBOX.height];
}

function insidePolygon([px, py]: Point, polygon: Polygon): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = toViewBox(polygon[i] as Point);
    const [xj, yj] = toViewBox(polygon[j] as Point);
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function distanceToPolygonEdge([px, py]: Point, polygon: Polygon): number {
  let best = Infinity;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [ax, ay] = toViewBox(polygon[j] as Point);
    const [bx, by] = toViewBox(polygon[i] as Point);
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
    best = Math.min(best, Math.hypot(px - (ax + t * dx), py - (ay + t * dy)));
  }
  return best;
}

/** True when a normalised point is on the outline of that side (within EDGE_TOLERANCE). */
export function isOnBody(side: BodyMapSide, x: number, y: number): boolean {
  const point = toViewBox([x, y]);
  return BODY_OUTLINES[side].some(
    (polygon) =>
      insidePolygon(point, polygon) || distanceToPolygonEdge(point, polygon) <= EDGE_TOLERANCE,
  );
}

function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

function markErrors(raw: unknown): string[] {
  if (typeof raw !== 'object' || raw === null) return ['is not a mark'];
  const mark = raw as Record<string, unknown>;
  const errors: string[] = [];
  const sideOk = isOneOf(BODY_MAP_SIDES, mark.side);
  if (!sideOk) errors.push(`side must be ${BODY_MAP_SIDES.join(' or ')}`);
  const { x, y } = mark;
  if (
    typeof x !== 'number' ||
    typeof y !== 'number' ||
    !Number.isFinite(x) ||
    !Number.isFinite(y)
  ) {
    errors.push('position must be two numbers');
  } else if (
    x < 0 ||
    x > 1 ||
    y < 0 ||
    y > 1 ||
    (sideOk && !isOnBody(mark.side as BodyMapSide, x, y))
  ) {
    errors.push('position is off the map');
  }
  if (!isOneOf(BODY_MARK_TYPES, mark.type))
    errors.push(`type must be one of ${BODY_MARK_TYPES.join(', ')}`);
  const description = typeof mark.description === 'string' ? mark.description.trim() : '';
  if (description.length === 0) errors.push('description is required');
  else if (description.length > MAX_MARK_DESCRIPTION) {
    errors.push(`description is longer than ${MAX_MARK_DESCRIPTION} characters`);
  }
  return errors;
}

/**
 * Every problem with a body map, as messages such as `mark 2: position is off the map` (marks are
 * numbered from 1, as the person sees them). An empty list means the map is valid.
 */
export function validateBodyMap(marks: unknown): string[] {
  if (!Array.isArray(marks)) return ['body map must be a list of marks'];
  const errors: string[] = [];
  if (marks.length > MAX_BODY_MAP_MARKS) {
    errors.push(`a body map can hold at most ${MAX_BODY_MAP_MARKS} marks (got ${marks.length})`);
  }
  marks.forEach((mark: unknown, i) => {
    for (const message of markErrors(mark)) errors.push(`mark ${i + 1}: ${message}`);
  });
  return errors;
}

export type BodyMapResult = { ok: true; marks: BodyMapMark[] } | { ok: false; errors: string[] };

/** Validates and returns clean copies of the marks (descriptions trimmed, no extra fields). */
export function parseBodyMap(marks: unknown): BodyMapResult {
  const errors = validateBodyMap(marks);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    marks: (marks as BodyMapMark[]).map(({ side, x, y, type, description }) => ({
      side,
      x,
      y,
      type,
      description: description.trim(),
    })),
  };
}
