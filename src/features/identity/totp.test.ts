import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  formatSecretForManualEntry,
  newTotpSecret,
  otpauthUri,
  qrCodeSvg,
  totpCodeAt,
  totpStep,
  verifyTotp,
} from './totp.ts';

const OATHTOOL = '/usr/bin/oathtool';

/** A code from oathtool — an independent RFC 6238 implementation — for the given time. */
function oathtool(secret: string, at: Date): string {
  if (!existsSync(OATHTOOL)) {
    throw new Error('oathtool is missing: run `node scripts/ensure-test-tools.ts`');
  }
  const when = at
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  return execFileSync(OATHTOOL, ['--totp', '-b', `--now=${when}`, secret], {
    encoding: 'utf8',
  }).trim();
}

const now = new Date('2025-06-15T10:00:10Z');
const seconds = (n: number) => new Date(now.getTime() + n * 1000);

describe('newTotpSecret', () => {
  it('makes a 160-bit base32 secret, different every time', () => {
    const a = newTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(a);
  });

  it('groups the secret for typing by hand', () => {
    expect(formatSecretForManualEntry('ABCDEFGHIJKL')).toBe('ABCD EFGH IJKL');
  });
});

describe('otpauthUri and qrCodeSvg', () => {
  it('builds a URI the common authenticator apps accept', () => {
    const secret = newTotpSecret();
    const uri = new URL(otpauthUri(secret, { issuer: 'Lantern', label: 'sam@school.example' }));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Lantern:sam@school.example');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Lantern');
    expect(uri.searchParams.get('algorithm')).toBe('SHA1');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
  });

  it('renders the URI as an SVG QR code', async () => {
    const svg = await qrCodeSvg(otpauthUri(newTotpSecret(), { issuer: 'Lantern', label: 'x' }));
    expect(svg).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('<path');
  });
});

describe('verifyTotp against oathtool', () => {
  it('agrees with oathtool on the code for a given time', () => {
    const secret = newTotpSecret();
    expect(totpCodeAt(secret, now)).toBe(oathtool(secret, now));
  });

  it('accepts the current code and returns its step', () => {
    const secret = newTotpSecret();
    const result = verifyTotp(secret, oathtool(secret, now), { lastUsedStep: null, now });
    expect(result).toEqual({ ok: true, step: totpStep(now) });
  });

  it('accepts a code one step back and one step ahead (drift)', () => {
    const secret = newTotpSecret();
    const back = verifyTotp(secret, oathtool(secret, seconds(-30)), { lastUsedStep: null, now });
    expect(back).toEqual({ ok: true, step: totpStep(now) - 1 });
    const ahead = verifyTotp(secret, oathtool(secret, seconds(30)), { lastUsedStep: null, now });
    expect(ahead).toEqual({ ok: true, step: totpStep(now) + 1 });
  });

  it('refuses a code two steps away', () => {
    const secret = newTotpSecret();
    for (const offset of [-60, 60]) {
      const code = oathtool(secret, seconds(offset));
      expect(verifyTotp(secret, code, { lastUsedStep: null, now })).toEqual({
        ok: false,
        reason: 'invalid',
      });
    }
  });

  it('refuses the same code twice (replay)', () => {
    const secret = newTotpSecret();
    const code = oathtool(secret, now);
    const first = verifyTotp(secret, code, { lastUsedStep: null, now });
    expect(first.ok).toBe(true);
    const lastUsedStep = first.ok ? first.step : null;
    expect(verifyTotp(secret, code, { lastUsedStep, now: seconds(5) })).toEqual({
      ok: false,
      reason: 'replayed',
    });
  });

  it('refuses an older code once a newer one has been used', () => {
    const secret = newTotpSecret();
    const older = oathtool(secret, seconds(-30));
    const result = verifyTotp(secret, older, { lastUsedStep: totpStep(now), now });
    expect(result).toEqual({ ok: false, reason: 'replayed' });
  });

  it('accepts the next step after a used one', () => {
    const secret = newTotpSecret();
    const next = oathtool(secret, seconds(30));
    const result = verifyTotp(secret, next, { lastUsedStep: totpStep(now), now: seconds(30) });
    expect(result).toEqual({ ok: true, step: totpStep(now) + 1 });
  });

  it('tolerates spaces in a typed code', () => {
    const secret = newTotpSecret();
    const code = oathtool(secret, now);
    const spaced = `${code.slice(0, 3)} ${code.slice(3)}`;
    expect(verifyTotp(secret, spaced, { lastUsedStep: null, now }).ok).toBe(true);
  });

  it('refuses malformed input without throwing', () => {
    const secret = newTotpSecret();
    for (const code of ['', '12345', '1234567', 'abcdef', '12345\u0661']) {
      expect(verifyTotp(secret, code, { lastUsedStep: null, now })).toEqual({
        ok: false,
        reason: 'invalid',
      });
    }
    expect(verifyTotp('not base32!', '123456', { lastUsedStep: null, now })).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it("refuses another secret's code", () => {
    const code = oathtool(newTotpSecret(), now);
    const result = verifyTotp(newTotpSecret(), code, { lastUsedStep: null, now });
    expect(result.ok).toBe(false);
  });
});
