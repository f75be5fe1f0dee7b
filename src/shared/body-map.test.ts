import { describe, it, expect } from 'vitest';
import {
  BODY_OUTLINES,
  MAX_BODY_MAP_MARKS,
  isOnBody,
  parseBodyMap,
  svgPath,
  validateBodyMap,
  type BodyMapMark,
} from './body-map.ts';

const chest: BodyMapMark = {
  side: 'front',
  x: 0.5,
  y: 0.3,
  type: 'bruise',
  description: 'Yellowing bruise, about 3 cm',
};

describe('body outline', () => {
  it('puts the head, chest, hands and feet on the body', () => {
    expect(isOnBody('front', 0.5, 0.1)).toBe(true); // head
    expect(isOnBody('front', 0.5, 0.3)).toBe(true); // chest
    expect(isOnBody('back', 0.5, 0.5)).toBe(true); // lower back
    expect(isOnBody('front', 0.09, 0.6)).toBe(true); // right hand as drawn
    expect(isOnBody('front', 0.91, 0.6)).toBe(true); // left hand, mirrored
    expect(isOnBody('back', 0.38, 0.96)).toBe(true); // foot
  });

  it('leaves the corners, the gap between the legs and between arm and torso off the body', () => {
    expect(isOnBody('front', 0.02, 0.02)).toBe(false);
    expect(isOnBody('front', 0.5, 0.85)).toBe(false);
    expect(isOnBody('front', 0.24, 0.5)).toBe(false);
    expect(isOnBody('back', 0.98, 0.98)).toBe(false);
  });

  it('accepts a tap just outside the edge (tolerance) but not further out', () => {
    // Outer edge of the upper arm runs through (0.13, 0.40); 1 unit out is on, 6 units out is off.
    expect(isOnBody('front', 0.12, 0.4)).toBe(true);
    expect(isOnBody('front', 0.07, 0.4)).toBe(false);
  });

  it('exports normalised polygons and an SVG path the UI can draw', () => {
    for (const side of ['front', 'back'] as const) {
      for (const polygon of BODY_OUTLINES[side]) {
        for (const [x, y] of polygon) {
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThanOrEqual(1);
          expect(y).toBeGreaterThanOrEqual(0);
          expect(y).toBeLessThanOrEqual(1);
        }
      }
      const path = svgPath(side);
      expect(path).toMatch(/^M[\d.]+ [\d.]+ L/);
      expect(path.match(/Z/g)).toHaveLength(BODY_OUTLINES[side].length);
    }
  });
});

describe('validateBodyMap', () => {
  it('accepts several valid marks on both sides', () => {
    expect(
      validateBodyMap([
        chest,
        { side: 'back', x: 0.5, y: 0.5, type: 'burn', description: 'Round mark' },
      ]),
    ).toEqual([]);
    expect(validateBodyMap([])).toEqual([]);
  });

  it('names the mark (from 1) whose position is off the map', () => {
    expect(validateBodyMap([chest, { ...chest, x: 0.02, y: 0.02 }])).toEqual([
      'mark 2: position is off the map',
    ]);
    expect(validateBodyMap([{ ...chest, x: 1.5 }])).toEqual(['mark 1: position is off the map']);
  });

  it('rejects non-numeric positions, unknown sides and types, and bad descriptions', () => {
    expect(
      validateBodyMap([
        { ...chest, x: Number.NaN },
        { ...chest, side: 'left' },
        { ...chest, type: 'scratch' },
        { ...chest, description: '   ' },
        { ...chest, description: 'x'.repeat(501) },
        'nonsense',
      ]),
    ).toEqual([
      'mark 1: position must be two numbers',
      'mark 2: side must be front or back',
      'mark 3: type must be one of bruise, cut, burn, mark, swelling, bite, other',
      'mark 4: description is required',
      'mark 5: description is longer than 500 characters',
      'mark 6: is not a mark',
    ]);
  });

  it('allows at most 50 marks', () => {
    expect(validateBodyMap(Array.from({ length: MAX_BODY_MAP_MARKS }, () => chest))).toEqual([]);
    expect(validateBodyMap(Array.from({ length: MAX_BODY_MAP_MARKS + 1 }, () => chest))).toEqual([
      'a body map can hold at most 50 marks (got 51)',
    ]);
  });

  it('rejects something that is not a list', () => {
    expect(validateBodyMap({})).toEqual(['body map must be a list of marks']);
  });
});

describe('parseBodyMap', () => {
  it('returns clean copies without extra fields', () => {
    const result = parseBodyMap([{ ...chest, description: '  cut  ', extra: 'dropped' }]);
    expect(result).toEqual({ ok: true, marks: [{ ...chest, description: 'cut' }] });
  });

  it('returns the errors for an invalid map', () => {
    expect(parseBodyMap([{ ...chest, y: 0.99, x: 0.5 }])).toEqual({
      ok: false,
      errors: ['mark 1: position is off the map'],
    });
  });
});
