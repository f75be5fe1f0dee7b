import { crc32 } from 'node:zlib';
import { describe, it, expect } from 'vitest';
import { checkUpload, safeDownloadHeaders } from './file-check.ts';

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const bytes = (...parts: (number[] | string | Uint8Array)[]): Uint8Array =>
  new Uint8Array(
    Buffer.concat(
      parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))),
    ),
  );

const PDF = ascii(
  '%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
);
const PNG = bytes(
  [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  [0, 0, 0, 13],
  'IHDR',
  [0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89],
  [0, 0, 0, 0],
  'IEND',
  [0xae, 0x42, 0x60, 0x82],
);
const JPEG = bytes(
  [0xff, 0xd8, 0xff, 0xe0, 0, 16],
  'JFIF\0',
  [1, 1, 0, 0, 1, 0, 1, 0, 0],
  [0xff, 0xd9],
);
const GIF = bytes(
  'GIF89a',
  [1, 0, 1, 0, 0, 0, 0],
  ',',
  [0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b],
);
const WEBP = bytes('RIFF', [26, 0, 0, 0], 'WEBPVP8 ', [14, 0, 0, 0], new Uint8Array(14));
const HEIC = bytes([0, 0, 0, 24], 'ftypheic', [0, 0, 0, 0], 'mif1heic', new Uint8Array(16));
const ELF = bytes([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], new Uint8Array(56));
const PE = bytes(
  'MZ',
  new Uint8Array(58),
  [0x40, 0, 0, 0],
  'PE\0\0',
  [0x4c, 0x01],
  new Uint8Array(64),
);
const MACHO = bytes([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1], new Uint8Array(24));

/** A minimal stored (uncompressed) zip, enough for content sniffing of Office/ODF files. */
function zip(files: Record<string, string>): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content, 'utf8');
    const fileName = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

const contentTypes = (main: string): string =>
  '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  `<Override PartName="/main.xml" ContentType="${main}"/></Types>`;
const DOCX = zip({
  '[Content_Types].xml': contentTypes(
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
  ),
  'word/document.xml': '<w:document/>',
});
const DOCM = zip({
  '[Content_Types].xml': contentTypes('application/vnd.ms-word.document.macroEnabled.main+xml'),
  'word/document.xml': '<w:document/>',
});
const ODT = zip({ mimetype: 'application/vnd.oasis.opendocument.text', 'content.xml': '<x/>' });
const PLAIN_ZIP = zip({ 'notes.txt': 'hello' });

/** A compound-file (OLE) header followed by a directory entry naming the given stream. */
function cfb(streamName: string): Uint8Array {
  const header = Buffer.alloc(512);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header);
  header.writeUInt16LE(0x3e, 24);
  header.writeUInt16LE(3, 26);
  header.writeUInt16LE(0xfffe, 28);
  header.writeUInt16LE(9, 30);
  const entry = Buffer.alloc(128);
  Buffer.from(streamName, 'utf16le').copy(entry);
  return new Uint8Array(Buffer.concat([header, entry, Buffer.alloc(384)]));
}

const EML = ascii(
  'Received: from mail.example.org\r\nFrom: Parent <parent@example.org>\r\nTo: office@school.example\r\n' +
    'Subject: Absence\r\nDate: Mon, 10 Mar 2025 09:00:00 +0000\r\nMIME-Version: 1.0\r\n' +
    'Content-Type: text/html\r\n\r\n<html><body><p>He is off sick.</p></body></html>\r\n',
);

describe('checkUpload: allowed, decided by content', () => {
  it.each([
    ['report.pdf', PDF, 'pdf', 'application/pdf'],
    ['photo.png', PNG, 'png', 'image/png'],
    ['photo.jpeg', JPEG, 'jpg', 'image/jpeg'],
    ['anim.gif', GIF, 'gif', 'image/gif'],
    ['img.webp', WEBP, 'webp', 'image/webp'],
    ['IMG_0001.HEIC', HEIC, 'heic', 'image/heic'],
    [
      'letter.docx',
      DOCX,
      'docx',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ],
    ['letter.odt', ODT, 'odt', 'application/vnd.oasis.opendocument.text'],
    ['old.doc', cfb('WordDocument'), 'doc', 'application/msword'],
    ['old.xls', cfb('Workbook'), 'xls', 'application/vnd.ms-excel'],
    ['mail.msg', cfb('__substg1.0_0037001F'), 'msg', 'application/vnd.ms-outlook'],
    ['mail.eml', EML, 'eml', 'message/rfc822'],
    ['notes.txt', ascii('Spoke to mum at 3pm.\nShe said…'), 'txt', 'text/plain'],
  ])('%s', async (name, content, ext, mime) => {
    expect(await checkUpload(content, name, 1024 * 1024)).toMatchObject({ ok: true, ext, mime });
  });

  it('trusts the bytes, not the name, and corrects the stored extension', async () => {
    expect(await checkUpload(PNG, 'scan.pdf', 1024)).toMatchObject({
      ok: true,
      mime: 'image/png',
      safeName: 'scan.png',
    });
    expect(await checkUpload(PDF, '../../etc/Report "final".PDF', 1024)).toMatchObject({
      ok: true,
      safeName: 'Report final.pdf',
    });
    expect(await checkUpload(JPEG, 'photo.jpeg', 1024)).toMatchObject({ safeName: 'photo.jpeg' });
  });
});

describe('checkUpload: refused', () => {
  const refused = async (content: Uint8Array, name: string, reason: RegExp): Promise<void> => {
    const result = await checkUpload(content, name, 1024 * 1024);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(reason);
  };

  it('refuses executables renamed .pdf', async () => {
    await refused(ELF, 'report.pdf', /is a program/);
    await refused(PE, 'report.pdf', /is a program/);
    await refused(MACHO, 'report.pdf', /is a program/);
  });

  it('refuses scripts with a shebang, whatever their name', async () => {
    await refused(ascii('#!/bin/sh\nrm -rf ~\n'), 'notes.pdf', /script/);
  });

  it('refuses HTML and SVG by content, even named .txt', async () => {
    await refused(ascii('<!DOCTYPE html><p>hi</p>'), 'note.txt', /Web pages, SVG/);
    await refused(
      ascii('  <svg xmlns="http://www.w3.org/2000/svg"></svg>'),
      'pic.png',
      /Web pages, SVG/,
    );
    await refused(ascii('<?xml version="1.0"?><svg/>'), 'pic.txt', /Web pages, SVG/);
    await refused(ascii('Notes\n\n<script>alert(1)</script>'), 'n.txt', /Web pages, SVG/);
  });

  it('refuses dangerous names even with harmless bytes', async () => {
    await refused(ascii('hello'), 'page.html', /\.html cannot be uploaded/);
    await refused(ascii('hello'), 'run.bat', /\.bat cannot be uploaded/);
  });

  it('refuses macro-enabled Office files, other zips and unknown binaries', async () => {
    await refused(DOCM, 'letter.docx', /DOCM are not accepted/);
    await refused(PLAIN_ZIP, 'archive.zip', /ZIP are not accepted/);
    await refused(bytes([0, 1, 2, 3, 0, 0xff, 0xfe]), 'data.bin', /not accepted/);
    await refused(cfb('SomethingElse'), 'x.doc', /Office file type is not accepted/);
  });

  it('refuses empty files and files over the limit', async () => {
    await refused(new Uint8Array(0), 'x.pdf', /empty/);
    const big = new Uint8Array(3 * 1024 * 1024);
    big.set(PDF);
    const result = await checkUpload(big, 'big.pdf', 2 * 1024 * 1024);
    expect(result).toEqual({ ok: false, reason: 'The file is 3 MB; the limit is 2 MB.' });
  });
});

describe('safeDownloadHeaders', () => {
  it('always downloads as an attachment with nosniff and an RFC 5987 name', () => {
    const headers = safeDownloadHeaders("Zoë's body map (1).pdf", 'application/pdf');
    expect(headers).toMatchObject({
      'Content-Type': 'application/pdf',
      'Content-Disposition':
        `attachment; filename="Zoe's body map (1).pdf"; ` +
        `filename*=UTF-8''Zo%C3%AB%27s%20body%20map%20%281%29.pdf`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    });
  });

  it('serves anything but PDFs and raster images as octet-stream', () => {
    expect(safeDownloadHeaders('a.txt', 'text/plain')['Content-Type']).toBe(
      'application/octet-stream',
    );
    expect(safeDownloadHeaders('a.svg', 'image/svg+xml')['Content-Type']).toBe(
      'application/octet-stream',
    );
    expect(safeDownloadHeaders('a.eml', 'message/rfc822')['Content-Type']).toBe(
      'application/octet-stream',
    );
    expect(safeDownloadHeaders('a.png', 'image/png')['Content-Type']).toBe('image/png');
  });

  it('cannot be used to inject headers or quotes', () => {
    const disposition = safeDownloadHeaders('a"\r\nSet-Cookie: x=1.pdf', 'application/pdf')[
      'Content-Disposition'
    ];
    expect(disposition).not.toMatch(/[\r\n]/);
    expect(disposition).toMatch(
      /^attachment; filename="a_Set-Cookie: x=1\.pdf"; filename\*=UTF-8''a%22Set-Cookie%3A%20x%3D1\.pdf$/,
    );
  });
});
