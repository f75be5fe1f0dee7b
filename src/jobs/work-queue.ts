// The deferred-work worker of this process (src/platform/queue): every feature's handlers by kind,
// handed to the platform's worker so that storey imports no feature. Started by src/main.ts (and by
// the test harness, so tests see emails arrive as they would in production). Work queued and not
// done — by this process before a restart, or by another — is picked up at start and then every
// few seconds; a request that queues work wakes it after the answer. To add a kind: export its
// handler from the feature and add it here.
import type { Services } from '../platform/services.ts';
import { runDueWork, startWorker, type Worker } from '../platform/queue/worker.ts';
import type { WorkHandlers } from '../platform/queue/work-queue.ts';
import { MAIL_WORK } from '../platform/mail/outbox.ts';
import { IDENTITY_WORK } from '../features/identity/deferred-work.ts';
import { PARENTS_WORK } from '../features/parents/emails.ts';

export const WORK_HANDLERS: WorkHandlers = {
  ...MAIL_WORK,
  ...IDENTITY_WORK,
  ...PARENTS_WORK,
};

/** Starts the worker; `stop()` waits for work in progress. */
export function startWorkQueue(services: Services, opts: { everyMs?: number } = {}): Worker {
  return startWorker(services, WORK_HANDLERS, opts);
}

/** Runs everything due now, once, without a standing worker (tests, operator commands). */
export function runWorkQueueOnce(services: Services): Promise<number> {
  return runDueWork(services, WORK_HANDLERS);
}
