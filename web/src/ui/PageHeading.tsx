// The page's one h1. After an in-app navigation it takes focus, so a screen reader announces the
// new page and keyboard users start from the top of it; it also sets the document title.
import { useEffect, useRef, type ReactNode } from 'react';
import { useLocation } from 'react-router';

export function PageHeading({ children, title }: { children: ReactNode; title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const location = useLocation();
  useEffect(() => {
    document.title = `${title} – Lantern`;
  }, [title]);
  useEffect(() => {
    if (location.key !== 'default') ref.current?.focus();
  }, [location.key]);
  return (
    <h1 ref={ref} tabIndex={-1} className="page-title">
      {children}
    </h1>
  );
}
