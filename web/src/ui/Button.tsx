// Buttons. `Button` is React Aria's (presses from mouse, touch and keyboard alike) in the house
// styles; `SubmitButton` submits the form around it and shows the form's work running: it stays
// focusable (the focus is not thrown to the page as a disabled button would) and is marked
// unavailable (aria-disabled), and a second press does nothing until the work is done (the
// submit state ignores it). React Aria's own `isPending` is not used: it announces through a live
// region that names the button by id, which dangles once the work has moved to another page.
import type { ReactNode, Ref } from 'react';
import { Button as AriaButton } from 'react-aria-components';
import { useFormState } from './Form.tsx';

export type ButtonVariant = 'primary' | 'secondary' | 'quiet';

const CLASS: Record<ButtonVariant, string> = {
  primary: 'button button-primary',
  secondary: 'button',
  quiet: 'button button-quiet',
};

type ButtonProps = {
  variant?: ButtonVariant;
  /** The dashboard's one big call to action. */
  large?: boolean;
  /** Replaces the house style (a chip's remove cross). */
  className?: string;
  onPress?: () => void;
  isDisabled?: boolean;
  /** The work this button started is running. */
  isPending?: boolean;
  autoFocus?: boolean;
  id?: string;
  'aria-label'?: string;
  'aria-describedby'?: string;
  'aria-keyshortcuts'?: string;
  type?: 'button' | 'submit';
  ref?: Ref<HTMLButtonElement>;
  children: ReactNode;
};

export function Button({
  variant = 'secondary',
  large,
  className,
  isPending,
  ...props
}: ButtonProps) {
  const cls = className ?? `${CLASS[variant]}${large ? ' button-large' : ''}`;
  return (
    <AriaButton {...props} {...(isPending ? { 'aria-disabled': true } : {})} className={cls} />
  );
}

export function SubmitButton({
  variant = 'primary',
  children,
  ...props
}: {
  variant?: ButtonVariant;
  isDisabled?: boolean;
  ref?: Ref<HTMLButtonElement>;
  children: ReactNode;
}) {
  const form = useFormState();
  return (
    <Button {...props} variant={variant} type="submit" isPending={form?.pending ?? false}>
      {children}
    </Button>
  );
}
