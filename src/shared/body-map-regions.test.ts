import { describe, expect, it } from 'vitest';
import { BODY_MAP_SIDES, isOnBody } from './body-map.ts';
import { namedPlaces, nearestPlace } from './body-map-regions.ts';

describe('named places on the body map', () => {
  it.each(BODY_MAP_SIDES)('puts every named place on the %s outline', (side) => {
    const places = namedPlaces(side);
    expect(places.length).toBeGreaterThan(15);
    for (const p of places) expect(isOnBody(side, p.x, p.y), `${side} ${p.label}`).toBe(true);
    expect(new Set(places.map((p) => p.key)).size).toBe(places.length);
  });

  it("mirrors left and right between the sides: the child's right is the viewer's left at the front", () => {
    const front = namedPlaces('front').find((p) => p.key === 'right-hand');
    const back = namedPlaces('back').find((p) => p.key === 'right-hand');
    expect(front?.x).toBeLessThan(0.5);
    expect(back?.x).toBeGreaterThan(0.5);
    expect(front?.label).toBe('Right hand');
  });

  it('names the nearest place to a point', () => {
    expect(nearestPlace('front', 0.5, 0.09).label).toBe('Head and face');
    expect(nearestPlace('back', 0.62, 0.8).label).toBe('Right knee (back)');
    expect(nearestPlace('front', 0.62, 0.8).label).toBe('Left knee');
  });
});
