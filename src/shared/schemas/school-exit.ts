// A school's exit in the app (issue 15): the administrator's export page. The password and the
// download token are answered once, by the request that asks for the export, and never again.
import { Type, type Static } from 'typebox';
import { Uuid } from './common.ts';

export const ExportJob = Type.Object({
  id: Uuid,
  state: Type.Union([
    Type.Literal('queued'),
    Type.Literal('running'),
    Type.Literal('ready'),
    Type.Literal('downloaded'),
    Type.Literal('expired'),
    Type.Literal('failed'),
  ]),
  progress: Type.Integer({ minimum: 0 }),
  progressTotal: Type.Integer({ minimum: 0 }),
  requestedAt: Type.String({ format: 'date-time' }),
  readyAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  downloadedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  archiveBytes: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
});
export type ExportJob = Static<typeof ExportJob>;

export const ExportStatus = Type.Object({
  job: Type.Union([ExportJob, Type.Null()]),
  /** When the school last confirmed it opened an export (typed back the code from inside). */
  confirmedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type ExportStatus = Static<typeof ExportStatus>;

export const ExportAsked = Type.Object({
  id: Uuid,
  /** The archive's password: shown once on the page that asked, stored nowhere. */
  password: Type.String(),
  /** The one-time download token (kept only as a hash on the server). */
  token: Type.String(),
});
export type ExportAsked = Static<typeof ExportAsked>;

export const DownloadBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);

export const ConfirmBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
export const Confirmed = Type.Object({ exportId: Uuid });
