-- 0009 Foreign keys between a school's own tables carry the school (issue 11). A foreign key is
-- checked past row-level security, so a single-column key let a request name another school's
-- row (a concern, a pupil, a case…) and be told by the answer that it exists. Each key from one
-- tenant table to another now runs over (school_id, id): a row can only point at a row of its
-- own school, whatever the application checks first. Keys to users (32) are left for a later
-- migration. Never edit this file once landed.

-- The (school_id, id) key each referenced table needs.
ALTER TABLE attachments ADD CONSTRAINT attachments_school_id_id_key UNIQUE (school_id, id);
ALTER TABLE cases ADD CONSTRAINT cases_school_id_id_key UNIQUE (school_id, id);
ALTER TABLE categories ADD CONSTRAINT categories_school_id_id_key UNIQUE (school_id, id);
ALTER TABLE concerns ADD CONSTRAINT concerns_school_id_id_key UNIQUE (school_id, id);
ALTER TABLE contacts ADD CONSTRAINT contacts_school_id_id_key UNIQUE (school_id, id);
ALTER TABLE mis_groups ADD CONSTRAINT mis_groups_school_id_id_key UNIQUE (school_id, id);
ALTER TABLE mis_sync_runs ADD CONSTRAINT mis_sync_runs_school_id_id_key UNIQUE (school_id, id);
ALTER TABLE pupils ADD CONSTRAINT pupils_school_id_id_key UNIQUE (school_id, id);
ALTER TABLE referral_agencies ADD CONSTRAINT referral_agencies_school_id_id_key UNIQUE (school_id, id);
ALTER TABLE referrals ADD CONSTRAINT referrals_school_id_id_key UNIQUE (school_id, id);
ALTER TABLE staff_groups ADD CONSTRAINT staff_groups_school_id_id_key UNIQUE (school_id, id);

-- Each key between tenant tables (38), same name, now over the school too.
ALTER TABLE attachment_blobs DROP CONSTRAINT attachment_blobs_attachment_id_fkey,
  ADD CONSTRAINT attachment_blobs_attachment_id_fkey FOREIGN KEY (school_id, attachment_id) REFERENCES attachments (school_id, id);
ALTER TABLE actions DROP CONSTRAINT actions_case_id_fkey,
  ADD CONSTRAINT actions_case_id_fkey FOREIGN KEY (school_id, case_id) REFERENCES cases (school_id, id);
ALTER TABLE case_events DROP CONSTRAINT case_events_case_id_fkey,
  ADD CONSTRAINT case_events_case_id_fkey FOREIGN KEY (school_id, case_id) REFERENCES cases (school_id, id);
ALTER TABLE concerns DROP CONSTRAINT concerns_case_id_fkey,
  ADD CONSTRAINT concerns_case_id_fkey FOREIGN KEY (school_id, case_id) REFERENCES cases (school_id, id);
ALTER TABLE conversations DROP CONSTRAINT conversations_case_id_fkey,
  ADD CONSTRAINT conversations_case_id_fkey FOREIGN KEY (school_id, case_id) REFERENCES cases (school_id, id);
ALTER TABLE referrals DROP CONSTRAINT referrals_case_id_fkey,
  ADD CONSTRAINT referrals_case_id_fkey FOREIGN KEY (school_id, case_id) REFERENCES cases (school_id, id);
ALTER TABLE categories DROP CONSTRAINT categories_parent_id_fkey,
  ADD CONSTRAINT categories_parent_id_fkey FOREIGN KEY (school_id, parent_id) REFERENCES categories (school_id, id);
ALTER TABLE concern_categories DROP CONSTRAINT concern_categories_category_id_fkey,
  ADD CONSTRAINT concern_categories_category_id_fkey FOREIGN KEY (school_id, category_id) REFERENCES categories (school_id, id);
ALTER TABLE group_category_access DROP CONSTRAINT group_category_access_category_id_fkey,
  ADD CONSTRAINT group_category_access_category_id_fkey FOREIGN KEY (school_id, category_id) REFERENCES categories (school_id, id);
ALTER TABLE actions DROP CONSTRAINT actions_concern_id_fkey,
  ADD CONSTRAINT actions_concern_id_fkey FOREIGN KEY (school_id, concern_id) REFERENCES concerns (school_id, id);
ALTER TABLE attachments DROP CONSTRAINT attachments_concern_id_fkey,
  ADD CONSTRAINT attachments_concern_id_fkey FOREIGN KEY (school_id, concern_id) REFERENCES concerns (school_id, id);
ALTER TABLE case_events DROP CONSTRAINT case_events_concern_id_fkey,
  ADD CONSTRAINT case_events_concern_id_fkey FOREIGN KEY (school_id, concern_id) REFERENCES concerns (school_id, id);
ALTER TABLE concern_categories DROP CONSTRAINT concern_categories_concern_id_fkey,
  ADD CONSTRAINT concern_categories_concern_id_fkey FOREIGN KEY (school_id, concern_id) REFERENCES concerns (school_id, id);
ALTER TABLE concern_pupils DROP CONSTRAINT concern_pupils_concern_id_fkey,
  ADD CONSTRAINT concern_pupils_concern_id_fkey FOREIGN KEY (school_id, concern_id) REFERENCES concerns (school_id, id);
ALTER TABLE concern_versions DROP CONSTRAINT concern_versions_concern_id_fkey,
  ADD CONSTRAINT concern_versions_concern_id_fkey FOREIGN KEY (school_id, concern_id) REFERENCES concerns (school_id, id);
ALTER TABLE conversations DROP CONSTRAINT conversations_concern_id_fkey,
  ADD CONSTRAINT conversations_concern_id_fkey FOREIGN KEY (school_id, concern_id) REFERENCES concerns (school_id, id);
ALTER TABLE referrals DROP CONSTRAINT referrals_concern_id_fkey,
  ADD CONSTRAINT referrals_concern_id_fkey FOREIGN KEY (school_id, concern_id) REFERENCES concerns (school_id, id);
ALTER TABLE contact_restrictions DROP CONSTRAINT contact_restrictions_contact_id_fkey,
  ADD CONSTRAINT contact_restrictions_contact_id_fkey FOREIGN KEY (school_id, contact_id) REFERENCES contacts (school_id, id);
ALTER TABLE pupil_contacts DROP CONSTRAINT pupil_contacts_contact_id_fkey,
  ADD CONSTRAINT pupil_contacts_contact_id_fkey FOREIGN KEY (school_id, contact_id) REFERENCES contacts (school_id, id);
ALTER TABLE mis_group_members DROP CONSTRAINT mis_group_members_group_id_fkey,
  ADD CONSTRAINT mis_group_members_group_id_fkey FOREIGN KEY (school_id, group_id) REFERENCES mis_groups (school_id, id);
ALTER TABLE pupil_events DROP CONSTRAINT pupil_events_run_id_fkey,
  ADD CONSTRAINT pupil_events_run_id_fkey FOREIGN KEY (school_id, run_id) REFERENCES mis_sync_runs (school_id, id);
ALTER TABLE actions DROP CONSTRAINT actions_pupil_id_fkey,
  ADD CONSTRAINT actions_pupil_id_fkey FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id);
ALTER TABLE attendance_marks DROP CONSTRAINT attendance_marks_pupil_id_fkey,
  ADD CONSTRAINT attendance_marks_pupil_id_fkey FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id);
ALTER TABLE cases DROP CONSTRAINT cases_pupil_id_fkey,
  ADD CONSTRAINT cases_pupil_id_fkey FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id);
ALTER TABLE concern_pupils DROP CONSTRAINT concern_pupils_pupil_id_fkey,
  ADD CONSTRAINT concern_pupils_pupil_id_fkey FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id);
ALTER TABLE contact_restrictions DROP CONSTRAINT contact_restrictions_pupil_id_fkey,
  ADD CONSTRAINT contact_restrictions_pupil_id_fkey FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id);
ALTER TABLE conversations DROP CONSTRAINT conversations_pupil_id_fkey,
  ADD CONSTRAINT conversations_pupil_id_fkey FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id);
ALTER TABLE mis_overrides DROP CONSTRAINT mis_overrides_pupil_id_fkey,
  ADD CONSTRAINT mis_overrides_pupil_id_fkey FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id);
ALTER TABLE pupil_contacts DROP CONSTRAINT pupil_contacts_pupil_id_fkey,
  ADD CONSTRAINT pupil_contacts_pupil_id_fkey FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id);
ALTER TABLE pupil_events DROP CONSTRAINT pupil_events_pupil_id_fkey,
  ADD CONSTRAINT pupil_events_pupil_id_fkey FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id);
ALTER TABLE pupil_flags DROP CONSTRAINT pupil_flags_pupil_id_fkey,
  ADD CONSTRAINT pupil_flags_pupil_id_fkey FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id);
ALTER TABLE pupil_sen_needs DROP CONSTRAINT pupil_sen_needs_pupil_id_fkey,
  ADD CONSTRAINT pupil_sen_needs_pupil_id_fkey FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id);
ALTER TABLE pupil_sen_provisions DROP CONSTRAINT pupil_sen_provisions_pupil_id_fkey,
  ADD CONSTRAINT pupil_sen_provisions_pupil_id_fkey FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id);
ALTER TABLE referrals DROP CONSTRAINT referrals_pupil_id_fkey,
  ADD CONSTRAINT referrals_pupil_id_fkey FOREIGN KEY (school_id, pupil_id) REFERENCES pupils (school_id, id);
ALTER TABLE referrals DROP CONSTRAINT referrals_agency_id_fkey,
  ADD CONSTRAINT referrals_agency_id_fkey FOREIGN KEY (school_id, agency_id) REFERENCES referral_agencies (school_id, id);
ALTER TABLE referral_followups DROP CONSTRAINT referral_followups_referral_id_fkey,
  ADD CONSTRAINT referral_followups_referral_id_fkey FOREIGN KEY (school_id, referral_id) REFERENCES referrals (school_id, id);
ALTER TABLE group_category_access DROP CONSTRAINT group_category_access_group_id_fkey,
  ADD CONSTRAINT group_category_access_group_id_fkey FOREIGN KEY (school_id, group_id) REFERENCES staff_groups (school_id, id);
ALTER TABLE staff_group_members DROP CONSTRAINT staff_group_members_group_id_fkey,
  ADD CONSTRAINT staff_group_members_group_id_fkey FOREIGN KEY (school_id, group_id) REFERENCES staff_groups (school_id, id);
