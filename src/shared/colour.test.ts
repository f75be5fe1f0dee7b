import { describe, it, expect } from 'vitest';
import { categoryColourProblem, contrastRatio, readableTextColour } from './colour.ts';

describe('contrast helpers', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(() => contrastRatio('red', '#ffffff')).toThrow(/not a #rrggbb/);
  });

  it('picks dark text on a light colour and white on a dark one', () => {
    expect(readableTextColour('#ffeb3b')).toBe('#1a1a1a');
    expect(readableTextColour('#1d4f91')).toBe('#ffffff');
  });
});

describe('categoryColourProblem', () => {
  it('accepts a colour white text reads on and explains a refusal', () => {
    expect(categoryColourProblem('#1d4f91')).toBeNull();
    expect(categoryColourProblem('#ffeb3b')).toMatch(/too light: .*needs at least 4.5:1/);
    expect(categoryColourProblem('red')).toMatch(/#rrggbb/);
  });
});
