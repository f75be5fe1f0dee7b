import { describe, expect, it } from 'vitest';
import { JsonRecordSplitter } from './json-splitter.ts';
import type { PathSegment } from './json-splitter.ts';

const records = (path: PathSegment[]): boolean => path.length === 2 && path[0] === 'data';

function split(text: string, chunkSize: number): unknown[] {
  const s = new JsonRecordSplitter(records, 3);
  const out: unknown[] = [];
  for (let i = 0; i < text.length; i += chunkSize)
    out.push(...s.push(text.slice(i, i + chunkSize)));
  s.end();
  return out;
}

describe('JsonRecordSplitter', () => {
  const doc = {
    meta: { data: [{ no: 1 }] },
    data: [{ a: '}{][",\\"' }, { b: [1, { c: 'd' }] }, { 'k"ey': 'data' }],
  };
  const text = JSON.stringify(doc);

  it('finds the records whatever the chunk boundaries, ignoring look-alikes inside strings and other keys', () => {
    for (const size of [1, 2, 3, 7, 64, 10_000]) expect(split(text, size)).toEqual(doc.data);
  });

  it('rejects truncated or unbalanced input', () => {
    expect(() => split(text.slice(0, -1), 5)).toThrow('unexpected end of input');
    expect(() => split('{"data":[{"a":1]}', 5)).toThrow('unexpected "]"');
    expect(() => split('', 5)).toThrow('empty');
  });
});
