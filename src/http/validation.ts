// What every request's input must be before a handler sees it, whatever its route declares.
// - Bodies are never coerced (`null` is not `false`, `123` is not "123"): only the querystring,
//   path params and headers, which arrive as text, are coerced to their declared types.
// - Dates (`date`, `date-time`) are real calendar dates in the years 1900–2200: year 0000 or 9999
//   is refused here rather than by the database.
// - No string (or key) in the body, querystring or params holds a NUL or a lone UTF-16
//   surrogate, which PostgreSQL cannot store; and no body is nested more than MAX_DEPTH deep.
// Each refusal is a 400 naming the field. To change safely: keep one validator per httpPart and
// keep the guard in preValidation, so it runs on every route (public ones too) before a handler.
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const EARLIEST_YEAR = 1900;
export const LATEST_YEAR = 2200;
/** Deeper than any request Lantern takes (an MIS push is about six levels). */
export const MAX_DEPTH = 32;

// ajv-formats is CommonJS: its plugin is the module itself, typed as its `default`.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

function realDay(year: number, month: number, day: number): boolean {
  if (year < EARLIEST_YEAR || year > LATEST_YEAR || month < 1 || month > 12 || day < 1)
    return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isBoundedDate(s: string): boolean {
  const m = DATE.exec(s);
  return m !== null && realDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function isBoundedDateTime(s: string): boolean {
  const m = DATE_TIME.exec(s);
  if (!m || !realDay(Number(m[1]), Number(m[2]), Number(m[3]))) return false;
  const [h, min, sec, zh, zm] = [m[4], m[5], m[6], m[7] ?? '0', m[8] ?? '0'].map(Number);
  return h! < 24 && min! < 60 && sec! < 60 && zh! < 24 && zm! < 60;
}

export function makeAjv(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({
    coerceTypes,
    useDefaults: true,
    removeAdditional: false,
    addUsedSchema: false,
    allErrors: false, // true would let one request make the validator do unbounded work
  });
  addFormats(ajv);
  ajv.addFormat('date', { type: 'string', validate: isBoundedDate });
  ajv.addFormat('date-time', { type: 'string', validate: isBoundedDateTime });
  return ajv;
}

/** Bodies exactly as sent; querystring, params and headers coerced from text. */
export function installValidators(app: FastifyInstance): void {
  const exact = makeAjv(false);
  const fromText = makeAjv('array');
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? exact : fromText;
    const id = (schema as { $id?: unknown }).$id;
    if (typeof id === 'string') {
      const known = ajv.getSchema(id);
      if (known) return known;
    }
    return ajv.compile(schema);
  });
}

const UNSTORABLE = 'contains a character that cannot be stored (a NUL or a lone surrogate)';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  // Fastify's parsed querystring is an object whose prototype has no prototype (fast-querystring's
  // `Empty`): without this the querystring went unchecked (a NUL reached the database, issue 21's
  // fuzzing found it on GET /api/medical/pupils).
  return (
    proto === Object.prototype ||
    proto === null ||
    (typeof proto === 'object' && Object.getPrototypeOf(proto) === null)
  );
}

const storable = (s: string) => !s.includes('\u0000') && s.isWellFormed();

/** The first problem in one part of a request, as a sentence, or null. Iterative: any depth. */
export function inputProblem(part: string, value: unknown): string | null {
  const stack: { v: unknown; path: string[] }[] = [{ v: value, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (path.length > MAX_DEPTH)
      return `The ${part} is nested too deeply (more than ${MAX_DEPTH} levels).`;
    if (typeof v === 'string') {
      if (!storable(v)) return `The ${part} field "${path.join('.') || '(root)'}" ${UNSTORABLE}.`;
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push({ v: x, path: [...path, String(i)] }));
    } else if (isPlainObject(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (!storable(k)) return `The ${part} has a field name that ${UNSTORABLE}.`;
        stack.push({ v: x, path: [...path, k] });
      }
    }
  }
  return null;
}

/** Refuses unstorable text and deep nesting in body, querystring and params on every route. */
export function installInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (req: FastifyRequest, reply: FastifyReply) => {
    const problem =
      inputProblem('body', req.body) ??
      inputProblem('querystring', req.query) ??
      inputProblem('params', req.params);
    if (problem) return reply.status(400).send({ error: { code: 'invalid', message: problem } });
  });
}
