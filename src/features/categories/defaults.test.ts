import { describe, it, expect } from 'vitest';
import { DEFAULT_CATEGORIES } from './defaults.ts';
import { ALERT_TEAMS as DEFAULT_GROUPS } from '../../shared/alert-teams.ts';
import { TEXT_COLOUR_ON_CATEGORY, contrastRatio } from '../../shared/colour.ts';

const byKey = new Map(DEFAULT_CATEGORIES.map((c) => [c.key, c]));

describe('default categories', () => {
  it('covers the set issue 4 asks for', () => {
    expect(DEFAULT_CATEGORIES.map((c) => c.name)).toEqual([
      'Child protection',
      'Child-on-child abuse',
      'Online safety',
      'Bullying',
      'Mental health',
      'Self-harm',
      'Exploitation (CSE/CCE)',
      'Prevent (radicalisation)',
      'Domestic abuse',
      'Young carer',
      'Attendance and children missing education',
      'Behaviour',
      'SEN',
      'Medical',
      'Parental contact',
      'Early help',
      'Low-level concern',
    ]);
    expect(byKey.get('child_protection')?.subcategories.map((s) => s.name)).toEqual([
      'Physical abuse',
      'Emotional abuse',
      'Sexual abuse',
      'Neglect',
    ]);
  });

  it('has unique keys, names and sub-category keys', () => {
    expect(byKey.size).toBe(DEFAULT_CATEGORIES.length);
    expect(new Set(DEFAULT_CATEGORIES.map((c) => c.name)).size).toBe(DEFAULT_CATEGORIES.length);
    for (const c of DEFAULT_CATEGORIES) {
      expect(new Set(c.subcategories.map((s) => s.key)).size).toBe(c.subcategories.length);
    }
  });

  it('restricts child protection, sexual abuse, Prevent, exploitation and domestic abuse', () => {
    for (const key of ['child_protection', 'prevent', 'exploitation', 'domestic_abuse']) {
      expect(byKey.get(key)?.restricted, key).toBe(true);
      expect(byKey.get(key)?.alertGroups, key).toContain('dsl_team');
    }
    const sexualAbuse = byKey
      .get('child_protection')
      ?.subcategories.find((s) => s.key === 'sexual_abuse');
    expect(sexualAbuse?.restricted).toBe(true);
    expect(byKey.get('bullying')?.restricted).toBe(false);
    expect(byKey.get('behaviour')?.restricted).toBe(false);
  });

  it('only alerts groups a new school has', () => {
    for (const c of DEFAULT_CATEGORIES) {
      for (const group of c.alertGroups) expect(Object.keys(DEFAULT_GROUPS)).toContain(group);
    }
  });

  it('gives every category guidance of a readable length', () => {
    for (const c of DEFAULT_CATEGORIES) {
      expect(c.guidance.length, c.key).toBeGreaterThan(40);
      expect(c.guidance.length, c.key).toBeLessThanOrEqual(400);
      expect(c.guidance, c.key).toBe(c.guidance.trim());
    }
  });

  it('uses colours that carry white text at WCAG AA (4.5:1)', () => {
    for (const c of DEFAULT_CATEGORIES) {
      expect(c.colour, c.key).toMatch(/^#[0-9a-f]{6}$/);
      expect(contrastRatio(c.colour, TEXT_COLOUR_ON_CATEGORY), c.key).toBeGreaterThanOrEqual(4.5);
    }
  });
});
