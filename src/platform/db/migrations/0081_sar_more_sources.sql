-- 0081 Subject access (issue 17), gathering the rest: the items of a request may now come from a
-- pupil's flags, SEN needs and provision, attendance (a summary per term), medical and care
-- profile entries and plans, transfer files received, contact restrictions, consent answers,
-- admission form answers and trips; and, for a requester who is one of the school's contacts,
-- their own contact details, admission answers and consent answers (found as 'requester'). The
-- audit entries about the subject's records are now one item per subject (its source id is the
-- pupil's id) rather than one per entry; items gathered before keep their old form.
-- Never edit this file once landed.
ALTER TABLE dp_request_items DROP CONSTRAINT dp_request_items_source_check;
ALTER TABLE dp_request_items ADD CONSTRAINT dp_request_items_source_check
  CHECK (source IN ('concern', 'action', 'referral', 'conversation', 'case_event', 'mis_event',
    'mis_record', 'contacts', 'alert', 'audit', 'attachment', 'flag', 'sen', 'attendance',
    'medical', 'medical_plan', 'transfer_received', 'contact_restriction', 'consent',
    'admission', 'trip', 'contact_details'));
ALTER TABLE dp_request_items DROP CONSTRAINT dp_request_items_found_as_check;
ALTER TABLE dp_request_items ADD CONSTRAINT dp_request_items_found_as_check
  CHECK (found_as IN ('pupil', 'linked_pupil', 'contact', 'named', 'mis', 'alert', 'audit',
    'attachment', 'requester'));

-- The DPO's default group says what it needs for subject access: the DSL team, to work the
-- safeguarding items (held back from anyone outside it). A description a school has changed is
-- left as the school wrote it.
DO $$
DECLARE s uuid;
BEGIN
  FOR s IN SELECT id FROM schools LOOP
    PERFORM set_config('lantern.school_id', s::text, true);
    UPDATE staff_groups SET description = 'The retention schedule, legal holds, the review queue and certificates, the data-protection register and the audit trail; no records. To work the safeguarding items of a subject-access request, a DPO must also be in the DSL team.'
      WHERE school_id = s AND key = 'dpo'
        AND description = 'The retention schedule, legal holds, the review queue and certificates, the data-protection register and the audit trail; no records.';
  END LOOP;
  PERFORM set_config('lantern.school_id', '', true);
END
$$;
