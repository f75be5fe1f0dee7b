// The 72-hour clock of a personal-data breach (UK GDPR Article 33): the ICO must be told within 72
// hours of the school becoming aware, counted in hours with weekends and bank holidays included
// (aware Friday 16:00 → due Monday 16:00). An entry made, or a report sent, after that needs its
// reason. Pure; clock.test.ts holds the worked example.
const HOURS_72 = 72 * 3_600_000;

export function icoDueAt(becameAwareAt: Date): Date {
  return new Date(becameAwareAt.getTime() + HOURS_72);
}

/** Whether something done at `at` is after the 72 hours from `becameAwareAt`. */
export function isLate(becameAwareAt: Date, at: Date): boolean {
  return at.getTime() > icoDueAt(becameAwareAt).getTime();
}
