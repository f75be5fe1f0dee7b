// What a pure rule answers: the cleaned value, or every problem found, each naming its field (the
// name the request used, e.g. `pupils[1].role`) and saying what is wrong in words a person
// understands. The rules (src/features/<name>/rules.ts) return these; the domain turns the
// messages into a 400.

export interface FieldError {
  field: string;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };
