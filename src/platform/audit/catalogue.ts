// Every audit event Lantern writes, in one typed catalogue: each event's name maps to the type of
// its details, so writing an event that does not exist, or details of the wrong shape, does not
// compile. Details must never hold record text, names or anything a reader of the audit trail
// should not see: ids, counts, enumerated reasons and setting values only. To change safely: add
// an event here with its details type; never rename one (the trail keeps the old name for ever).

type Id = string;
/**
 * Why a second factor was reset: the list in shared/factor-reset.ts (which this storey may not
 * import); a reason added there and not here fails to compile where the reset is audited.
 */
type FactorResetReason =
  'lost_phone' | 'lost_security_key' | 'app_not_working' | 'account_misused' | 'other';
/** No details beyond the target. */
type None = Record<string, never>;
/** A setting's before and after, flattened to JSON text (audit details hold no nested objects). */
type Change = { changed: string[]; before?: string; after: string };

export type AuditDetails = {
  'auth.sign_in': { secondFactor: string | null };
  'auth.sign_in_failed': { reason: string };
  /** An attempt refused by the rate limit or a lock, before any password or code was checked. */
  'auth.sign_in_refused': {
    reason: 'locked' | 'throttled';
    step: string;
    retryAfterSeconds: number;
  };
  'auth.sign_out': None;
  'auth.session_ended': { reason: string };
  // Identity and access (issue 3).
  'auth.password_accepted': { secondFactor: string | null };
  'auth.second_factor_failed': { method: string; reason: string };
  'auth.elevated': {
    method: string;
    until: string;
    previousSession: Id;
    enrolment?: 'completed';
  };
  'auth.new_device': None;
  'auth.signed_out_everywhere': { sessions: number };
  'auth.account_locked': { after?: 'second_factor' };
  'auth.second_factor_added': { method: 'totp' | 'webauthn' };
  'auth.second_factor_removed': { method: 'totp' | 'webauthn'; key?: Id };
  'auth.recovery_codes_created': None;
  'auth.password_changed': { by: 'link' | 'self' };
  'auth.password_reset_requested': None;
  'auth.link_refused': { reason: string };
  /** A resent invitation names no role. */
  'user.invited': { role?: string };
  'user.activated': None;
  'user.disabled': { reason?: 'left_mis'; sessionsEnded: number };
  'user.reactivated': None;
  'user.unlocked': None;
  'user.second_factor_reset': { reason: FactorResetReason; sessionsEnded: number };
  'user.groups_changed': { before: Id[]; after: Id[] };
  'group.created': {
    nonRestrictedDefault: string;
    restrictedDefault: string;
    scope: string;
    yearGroups: string[];
    capabilities: string[];
  };
  /** Each setting as `<setting>Before` / `<setting>After`, and which changed (groups.ts). */
  'group.updated': Record<string, string | string[] | boolean>;
  'group.category_access_changed': { category: Id; before: string; after: string };
  /**
   * A change to record access waiting for a DSL's or the headteacher's approval (issue 11): what
   * kind, why, which group (and member or category), and who was alerted.
   */
  'access.requested': {
    kind: 'membership' | 'group' | 'category_access';
    reason: 'dsl_team' | 'approvers' | 'restricted';
    group: Id;
    user?: Id;
    category?: Id;
    access?: string;
    replaces?: Id;
    alerted: Id[];
  };
  /** The change was approved and applied in the same transaction (its own event follows). */
  'access.approved': { kind: string; requestedBy: Id };
  'access.declined': { kind: string; requestedBy: Id };
  'access.withdrawn': { kind: string; requestedBy: Id };
  /** Issue 20: an administrator tried to change their own access (refused: issue 11). */
  'access.own_change_refused': None;
  'school.policies_changed': Change;
  'school.created': None;
  'user.created': { role: string };
  /** A look-up by name: how many words, whether leavers were included, the ids shown; never the words. */
  'pupil.searched': { terms: number; includeArchived: boolean; results: Id[] };
  'pupil.chronology_viewed': None;
  'concern.created': { pupils: Id[]; categories: Id[]; bodyMapMarks: number } | None;
  'concern.viewed': None;
  'concern.listed': { concerns: Id[] };
  'concern.edited': { version: number; fields: string[] };
  /** The earlier versions shown (those withheld from the viewer are not, issue 11). */
  'concern.versions_viewed': { versions: number[] };
  /** A DSL-team triage decision (issue 14): the state and risk level, never the reason's text. */
  'concern.triaged': { state: string; risk: string | null };
  'attachment.uploaded': { concern: Id; mime: string; bytes: number };
  'attachment.downloaded': { concern: Id };
  'alert.raised': { recipients: Id[] };
  'alert.acknowledged': None;
  'alert.escalated': None;
  'action.created': { pupil: Id };
  'action.completed': None;
  /** Cancelled when its case closed (issue 14); the reason is sealed on the action. */
  'action.cancelled': { case: Id };
  'action.reminded': None;
  /** A list of actions shown (issue 11): the ids shown, never their text or pupils' names. */
  'action.listed': { actions: Id[] };
  'referral.created': { pupil: Id };
  'referral.viewed': None;
  /** A list of referrals shown (issue 11): the ids shown only. */
  'referral.listed': { referrals: Id[] };
  'referral.updated': { status: string };
  'referral.followup_added': None;
  'referral.overdue': None;
  'referral_agency.created': { expectedResponseHours: number | null };
  'referral_agency.updated': { fields: string[]; expectedResponseHours: number | null };
  'referral_agency.archived': None;
  'referral_agency.restored': None;
  'conversation.created': { pupil: Id };
  // Drafts (issue 14): a member's own unsaved writing. The form is the web app's key for it.
  'draft.saved': { form: string };
  'draft.opened': { form: string };
  'draft.discarded': { form: string; why: 'saved' | 'discarded' | 'expired' };
  'case.opened': { owner: Id; reviewOn: string | null };
  'case.joined': { concern: Id };
  'case.viewed': None;
  'case.closed': None;
  'case.no_further_action': None;
  'case.reopened': None;
  'case.owner_changed': { from: Id | null; to: Id };
  'case.review_date_changed': { from: string | null; to: string | null };
  'chronology.exported': { format: 'pdf'; entries: number };
  'records.searched': { terms: number; filters: string[]; results: Id[] };
  /** Records' search tokens rebuilt at a new index version (issue 14's stems): counts only. */
  'search.reindexed': {
    indexVersion: number;
    concerns: number;
    actions: number;
    conversations: number;
    /** Records whose text would not open: marked current with no tokens, logged by id. */
    unreadable: number;
  };
  /** What the dashboard showed, by id (issue 11; entries before it have no details). */
  'dashboard.viewed':
    | {
        alerts: Id[];
        actions: Id[];
        cases: Id[];
        referrals: Id[];
        concerns: Id[];
      }
    | None;
  'category.created': Change;
  'category.updated': Change & { because?: 'parent_restricted'; parent?: Id };
  'keys.rotated': { masterKeyId: string };
  // MIS (issue 5).
  'mis.sync_applied': {
    source: string;
    format: string;
    kind: string;
    added: number;
    changed: number;
    archived: number;
    conflicts: number;
  };
  'mis.sync_rejected': { source: string; format: string | null };
  'mis.sync_held': {
    source: string;
    format: string;
    pupils: number;
    pupilsOnRoll: number;
    staff: number;
    staffOnRoll: number;
  };
  'mis.held_viewed': { count: number };
  'mis.held_applied': None;
  'mis.held_discarded': None;
  'mis.settings_changed': { guardPercent: number; fullDay: number; synonyms: number };
  'mis.api_key_created': None;
  'mis.api_key_revoked': None;
  'mis.connector_changed': {
    format?: 'wonde' | 'xporter';
    schedule: string;
    runHour: number | null;
    tokenChanged: boolean;
  };
  'mis.runs_viewed': { count: number };
  'mis.override_set': { field: string };
  'mis.override_removed': { field: string };
  'mis.restriction_set': { restrictionId: Id; kind: string; courtOrder: boolean };
  'mis.restriction_removed': { restrictionId: Id };
  'pupil.flag_set': { flagId: Id; flag: string };
  'pupil.flag_ended': { flagId: Id };
  'pupil.profile_viewed': None;
  // Retention (issue 15): the schedule and legal holds. Never a hold's reason (it may name people).
  'retention.rule_changed': Change & { kind: string };
  'retention.holds_viewed': { count: number; lifted: boolean };
  'retention.hold_placed': { scope: string; matter: string; standing: boolean };
  'retention.hold_lifted': { scope: string; matter: string; standing: boolean };
  /** A refused retention change (nothing changed): what was tried and the refusal's code. */
  'retention.refused': { attempt: string; code: string; target?: Id; reviews?: Id[] };
  /** The nightly sweep put these records' reviews in the queue. */
  'retention.queued': { reviews: Id[] };
  'retention.queue_viewed': { reviews: Id[] };
  'retention.review_kept': { concern: Id; until: string };
  'retention.review_held': { concern: Id; holdId: Id; matter: string };
  'retention.destruction_approved': { concern: Id; capacity: string; complete: boolean };
  /**
   * A batch of approved records destroyed: the certificate of destruction's id and the SHA-256 of
   * its canonical JSON (so the certificate is chained into the trail), the reviews and the
   * destroyed records' ids (which then name nothing).
   */
  'retention.destroyed': { certificate: Id; sha256: string; reviews: Id[]; records: Id[] };
  'retention.certificates_viewed': { count: number };
  'retention.certificate_downloaded': { certificate: Id };
  // Issue 20: reading the audit trail is itself audited.
  'audit.pupil_log_viewed': { entries: number; filters: string[] };
  'audit.trail_viewed': { entries: number; filters: string[] };
  'audit.trail_exported': { entries: number; filters: string[] };
  'audit.integrity_checked': { entries: number; intact: boolean };
  'audit.unusual_access': { rule: string; observed: number; signal: Id };
  'audit.rules_changed': Change;
  'audit.signals_viewed': { count: number };
  // Reports (issue 20): aggregates only; the range and how many figures.
  'reports.viewed': { from: string; to: string; figures: number };
  'reports.exported': {
    from: string;
    to: string;
    figures: number;
    format: 'csv' | 'pdf' | 'la_return';
  };
  'reports.pack_prepared': { version: number; from: string; to: string };
  'reports.pack_viewed': { version: number };
  'reports.pack_released': { version: number; sha256: string };
  'reports.pack_downloaded': { version: number };
  // Patterns about pupils (issue 20).
  'patterns.viewed': { pupils: Id[] };
  'patterns.rules_changed': Change;
  'patterns.signalled': { rule: Id; records: number; signal: Id };
  'patterns.rising_viewed': { pupils: Id[] };
  // Issue 18: the school calendar (terms and closed days) and child-protection file transfers.
  'calendar.term_added': { startsOn: string; endsOn: string };
  'calendar.term_removed': { startsOn: string; endsOn: string };
  'calendar.closed_day_added': { date: string };
  'calendar.closed_day_removed': { date: string };
  'transfer.opened': { pupil: Id; trigger: string; leavingOn: string; destination: string };
  'transfer.destination_set': { urn: string };
  'transfer.domain_confirmed': { urn: number; domain: string };
  'transfer.clock_rule_set': { rule: string };
  'transfer.file_previewed': { items: number };
  'transfer.sent': { toSchool: Id; items: number; withheld: Id[]; sha256: string };
  'transfer.sent_again': { toSchool: Id; items: number; withheld: Id[]; sha256: string };
  // A first send that failed (None), or a file its receiving school left Lantern before accepting.
  'transfer.failed': None | { from: 'sent' | 'viewed'; reason: 'receiver_left' };
  'transfer.revoked': None;
  /** In the sending school, as the receiving school acted (unsafe-cross-school.ts). */
  'transfer.viewed': None;
  'transfer.accepted': None;
  'transfer.rejected': None;
  /** In the receiving school. */
  'transfer.received': { fromSchool: Id; items: number; withheld: number; sha256: string };
  'transfer.revoked_by_sender': None;
  'transfer.file_opened': { fromSchool: Id };
  'transfer.receipt_given': { fromSchool: Id; pupil: string };
  'transfer.file_rejected': { fromSchool: Id };
  'transfer.previous_school_viewed': { files: Id[] };
  'transfer.reminded': { dueOn: string; escalated: boolean };
  'transfer.closed': { from: string };
  /** The sender printed the receipt certificate of an accepted file. */
  'transfer.receipt_printed': { sha256: string };
  /** A link to a school on no Lantern (migration 0090), in the sending school's trail. */
  'transfer.link_sent': {
    link: Id;
    domain: string;
    expiresAt: string;
    items: number;
    sha256: string;
  };
  'transfer.link_refused': { reason: string; domain?: string };
  'transfer.link_code_sent': { link: Id };
  'transfer.link_code_refused': { link: Id; failures: number };
  'transfer.link_opened': { link: Id };
  /** The open file shown again to a browser holding the view key (a reload of the page). */
  'transfer.link_viewed': { link: Id };
  'transfer.link_downloaded': { link: Id; what: 'pdf' | 'manifest' };
  'transfer.link_receipt_given': { link: Id };
  'transfer.link_settings_set': { linkDays: number };
  /** At acceptance: what the sending school keeps, by its retention setting (issue 15). */
  'transfer.kept': { kept: string; until: string };
  'transfer.kept_copy_opened': { opening: Id; kept: string };
  /** The kept copy removed by the nightly job, its keep-until date passed. */
  'transfer.kept_copy_expired': { kept: string; until: string };
  /** The kept copy's date passed under a `review` rule: kept, and marked due for review. */
  'transfer.kept_copy_review_due': { kept: string; until: string };
  'school.urn_set': { urn: string };
  // A school's exit (issue 15): its export, the school's confirmation that it opened it, and
  // refusals; the deletion itself is certified in school_deletions (the chain goes with the school).
  'school.exported': { export: Id; files: number; manifestSha256: string };
  'school.export_confirmed': { export: Id };
  'school.export_confirm_refused': { reason: 'no_export' | 'wrong_code' | 'malformed_code' };
  'school.delete_refused': {
    reason: 'no_confirmed_export' | 'override_unconfirmed' | 'used_since_export';
  };
  'school.deletion_scheduled': {
    dueBy: string;
    basis: 'confirmed_export' | 'override';
    now: boolean;
  };
  // The export asked for in the app by an administrator (issue 15): asked, ready, downloaded once,
  // or deleted unsent after 24 hours.
  'school.export_requested': { job: Id };
  'school.export_ready': { job: Id; export: Id; files: number };
  'school.export_downloaded': { job: Id };
  'school.export_download_refused': {
    job: Id;
    reason: 'not_found' | 'wrong_token' | 'not_requester' | 'not_ready' | 'missing';
  };
  'school.export_expired': { job: Id };
  // The data-protection register (issue 17): every view of it is an event.
  'dp.requests_viewed': { count: number; closed: boolean };
  'dp.request_viewed': None;
  'dp.request_recorded': { kind: string; subjects: Id[]; dueOn: string | null };
  'dp.request_dates_changed': { changed: string[]; dueOn: string | null };
  'dp.request_extended': { months: number; to: string };
  'dp.child_voice_recorded': None;
  'dp.dsl_reviewed': None;
  'dp.request_closed': { outcome: string };
  /** The DPO alerted once that a request falls due within the week, and once that it is overdue. */
  'dp.request_due_alerted': { dueOn: string; overdue: boolean };
  /** A refused register change (nothing changed): what was tried and the refusal's code. */
  'dp.refused': { attempt: string; code: string };
  'dp.breaches_viewed': { count: number };
  'dp.breach_viewed': None;
  'dp.breach_recorded': { source: string; late: boolean; dueAt: string };
  /** A draft breach Lantern opened itself from one of its own signals. */
  'dp.breach_drafted': { signal: string };
  /**
   * The hosting operator's incident notice reached the school (issue 17): the draft breach it
   * opened, the incident's id and reference, what the school's audit trail matched, and how many
   * of the register's holders were alerted and emailed.
   */
  'dp.operator_incident_notified': {
    incident: Id;
    reference: string;
    entries: number;
    pupils: number;
    records: number;
    alerted: number;
    emailed: number;
  };
  /** The operator worked out which schools an incident touched (the platform's chain). */
  'operator.incident_checked': { reference: string; schools: number };
  /** The operator recorded an incident (the platform's chain): how many schools it touched. */
  'operator.incident_recorded': { incident: Id; reference: string; schools: number };
  'dp.breach_changed': { changed: string[] };
  'dp.breach_ico_update': { phase: number };
  'dp.breach_closed': None;
  'dp.complaints_viewed': { count: number };
  'dp.complaint_received': { dueOn: string };
  /** A public complaint refused before it was stored: the rate limit or the proof of work. */
  'dp.complaint_refused': { reason: string };
  'dp.complaint_acknowledged': None;
  'dp.complaint_answered': None;
  // Subject access (issue 17): gathering (a read of each subject's record), the workbench, the
  // second person's review, the pack (its hashes) and the disclosure; never a name or the text.
  'dp.sar_gathered': { request: Id; added: number; total: number };
  'dp.sar_workbench_viewed': { request: Id; items: number };
  'dp.sar_item_decided': { item: Id; included: boolean; reason: string };
  'dp.sar_redacted': { item: Id; reason: string; count: number };
  'dp.sar_redaction_removed': { item: Id };
  'dp.sar_ready': None;
  'dp.sar_approved': { digest: string };
  'dp.sar_approval_withdrawn': { because: string };
  'dp.sar_pack_made': { pack: Id; pdfSha256: string; items: number; redactions: number };
  'dp.sar_pack_downloaded': { request: Id; pack: Id; format: string; sha256: string };
  'dp.sar_disclosed': { pack: Id; method: string; sha256: string };
  // The other rights (issue 17): on the request, naming the record by id only.
  'dp.rights_viewed': { records: number; concerns: Id[] };
  'dp.statement_attached': { concern: Id };
  'dp.restriction_applied': { concern: Id };
  'dp.restriction_lifted': { concern: Id };
  'dp.erasure_decided': { decision: string };
  'dp.objection_decided': { decision: string };
  /** The data-protection pack generated from the live configuration (shown or downloaded). */
  'dp.pack_generated': { format: string; auditIntact: boolean };
  /** The school's subject-access policy changed (session 13): what it was and what it became. */
  'dp.settings_changed': { redactStaffNames: { from: boolean; to: boolean } };
  // Concerns about adults (issue 19): every read and change, never a name or the text.
  'staff_concerns.raised': { subjectKind: string; routedTo: string; withholdName: boolean };
  'staff_concerns.receipts_viewed': { count: number };
  'staff_concerns.listed': { count: number };
  'staff_concerns.viewed': None;
  'staff_concerns.triaged': { classification: string; ladoDueAt?: string; theme?: string };
  'staff_concerns.lado_contact_recorded': { contact: Id };
  'staff_concerns.outcome_recorded': { outcome: string; removed: boolean };
  'staff_concerns.copy_given': { givenOn: string };
  'staff_concerns.audit_viewed': { count: number };
  'staff_concerns.staff_listed': { count: number };
  'staff_concerns.settings_changed': Change;
  'staff_concerns.patterns_viewed': { count: number };
  // Issue 19, session 13: pupils linked, their markers read, alerts, the reference pack.
  'staff_concerns.pupil_linked': { pupil: Id };
  /** One entry per matter shown, against the matter, never the pupil (issue 19). */
  'staff_concerns.markers_viewed': { pupil: Id };
  'staff_concerns.alerted': { kind: string; recipients: Id[] };
  'staff_concerns.reference_pack_made': { count: number };
  // Finishing issue 19: the leaving date, the pupil picker, and retention acted on in the area.
  'staff_concerns.leaving_recorded': { leftOn: string };
  /** The pupils a case manager's look-up found to link (ids; never the words typed). */
  'staff_concerns.pupils_found': { results: Id[] };
  /** The nightly sweep put the matter before its case managers: its date has passed. */
  'staff_concerns.retention_due': { review: Id; kind: string; dueOn: string };
  'staff_concerns.retention_viewed': { reviews: Id[] };
  'staff_concerns.retention_kept': { review: Id; until: string };
  'staff_concerns.destruction_approved': { review: Id; complete: boolean };
  /** The matter is destroyed; its tombstone says when, by whom and under which rule. */
  'staff_concerns.destroyed': { review: Id; kind: string; approvers: Id[] };
  // Medical and care profiles (issue 21): every read and change, never the content.
  'medical.profile_viewed': { by: 'staff' | 'parent' };
  'medical.change_proposed': {
    by: 'staff' | 'parent';
    kind: string;
    entry: Id;
    removal: boolean;
  };
  'medical.change_confirmed': { by: 'staff' | 'parent'; entry: Id; current: boolean };
  'medical.change_declined': { by: 'staff' | 'parent'; entry: Id };
  /** A parent named a change or plan that is not their child's (another family's, or none). */
  'medical.change_refused': { by: 'parent'; entry: Id; reason: 'not_this_child' };
  'medical.plan_added': { by: 'staff' | 'parent'; expiresOn: string; replaces?: Id; bytes: number };
  'medical.plan_downloaded': { by: 'staff' | 'parent' };
  'medical.plan_reminder_sent': { dueOn: string; recipients: number };
  'medical.plan_reviewed': { dueOn: string; nextDueOn: string };
  'medical.reviews_listed': { count: number };
  // Trips and their offline emergency cards (issue 21).
  'trip.created': { starts: string; ends: string; leaders: number; pupils: number };
  'trip.edited': {
    changed: string[];
    starts: string;
    ends: string;
    leaders: number;
    pupils: number;
    consentForms: number;
    revokedBundles: number;
  };
  'trip.viewed': None;
  'trip.cards_downloaded': { trip: Id; pupils: number; expiresAt: string };
  'trip.card_key_released': { trip: Id };
  'trip.card_revoked': { trip: Id };
  /** A card opened on the device (logged offline, sent when back online): a view of the child's record. */
  'trip.card_viewed': { bundle: Id; viewedAt: string };
  /** Refused on the server (key request) or on the device (reported later): why. */
  'trip.card_refused': {
    bundle?: Id;
    reason: 'expired' | 'revoked' | 'no_second_factor' | 'not_leader' | 'wrong_pin' | 'locked';
    where: 'server' | 'device';
    at?: string;
  };
  // Issue 21: admission forms, the MIS write-back and consent forms (features/admissions, consents).
  'admissions.form_created': { intake: string; questions: number };
  'admissions.forms_listed': { count: number };
  'admissions.form_viewed': None;
  'admissions.form_sent': { pupils: Id[] };
  'admissions.parent_viewed': None;
  'admissions.parent_listed': { forms: number };
  'admissions.answers_saved': { fields: string[] };
  'admissions.submitted': { fields: string[] };
  'admissions.review_viewed': { conflicts: number; disagreements?: number; parents?: number };
  'admissions.field_decided': {
    field: string;
    decision: string;
    conflict: boolean;
    disagreement?: boolean;
    contact?: Id;
  };
  'admissions.refused': { attempt: string; code: string; field?: string };
  'mis_writeback.queued': { field: string; pupil: Id };
  'mis_writeback.queue_viewed': { count: number };
  'mis_writeback.row_exported': { field: string; pupil: Id; export: Id };
  'mis_writeback.exported': { rows: number; sha256: string };
  'consents.form_created': { version: number; sha256: string; pupils: number };
  'consents.version_published': { version: number; sha256: string };
  'consents.version_withdrawn': { version: number };
  'consents.pupils_added': { count: number };
  'consents.forms_listed': { count: number };
  'consents.form_viewed': { pupils: number; disagreements: number };
  'consents.parent_viewed': { count: number };
  'consents.answered': { version: number; answer: string; pupil: Id };
  'consents.refused': { attempt: string; code: string };
  'consents.reminded': { version: number; pupil: Id };
  // Parents and carers (issue 21): a parent's own events carry actor_id NULL, label "Parent: …".
  'parent.signed_in': { secondFactor: 'totp' | 'webauthn' | 'recovery_code' };
  'parent.sign_in_failed': { reason: string };
  'parent.sign_in_refused': { reason: 'locked' | 'throttled'; retryAfterSeconds: number };
  'parent.signed_out': None;
  'parent.session_ended': { reason: string; sessions?: number };
  'parent.second_factor_failed': {
    method: 'totp' | 'webauthn' | 'recovery_code';
    reason: string;
  };
  'parent.second_factor_added': { method: 'totp' | 'webauthn' };
  'parent.new_device': None;
  'parent.child_refused': None;
  'parent.invited': { pupil: Id; resent?: true };
  'parent.invitation_refused': { pupil: Id; reason: 'restricted' | 'no_email' | 'not_eligible' };
  'parent.invitation_link_refused': { reason: 'unknown' | 'expired' | 'used' | 'revoked' };
  'parent.date_of_birth_refused': { failures: number };
  'parent.invitation_accepted': { pupil: Id };
  'parent.invitation_reminded': { reminder: number };
  'parent.invitation_bounced': None;
  'parent.access_revoked': { reason: 'staff' | 'restricted'; sessionsEnded: number };
  'parent.second_factor_reset': {
    reason: FactorResetReason;
    sessionsEnded: number;
    authenticatorApp: boolean;
    passkeys: number;
  };
  'parent.recovery_codes_created': { why: 'first_factor' | 'regenerated' };
  'parent.invitations_viewed': { pupils: number };
  // Issue 20, the rest (session 11): a breach drafted from an unusual-access signal; the anchor
  // code emailed to the register's holders, the setting for it, and a code read back and checked;
  // the inspection pack on screen and exported.
  'audit.signal_breach_drafted': { signal: Id; rule: string };
  'audit.anchor_email_changed': Change;
  'audit.anchor_code_emailed': { seq: number; day: string; recipients: number };
  'audit.anchor_code_checked': { matches: boolean; day: string; seq: number };
  'reports.inspection_pack_viewed': InspectionPackRead;
  'reports.inspection_pack_exported': InspectionPackRead;
  // A trust's view (issue 20): trust members' sign-in (the platform's chain), the figures, the
  // school's sharing switch and the DSL team's grants (the school's chain).
  'trust.member_added': { role: 'trust_safeguarding_lead' | 'trust_executive' };
  'trust.member_disabled': { sessionsEnded: number };
  'trust.member_enabled': None;
  'trust.sign_in_failed': { reason: string };
  'trust.signed_in': None;
  'trust.signed_out': None;
  'trust.session_ended': { reason: string };
  'trust.second_factor_failed': { reason: string };
  'trust.second_factor_added': None;
  'trust.overview_viewed': { schools: number };
  'trust.school_figures_viewed': None;
  'trust.school_refused': { reason: 'not_sharing' | 'not_in_trust' };
  'trust.figures_computed': None;
  'trust.figures_refreshed': { schools: number };
  'trust.sharing_changed': { sharing: boolean };
  'trust.grants_listed': { grants: number };
  'trust.grant_made': { grant: Id; member: Id; scope: 'pupil' | 'school'; days: number };
  'trust.grant_revoked': { grant: Id };
  'trust.grant_refused': { reason: 'expired' | 'revoked' | 'other_pupil' };
  'trust.grant_pupils_listed': { pupils: number };
};

/** The inspection pack read: its range, seed and the sampled decisions (all, or one pupil's). */
type InspectionPackRead = {
  from: string;
  to: string;
  decisions: number;
  sample: string;
  decisionIds: string[];
};

export type AuditAction = keyof AuditDetails;

/** Every event name, for code that must enumerate them (the explorer's filter, tests). */
export const AUDIT_ACTIONS = Object.keys({
  'auth.sign_in': 1,
  'auth.sign_in_failed': 1,
  'auth.sign_in_refused': 1,
  'auth.sign_out': 1,
  'auth.session_ended': 1,
  'auth.password_accepted': 1,
  'auth.second_factor_failed': 1,
  'auth.elevated': 1,
  'auth.new_device': 1,
  'auth.signed_out_everywhere': 1,
  'auth.account_locked': 1,
  'auth.second_factor_added': 1,
  'auth.second_factor_removed': 1,
  'auth.recovery_codes_created': 1,
  'auth.password_changed': 1,
  'auth.password_reset_requested': 1,
  'auth.link_refused': 1,
  'user.invited': 1,
  'user.activated': 1,
  'user.disabled': 1,
  'user.reactivated': 1,
  'user.unlocked': 1,
  'user.second_factor_reset': 1,
  'user.groups_changed': 1,
  'group.created': 1,
  'group.updated': 1,
  'group.category_access_changed': 1,
  'access.requested': 1,
  'access.approved': 1,
  'access.declined': 1,
  'access.withdrawn': 1,
  'access.own_change_refused': 1,
  'school.policies_changed': 1,
  'school.created': 1,
  'user.created': 1,
  'pupil.searched': 1,
  'pupil.chronology_viewed': 1,
  'concern.created': 1,
  'concern.viewed': 1,
  'concern.listed': 1,
  'concern.edited': 1,
  'concern.versions_viewed': 1,
  'concern.triaged': 1,
  'attachment.uploaded': 1,
  'attachment.downloaded': 1,
  'alert.raised': 1,
  'alert.acknowledged': 1,
  'alert.escalated': 1,
  'action.created': 1,
  'action.completed': 1,
  'action.cancelled': 1,
  'action.reminded': 1,
  'action.listed': 1,
  'referral.created': 1,
  'referral.viewed': 1,
  'referral.listed': 1,
  'referral.updated': 1,
  'referral.followup_added': 1,
  'referral.overdue': 1,
  'referral_agency.created': 1,
  'referral_agency.updated': 1,
  'referral_agency.archived': 1,
  'referral_agency.restored': 1,
  'conversation.created': 1,
  'draft.saved': 1,
  'draft.opened': 1,
  'draft.discarded': 1,
  'case.opened': 1,
  'case.joined': 1,
  'case.viewed': 1,
  'case.closed': 1,
  'case.no_further_action': 1,
  'case.reopened': 1,
  'case.owner_changed': 1,
  'case.review_date_changed': 1,
  'chronology.exported': 1,
  'records.searched': 1,
  'search.reindexed': 1,
  'dashboard.viewed': 1,
  'category.created': 1,
  'category.updated': 1,
  'keys.rotated': 1,
  'mis.sync_applied': 1,
  'mis.sync_rejected': 1,
  'mis.sync_held': 1,
  'mis.held_viewed': 1,
  'mis.held_applied': 1,
  'mis.held_discarded': 1,
  'mis.settings_changed': 1,
  'mis.api_key_created': 1,
  'mis.api_key_revoked': 1,
  'mis.connector_changed': 1,
  'mis.runs_viewed': 1,
  'mis.override_set': 1,
  'mis.override_removed': 1,
  'mis.restriction_set': 1,
  'mis.restriction_removed': 1,
  'pupil.flag_set': 1,
  'pupil.flag_ended': 1,
  'pupil.profile_viewed': 1,
  'retention.rule_changed': 1,
  'retention.holds_viewed': 1,
  'retention.hold_placed': 1,
  'retention.hold_lifted': 1,
  'retention.refused': 1,
  'retention.queued': 1,
  'retention.queue_viewed': 1,
  'retention.review_kept': 1,
  'retention.review_held': 1,
  'retention.destruction_approved': 1,
  'retention.destroyed': 1,
  'retention.certificates_viewed': 1,
  'retention.certificate_downloaded': 1,
  'audit.pupil_log_viewed': 1,
  'audit.trail_viewed': 1,
  'audit.trail_exported': 1,
  'audit.integrity_checked': 1,
  'audit.unusual_access': 1,
  'audit.rules_changed': 1,
  'audit.signals_viewed': 1,
  'reports.viewed': 1,
  'reports.exported': 1,
  'reports.pack_prepared': 1,
  'reports.pack_viewed': 1,
  'reports.pack_released': 1,
  'reports.pack_downloaded': 1,
  'patterns.viewed': 1,
  'patterns.rules_changed': 1,
  'patterns.signalled': 1,
  'patterns.rising_viewed': 1,
  'calendar.term_added': 1,
  'calendar.term_removed': 1,
  'calendar.closed_day_added': 1,
  'calendar.closed_day_removed': 1,
  'transfer.opened': 1,
  'transfer.destination_set': 1,
  'transfer.domain_confirmed': 1,
  'transfer.clock_rule_set': 1,
  'transfer.file_previewed': 1,
  'transfer.sent': 1,
  'transfer.sent_again': 1,
  'transfer.failed': 1,
  'transfer.revoked': 1,
  'transfer.viewed': 1,
  'transfer.accepted': 1,
  'transfer.rejected': 1,
  'transfer.received': 1,
  'transfer.revoked_by_sender': 1,
  'transfer.file_opened': 1,
  'transfer.receipt_given': 1,
  'transfer.file_rejected': 1,
  'transfer.previous_school_viewed': 1,
  'transfer.reminded': 1,
  'transfer.closed': 1,
  'transfer.receipt_printed': 1,
  'transfer.link_sent': 1,
  'transfer.link_refused': 1,
  'transfer.link_code_sent': 1,
  'transfer.link_code_refused': 1,
  'transfer.link_opened': 1,
  'transfer.link_viewed': 1,
  'transfer.link_downloaded': 1,
  'transfer.link_receipt_given': 1,
  'transfer.link_settings_set': 1,
  'transfer.kept': 1,
  'transfer.kept_copy_opened': 1,
  'transfer.kept_copy_expired': 1,
  'transfer.kept_copy_review_due': 1,
  'school.urn_set': 1,
  'school.exported': 1,
  'school.export_confirmed': 1,
  'school.export_confirm_refused': 1,
  'school.delete_refused': 1,
  'school.deletion_scheduled': 1,
  'school.export_requested': 1,
  'school.export_ready': 1,
  'school.export_downloaded': 1,
  'school.export_download_refused': 1,
  'school.export_expired': 1,
  'dp.requests_viewed': 1,
  'dp.request_viewed': 1,
  'dp.request_recorded': 1,
  'dp.request_dates_changed': 1,
  'dp.request_extended': 1,
  'dp.child_voice_recorded': 1,
  'dp.dsl_reviewed': 1,
  'dp.request_closed': 1,
  'dp.request_due_alerted': 1,
  'dp.refused': 1,
  'dp.breaches_viewed': 1,
  'dp.breach_viewed': 1,
  'dp.breach_recorded': 1,
  'dp.breach_drafted': 1,
  'dp.operator_incident_notified': 1,
  'operator.incident_checked': 1,
  'operator.incident_recorded': 1,
  'dp.breach_changed': 1,
  'dp.breach_ico_update': 1,
  'dp.breach_closed': 1,
  'dp.complaints_viewed': 1,
  'dp.complaint_received': 1,
  'dp.complaint_refused': 1,
  'dp.complaint_acknowledged': 1,
  'dp.complaint_answered': 1,
  'dp.sar_gathered': 1,
  'dp.sar_workbench_viewed': 1,
  'dp.sar_item_decided': 1,
  'dp.sar_redacted': 1,
  'dp.sar_redaction_removed': 1,
  'dp.sar_ready': 1,
  'dp.sar_approved': 1,
  'dp.sar_approval_withdrawn': 1,
  'dp.sar_pack_made': 1,
  'dp.sar_pack_downloaded': 1,
  'dp.sar_disclosed': 1,
  'dp.rights_viewed': 1,
  'dp.statement_attached': 1,
  'dp.restriction_applied': 1,
  'dp.restriction_lifted': 1,
  'dp.erasure_decided': 1,
  'dp.objection_decided': 1,
  'dp.pack_generated': 1,
  'dp.settings_changed': 1,
  'staff_concerns.raised': 1,
  'staff_concerns.receipts_viewed': 1,
  'staff_concerns.listed': 1,
  'staff_concerns.viewed': 1,
  'staff_concerns.triaged': 1,
  'staff_concerns.lado_contact_recorded': 1,
  'staff_concerns.outcome_recorded': 1,
  'staff_concerns.copy_given': 1,
  'staff_concerns.audit_viewed': 1,
  'staff_concerns.staff_listed': 1,
  'staff_concerns.settings_changed': 1,
  'staff_concerns.patterns_viewed': 1,
  'staff_concerns.pupil_linked': 1,
  'staff_concerns.markers_viewed': 1,
  'staff_concerns.alerted': 1,
  'staff_concerns.reference_pack_made': 1,
  'staff_concerns.leaving_recorded': 1,
  'staff_concerns.pupils_found': 1,
  'staff_concerns.retention_due': 1,
  'staff_concerns.retention_viewed': 1,
  'staff_concerns.retention_kept': 1,
  'staff_concerns.destruction_approved': 1,
  'staff_concerns.destroyed': 1,
  'medical.profile_viewed': 1,
  'medical.change_proposed': 1,
  'medical.change_confirmed': 1,
  'medical.change_declined': 1,
  'medical.change_refused': 1,
  'medical.plan_added': 1,
  'medical.plan_downloaded': 1,
  'medical.plan_reminder_sent': 1,
  'medical.plan_reviewed': 1,
  'medical.reviews_listed': 1,
  'trip.created': 1,
  'trip.edited': 1,
  'trip.viewed': 1,
  'trip.cards_downloaded': 1,
  'trip.card_key_released': 1,
  'trip.card_revoked': 1,
  'trip.card_viewed': 1,
  'trip.card_refused': 1,
  'admissions.form_created': 1,
  'admissions.forms_listed': 1,
  'admissions.form_viewed': 1,
  'admissions.form_sent': 1,
  'admissions.parent_viewed': 1,
  'admissions.parent_listed': 1,
  'admissions.answers_saved': 1,
  'admissions.submitted': 1,
  'admissions.review_viewed': 1,
  'admissions.field_decided': 1,
  'admissions.refused': 1,
  'mis_writeback.queued': 1,
  'mis_writeback.queue_viewed': 1,
  'mis_writeback.row_exported': 1,
  'mis_writeback.exported': 1,
  'consents.form_created': 1,
  'consents.version_published': 1,
  'consents.version_withdrawn': 1,
  'consents.pupils_added': 1,
  'consents.forms_listed': 1,
  'consents.form_viewed': 1,
  'consents.parent_viewed': 1,
  'consents.answered': 1,
  'consents.refused': 1,
  'consents.reminded': 1,
  'parent.signed_in': 1,
  'parent.sign_in_failed': 1,
  'parent.sign_in_refused': 1,
  'parent.signed_out': 1,
  'parent.session_ended': 1,
  'parent.second_factor_failed': 1,
  'parent.second_factor_added': 1,
  'parent.new_device': 1,
  'parent.child_refused': 1,
  'parent.invited': 1,
  'parent.invitation_refused': 1,
  'parent.invitation_link_refused': 1,
  'parent.date_of_birth_refused': 1,
  'parent.invitation_accepted': 1,
  'parent.invitation_reminded': 1,
  'parent.invitation_bounced': 1,
  'parent.access_revoked': 1,
  'parent.second_factor_reset': 1,
  'parent.invitations_viewed': 1,
  'audit.signal_breach_drafted': 1,
  'audit.anchor_email_changed': 1,
  'audit.anchor_code_emailed': 1,
  'audit.anchor_code_checked': 1,
  'reports.inspection_pack_viewed': 1,
  'reports.inspection_pack_exported': 1,
  'trust.member_added': 1,
  'trust.member_disabled': 1,
  'trust.member_enabled': 1,
  'trust.sign_in_failed': 1,
  'trust.signed_in': 1,
  'trust.signed_out': 1,
  'trust.session_ended': 1,
  'trust.second_factor_failed': 1,
  'trust.second_factor_added': 1,
  'trust.overview_viewed': 1,
  'trust.school_figures_viewed': 1,
  'trust.school_refused': 1,
  'trust.figures_computed': 1,
  'trust.figures_refreshed': 1,
  'trust.sharing_changed': 1,
  'trust.grants_listed': 1,
  'trust.grant_made': 1,
  'trust.grant_revoked': 1,
  'trust.grant_refused': 1,
  'trust.grant_pupils_listed': 1,
  'parent.recovery_codes_created': 1,
} satisfies Record<AuditAction, 1>) as AuditAction[];

/**
 * One event: its name, what it is about, and details of the type the catalogue gives it. Events
 * without details may leave them out; every other event must give them.
 */
export type AuditEvent = {
  [A in AuditAction]: {
    action: A;
    targetType?: string;
    targetId?: string;
  } & (None extends AuditDetails[A] ? { details?: AuditDetails[A] } : { details: AuditDetails[A] });
}[AuditAction];

/** Who and from where: taken from the request by the request context. */
export type AuditActor = {
  actorId: string | null;
  actorLabel: string;
  ip: string | null;
  userAgent: string | null;
  /**
   * A trust member writing in a school's chain (issue 20, core/trust-context.ts): actorId stays
   * NULL and appendAuditEntries adds their id to every entry's details as `trustMember`.
   */
  trustMemberId?: string;
};
