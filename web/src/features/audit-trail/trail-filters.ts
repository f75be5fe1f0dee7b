// The trail's filters live in the address (so a filtered view can be bookmarked, shared with a
// colleague who may see it too, and survives a reload), and the same names go to the API.
import type { TrailKind } from '../../../../src/shared/schemas/audit-trail.ts';

export const KIND_NAMES = {
  view: 'Views and searches',
  change: 'Changes',
  export: 'Exports and downloads',
  refusal: 'Refusals',
  sign_in: 'Signing in and out',
  admin: 'Administration',
} satisfies Record<TrailKind, string>;

export type TrailFilter = {
  person: string;
  kind: string;
  action: string;
  pupil: string;
  from: string;
  to: string;
};
export const FILTER_KEYS = ['person', 'kind', 'action', 'pupil', 'from', 'to'] as const;

export function filterFrom(params: URLSearchParams): TrailFilter {
  const get = (k: string) => params.get(k) ?? '';
  return {
    person: get('person'),
    kind: get('kind'),
    action: get('action'),
    pupil: get('pupil'),
    from: get('from'),
    to: get('to'),
  };
}

/** The query string (with its '?', or '') of the filters that are set. */
export function queryOf(f: Partial<TrailFilter>): string {
  const q = new URLSearchParams();
  for (const k of FILTER_KEYS) {
    const v = f[k];
    if (v) q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function rangeProblem(f: Pick<TrailFilter, 'from' | 'to'>): string | null {
  return f.from && f.to && f.to < f.from
    ? 'The "To date" must be on or after the "From date".'
    : null;
}
