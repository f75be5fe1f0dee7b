// Dates as people in English schools read them, in the browser's own time zone.
const when = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

export function formatWhen(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : when.format(d);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The value a datetime-local input wants for a moment, in local time, to the minute. */
export function toLocalInput(d: Date): string {
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}`
  );
}

const ROLE_LABELS: Record<string, string> = {
  subject: 'Subject of concern',
  victim: 'Victim',
  alleged_perpetrator: 'Alleged perpetrator',
  witness: 'Witness',
  other: 'Other',
};

export function roleLabel(role: string): string {
  return ROLE_LABELS[role] ?? role.replace(/_/g, ' ');
}

export function statusLabel(status: string): string {
  const s = status.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}
