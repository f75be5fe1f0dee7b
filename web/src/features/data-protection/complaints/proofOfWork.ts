// The complaint form's proof of work, done in the browser (issue 17): find the counter whose
// SHA-256 of "challenge:counter" starts with `bits` zero bits — the same rule the server checks
// (src/features/data-protection/complaints/challenge.ts). An async loop over the browser's own
// SHA-256 (crypto.subtle), handing the page back every few hundred tries so "Checking…" stays
// on screen and the page answers; 14 bits take about 16,000 tries, a second or so.

function zeroBits(digest: Uint8Array): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

const YIELD_EVERY = 256;

export async function solveChallenge(
  challenge: string,
  bits: number,
  signal?: AbortSignal,
): Promise<number> {
  const encoder = new TextEncoder();
  for (let counter = 0; ; counter++) {
    const digest = await crypto.subtle.digest('SHA-256', encoder.encode(`${challenge}:${counter}`));
    if (zeroBits(new Uint8Array(digest)) >= bits) return counter;
    if (counter % YIELD_EVERY === YIELD_EVERY - 1) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (signal?.aborted) throw new DOMException('Stopped', 'AbortError');
    }
  }
}
