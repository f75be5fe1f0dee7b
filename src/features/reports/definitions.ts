// What each report figure counts, in words a governor or an inspector can check a number against:
// the counting unit, the date it goes by, the range's ends, and how a record in two categories
// (or a pupil in two groups) counts. The page shows each beside its chart; the CSV and PDF carry
// them too. To change a figure, change its words here in the same commit.

const RANGE = 'Both ends of the chosen range are included; days are England’s calendar days.';
const VISIBLE = 'Only records you may see are counted.';

export const DEFINITIONS = {
  records_by_category:
    `Counting unit: a record (a logged concern). Date basis: the day it happened. ${RANGE} ` +
    'A record in two categories counts once in each, so the rows can add up to more than ' +
    `“All records”, which counts each record once. ${VISIBLE}`,
  records_by_month:
    `Counting unit: a record. Each record counts once, in the month of the day it happened. ${RANGE} ` +
    `A month at either end counts only its days inside the range. ${VISIBLE}`,
  records_by_week:
    'Counting unit: a record. Each record counts once, in the week (Monday to Sunday) of the day ' +
    `it happened. ${RANGE} A week at either end counts only its days inside the range. ${VISIBLE}`,
  records_by_term:
    'Counting unit: a record. Each record counts once, in the school term (as set on the ' +
    'school’s calendar) holding the day it happened; days in no term are counted on the last row, ' +
    `so the rows add up to every record in the range. ${RANGE} ${VISIBLE}`,
  pupils_by_year:
    'Counting unit: a pupil, once however many records they have. “With a record”: pupils on at ' +
    `least one record that happened in the range. ${RANGE} “On roll”: pupils the school holds ` +
    'today (not archived), by their year group today. Share: with a record ÷ on roll, as a ' +
    `percentage to one decimal place. ${VISIBLE}`,
  pupils_by_sex:
    'Counting unit: a pupil, once however many records they have, by the sex the MIS records. ' +
    `“With a record”, “On roll” and share as in the table by year group. ${RANGE} ${VISIBLE}`,
  pupils_by_group:
    'Counting unit: a pupil. A pupil is in a group when the MIS or the school recorded that flag ' +
    'for them on any day of the range (a flag with no dates counts as current). A pupil in two ' +
    'groups counts in each. “In group”: pupils on roll in the group; “With a record”: those of ' +
    `them on at least one record that happened in the range. ${RANGE} ${VISIBLE}`,
  open_cases_by_age:
    'Counting unit: a case. Cases open today (not closed, not closed with no further action), ' +
    'by whole days since the case was opened. Not limited by the chosen range: it is today’s ' +
    'position.',
  overdue_actions:
    'Counting unit: an action (a task with a due date). Actions neither completed nor cancelled ' +
    'whose due time has passed, by whole days since it passed. Not limited by the chosen range: ' +
    'it is today’s position.',
  referrals_by_agency:
    'Counting unit: a referral. Date basis: the day it was made. ' +
    `${RANGE} “Responded”: the agency’s response is recorded. “On time”: the response came no ` +
    'later than the time the agency is expected to answer (set per agency when the referral was ' +
    'made). The share on time is of referrals answered or past their expected time; one with no ' +
    'expected time, or not yet due and unanswered, is left out of it. “Days from concern ' +
    'to referral”: the median of the days from when the concern it came from happened to when ' +
    'the referral was made, to one decimal place (referrals made without a concern are left out).',
  alert_acknowledgement:
    'Counting unit: an alert to one member of staff. Date basis: the day the alert was raised. ' +
    `${RANGE} Times are minutes from the alert to its acknowledgement; the median and the 90th ` +
    'percentile (nearest rank) are of acknowledged alerts only.',
} as const;

export type FigureId = keyof typeof DEFINITIONS;

export const TITLES: Record<FigureId, string> = {
  records_by_category: 'Records by category',
  records_by_month: 'Records by month',
  records_by_week: 'Records by week',
  records_by_term: 'Records by term',
  pupils_by_year: 'Pupils with a record, by year group',
  pupils_by_sex: 'Pupils with a record, by sex',
  pupils_by_group: 'Pupils with a record, by vulnerable group',
  open_cases_by_age: 'Open cases by age',
  overdue_actions: 'Overdue actions',
  referrals_by_agency: 'Referrals by agency',
  alert_acknowledgement: 'Alert acknowledgement times',
};

/** The vulnerable groups, and the flag kinds (as the MIS formats name them) that put a pupil in each. */
export const GROUPS: readonly { label: string; flags: readonly string[] }[] = [
  { label: 'Child protection plan', flags: ['cp_plan', 'child_protection_plan'] },
  { label: 'Child in need', flags: ['cin', 'child_in_need'] },
  { label: 'Looked after', flags: ['lac', 'looked_after'] },
  { label: 'Previously looked after', flags: ['plac', 'previously_looked_after'] },
  { label: 'SEN support', flags: ['sen_support'] },
  { label: 'EHC plan', flags: ['ehcp'] },
  { label: 'Free school meals', flags: ['fsm'] },
  { label: 'Pupil premium', flags: ['pupil_premium'] },
  { label: 'English as an additional language', flags: ['eal'] },
  { label: 'Young carer', flags: ['young_carer'] },
];

export const SEX_NAMES: Record<string, string> = {
  m: 'Male',
  male: 'Male',
  f: 'Female',
  female: 'Female',
};
