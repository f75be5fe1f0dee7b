// The school calendar's editing screens (issue 18): terms and closed days that the statutory clocks
// count school days on (src/shared/calendar.ts). Administrators change them; nothing here is
// about a child.
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';

const CalendarDate = Type.String({ format: 'date' });

export const SchoolTerm = Type.Object({
  id: Uuid,
  name: Type.String(),
  startsOn: Type.String(),
  endsOn: Type.String(),
});
export type SchoolTerm = Static<typeof SchoolTerm>;

export const ClosedDay = Type.Object({ date: Type.String(), reason: Type.String() });
export type ClosedDay = Static<typeof ClosedDay>;

export const CalendarView = Type.Object({
  terms: Type.Array(SchoolTerm),
  closedDays: Type.Array(ClosedDay),
  allowed: Type.Array(Type.Literal('edit')),
});
export type CalendarView = Static<typeof CalendarView>;

export const NewTerm = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    startsOn: CalendarDate,
    endsOn: CalendarDate,
  },
  { additionalProperties: false },
);
export type NewTerm = Static<typeof NewTerm>;

export const NewClosedDay = Type.Object(
  { date: CalendarDate, reason: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type NewClosedDay = Static<typeof NewClosedDay>;

export const ClosedDayParams = Type.Object({ date: CalendarDate });

export const Removed = Type.Object({ removed: Type.Literal(true) });
