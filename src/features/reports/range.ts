/** A report's range of England's days, both ends included (YYYY-MM-DD). */
export type Range = { from: string; to: string };
