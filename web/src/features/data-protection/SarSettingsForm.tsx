// The school's subject-access policy on the data-protection page (issue 17): whether staff names
// are redacted in responses. Saved by the server, which audits the change; a refusal is shown and
// the choice made is kept.
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useSubmit } from '../../lib/useSubmit.ts';
import { Form, FormError, FormStatus } from '../../ui/Form.tsx';
import { Checkbox } from '../../ui/Field.tsx';
import { SubmitButton } from '../../ui/Button.tsx';
import type { SarSettings } from '../../../../src/shared/schemas/subject-access.ts';

export function SarSettingsForm() {
  const url = '/api/data-protection/settings';
  const loaded = useLoad<SarSettings>(url);
  const [redact, setRedact] = useState<boolean | null>(null);
  const submit = useSubmit();
  // What the person chose stands until saved; until they choose, what the school has.
  const value = redact ?? (loaded.status === 'ok' ? loaded.data.redactStaffNames : false);
  if (loaded.status === 'loading') return <p role="status">Loading the settings…</p>;
  if (loaded.status === 'error') return <p role="alert">The settings could not be loaded.</p>;
  return (
    <section className="card stack-tight" aria-labelledby="sar-settings">
      <h2 id="sar-settings">Subject-access settings</h2>
      <Form
        submit={submit}
        onSubmit={async () => {
          await api<SarSettings>('PUT', url, { redactStaffNames: value });
          void loaded.reload();
          return 'Saved.';
        }}
        className="stack-tight"
        aria-label="Subject-access settings"
      >
        <Checkbox
          name="redactStaffNames"
          checked={value}
          onChange={setRedact}
          hint="Staff names are then suggested for redaction, and each record's author is printed as “A member of staff”."
        >
          Redact staff names in subject-access responses
        </Checkbox>
        <FormError />
        <FormStatus />
        <div className="actions">
          <SubmitButton variant="secondary">Save settings</SubmitButton>
        </div>
      </Form>
    </section>
  );
}
