// Everything logging a concern must look up before it writes, read in one statement (issue 12:
// this was six round trips): which of its pupils and categories are current in this school, the
// member's grants as they stand inside the writing transaction (a grant withdrawn since the
// session was read applies), which of the staff it names are active, which of its alert groups
// exist, whom its alert groups and its categories' default groups reach, and the school's
// escalation time. The checks then run in the order, with the rules and the messages, of
// validate.ts (checkConcern, mayFileUnder), which a correction still uses; the
// concern tests hold both to the same answers. To change: add a look-up as a column here and its
// check in the same place in the list below.
import type { Tx } from '../../core/context.ts';
import { can } from '../../core/access/actor.ts';
import { badRequest, forbidden } from '../../core/errors.ts';
import {
  permissionColumnsSql,
  permissionsFrom,
  type PermissionColumns,
} from '../../core/access/load.ts';
import { readSettings } from '../../core/settings.ts';
import { isAlertTeam } from '../../shared/alert-teams.ts';
import type { NewConcern } from '../../shared/schemas/concerns.ts';
import type { BodyMapMark } from '../../shared/body-map.ts';
import { reachFrom, reachRowsSql, type Reach, type ReachRow } from '../alerts/recipients.ts';
import { validateConcernInput, type ValidConcern } from './rules.ts';
import { checkBodyMap, refuse, refuseUngranted, type CategoryRow } from './validate.ts';

export type CheckedConcern = {
  concern: ValidConcern;
  categories: CategoryRow[];
  marks: BodyMapMark[];
  /** Whom the alert groups it names and its categories' default groups reach, the DSL team too. */
  reach: Reach;
  /** Every alert group, in the order alerts are raised: the author's choices, then the defaults. */
  alertGroups: string[];
  alertEscalationMinutes: number;
};

type Found = PermissionColumns & {
  pupils: string[] | null;
  categories: CategoryRow[] | null;
  staff: string[] | null;
  groups: string[] | null;
  settings: unknown;
  reach: ReachRow[] | null;
};

export async function checkNewConcern(t: Tx, input: NewConcern): Promise<CheckedConcern> {
  const alertUserIds = input.alertUserIds ?? [];
  const chosenGroups = input.alertGroups ?? [];
  const staffIds = [
    ...alertUserIds,
    ...(input.verballyInformedId ? [input.verballyInformedId] : []),
  ];
  // The reach of the chosen groups and of the categories' defaults, read with the categories.
  const reach = reachRowsSql(
    `(SELECT array_agg(k) FROM (SELECT unnest($4::text[]) k
       UNION SELECT unnest(alert_groups) FROM cats) keys)`,
    true,
    7,
  );
  const [found] = await t.q<Found>(
    `WITH cats AS (
       SELECT id, name, restricted, alert_groups, alert_user_ids FROM categories
       WHERE id = ANY($2::uuid[]) AND archived_at IS NULL)
     SELECT
       ARRAY(SELECT id FROM pupils WHERE id = ANY($1::uuid[]) AND archived_at IS NULL) AS pupils,
       (SELECT json_agg(c) FROM cats c) AS categories,
       ARRAY(SELECT id FROM users WHERE id = ANY($3::uuid[]) AND disabled_at IS NULL) AS staff,
       ARRAY(SELECT key FROM staff_groups WHERE key = ANY($4::text[])) AS groups,
       (SELECT settings FROM schools WHERE id = $5) AS settings,
       ${permissionColumnsSql('$6')},
       (SELECT json_agg(r) FROM (${reach.sql}) r) AS reach`,
    [
      input.pupils.map((p) => p.pupilId),
      [...new Set(input.categoryIds)],
      [...new Set(staffIds)],
      chosenGroups,
      t.actor.schoolId,
      t.actor.userId,
      ...reach.params,
    ],
  );
  // The categories in the order the member chose them (the statement's order is the heap's), so
  // a refusal names the first they chose that is not theirs, and alerts follow their order.
  const order = new Map(input.categoryIds.map((id, i) => [id, i]));
  const categories = (found?.categories ?? []).sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  const result = validateConcernInput(
    {
      pupils: input.pupils,
      text: input.body,
      happenedAt: new Date(input.happenedAt),
      categoryIds: input.categoryIds,
    },
    {
      now: t.now,
      knownPupilIds: new Set(found?.pupils ?? []),
      knownCategoryIds: new Set(categories.map((c) => c.id)),
    },
  );
  if (!result.ok) refuse(result.errors);
  refuseUngranted(permissionsFrom(found), categories, 'log');
  const marks = checkBodyMap(input.bodyMap);
  const active = new Set(found?.staff ?? []);
  if (alertUserIds.some((id) => !active.has(id))) {
    throw badRequest('A member of staff to alert was not found.', 'unknown_staff');
  }
  const known = new Set(found?.groups ?? []);
  const unknownGroup = chosenGroups.find((k) => !isAlertTeam(k) && !known.has(k));
  if (unknownGroup !== undefined) {
    throw badRequest(`There is no group "${unknownGroup}" to alert.`, 'unknown_group');
  }
  if (input.verballyInformedId && !active.has(input.verballyInformedId)) {
    throw badRequest('The DSL you informed was not found.', 'unknown_staff');
  }
  if (input.caseId && !can(t.actor, 'case.manage')) {
    throw forbidden('Only the DSL team adds to cases.');
  }
  const alertGroups = [...chosenGroups, ...categories.flatMap((c) => c.alert_groups)];
  return {
    concern: result.value,
    categories,
    marks,
    reach: reachFrom(found?.reach ?? [], alertGroups),
    alertGroups,
    alertEscalationMinutes: readSettings(found?.settings).alertEscalationMinutes,
  };
}
