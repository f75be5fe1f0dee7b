// Named places on the body map, so a mark can be placed without pointing: from the keyboard, with a
// screen reader, or when a finger on a phone is too broad. Each region is a point on the outline in
// src/shared/body-map.ts (the test proves every one is on the body, on both sides). The outline is
// drawn facing the viewer from the front and away from the viewer from the back, so the child's
// right is on the viewer's left at the front and on the viewer's right at the back.
import {
  BODY_MAP_VIEWBOX,
  type BodyMapMark,
  type BodyMapSide,
  type BodyMarkType,
} from './body-map.ts';

/** How each side and each type of mark is named on screen and in the chronology's PDF. */
export const BODY_MAP_SIDE_LABELS: Readonly<Record<BodyMapSide, string>> = {
  front: 'Front',
  back: 'Back',
};
export const BODY_MARK_TYPE_LABELS: Readonly<Record<BodyMarkType, string>> = {
  bruise: 'Bruise',
  cut: 'Cut or graze',
  burn: 'Burn',
  mark: 'Mark',
  swelling: 'Swelling',
  bite: 'Bite',
  other: 'Other',
};

export function markTypeLabel(type: string): string {
  return (BODY_MARK_TYPE_LABELS as Record<string, string>)[type] ?? type;
}

/** "Bruise, Left knee (front)": how a mark is read out and listed. */
export function describeMark(m: BodyMapMark): string {
  return `${markTypeLabel(m.type)}, ${nearestPlace(m.side, m.x, m.y).label} (${m.side})`;
}

type Region = {
  key: string;
  /** What the region is called at the front and at the back, without a side of the body. */
  front: string;
  back: string;
  /** Where it is on the viewer's left of the drawing, in viewBox units (100 × 200). */
  at: readonly [x: number, y: number];
  /** Regions on the midline have no left or right. */
  midline?: true;
};

const REGIONS: readonly Region[] = [
  { key: 'head', front: 'Head and face', back: 'Back of the head', at: [50, 17], midline: true },
  { key: 'neck', front: 'Neck', back: 'Back of the neck', at: [50, 32], midline: true },
  { key: 'shoulder', front: 'shoulder', back: 'shoulder', at: [33, 44] },
  { key: 'chest', front: 'Chest', back: 'Upper back', at: [50, 56], midline: true },
  { key: 'upper-arm', front: 'upper arm', back: 'upper arm', at: [19, 62] },
  { key: 'tummy', front: 'Tummy', back: 'Lower back', at: [50, 86], midline: true },
  { key: 'forearm', front: 'forearm', back: 'forearm', at: [15, 95] },
  { key: 'hand', front: 'hand', back: 'hand', at: [10, 119] },
  { key: 'hips', front: 'Hips and groin', back: 'Bottom', at: [50, 116], midline: true },
  { key: 'thigh', front: 'thigh', back: 'thigh (back)', at: [38, 140] },
  { key: 'knee', front: 'knee', back: 'knee (back)', at: [39, 160] },
  { key: 'lower-leg', front: 'shin', back: 'calf', at: [39, 174] },
  { key: 'foot', front: 'foot', back: 'heel', at: [37, 191] },
];

export type NamedPlace = { key: string; label: string; x: number; y: number };

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Every named place on one side of the map, in normalised coordinates (x, y in 0..1). */
export function namedPlaces(side: BodyMapSide): NamedPlace[] {
  const out: NamedPlace[] = [];
  for (const r of REGIONS) {
    const name = side === 'front' ? r.front : r.back;
    const place = (key: string, label: string, x: number): NamedPlace => ({
      key,
      label,
      x: x / BODY_MAP_VIEWBOX.width,
      y: r.at[1] / BODY_MAP_VIEWBOX.height,
    });
    if (r.midline) {
      out.push(place(r.key, name, r.at[0]));
      continue;
    }
    const viewerLeft = r.at[0];
    const viewerRight = BODY_MAP_VIEWBOX.width - r.at[0];
    // The child's right is on the viewer's left at the front, and on the viewer's right at the back.
    const [right, left] = side === 'front' ? [viewerLeft, viewerRight] : [viewerRight, viewerLeft];
    out.push(place(`right-${r.key}`, capitalise(`right ${name}`), right));
    out.push(place(`left-${r.key}`, capitalise(`left ${name}`), left));
  }
  return out;
}

/** The named place nearest a point, to describe a mark placed by pointing ("near Left knee"). */
export function nearestPlace(side: BodyMapSide, x: number, y: number): NamedPlace {
  const places = namedPlaces(side);
  let best = places[0] as NamedPlace;
  for (const p of places) {
    if (Math.hypot(p.x - x, (p.y - y) * 2) < Math.hypot(best.x - x, (best.y - y) * 2)) best = p;
  }
  return best;
}
