// A form behind a button (the disclosure pattern, issue 14): the button says whether its form is
// open (aria-expanded), opening it with the button moves the focus to the form's first field (a
// form opened by a restored draft on page load leaves the focus alone: WCAG 3.2.1), and Escape or the
// form's Cancel folds it and gives the focus back to the button. The form stays mounted while
// folded, so nothing typed in it is lost (and its draft, if any, can open it again). What the
// form did is said beside the button, in a live region that is always there.
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { Button } from './Button.tsx';
import { Notice } from './Message.tsx';

// Fields only, never a button: the first button in a form may be "Discard draft".
const FIELDS =
  'input:not([type="hidden"]):not([disabled]), select:not([disabled]), textarea:not([disabled])';

export function Disclosure({
  label,
  open,
  onToggle,
  message,
  children,
}: {
  /** The button's name, which also names the opened form ("Add an action"). */
  label: string;
  open: boolean;
  /** Open (true) or fold (false); the page keeps one open at a time. */
  onToggle: (open: boolean) => void;
  /** What the form last did ("Action added."), said beside the button. */
  message: string | null;
  children: ReactNode;
}) {
  const id = useId();
  const opener = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const wasOpen = useRef(open);
  // Set when the person opens the form with its button; only then does the focus move into it.
  const pressed = useRef(false);
  useEffect(() => {
    if (open && !wasOpen.current) {
      if (pressed.current) panel.current?.querySelector<HTMLElement>(FIELDS)?.focus();
    } else if (!open && wasOpen.current) {
      // Folded while the person was in it (Cancel, Escape, saved): back to the button. Folded
      // because another form was opened: the focus is there, and stays.
      const at = document.activeElement;
      if (!at || at === document.body || panel.current?.contains(at)) opener.current?.focus();
    }
    wasOpen.current = open;
    pressed.current = false;
  }, [open]);
  return (
    <div className="disclosure stack-tight">
      <div className="actions">
        <Button
          ref={opener}
          id={`${id}-button`}
          aria-expanded={open}
          aria-controls={`${id}-panel`}
          onPress={() => {
            pressed.current = !open;
            onToggle(!open);
          }}
        >
          {label}
        </Button>
      </div>
      <Notice text={message} />
      <div
        ref={panel}
        id={`${id}-panel`}
        role="group"
        aria-labelledby={`${id}-button`}
        hidden={!open}
        onKeyDown={(e) => {
          if (e.key !== 'Escape') return;
          e.preventDefault();
          onToggle(false);
        }}
      >
        {children}
      </div>
    </div>
  );
}
