// Every audit event Lantern writes, in one typed list. Details must never hold record text,
// names or anything a reader of the audit trail should not see: ids, counts and reasons only.
export const AUDIT_ACTIONS = [
  'auth.sign_in',
  'auth.sign_in_failed',
  // An attempt refused by the rate limit or a lock, before any password or code was checked.
  'auth.sign_in_refused',
  'auth.sign_out',
  'auth.session_ended',
  // Identity and access (issue 3).
  'auth.password_accepted',
  'auth.second_factor_failed',
  'auth.elevated',
  'auth.new_device',
  'auth.signed_out_everywhere',
  'auth.account_locked',
  'auth.second_factor_added',
  'auth.second_factor_removed',
  'auth.recovery_codes_created',
  'auth.password_changed',
  'auth.password_reset_requested',
  'auth.link_refused',
  'user.invited',
  'user.activated',
  'user.disabled',
  'user.reactivated',
  'user.unlocked',
  'user.second_factor_reset',
  'user.groups_changed',
  'group.created',
  'group.updated',
  'group.category_access_changed',
  'school.policies_changed',
  'school.created',
  'user.created',
  'pupil.searched',
  'pupil.chronology_viewed',
  'concern.created',
  'concern.viewed',
  'concern.listed',
  'concern.edited',
  'concern.versions_viewed',
  'attachment.uploaded',
  'attachment.downloaded',
  'alert.raised',
  'alert.acknowledged',
  'alert.escalated',
  'action.created',
  'action.completed',
  'action.reminded',
  'referral.created',
  'referral.viewed',
  'referral.updated',
  'referral.followup_added',
  'referral.overdue',
  'referral_agency.created',
  'referral_agency.updated',
  'referral_agency.archived',
  'referral_agency.restored',
  'conversation.created',
  'case.opened',
  'case.joined',
  'case.viewed',
  'case.closed',
  'case.no_further_action',
  'case.reopened',
  'case.owner_changed',
  'case.review_date_changed',
  'chronology.exported',
  'records.searched',
  'dashboard.viewed',
  'category.created',
  'category.updated',
  'keys.rotated',
  // MIS (issue 5).
  'mis.sync_applied',
  'mis.sync_rejected',
  'mis.api_key_created',
  'mis.api_key_revoked',
  'mis.connector_changed',
  'mis.runs_viewed',
  'mis.override_set',
  'mis.override_removed',
  'mis.restriction_set',
  'mis.restriction_removed',
  'pupil.flag_set',
  'pupil.flag_ended',
  'pupil.profile_viewed',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type AuditEvent = {
  action: AuditAction;
  targetType?: string;
  targetId?: string;
  details?: Record<string, string | number | boolean | null | string[]>;
};

/** Who and from where: taken from the request by the request context. */
export type AuditActor = {
  actorId: string | null;
  actorLabel: string;
  ip: string | null;
  userAgent: string | null;
};
