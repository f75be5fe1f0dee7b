// The strength meter under a new-password field: zxcvbn's score in words and its warning, as the
// password is typed. Its dictionaries are large, so they load only when a password is typed.
// The school's policy is still the server's to enforce; this only helps choose.
import { useEffect, useState } from 'react';

type Strength = { score: number; warning: string | null };
const WORDS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'];

function useStrength(password: string): Strength | null {
  const [result, setResult] = useState<{ of: string; strength: Strength } | null>(null);
  useEffect(() => {
    if (!password) return;
    let live = true;
    void import('../../../../src/shared/password-strength.ts').then((m) => {
      if (live) setResult({ of: password, strength: m.passwordStrength(password) });
    });
    return () => {
      live = false;
    };
  }, [password]);
  return password && result?.of === password ? result.strength : null;
}

export function PasswordStrength({ password, id }: { password: string; id?: string }) {
  const strength = useStrength(password);
  return (
    <p className="muted" role="status" aria-live="polite" {...(id ? { id } : {})}>
      {strength
        ? `Strength: ${WORDS[strength.score] ?? ''}${strength.warning ? `. ${strength.warning}` : ''}`
        : 'At least 12 characters with letters, digits and a symbol, unless your school has set otherwise.'}
    </p>
  );
}
