-- 0062 Staff reset a parent's second factor (issue 21, finishing): the parent's authenticator app
-- is deleted (not merely unconfirmed, so the old secret can never complete a new enrolment) and
-- their passkeys removed; the next sign-in must set up a new factor. Never edit this file once
-- landed.
GRANT DELETE ON parent_totp TO lantern_app;
