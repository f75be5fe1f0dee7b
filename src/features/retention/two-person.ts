// The two-person rule of destruction (issues 15 and 19), as one pure function both retention
// queues use: a destruction needs its approval slots filled in order by different people, each
// slot by someone holding one of its capacities. The school's child-protection records: a DSL-team
// approval, then the headteacher's or the DPO's (retention/policy.ts). A concern about an adult: two
// of the matter's case managers (staff-concerns/retention-review.ts). That the two are different
// people is checked by the callers (and by each approvals table's key), never here.
// To change safely: keep retention/policy.test.ts and two-person.test.ts passing.

/** The approvals a destruction needs, in order: each slot lists the capacities that may fill it. */
export type TwoPersonRule<C extends string> = readonly [readonly C[], readonly C[]];

/** The slots the approvals given so far fill (each given capacity takes the first it fits). */
function filled<C extends string>(rule: TwoPersonRule<C>, given: readonly C[]): boolean[] {
  const taken = rule.map(() => false);
  for (const g of given) {
    const i = rule.findIndex((slot, j) => !taken[j] && slot.includes(g));
    if (i >= 0) taken[i] = true;
  }
  return taken;
}

/**
 * The capacity the member would approve in, given their capacities and the approvals already
 * given, or null if theirs is not an approval still needed. Slots are offered in order, and within
 * a slot the capacities in the order the rule lists them.
 */
export function nextApproval<C extends string>(
  rule: TwoPersonRule<C>,
  mine: readonly C[],
  given: readonly C[],
): C | null {
  const taken = filled(rule, given);
  for (const [i, slot] of rule.entries()) {
    if (taken[i]) continue;
    const fits = slot.find((c) => mine.includes(c));
    if (fits !== undefined) return fits;
  }
  return null;
}

/** Whether the approvals given fill every slot. */
export function approvalsComplete<C extends string>(
  rule: TwoPersonRule<C>,
  given: readonly C[],
): boolean {
  return filled(rule, given).every(Boolean);
}
