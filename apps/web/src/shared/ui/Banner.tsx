import type { ReactNode } from 'react';
import { AlertIcon } from './icons';

/** A problem that belongs to the page or the form, not to one field. */
export function ErrorBanner({ children, action }: { children: ReactNode; action?: ReactNode }) {
  return (
    <div className="banner banner--error" role="alert">
      <AlertIcon className="banner__icon" />
      <div className="banner__text">{children}</div>
      {action}
    </div>
  );
}
