// What may enter the document vault, and how it leaves.
//
// What this protects: staff upload files about children from any device; a file must never run
// code on the next person's machine or in Lantern's origin. So the type is decided by the bytes
// (file-type and the checks below), never by the name or the browser's declared type; anything not
// on the allow-list is refused, and everything is downloaded as an attachment with nosniff.
// A name can only ADD a refusal (an .html or .exe name is refused whatever the bytes), never allow.
// Changing this safely: add a type only with a test built from its real bytes, and never allow a
// type a browser renders as active content (HTML, SVG, XML, scripts).

import { fileTypeFromBuffer } from 'file-type';
import { DEFAULT_SCHOOL_SETTINGS } from '../../core/settings.ts';

export type UploadCheck =
  { ok: true; mime: string; ext: string; safeName: string } | { ok: false; reason: string };

const ALLOWED: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  msg: 'application/vnd.ms-outlook',
  eml: 'message/rfc822',
  txt: 'text/plain',
};

const EXECUTABLES = new Set([
  'elf',
  'exe',
  'macho',
  'dex',
  'class',
  'wasm',
  'jar',
  'apk',
  'xpi',
  'deb',
  'rpm',
]);
const NAMES_REFUSED = new Set(
  (
    'html htm xhtml shtml mht mhtml svg svgz xml xsl js mjs cjs jse vbs vbe wsf wsh hta ps1 psm1 ' +
    'bat cmd com exe dll scr cpl msi msp jar app sh bash zsh py pl rb php lnk url reg ' +
    'docm dotm xlsm xltm pptm iso img'
  ).split(' '),
);

const HTML_START =
  /^\s*(?:<!doctype\s+html|<(?:html|head|body|script|iframe|svg|style|title|h1|div|font|table|a|b|br|p|object|embed|meta|link|form)[\s>/]|<!--|<\?xml)/i;
const ACTIVE_ANYWHERE = /<(?:script|svg|iframe|html|object|embed)[\s>/]|javascript:/i;
const EML_HEADER =
  /^(?:from|to|subject|date|received|return-path|message-id|mime-version|delivered-to|x-[\w-]+):[ \t]/im;

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** The declared name with path, control characters and a misleading extension removed. */
function safeNameFor(declaredName: string, ext: string): string {
  const base = (declaredName.split(/[\\/]/).pop() ?? '')
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}"<>:|?*]/gu, '')
    .trim();
  const stem = base.includes('.') ? base.slice(0, base.lastIndexOf('.')) : base;
  const name = (stem.length > 0 ? stem : 'document').slice(0, 150);
  const declaredExt = extensionOf(base);
  // Keep ".jpeg" rather than renaming a photo to ".jpg".
  const keep = declaredExt === ext || (ext === 'jpg' && declaredExt === 'jpeg');
  return `${name}.${keep ? declaredExt : ext}`;
}

// Office binary formats are all compound (CFB) files; the streams inside say which one it is.
function cfbKind(bytes: Uint8Array): 'doc' | 'xls' | 'msg' | null {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf16le');
  if (text.includes('__substg1.0_')) return 'msg';
  if (text.includes('WordDocument')) return 'doc';
  if (text.includes('Workbook') || text.includes('Book')) return 'xls';
  return null;
}

function decodeText(bytes: Uint8Array): string | null {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    // Control characters other than tab, newlines and form feed mean it is not text.
    // eslint-disable-next-line no-control-regex
    return /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text) ? null : text;
  } catch {
    return null;
  }
}

function textKind(bytes: Uint8Array): UploadCheck | 'eml' | 'txt' {
  if (bytes[0] === 0x23 && bytes[1] === 0x21) {
    return {
      ok: false,
      reason: 'This file is a script (it starts with #!). Scripts cannot be uploaded.',
    };
  }
  const text = decodeText(bytes);
  if (text === null) return { ok: false, reason: 'This type of file is not accepted.' };
  const head = text.slice(0, 4096);
  if (EML_HEADER.test(head.split(/\r?\n\r?\n/)[0] ?? '') && /^[\w-]+:[ \t]/.test(head))
    return 'eml';
  if (HTML_START.test(head) || ACTIVE_ANYWHERE.test(text.slice(0, 65536))) {
    return {
      ok: false,
      reason: 'Web pages, SVG and XML files cannot be uploaded (they could run code when opened).',
    };
  }
  return 'txt';
}

/**
 * Decides from the bytes whether an upload may enter the vault. Refusal reasons are written for
 * the person uploading. `safeName` is the name to store: the declared name cleaned, with the
 * extension corrected to what the content is.
 */
export async function checkUpload(
  bytes: Uint8Array,
  declaredName: string,
  maxBytes: number = DEFAULT_SCHOOL_SETTINGS.maxUploadBytes,
): Promise<UploadCheck> {
  if (bytes.byteLength === 0) return { ok: false, reason: 'The file is empty.' };
  if (bytes.byteLength > maxBytes) {
    const mb = (n: number): string => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;
    return {
      ok: false,
      reason: `The file is ${mb(bytes.byteLength)}; the limit is ${mb(maxBytes)}.`,
    };
  }
  const declaredExt = extensionOf(declaredName);
  if (NAMES_REFUSED.has(declaredExt)) {
    return { ok: false, reason: `Files named .${declaredExt} cannot be uploaded.` };
  }

  let detected: Awaited<ReturnType<typeof fileTypeFromBuffer>>;
  try {
    detected = await fileTypeFromBuffer(bytes);
  } catch {
    return { ok: false, reason: 'The file could not be read; it may be damaged.' };
  }
  let ext: string;
  if (detected === undefined) {
    const kind = textKind(bytes);
    if (typeof kind === 'object') return kind;
    ext = kind;
  } else if (EXECUTABLES.has(detected.ext)) {
    return {
      ok: false,
      reason: 'This file is a program. Programs cannot be uploaded, whatever their name.',
    };
  } else if (detected.ext === 'cfb') {
    const kind = cfbKind(bytes);
    if (kind === null) return { ok: false, reason: 'This Office file type is not accepted.' };
    ext = kind;
  } else if (detected.ext === 'xml') {
    return {
      ok: false,
      reason: 'Web pages, SVG and XML files cannot be uploaded (they could run code when opened).',
    };
  } else {
    ext = detected.ext;
  }

  const mime = ALLOWED[ext];
  if (mime === undefined) {
    return { ok: false, reason: `Files of type ${ext.toUpperCase()} are not accepted.` };
  }
  return { ok: true, mime, ext, safeName: safeNameFor(declaredName, ext) };
}

const INLINE_SAFE = new Set([
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/heic',
]);

// RFC 5987 attr-char: encodeURIComponent leaves ' ( ) * unescaped, which attr-char does not allow.
function rfc5987(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${(c.codePointAt(0) ?? 0).toString(16).toUpperCase()}`,
  );
}

function asciiFallback(name: string): string {
  const folded = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\]/g, '_');
  return folded.trim().length > 0 ? folded : 'download';
}

/**
 * Headers for every vault download: always an attachment (never rendered inline), nosniff, a
 * sandboxing CSP in case a browser renders it anyway, no caching of children's documents, and an
 * octet-stream type for everything except PDFs and the raster images above.
 */
export function safeDownloadHeaders(filename: string, mime: string): Record<string, string> {
  const name = filename.replace(/[\p{Cc}\p{Cf}]/gu, '').replace(/[\\/]/g, '_') || 'download';
  return {
    'Content-Type': INLINE_SAFE.has(mime) ? mime : 'application/octet-stream',
    'Content-Disposition': `attachment; filename="${asciiFallback(name)}"; filename*=UTF-8''${rfc5987(name)}`,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Cache-Control': 'private, no-store',
  };
}
