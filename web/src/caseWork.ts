// The DSL's case work as the server sends it: cases, actions, referrals and the lists that feed
// their forms (staff, agencies), with the words the pages use for the server's codes. What a user
// may do comes from the server; these are only shapes and labels.
import { useEffect, useState } from 'react';
import { api, ApiError, errorMessage, isAbort } from './api.ts';
import { useSessionApi } from './session.tsx';
import type { Loaded } from './useLoad.ts';
import type { CaseAction } from '../../src/features/cases/policy.ts';
import type { ReferralAction } from '../../src/features/referrals/policy.ts';

export type Ref = { id: string; name: string };

export type CaseEventView = {
  id: string;
  kind: string;
  at: string;
  by: Ref;
  concernId: string | null;
  /** The owner given (opened, owner_changed). */
  owner: Ref | null;
  /** The review date set (opened, review_date_changed); null when none or cleared. */
  reviewOn: string | null;
  outcome: string | null;
  rationale: string | null;
};

/** What the server lets this user do with a case now: the server's own list. */
export type CaseAbility = CaseAction;

export type CaseView = {
  id: string;
  pupil: Ref;
  owner: Ref;
  status: string;
  reviewOn: string | null;
  /** Open, and its review date has come. */
  reviewDue: boolean;
  openedAt: string;
  outcome: string | null;
  rationale: string | null;
  concernIds: string[];
  events: CaseEventView[];
  allowed: CaseAbility[];
};

export type OpenCase = {
  id: string;
  pupil: Ref;
  owner: Ref;
  reviewOn: string | null;
  /** Its review date has come. */
  reviewDue: boolean;
  openedAt: string;
};

export type ActionView = {
  id: string;
  pupil: Ref;
  concernId: string | null;
  caseId: string | null;
  type: string;
  text: string;
  assignee: Ref;
  createdAt: string;
  dueAt: string | null;
  remindAt: string | null;
  completedAt: string | null;
  outcome: string | null;
  state: string;
  overdue: boolean;
  /** What the server lets this user do with it now ('complete'). */
  allowed: string[];
};

export type ReferralView = {
  id: string;
  pupil: Ref;
  agency: string;
  concernId: string | null;
  caseId: string | null;
  referredAt: string;
  dueAt: string | null;
  contact: string | null;
  reference: string | null;
  details: string | null;
  respondedAt: string | null;
  closedAt: string | null;
  status: string;
  overdue: boolean;
  /** What the server lets this user do with it now (src/referrals/policy.ts). */
  allowed: ReferralAbility[];
};

export type ReferralAbility = ReferralAction;

export type ReferralDetail = ReferralView & {
  followups: { id: string; kind: string; at: string; by: string; note: string }[];
};

export type StaffDirectory = {
  staff: { id: string; name: string; role: string; dsl: boolean }[];
};

export type Agency = { id: string; name: string; expectedResponseHours: number | null };

/** An agency as the administration page sees it: archived ones too, and how often used. */
export type AdminAgency = Agency & { archived: boolean; referrals: number };

/** "within 24 hours", "within 2 weeks": an agency's expected response time in words. */
export function responseTimeText(hours: number | null): string {
  if (hours === null) return 'No expected response time';
  if (hours % 168 === 0) return `Within ${hours / 168} week${hours === 168 ? '' : 's'}`;
  if (hours % 24 === 0 && hours >= 48) return `Within ${hours / 24} days`;
  return `Within ${hours} hour${hours === 1 ? '' : 's'}`;
}

type Choice = readonly [value: string, label: string];

export const ACTION_TYPES: readonly Choice[] = [
  ['phone_call', 'Phone call'],
  ['meeting', 'Meeting'],
  ['letter', 'Letter'],
  ['note', 'Note'],
  ['decision', 'Decision'],
  ['referral', 'Referral'],
];

export const WITH_WHOM: readonly Choice[] = [
  ['parent', 'Parent'],
  ['carer', 'Carer'],
  ['child', 'The child'],
  ['family', 'The family'],
  ['professional', 'Another professional'],
  ['other', 'Someone else'],
];

export const DECISIONS: readonly Choice[] = [
  ['early_help_assessment', 'Start an Early Help Assessment'],
  ['referral', 'Make a referral'],
  ['monitor', 'Monitor'],
  ['no_further_action', 'No further action'],
  ['other', 'Another decision'],
];

export const FOLLOWUP_KINDS: readonly Choice[] = [
  ['letter', 'Letter'],
  ['call', 'Phone call'],
  ['email', 'Email'],
  ['meeting', 'Meeting'],
  ['response', 'Response from the agency'],
  ['other', 'Other'],
];

const REFERRAL_STATUS: Record<string, string> = {
  awaiting: 'Awaiting a response',
  overdue: 'Response overdue',
  responded: 'Response received',
  closed: 'Closed',
};

const CASE_STATUS: Record<string, string> = {
  open: 'Open',
  closed: 'Closed',
  no_further_action: 'No further action',
};

const CASE_EVENTS: Record<string, string> = {
  opened: 'Case opened',
  joined: 'Concern added to the case',
  closed: 'Case closed',
  no_further_action: 'No further action',
  reopened: 'Case reopened',
  owner_changed: 'New case owner',
  review_date_changed: 'Review date changed',
};

const words = (s: string) => {
  const w = s.replaceAll('_', ' ');
  return w.charAt(0).toUpperCase() + w.slice(1);
};

export function labelOf(choices: readonly Choice[], value: string): string {
  return choices.find(([v]) => v === value)?.[1] ?? words(value);
}
export const referralStatusLabel = (s: string) => REFERRAL_STATUS[s] ?? words(s);
export const caseStatusLabel = (s: string) => CASE_STATUS[s] ?? words(s);
export const caseEventLabel = (s: string) => CASE_EVENTS[s] ?? words(s);

/** A calendar date such as a review date ("2026-03-14") as "14 March 2026". */
export function formatDay(iso: string): string {
  const d = new Date(`${iso.slice(0, 10)}T12:00:00Z`);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
}

/**
 * Loads several JSON addresses together (a concern's pupils' actions, say). Unlike useLoad it keeps
 * showing what it had while reloading, so a list does not vanish (and take focus with it) after
 * each save.
 */
export function useLoadAll<T>(urls: readonly string[], reloadKey = 0): Loaded<T[]> {
  const { refresh } = useSessionApi();
  const key = JSON.stringify(urls);
  const [state, setState] = useState<{ key: string; result: Loaded<T[]> } | null>(null);
  useEffect(() => {
    const list = JSON.parse(key) as string[];
    const ctrl = new AbortController();
    Promise.all(list.map((u) => api<T>('GET', u, undefined, ctrl.signal))).then(
      (data) => setState({ key, result: { status: 'ok', data } }),
      (err: unknown) => {
        if (isAbort(err)) return;
        if (err instanceof ApiError && err.status === 401) {
          void refresh();
          return;
        }
        setState({
          key,
          result: {
            status: 'error',
            message: errorMessage(err),
            code: err instanceof ApiError ? err.code : 'unknown',
            httpStatus: err instanceof ApiError ? err.status : 0,
          },
        });
      },
    );
    return () => ctrl.abort();
  }, [key, reloadKey, refresh]);
  if (!state || state.key !== key) return { status: 'loading' };
  return state.result;
}

/** useLoad for one address that keeps showing what it had while `reloadKey` reloads it. */
export function useLoadKept<T>(url: string, reloadKey: number): Loaded<T> {
  const all = useLoadAll<T>([url], reloadKey);
  return all.status === 'ok' ? { status: 'ok', data: all.data[0]! } : all;
}
