import { describe, it, expect } from 'vitest';
import {
  canAccessCategoryForPupil,
  canAddCategory,
  canViewCategory,
  canViewRecord,
  canViewTouching,
  categoryViewScopes,
  hasCapability,
  pupilInScope,
  resolvePermissions,
} from './permissions.ts';
import type { GroupGrant, ScopedPupil } from './permissions.ts';
import { defaultGroupsForNewSchool } from './default-groups.ts';

const bullying = { id: 'bullying', restricted: false };
const attendance = { id: 'attendance', restricted: false };
const sexualAbuse = { id: 'sexual-abuse', restricted: true };
const fgm = { id: 'fgm', restricted: true };

const year7: ScopedPupil = { yearGroup: 'Year 7', groupIds: ['7A-maths', '7A-reg'] };
const year9: ScopedPupil = { yearGroup: 'Year 9', groupIds: ['9C-reg'] };

function grant(overrides: Partial<GroupGrant>): GroupGrant {
  return {
    groupId: 'g',
    nonRestrictedDefault: 'none',
    restrictedDefault: 'none',
    categories: {},
    scope: { kind: 'school' },
    capabilities: [],
    ...overrides,
  };
}

const templates = defaultGroupsForNewSchool({ yearGroups: ['Year 7', 'Year 9'] });
function defaults(...keys: string[]): GroupGrant[] {
  return keys.map((key) => {
    const t = templates.find((g) => g.key === key);
    if (!t) throw new Error(`no default group ${key}`);
    return { groupId: key, ...t.grant };
  });
}

describe('deny by default', () => {
  it('a member of no group may do nothing', () => {
    const none = resolvePermissions([]);
    expect(canViewCategory(none, 'bullying', false)).toBe(false);
    expect(canAddCategory(none, 'bullying', false)).toBe(false);
    expect(pupilInScope(none, year7)).toBe(false);
    expect(pupilInScope(none, year7, 'add')).toBe(false);
    expect(canViewRecord(none, { categories: [bullying], pupils: [year7] })).toBe(false);
    for (const cap of ['search', 'export', 'reports', 'admin', 'manage_cases'] as const) {
      expect(hasCapability(none, cap)).toBe(false);
    }
  });

  it('a group with no category access grants nothing', () => {
    const perms = resolvePermissions([grant({})]);
    expect(canViewCategory(perms, 'bullying', false)).toBe(false);
    expect(pupilInScope(perms, year7)).toBe(false);
  });

  it('malformed stored grants grant nothing', () => {
    const bad = [
      grant({ nonRestrictedDefault: 'everything' as never }),
      grant({ categories: { bullying: 'edit' as never } }),
      grant({ nonRestrictedDefault: 'view', scope: { kind: 'trust' } as never }),
      grant({ nonRestrictedDefault: 'view', scope: null as never }),
      grant({ capabilities: ['superuser', 'ADMIN'] as never }),
    ];
    const perms = resolvePermissions(bad);
    expect(canViewCategory(perms, 'bullying', false)).toBe(false);
    expect(canAddCategory(perms, 'bullying', false)).toBe(false);
    expect(pupilInScope(perms, year7)).toBe(false);
    expect(perms.capabilities.size).toBe(0);
  });

  it('an unknown value in an explicit entry overrides the default as none', () => {
    const perms = resolvePermissions([
      grant({ nonRestrictedDefault: 'view', categories: { bullying: 'maybe' as never } }),
    ]);
    expect(canViewCategory(perms, 'bullying', false)).toBe(false);
    expect(canViewCategory(perms, 'attendance', false)).toBe(true);
  });

  it('category ids that look like object properties are not grants', () => {
    const perms = resolvePermissions([grant({})]);
    for (const id of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(canViewCategory(perms, id, false)).toBe(false);
      expect(canAddCategory(perms, id, true)).toBe(false);
    }
  });

  it('a record with no category is visible to no one', () => {
    const dsl = resolvePermissions(defaults('dsl'));
    expect(canViewRecord(dsl, { categories: [], pupils: [year7] })).toBe(false);
  });
});

describe('view, add and none per category', () => {
  const perms = resolvePermissions([
    grant({ categories: { bullying: 'view', attendance: 'add', 'sexual-abuse': 'none' } }),
  ]);

  it('view allows viewing and adding', () => {
    expect(canViewCategory(perms, 'bullying', false)).toBe(true);
    expect(canAddCategory(perms, 'bullying', false)).toBe(true);
  });

  it('add allows adding but never viewing', () => {
    expect(canAddCategory(perms, 'attendance', false)).toBe(true);
    expect(canViewCategory(perms, 'attendance', false)).toBe(false);
    expect(canViewRecord(perms, { categories: [attendance], pupils: [year7] })).toBe(false);
  });

  it('none and unlisted categories allow nothing', () => {
    expect(canAddCategory(perms, 'sexual-abuse', true)).toBe(false);
    expect(canAddCategory(perms, 'behaviour', false)).toBe(false);
  });

  it('an explicit entry overrides the group default either way', () => {
    const p = resolvePermissions([
      grant({ nonRestrictedDefault: 'view', categories: { attendance: 'none' } }),
    ]);
    expect(canViewCategory(p, 'bullying', false)).toBe(true);
    expect(canViewCategory(p, 'attendance', false)).toBe(false);
  });

  it('the union of groups takes the most each one grants', () => {
    const p = resolvePermissions([
      grant({ categories: { bullying: 'add' } }),
      grant({ categories: { bullying: 'view' } }),
    ]);
    expect(canViewCategory(p, 'bullying', false)).toBe(true);
  });
});

describe('restricted categories win over everything else', () => {
  it('a non-restricted default never reaches a restricted category', () => {
    const perms = resolvePermissions([grant({ nonRestrictedDefault: 'view' })]);
    expect(canViewCategory(perms, 'sexual-abuse', true)).toBe(false);
    expect(canAddCategory(perms, 'sexual-abuse', true)).toBe(false);
    expect(canViewCategory(perms, 'sexual-abuse', false)).toBe(true); // same id, not restricted
  });

  it('school scope and every capability do not reach a restricted category', () => {
    const perms = resolvePermissions([
      grant({
        nonRestrictedDefault: 'view',
        scope: { kind: 'school' },
        capabilities: ['search', 'export', 'reports', 'admin', 'manage_cases'],
      }),
    ]);
    expect(canViewCategory(perms, 'fgm', true)).toBe(false);
    expect(canViewRecord(perms, { categories: [fgm], pupils: [year7] })).toBe(false);
  });

  it('a record carrying a restricted category is hidden even if its other categories are visible', () => {
    const perms = resolvePermissions(
      defaults('pastoral', 'class_teachers', 'all_staff', 'school_admin'),
    );
    expect(canViewRecord(perms, { categories: [bullying], pupils: [year7] })).toBe(true);
    expect(canViewRecord(perms, { categories: [bullying, sexualAbuse], pupils: [year7] })).toBe(
      false,
    );
  });

  it('a group granted the restricted category explicitly sees it', () => {
    const perms = resolvePermissions([grant({ categories: { 'sexual-abuse': 'view' } })]);
    expect(canViewCategory(perms, 'sexual-abuse', true)).toBe(true);
    expect(canViewCategory(perms, 'fgm', true)).toBe(false);
    expect(canViewRecord(perms, { categories: [sexualAbuse], pupils: [year9] })).toBe(true);
    expect(canViewRecord(perms, { categories: [sexualAbuse, fgm], pupils: [year9] })).toBe(false);
  });

  it('an explicit none hides a restricted category even from a group with restrictedDefault view', () => {
    const perms = resolvePermissions([
      grant({
        nonRestrictedDefault: 'view',
        restrictedDefault: 'view',
        categories: { fgm: 'none' },
      }),
    ]);
    expect(canViewCategory(perms, 'sexual-abuse', true)).toBe(true);
    expect(canViewCategory(perms, 'fgm', true)).toBe(false);
  });

  it('the restricted grant must cover the pupil: a wide grant elsewhere does not help', () => {
    const perms = resolvePermissions([
      grant({ nonRestrictedDefault: 'view', scope: { kind: 'school' } }),
      grant({
        categories: { fgm: 'view' },
        scope: { kind: 'year_groups', yearGroups: ['Year 7'] },
      }),
    ]);
    expect(canViewRecord(perms, { categories: [fgm, bullying], pupils: [year7] })).toBe(true);
    expect(canViewRecord(perms, { categories: [fgm, bullying], pupils: [year9] })).toBe(false);
  });
});

describe('case work touching restricted matters (canViewTouching, issue 11)', () => {
  const preventCase = { categories: [bullying, sexualAbuse], pupils: [year7] };
  const plain = { categories: [bullying], pupils: [year9] };

  it('asks nothing of work touching no restricted category, even of a member with no grant', () => {
    const none = resolvePermissions([]);
    expect(canViewTouching(none, [])).toBe(true);
    expect(canViewTouching(none, [plain])).toBe(true);
  });

  it('withholds work touching a restricted category not granted, whatever else is held', () => {
    const manager = resolvePermissions([
      grant({ nonRestrictedDefault: 'view', capabilities: ['manage_cases', 'search', 'export'] }),
    ]);
    expect(canViewTouching(manager, [plain, preventCase])).toBe(false);
    const dsl = resolvePermissions(defaults('dsl'));
    expect(canViewTouching(dsl, [plain, preventCase])).toBe(true);
  });

  it('needs every restricted category of every touched record, each within its pupils', () => {
    const sexualAbuseOnly = resolvePermissions([grant({ categories: { 'sexual-abuse': 'view' } })]);
    expect(canViewTouching(sexualAbuseOnly, [preventCase])).toBe(true);
    expect(
      canViewTouching(sexualAbuseOnly, [preventCase, { categories: [fgm], pupils: [year7] }]),
    ).toBe(false);
    const year9Only = resolvePermissions([
      grant({ restrictedDefault: 'view', scope: { kind: 'year_groups', yearGroups: ['Year 9'] } }),
    ]);
    expect(canViewTouching(year9Only, [preventCase])).toBe(false);
    expect(canViewTouching(year9Only, [{ ...preventCase, pupils: [year7, year9] }])).toBe(true);
  });

  it('takes no non-restricted category into account: that is the record’s own rule', () => {
    // A restricted-only grant: the touched record's bullying category is not viewable, yet the
    // work touching it is not withheld for that (its own list rule decides who sees it at all).
    const restrictedOnly = resolvePermissions([grant({ restrictedDefault: 'view' })]);
    expect(canViewTouching(restrictedOnly, [preventCase])).toBe(true);
  });
});

describe('scopes', () => {
  it('school scope covers every pupil and records about no pupil', () => {
    const perms = resolvePermissions([grant({ nonRestrictedDefault: 'view' })]);
    expect(pupilInScope(perms, year7)).toBe(true);
    expect(pupilInScope(perms, { yearGroup: null, groupIds: [] })).toBe(true);
    expect(canViewRecord(perms, { categories: [bullying], pupils: [] })).toBe(true);
  });

  it('year-group scope covers only those year groups', () => {
    const perms = resolvePermissions([
      grant({
        nonRestrictedDefault: 'view',
        scope: { kind: 'year_groups', yearGroups: ['Year 7'] },
      }),
    ]);
    expect(pupilInScope(perms, year7)).toBe(true);
    expect(pupilInScope(perms, year9)).toBe(false);
    expect(pupilInScope(perms, { yearGroup: null, groupIds: [] })).toBe(false);
    expect(canViewRecord(perms, { categories: [bullying], pupils: [] })).toBe(false);
  });

  it('own-groups scope covers only pupils in the member’s own groups', () => {
    const grants = [grant({ nonRestrictedDefault: 'view', scope: { kind: 'own_groups' } })];
    const teacher = resolvePermissions(grants, { ownGroupIds: ['7A-maths'] });
    expect(pupilInScope(teacher, year7)).toBe(true);
    expect(pupilInScope(teacher, year9)).toBe(false);
    expect(pupilInScope(resolvePermissions(grants), year7)).toBe(false); // no groups given
  });

  it('a record about several pupils is visible when one of them is in scope', () => {
    const perms = resolvePermissions(defaults('head_of_year_7'));
    expect(canViewRecord(perms, { categories: [bullying], pupils: [year9, year7] })).toBe(true);
    expect(canViewRecord(perms, { categories: [bullying], pupils: [year9] })).toBe(false);
  });

  it('grants combine pairwise: category A in one scope and B in another never make A school-wide', () => {
    const perms = resolvePermissions([
      grant({
        categories: { bullying: 'view' },
        scope: { kind: 'year_groups', yearGroups: ['Year 7'] },
      }),
      grant({ categories: { attendance: 'view' }, scope: { kind: 'school' } }),
    ]);
    expect(canAccessCategoryForPupil(perms, bullying, year7, 'view')).toBe(true);
    expect(canAccessCategoryForPupil(perms, bullying, year9, 'view')).toBe(false);
    expect(canAccessCategoryForPupil(perms, attendance, year9, 'view')).toBe(true);
    expect(canViewRecord(perms, { categories: [bullying], pupils: [year9] })).toBe(false);
  });

  it('pupilInScope for add counts add-only grants; for view it does not', () => {
    const perms = resolvePermissions(defaults('all_staff'));
    expect(pupilInScope(perms, year9, 'add')).toBe(true);
    expect(pupilInScope(perms, year9)).toBe(false);
  });
});

describe('capabilities', () => {
  it('are granted only by the groups that hold them, and unioned', () => {
    const perms = resolvePermissions([
      grant({ capabilities: ['search'] }),
      grant({ capabilities: ['reports'] }),
    ]);
    expect(hasCapability(perms, 'search')).toBe(true);
    expect(hasCapability(perms, 'reports')).toBe(true);
    expect(hasCapability(perms, 'export')).toBe(false);
    expect(hasCapability(perms, 'admin')).toBe(false);
    expect(hasCapability(perms, 'manage_cases')).toBe(false);
  });

  it('do not grant any record access by themselves', () => {
    const admin = resolvePermissions(defaults('school_admin'));
    expect(hasCapability(admin, 'admin')).toBe(true);
    expect(canViewCategory(admin, 'bullying', false)).toBe(false);
    expect(pupilInScope(admin, year7)).toBe(false);
  });
});

describe('categoryViewScopes (list filters)', () => {
  it('lists only viewable categories, each with its merged scope', () => {
    const perms = resolvePermissions(
      [
        grant({
          categories: { bullying: 'view' },
          scope: { kind: 'year_groups', yearGroups: ['Year 7'] },
        }),
        grant({ categories: { bullying: 'view' }, scope: { kind: 'own_groups' } }),
        grant({ categories: { attendance: 'add', fgm: 'view' }, scope: { kind: 'school' } }),
      ],
      { ownGroupIds: ['9C-reg'] },
    );
    expect(categoryViewScopes(perms, [bullying, attendance, fgm, sexualAbuse])).toEqual([
      { categoryId: 'bullying', wholeSchool: false, yearGroups: ['Year 7'], groupIds: ['9C-reg'] },
      { categoryId: 'fgm', wholeSchool: true, yearGroups: [], groupIds: [] },
    ]);
  });
});

describe('defaultGroupsForNewSchool', () => {
  const all = [bullying, attendance, sexualAbuse, fgm];

  it('gives the DSL team and the headteacher everything, restricted categories included', () => {
    for (const key of ['dsl', 'deputy_dsl', 'headteacher']) {
      const perms = resolvePermissions(defaults(key));
      for (const c of all)
        expect(canViewCategory(perms, c.id, c.restricted), `${key} ${c.id}`).toBe(true);
      expect(canViewRecord(perms, { categories: [sexualAbuse, bullying], pupils: [year9] })).toBe(
        true,
      );
      for (const cap of ['search', 'export', 'reports', 'admin', 'manage_cases'] as const) {
        expect(hasCapability(perms, cap)).toBe(true);
      }
    }
  });

  it('gives heads of year their year only, and no restricted categories', () => {
    const perms = resolvePermissions(defaults('head_of_year_7'));
    expect(templates.find((t) => t.key === 'head_of_year_7')?.name).toBe('Head of Year 7');
    expect(canAccessCategoryForPupil(perms, bullying, year7, 'view')).toBe(true);
    expect(canAccessCategoryForPupil(perms, bullying, year9, 'view')).toBe(false);
    expect(canViewCategory(perms, 'fgm', true)).toBe(false);
  });

  it('gives class teachers their own groups only, and no restricted categories', () => {
    const perms = resolvePermissions(defaults('class_teachers'), { ownGroupIds: ['9C-reg'] });
    expect(canViewRecord(perms, { categories: [bullying], pupils: [year9] })).toBe(true);
    expect(canViewRecord(perms, { categories: [bullying], pupils: [year7] })).toBe(false);
    expect(canViewRecord(perms, { categories: [sexualAbuse], pupils: [year9] })).toBe(false);
    expect(perms.capabilities.size).toBe(0);
  });

  it('lets all staff log in any category but see nothing', () => {
    const perms = resolvePermissions(defaults('all_staff'));
    for (const c of all) {
      expect(canAddCategory(perms, c.id, c.restricted)).toBe(true);
      expect(canViewCategory(perms, c.id, c.restricted)).toBe(false);
    }
    expect(perms.capabilities.size).toBe(0);
  });

  it('keeps pastoral and SEN teams out of restricted categories', () => {
    for (const key of ['pastoral', 'sen']) {
      const perms = resolvePermissions(defaults(key));
      expect(canViewCategory(perms, 'bullying', false)).toBe(true);
      expect(canViewCategory(perms, 'fgm', true)).toBe(false);
      expect(hasCapability(perms, 'export')).toBe(false);
      expect(hasCapability(perms, 'admin')).toBe(false);
    }
  });

  it('makes a head-of-year group for each English year group by default, with unique keys', () => {
    const groups = defaultGroupsForNewSchool();
    const keys = groups.map((g) => g.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain('head_of_reception');
    expect(keys).toContain('head_of_year_13');
  });
});
