-- 0076 A child-protection file arriving from another school on this Lantern alerts the receiving
-- school's DSL team on their dashboards (issue 18), as well as by the alert email that says only
-- that there is something to look at. Never edit this file once landed.
INSERT INTO alert_kinds (kind) VALUES ('transfer_received') ON CONFLICT DO NOTHING;
INSERT INTO alert_target_types (target_type) VALUES ('transfer_inbox') ON CONFLICT DO NOTHING;
