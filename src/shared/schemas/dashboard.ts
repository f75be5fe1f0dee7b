// The dashboard: my alerts, my actions, open cases, overdue referrals and recent records, each
// in its own feature's shape.
import { Type, type Static } from 'typebox';
import { ActionView } from './actions.ts';
import { AlertView } from './alerts.ts';
import { ConcernView } from './concerns.ts';
import { ReferralView } from './referrals.ts';

const Ref = Type.Object({ id: Type.String(), name: Type.String() });

export const OpenCaseItem = Type.Object({
  id: Type.String(),
  pupil: Ref,
  owner: Ref,
  reviewOn: Type.Union([Type.String(), Type.Null()]),
  reviewDue: Type.Boolean({ description: 'Its review date has come.' }),
  openedAt: Type.String(),
});
export type OpenCaseItem = Static<typeof OpenCaseItem>;

export const Dashboard = Type.Object({
  alerts: Type.Array(AlertView),
  actions: Type.Array(ActionView),
  actionsWaiting: Type.Integer({
    description: 'My open actions; with a password alone only this is sent, `actions` is empty.',
  }),
  openCases: Type.Array(OpenCaseItem),
  overdueReferrals: Type.Array(ReferralView),
  recent: Type.Array(ConcernView),
});
export type Dashboard = Static<typeof Dashboard>;
