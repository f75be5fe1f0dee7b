// Every column Lantern seals (AES-256-GCM under the school's data key), in one typed list. The
// sealer accepts only these names, so sealing a column not declared here does not compile, and the
// at-rest test reads this list to prove each one holds ciphertext. The name is also bound into
// each ciphertext's additional data (school:column:row), so a sealed value copied to another
// column or row does not open. To change safely: add a column here in the same change as its
// migration; never rename one (old ciphertexts would stop opening).
export const SEALED_COLUMNS = {
  'concerns.body': 'text',
  'concerns.location': 'text',
  'concerns.body_map': 'json',
  'concern_versions.body': 'text',
  'concern_versions.location': 'text',
  'concern_versions.reason': 'text',
  'concern_versions.body_map': 'json',
  // A triage decision's written reason (issue 14, migration 0021).
  'concern_triage.reason': 'text',
  'attachments.name': 'text',
  'attachment_blobs.content': 'text',
  'actions.text': 'text',
  'actions.outcome': 'text',
  'referrals.contact': 'text',
  'referrals.reference': 'text',
  'referrals.details': 'text',
  'referral_followups.note': 'text',
  'cases.outcome': 'text',
  'cases.rationale': 'text',
  'case_events.outcome': 'text',
  'case_events.rationale': 'text',
  'conversations.text': 'text',
  'contact_restrictions.note': 'text',
  'mis_connectors.token': 'text',
  'totp_credentials.secret': 'text',
  // A parent's authenticator-app secret (issue 21, migration 0047), bound to the parent's id.
  'parent_totp.secret': 'text',
  // The MIS's special-category and contact fields (issue 11, finding 9; migration 0011). The FSM,
  // pupil premium, EAL and gifted booleans stay in clear: not special-category data. (The flags
  // themselves, pupil_flags, carry their kind sealed since migration 0022: see below.)
  'pupils.religion_code': 'text',
  'pupils.religion': 'text',
  'pupils.ethnicity_code': 'text',
  'pupils.ethnicity': 'text',
  'pupils.first_language_code': 'text',
  'pupils.first_language': 'text',
  'pupils.sen_status': 'text',
  'pupils.address': 'json',
  'pupils.photo': 'json',
  'pupil_sen_needs.code': 'text',
  'pupil_sen_needs.description': 'text',
  'pupil_sen_provisions.code': 'text',
  'pupil_sen_provisions.description': 'text',
  'contacts.addresses': 'json',
  'contacts.phones': 'json',
  'contacts.emails': 'json',
  // A held MIS run's feed, kept until an administrator applies or discards it (migration 0019).
  'mis_sync_runs.held_feed': 'json',
  // A pupil's vulnerability flag's kind ("child in need", "looked after"...), stored in
  // pupil_flags.kind_sealed (migration 0022); its dates stay in clear.
  'pupil_flags.kind': 'text',
  // A legal hold's reason and the reason it was lifted: they may name people (migration 0020).
  'retention_holds.reason': 'text',
  'retention_holds.lift_reason': 'text',
  // Why a record is kept past its date (migration 0023).
  'retention_reviews.keep_reason': 'text',
  // What a member is still writing in a long form, kept while they type (migration 0033).
  'drafts.fields': 'json',
  // Child-protection file transfers (issue 18, migration 0039): the manifest and withheld items'
  // reasons as sent, the receipt (name and role), a rejection's reason, and the received file.
  'transfers.withheld': 'json',
  'transfers.manifest': 'json',
  'transfers.receipt': 'json',
  'transfers.rejected_reason': 'text',
  'transfer_inbox.file': 'json',
  'transfer_inbox.receipt': 'json',
  'transfer_inbox.rejected_reason': 'text',
  // The data-protection register (issue 17, migrations 0035–0037): they name people.
  'dp_requests.requester': 'text',
  'dp_requests.parental_responsibility': 'text',
  'dp_requests.extension_reason': 'text',
  'dp_requests.extension_notice': 'text',
  'dp_requests.competence': 'text',
  'dp_requests.child_views': 'text',
  'dp_requests.outcome': 'text',
  // Who a subject-access response went to (migration 0077).
  'dp_disclosures.recipient': 'text',
  // A subject-access pack's files as made (migration 0077), base64 as the vault keeps a file.
  'dp_request_packs.pdf_file': 'text',
  'dp_request_packs.json_file': 'text',
  'dp_request_packs.csv_file': 'text',
  'dp_breaches.how_aware': 'text',
  'dp_breaches.data_description': 'text',
  'dp_breaches.containment': 'text',
  'dp_breaches.risk_assessment': 'text',
  'dp_breaches.ico_reasons': 'text',
  'dp_breaches.people_reasons': 'text',
  'dp_breaches.late_reason': 'text',
  'dp_breaches.lessons': 'text',
  'dp_breach_updates.summary': 'text',
  'dp_complaints.complainant': 'text',
  'dp_complaints.contact': 'text',
  'dp_complaints.details': 'text',
  // The other rights (issue 17, migration 0080): the subject's statement, a decision's reasoning.
  'dp_record_statements.statement': 'text',
  'dp_decisions.reasoning': 'text',
  'dp_complaints.response': 'text',
  // Concerns about adults (issue 19, migration 0041): who it is about when not on the staff list,
  // their agency, what happened, the triage rationale, and the LADO contact's record.
  'staff_concerns.subject_name': 'text',
  'staff_concerns.agency_name': 'text',
  'staff_concerns.what_happened': 'text',
  'staff_concerns.rationale': 'text',
  'staff_concern_lado_contacts.officer': 'text',
  'staff_concern_lado_contacts.advice': 'text',
  'staff_concern_lado_contacts.reference': 'text',
  'staff_concern_lado_contacts.suspension': 'text',
  // Why a case manager kept a matter past its retention date (migration 0086).
  'staff_concern_reviews.keep_reason': 'text',
  'transfers.closed_reason': 'text',
  // A link to a school on no Lantern (migration 0090): the recipient's address and the file as sent.
  'transfer_links.email': 'text',
  'transfer_links.file': 'json',
  // What the sender keeps once the file is accepted (migration 0093), and why each opening.
  'transfers.sent_file': 'json',
  'transfer_copy_openings.reason': 'text',
  // Medical and care profiles (issue 21, migration 0054): each entry's content (condition, risk
  // level, medication, dose, allergy, dietary need) and each plan's title, file name and document.
  'medical_entries.content': 'json',
  'medical_plans.title': 'text',
  'medical_plans.file_name': 'text',
  'medical_plans.content': 'text',
  // The key a trip's offline emergency cards are encrypted under (migration 0055).
  'trip_card_bundles.bundle_key': 'text',
  // Admission forms (issue 21, migration 0050): what the MIS held when a form was sent, the
  // parent's answers (ethnicity, religion, medical, dietary, contacts), a rejection's internal
  // reason, and the value waiting to go back to the MIS.
  'admission_requests.mis_snapshot': 'json',
  // Retired by migration 0060 (written by nothing now): kept so its step could open old values.
  'admission_requests.answers': 'json',
  // Each parent's own answers (migration 0060), bound to "<request>:<contact>".
  'admission_responses.answers': 'json',
  'admission_decisions.reason': 'text',
  'mis_writeback_rows.value': 'json',
  // Consent forms (issue 21, migration 0051): a parent's note with an answer.
  'consent_answers.note': 'text',
  // A school's grant of record access to a trust member (issue 20, migration 0065): its reason.
  'trust_grants.reason': 'text',
} as const satisfies Record<string, 'text' | 'json'>;

export type SealedColumn = keyof typeof SEALED_COLUMNS;
/** The columns that hold a sealed JSON value (sealJson / openJson). */
export type SealedJsonColumn = {
  [C in SealedColumn]: (typeof SEALED_COLUMNS)[C] extends 'json' ? C : never;
}[SealedColumn];
/** The columns that hold sealed text (seal / open). */
export type SealedTextColumn = Exclude<SealedColumn, SealedJsonColumn>;
