// The emergency cards on a trip leader's phone (issue 21). Preparing them (from a trip's page in
// Lantern, ?trip=…) downloads the encrypted bundle, asks Lantern for its key (released only to
// an elevated session) and keeps the key wrapped under a PIN the member chooses. Opening them
// needs that PIN and works with no network; the device refuses after the cards' expiry (the
// trip's end plus 24 hours) and wipes them after too many wrong PINs, or when Lantern says they
// were revoked. Every card opened and every refusal is logged here and sent when online.
import { useEffect, useState } from 'react';
import { api, ApiError, errorMessage } from '../lib/api.ts';
import { useSubmit } from '../lib/useSubmit.ts';
import { Form, FormError } from '../ui/Form.tsx';
import { TextField } from '../ui/TextField.tsx';
import { Button, SubmitButton } from '../ui/Button.tsx';
import type { BundleKey, CardBundle, CardSet } from '../../../src/shared/trips.ts';
import {
  MAX_PIN_DIGITS,
  MIN_PIN_DIGITS,
  KeyStoreUnavailable,
  NoDeviceKey,
  openBundle,
  wrapKey,
  WrongPin,
} from './crypto.ts';
import { bundles, forget, keep, log, MAX_PIN_ATTEMPTS, type Stored } from './store.ts';
import { checkBundle, signInState, syncWithLantern } from './sync.ts';
import { CardView } from './CardView.tsx';

const when = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

function Prepare({ tripId, onReady }: { tripId: string; onReady: (b: Stored) => void }) {
  const [pin, setPin] = useState('');
  const [again, setAgain] = useState('');
  const submit = useSubmit<'pin' | 'again'>();
  const prepare = async () => {
    if (!new RegExp(`^\\d{${MIN_PIN_DIGITS},${MAX_PIN_DIGITS}}$`).test(pin)) {
      submit.invalid({
        pin: `Choose a PIN of ${MIN_PIN_DIGITS} to ${MAX_PIN_DIGITS} digits (numbers only).`,
      });
      return;
    }
    if (pin !== again) {
      submit.invalid({ again: 'The two PINs are not the same.' });
      return;
    }
    if (!(await signInState())) {
      throw new Error('Sign in to Lantern on this phone first, then come back to this page.');
    }
    const bundle = await api<CardBundle>('POST', `/api/trips/${tripId}/cards`);
    let key: BundleKey;
    try {
      key = await api<BundleKey>('POST', `/api/card-bundles/${bundle.id}/key`);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'step_up_required') {
        throw new Error(
          'Lantern needs your second factor first: open the trip in Lantern, confirm it is you, then prepare the cards again.',
          { cause: err },
        );
      }
      throw err;
    }
    const stored: Stored = {
      ...bundle,
      key: await wrapKey(key.key, pin, bundle.id),
      failures: 0,
    };
    try {
      await keep(stored);
    } catch {
      await forget(bundle.id);
      throw new Error(
        `This phone has no room left for the cards for ${bundle.tripName}. Remove another trip's cards from this phone, then prepare these again.`,
      );
    }
    // Only now, with these kept, are this leader's earlier cards for the trip revoked. If this
    // fails, the earlier ones simply stay valid until they expire.
    await api('POST', `/api/card-bundles/${bundle.id}/stored`).catch(() => undefined);
    onReady(stored);
    return `The cards for ${bundle.tripName} are on this phone. Open them with your PIN.`;
  };
  return (
    <Form
      submit={submit}
      onSubmit={prepare}
      className="card stack-tight"
      aria-label="Prepare the cards"
    >
      <h2>Prepare this trip&apos;s cards on this phone</h2>
      <p>
        Choose a PIN of at least {MIN_PIN_DIGITS} digits. You will need it every time you open the
        cards, with or without a network. After {MAX_PIN_ATTEMPTS} wrong PINs the cards are removed
        from this phone.
      </p>
      <TextField
        name="pin"
        label="Choose a PIN"
        type="password"
        inputMode="numeric"
        value={pin}
        onChange={setPin}
        autoComplete="new-password"
      />
      <TextField
        name="again"
        label="Type the PIN again"
        type="password"
        inputMode="numeric"
        value={again}
        onChange={setAgain}
        autoComplete="new-password"
      />
      <FormError />
      <SubmitButton>Download cards</SubmitButton>
    </Form>
  );
}

function Unlock({
  b,
  onOpen,
  onGone,
  onChanged,
}: {
  b: Stored;
  onChanged: () => void;
  onOpen: (set: CardSet) => void;
  onGone: (why: string) => void;
}) {
  const [pin, setPin] = useState('');
  const submit = useSubmit<'pin'>();
  const open = async () => {
    // Online, Lantern is asked first: cards revoked since the last sync never open again.
    if ((await checkBundle(b)) === 'gone') {
      void log({ bundleId: b.id, kind: 'refused', reason: 'revoked' });
      onGone(
        `Lantern has revoked or expired the cards for ${b.tripName}: they have been removed from this phone.`,
      );
      return;
    }
    if (Date.now() >= Date.parse(b.expiresAt)) {
      await forget(b.id);
      void log({ bundleId: b.id, kind: 'refused', reason: 'expired' });
      onGone(
        `The cards for ${b.tripName} expired on ${when(b.expiresAt)} and can no longer be opened. They have been removed from this phone.`,
      );
      return;
    }
    try {
      const set = await openBundle<CardSet>(b, b.key, pin);
      if (Date.now() >= Date.parse(set.expiresAt)) throw new Error('expired');
      // The count of wrong PINs starts again (if this cannot be written, the cards still open).
      if (b.failures > 0) await keep({ ...b, failures: 0 }).catch(() => undefined);
      setPin('');
      onOpen(set);
    } catch (err) {
      if (err instanceof KeyStoreUnavailable) {
        // Not a wrong PIN and not a lost key: nothing counted, nothing removed.
        submit.invalid({}, err.message);
        return;
      }
      if (err instanceof NoDeviceKey) {
        await forget(b.id);
        void log({ bundleId: b.id, kind: 'refused', reason: 'locked' });
        onGone(
          `This phone no longer holds the key to the cards for ${b.tripName} (the browser's storage was cleared, or the cards were copied from elsewhere). They have been removed: download them again from Lantern.`,
        );
        return;
      }
      if (!(err instanceof WrongPin)) throw err;
      const failures = b.failures + 1;
      if (failures >= MAX_PIN_ATTEMPTS) {
        await forget(b.id);
        void log({ bundleId: b.id, kind: 'refused', reason: 'locked' });
        onGone(
          `Too many wrong PINs: the cards for ${b.tripName} have been removed from this phone. Download them again from Lantern.`,
        );
        return;
      }
      await keep({ ...b, failures });
      onChanged();
      void log({ bundleId: b.id, kind: 'refused', reason: 'wrong_pin' });
      submit.invalid({
        pin: `That PIN is not right. ${MAX_PIN_ATTEMPTS - failures} attempts left.`,
      });
    }
  };
  return (
    <Form
      submit={submit}
      onSubmit={open}
      className="card stack-tight"
      aria-label={`Open the cards for ${b.tripName}`}
    >
      <h2>{b.tripName}</h2>
      <p>These cards open until {when(b.expiresAt)}.</p>
      <TextField
        name="pin"
        label="PIN"
        type="password"
        inputMode="numeric"
        value={pin}
        onChange={setPin}
        autoComplete="current-password"
      />
      <FormError />
      <SubmitButton>Open cards</SubmitButton>
    </Form>
  );
}

function Opened({ set, onLock }: { set: CardSet; onLock: () => void }) {
  const [shown, setShown] = useState<string | null>(null);
  const [printing, setPrinting] = useState(false);
  // The printable fallback: every card drawn, then the browser's print dialog.
  useEffect(() => {
    if (!printing) return;
    const done = () => setPrinting(false);
    window.addEventListener('afterprint', done);
    window.print();
    return () => window.removeEventListener('afterprint', done);
  }, [printing]);
  const print = () => {
    for (const c of set.cards)
      void log({ bundleId: set.bundleId, kind: 'viewed', pupilId: c.pupilId });
    setPrinting(true);
  };
  const show = (pupilId: string) => {
    if (shown !== pupilId) void log({ bundleId: set.bundleId, kind: 'viewed', pupilId });
    setShown(shown === pupilId ? null : pupilId);
  };
  return (
    <section aria-labelledby="cards-heading">
      <h2 id="cards-heading">{set.tripName}</h2>
      <div className="actions no-print">
        <Button onPress={print}>Print all cards</Button>
        <Button variant="quiet" onPress={onLock}>
          Lock
        </Button>
      </div>
      {printing ? (
        set.cards.map((c) => <CardView key={c.pupilId} card={c} />)
      ) : (
        <ul className="pupil-list">
          {set.cards.map((c) => (
            <li key={c.pupilId}>
              <Button aria-expanded={shown === c.pupilId} onPress={() => show(c.pupilId)}>
                {c.name}
              </Button>
              {shown === c.pupilId && <CardView card={c} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** How long open cards stay open with nobody touching the phone. */
const IDLE_LOCK_MS = 2 * 60_000;

export function CardApp() {
  const tripId = new URLSearchParams(location.search).get('trip');
  /** null until the phone's store has been read. */
  const [stored, setStored] = useState<Stored[] | null>(null);
  const [opened, setOpened] = useState<CardSet | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const refresh = () =>
    void bundles().then(setStored, (err: unknown) => {
      setStored([]);
      setNotice(errorMessage(err));
    });

  // The phone's cards first (they open with no network), then Lantern is asked about them.
  useEffect(refresh, []);
  useEffect(() => {
    const sync = () =>
      syncWithLantern().then(
        (removed) => {
          if (removed.length > 0) {
            setNotice(
              `Lantern has revoked or expired the cards for ${removed.join(', ')}: they have been removed from this phone.`,
            );
            setOpened(null);
          }
          refresh();
        },
        (err: unknown) => setNotice(errorMessage(err)),
      );
    const whenOnline = () => void sync();
    whenOnline();
    window.addEventListener('online', whenOnline);
    return () => window.removeEventListener('online', whenOnline);
  }, []);

  // Open cards lock when the phone is put away (the page hidden) or left alone for two minutes:
  // the PIN is asked again, so a phone picked up by someone else shows nothing.
  useEffect(() => {
    if (!opened) return;
    let idle = setTimeout(() => setOpened(null), IDLE_LOCK_MS);
    const touched = () => {
      clearTimeout(idle);
      idle = setTimeout(() => setOpened(null), IDLE_LOCK_MS);
    };
    const hidden = () => {
      if (document.visibilityState === 'hidden') setOpened(null);
    };
    const events = ['pointerdown', 'keydown', 'scroll', 'touchstart'] as const;
    for (const e of events) window.addEventListener(e, touched, { passive: true });
    document.addEventListener('visibilitychange', hidden);
    return () => {
      clearTimeout(idle);
      for (const e of events) window.removeEventListener(e, touched);
      document.removeEventListener('visibilitychange', hidden);
    };
  }, [opened]);

  if (stored === null) {
    return (
      <main className="card-app" id="main">
        <h1>Emergency cards</h1>
        <p role="status">Opening the cards kept on this phone…</p>
      </main>
    );
  }
  const preparing = tripId && !stored.some((b) => b.tripId === tripId);
  return (
    <main className="card-app" id="main">
      <h1>Emergency cards</h1>
      <p role="status" className={notice ? 'message message-warning' : 'visually-empty'}>
        {notice}
      </p>
      {opened ? (
        <Opened set={opened} onLock={() => setOpened(null)} />
      ) : (
        <>
          {preparing && (
            <Prepare
              tripId={tripId}
              onReady={() => {
                history.replaceState(null, '', '/card.html');
                refresh();
              }}
            />
          )}
          {stored.length === 0 && !preparing && (
            <p>No cards on this phone. Prepare a trip&apos;s cards from its page in Lantern.</p>
          )}
          {stored.map((b) => (
            <Unlock
              key={b.id}
              b={b}
              onOpen={(set) => {
                setNotice(null);
                setOpened(set);
              }}
              onChanged={refresh}
              onGone={(why) => {
                setNotice(why);
                refresh();
              }}
            />
          ))}
        </>
      )}
    </main>
  );
}
