// The health check: `ok`, or `unavailable` (503) when the database does not answer.
import { Type, type Static } from 'typebox';

export const Health = Type.Object({ status: Type.String() });
export type Health = Static<typeof Health>;
