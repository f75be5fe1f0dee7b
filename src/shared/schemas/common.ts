// Shared schema pieces for routes: ids, the error body, and the standard error responses each
// route declares so the OpenAPI document lists them.
import { Type, type TSchema } from 'typebox';

export const Uuid = Type.String({ format: 'uuid' });
export const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});
export const IdParams = Type.Object({ id: Uuid });

/** Responses for a signed-in route: the success schema plus the errors it can answer. */
export function responses<S extends Record<number, TSchema>>(ok: S) {
  return { ...ok, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
}
