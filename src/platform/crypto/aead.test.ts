// The envelope every sealed field uses: [0x01][key version u32 BE][iv 12][ciphertext][tag 16].
// Any changed byte, a different additional data or a different key must fail to open.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecryptError, keyVersionOf, open, seal } from './aead.ts';

const key = randomBytes(32);
const aad = 'school-1:concerns.body:row-1';
const text = Buffer.from('She said she did not want to go home tonight.', 'utf8');

describe('AES-256-GCM envelope', () => {
  it('opens what it sealed and lays out format byte, key version, IV and tag', () => {
    const sealed = seal(key, 7, text, aad);
    expect(sealed[0]).toBe(0x01);
    expect(sealed.readUInt32BE(1)).toBe(7);
    expect(keyVersionOf(sealed)).toBe(7);
    expect(sealed.length).toBe(1 + 4 + 12 + text.length + 16);
    expect(open(key, sealed, aad).equals(text)).toBe(true);
    expect(keyVersionOf(seal(key, 0xfffffffe, text, aad))).toBe(0xfffffffe);
  });

  it('uses a fresh IV every time, so equal plaintexts give different ciphertexts', () => {
    const a = seal(key, 1, text, aad);
    const b = seal(key, 1, text, aad);
    expect(a.subarray(5, 17).equals(b.subarray(5, 17))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it('refuses a change to any single byte, header included', () => {
    const sealed = seal(key, 3, text, aad);
    for (let i = 0; i < sealed.length; i++) {
      const tampered = Buffer.from(sealed);
      tampered[i] = tampered[i]! ^ 0x01;
      expect(() => open(key, tampered, aad), `byte ${i}`).toThrow(DecryptError);
    }
  });

  it('refuses a truncated, extended or empty value', () => {
    const sealed = seal(key, 1, text, aad);
    expect(() => open(key, sealed.subarray(0, sealed.length - 1), aad)).toThrow(DecryptError);
    expect(() => open(key, Buffer.concat([sealed, Buffer.of(0)]), aad)).toThrow(DecryptError);
    expect(() => open(key, Buffer.alloc(0), aad)).toThrow(DecryptError);
    expect(() => keyVersionOf(Buffer.alloc(10))).toThrow(DecryptError);
    expect(() => keyVersionOf(Buffer.from('plain text that is long enough to pass'))).toThrow(
      /not a Lantern ciphertext/,
    );
  });

  it('refuses the wrong additional data (another row, column or school) and the wrong key', () => {
    const sealed = seal(key, 1, text, aad);
    expect(() => open(key, sealed, 'school-1:concerns.body:row-2')).toThrow(DecryptError);
    expect(() => open(key, sealed, 'school-1:concerns.location:row-1')).toThrow(DecryptError);
    expect(() => open(key, sealed, 'school-2:concerns.body:row-1')).toThrow(DecryptError);
    expect(() => open(key, sealed, '')).toThrow(DecryptError);
    expect(() => open(randomBytes(32), sealed, aad)).toThrow(DecryptError);
  });

  it('binds the key version: the same bytes relabelled as another version do not open', () => {
    const sealed = seal(key, 1, text, aad);
    const relabelled = Buffer.from(sealed);
    relabelled.writeUInt32BE(2, 1);
    expect(keyVersionOf(relabelled)).toBe(2);
    expect(() => open(key, relabelled, aad)).toThrow(DecryptError);
  });

  it('seals the empty string and refuses a key that is not 32 bytes', () => {
    const sealed = seal(key, 1, Buffer.alloc(0), aad);
    expect(open(key, sealed, aad).length).toBe(0);
    expect(() => seal(randomBytes(16), 1, text, aad)).toThrow(/32 bytes/);
  });
});
