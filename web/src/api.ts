// The browser's only way to the server. Every request is same-origin JSON with the session cookie
// (HttpOnly, so never read here); state-changing requests carry the CSRF token the session gave us.
// Errors come back as ApiError with the server's code and its human message, which the pages show.

export type SessionInfo = {
  user: { id: string; name: string; email: string; role: string };
  school: { id: string; name: string };
  csrfToken: string;
  capabilities: string[];
  capabilitiesWhenElevated?: string[];
  elevated?: boolean;
  elevatedUntil?: string | null;
  secondFactor?: {
    enrolled: boolean;
    required: boolean;
    totp: boolean;
    /** How many security keys (WebAuthn) are registered. */
    webauthn?: number;
    recoveryCodesLeft?: number;
    /** The school requires one and there is none: this session may only set one up. */
    enrolmentRequired?: boolean;
  };
  expiresAt: string;
  idleExpiresAt: string;
  /** When to warn of the idle sign-out (the school's warning minutes before it). */
  idleWarningAt?: string;
};

/** A password was right but the school wants the second factor before the session is full. */
export type PendingSignIn = {
  secondFactorRequired: true;
  methods: string[];
  csrfToken: string;
};

export type Pupil = { id: string; name: string; yearGroup: string | null; form: string | null };

export type Category = {
  id: string;
  parentId: string | null;
  name: string;
  colour: string;
  guidance: string;
  restricted: boolean;
  archived?: boolean;
};

export type CategoryChip = { id: string; name: string; colour: string };

export type PupilRole = 'subject' | 'victim' | 'alleged_perpetrator' | 'witness' | 'other';

/** A pupil linked to a record; `id` is null for one the viewer may not see ("Another pupil"). */
export type LinkedPupilView = { id: string | null; name: string; role: string };

export type ConcernView = {
  id: string;
  happenedAt: string;
  recordedAt: string;
  location: string | null;
  body: string;
  status: string;
  author: { id: string; name: string };
  pupils: LinkedPupilView[];
  categories: CategoryChip[];
  bodyMap: BodyMark[];
  verballyInformed: { id: string; name: string } | null;
  caseId: string | null;
  version: number;
  attachments: AttachmentView[];
  allowed: string[];
};

export type BodyMark = {
  side: 'front' | 'back';
  x: number;
  y: number;
  type: 'bruise' | 'cut' | 'burn' | 'mark' | 'swelling' | 'bite' | 'other';
  description: string;
};

export type AttachmentView = {
  id: string;
  name: string;
  mime: string;
  sizeBytes: number;
  uploadedAt: string;
};

export type NewConcern = {
  pupils: { pupilId: string; role: PupilRole }[];
  categoryIds: string[];
  happenedAt: string;
  location?: string;
  body: string;
  bodyMap?: BodyMark[];
  alertUserIds?: string[];
  alertGroups?: string[];
  verballyInformedId?: string;
};

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let csrfToken: string | null = null;
let lastAnswerAt = Date.now();

/** When the server last answered a signed-in request (each one restarts its idle clock). */
export function lastActivity(): number {
  return lastAnswerAt;
}

/** Remembered from the session answer; sent back on every state-changing request. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

function isErrorBody(v: unknown): v is { error: { code: string; message: string } } {
  if (typeof v !== 'object' || v === null || !('error' in v)) return false;
  const e = v.error;
  return typeof e === 'object' && e !== null && 'message' in e;
}

export async function api<T>(
  method: Method,
  url: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'Lantern could not be reached. Check your connection.');
  }
  if (res.status !== 401) lastAnswerAt = Date.now();
  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    if (isErrorBody(data)) throw new ApiError(res.status, data.error.code, data.error.message);
    throw new ApiError(res.status, 'http_error', `Something went wrong (${res.status}).`);
  }
  return data as T;
}

/** Sends a file as raw bytes (the vault's only upload format), with the CSRF token. */
export async function uploadFile<T>(url: string, file: File): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Content-Type': 'application/octet-stream',
  };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, credentials: 'same-origin', body: file });
  } catch {
    throw new ApiError(0, 'network', 'Lantern could not be reached. Check your connection.');
  }
  if (res.status !== 401) lastAnswerAt = Date.now();
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    if (isErrorBody(data)) throw new ApiError(res.status, data.error.code, data.error.message);
    if (res.status === 413) throw new ApiError(413, 'too_large', 'The file is too large.');
    throw new ApiError(res.status, 'http_error', `Something went wrong (${res.status}).`);
  }
  return data as T;
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : 'Something went wrong.';
}

/** A concern with only the pupils the viewer may see: the follow-up forms act on those. */
export type ConcernWithSeenPupils = Omit<ConcernView, 'pupils'> & {
  pupils: (LinkedPupilView & { id: string })[];
};

export function withSeenPupils(c: ConcernView): ConcernWithSeenPupils {
  return { ...c, pupils: c.pupils.flatMap((p) => (p.id === null ? [] : [{ ...p, id: p.id }])) };
}
