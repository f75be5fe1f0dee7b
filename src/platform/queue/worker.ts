// The process's worker for the deferred-work queue (work-queue.ts). Runs due work one row at a
// time outside any request: woken shortly after a request that queued work has been answered, and
// every few seconds besides, so work queued by another process, left by one that stopped, or due
// for another attempt is picked up. Each kind's handler is given by whoever starts the worker
// (src/jobs/work-queue.ts hands it every feature's handlers), so this storey imports no feature.
// A failure is logged by kind and code only (never a payload or a mail server's words) and tried
// again with a growing delay, up to MAX_ATTEMPTS; a payload that cannot be opened or a kind with
// no handler is dropped at once. To change safely: keep each database step in its own short
// platform transaction (never hold a transaction across a handler: it may wait for a mail server),
// and keep every error caught here — a worker must never take the process down. Each job's lease
// is renewed (and checked still ours) just before it runs, and a job done is never re-run because
// removing its row failed. Rows older than KEEP_MS are swept at most hourly.
import { randomInt, randomUUID } from 'node:crypto';
import { inPlatform } from '../db/tenancy.ts';
import type { Services } from '../services.ts';
import {
  backoffMs,
  claimDue,
  finish,
  KEEP_MS,
  MAX_ATTEMPTS,
  renewLease,
  retryLater,
  sweepOld,
  WorkFailed,
  type Claimed,
  type WorkHandlers,
} from './work-queue.ts';

const BATCH = 10;

export type Worker = {
  /** Runs everything due now (again, if woken meanwhile); resolves when the queue is idle. */
  drain(): Promise<void>;
  /** Asks for a run as soon as the current turn of the event loop is over. */
  wake(): void;
  /** Stops the timer and waits for the batch in progress (the rest waits for the next process). */
  stop(): Promise<void>;
};

// The worker serving each database, so code that queues work can wake it without holding it.
const workers = new WeakMap<Services['db'], Worker>();

/**
 * How long after a wake the worker runs: a little over the time a reply takes to be written, and
 * uneven, so the work of a real account's request (a link, an audit entry, an email) neither
 * competes with that request's own answer for the processor nor lines up with it exactly for
 * someone timing the server's next answers.
 */
export const WAKE_AFTER_MS = { least: 50, most: 250 } as const;

/**
 * Wakes this process's worker, if one runs, to do newly queued work, WAKE_AFTER_MS later: after
 * the reply of the request that queued it has gone.
 */
export function wakeWorker(services: Pick<Services, 'db'>): void {
  workers.get(services.db)?.wake();
}

/** The worker serving these services' database, if one was started (tests drain it). */
export function workerFor(services: Pick<Services, 'db'>): Worker | undefined {
  return workers.get(services.db);
}

async function runOne(
  services: Services,
  handlers: WorkHandlers,
  worker: string,
  job: Claimed,
): Promise<void> {
  const handler = (handlers as Record<string, WorkHandlers[keyof WorkHandlers] | undefined>)[
    job.kind
  ];
  let failure: WorkFailed | undefined;
  if (job.payload === undefined) failure = new WorkFailed('unreadable', { permanent: true });
  else if (!handler) failure = new WorkFailed('no_handler', { permanent: true });
  else {
    try {
      await handler(job.payload, services);
    } catch (err) {
      failure = err instanceof WorkFailed ? err : new WorkFailed('error');
    }
  }
  if (!failure) {
    // Done: removing the row may fail (the database gone for a moment), but the work must not be
    // done again for that. The row keeps our lease, so it is done again only if it outlives it.
    await inPlatform(services.db, (q) => finish(q, job.id, worker)).catch((err: unknown) => {
      services.log.error(
        `deferred work: a ${job.kind} was done but its row could not be removed (${err instanceof Error ? err.name : 'error'})`,
      );
    });
    return;
  }
  const now = services.clock.now();
  if (failure.permanent || job.attempts >= MAX_ATTEMPTS) {
    services.log.warn(
      `deferred work: gave up on a ${job.kind} after ${job.attempts} attempt(s) (${failure.code})`,
    );
    await inPlatform(services.db, (q) => finish(q, job.id, worker));
    return;
  }
  const delay = backoffMs(job.attempts);
  services.log.warn(
    `deferred work: a ${job.kind} failed (${failure.code}, attempt ${job.attempts} of ${MAX_ATTEMPTS}); trying again in ${Math.round(delay / 1000)} s`,
  );
  await inPlatform(services.db, (q) =>
    retryLater(q, {
      id: job.id,
      worker,
      at: new Date(now.getTime() + delay),
      code: failure.code,
    }),
  );
}

/** When each database's queue was last swept of old rows by this process (at most hourly). */
const swept = new WeakMap<Services['db'], number>();
export const SWEEP_EVERY_MS = 3_600_000;

async function sweep(services: Services): Promise<void> {
  const now = services.clock.now();
  const last = swept.get(services.db);
  if (last !== undefined && now.getTime() - last < SWEEP_EVERY_MS) return;
  swept.set(services.db, now.getTime());
  const removed = await inPlatform(services.db, (q) => sweepOld(q, now));
  if (removed > 0) {
    services.log.warn(
      `deferred work: removed ${removed} queued row(s) older than ${KEEP_MS / 86_400_000} days (most often sealed under a master key no process holds)`,
    );
  }
}

/**
 * One pass: claims and runs due work in batches until a claim finds nothing (so work queued by a
 * handler — the email after a reset link — goes in the same pass), or until `stopping` says the
 * process is shutting down (what is left waits for the next process: nothing is lost).
 */
export async function runDueWork(
  services: Services,
  handlers: WorkHandlers,
  worker = `w-${randomUUID()}`,
  stopping: () => boolean = () => false,
): Promise<number> {
  let done = 0;
  for (;;) {
    if (stopping()) return done;
    const now = services.clock.now();
    const batch = await inPlatform(services.db, (q) =>
      claimDue(q, services, { worker, now, limit: BATCH }),
    );
    for (const job of batch) {
      // The batch was leased at once but runs one job after another: a slow one may outlast the
      // others' leases, and another process may have taken them over. Renewed, or skipped.
      const ours = await inPlatform(services.db, (q) =>
        renewLease(q, { id: job.id, worker, now: services.clock.now() }),
      );
      if (!ours) continue;
      await runOne(services, handlers, worker, job);
      done++;
    }
    if (batch.length === 0) {
      await sweep(services);
      return done;
    }
  }
}

/**
 * Starts this process's worker: a run at once (work left by a previous process), then every
 * `everyMs`, and whenever wakeWorker is called. One run at a time; a wake during a run runs again.
 */
export function startWorker(
  services: Services,
  handlers: WorkHandlers,
  opts: { everyMs?: number } = {},
): Worker {
  const id = `w-${randomUUID()}`;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const run = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await runDueWork(services, handlers, id, () => stopped).catch((err: unknown) => {
          services.log.error(
            `deferred work: a run failed (${err instanceof Error ? err.name : 'error'})`,
          );
        });
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => void run(), opts.everyMs ?? 5_000);
  timer.unref();
  const worker: Worker = {
    drain: async () => {
      await running;
      await run();
    },
    wake: () => {
      if (stopped) return;
      const { least, most } = WAKE_AFTER_MS;
      const later = setTimeout(() => void run(), least + randomInt(most - least + 1));
      later.unref();
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      if (workers.get(services.db) === worker) workers.delete(services.db);
      await running;
    },
  };
  workers.set(services.db, worker);
  setImmediate(() => void run());
  return worker;
}
