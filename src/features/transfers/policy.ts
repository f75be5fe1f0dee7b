// Who may do what with child-protection file transfers (issue 18), decided here only. Transfers
// are the DSL team's work: the `case.manage` ability (the DSL, deputies and the headteacher, with a
// second factor). A received file is seen, before it is accepted, only by that team in the
// inbox; once accepted it is read under the pupil's "Previous school", by the same team.
// To change safely: keep every transfers route asking requireTransfers first, and keep the
// states' actions exhaustive (transfers.test.ts drives each).
import type { Actor } from '../../core/access/actor.ts';
import { can } from '../../core/access/actor.ts';
import { requireAbility } from '../../core/access/step-up.ts';
import type { InboxAction, TransferAction, TransferState } from '../../shared/schemas/transfers.ts';

export function requireTransfers(actor: Actor): void {
  requireAbility(actor, 'case.manage');
}

/** What the sending DSL team may do with a transfer in this state. */
export function transferActions(
  actor: Actor,
  t: { state: TransferState; hasDestination: boolean; onThisLantern: boolean },
): TransferAction[] {
  if (!can(actor, 'case.manage')) return [];
  switch (t.state) {
    case 'draft':
      // A school on this Lantern receives it in its inbox; any other by a link to its DSL's
      // address (link.ts). A draft may still be closed with its reason (sent by other means).
      return t.hasDestination ? ['send', 'set_destination', 'close'] : ['set_destination', 'close'];
    case 'sent':
    case 'viewed':
      return ['revoke', 'send_again'];
    case 'failed':
      return ['close'];
    case 'accepted':
    case 'rejected':
    case 'revoked':
    case 'closed':
      return [];
  }
}

export type InboxState = 'sent' | 'viewed' | 'accepted' | 'rejected' | 'revoked';

/** What the receiving DSL team may do: open it, and only once opened, accept or reject it. */
export function inboxActions(actor: Actor, state: InboxState): InboxAction[] {
  if (!can(actor, 'case.manage')) return [];
  switch (state) {
    case 'sent':
      return ['open'];
    case 'viewed':
      return ['open', 'accept', 'reject'];
    case 'accepted':
      return ['open'];
    case 'rejected':
    case 'revoked':
      return [];
  }
}
