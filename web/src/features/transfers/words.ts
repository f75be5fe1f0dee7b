// How transfer states read on the screens (issue 18).
import type { TransferState } from '../../../../src/shared/schemas/transfers.ts';

export const STATE_NAMES: Record<TransferState, string> = {
  draft: 'Not sent yet',
  sent: 'Sent, not yet opened',
  viewed: 'Opened by the receiving school',
  accepted: 'Receipt confirmed',
  rejected: 'Rejected by the receiving school',
  failed: 'Could not be delivered',
  revoked: 'Taken back',
  closed: 'Closed (not sent through Lantern)',
};

export const INBOX_STATE_NAMES = {
  sent: 'New: not yet opened',
  viewed: 'Opened, receipt not yet confirmed',
  accepted: 'Receipt confirmed',
  rejected: 'Rejected',
  revoked: 'Taken back by the sending school',
} as const;
