import { useSyncExternalStore } from 'react';
import { AlertIcon, CheckIcon, CloseIcon } from './icons';

export interface Toast {
  id: number;
  tone: 'info' | 'error' | 'ok';
  text: string;
}

let toasts: Toast[] = [];
let next = 1;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((f) => f());

/** A short message in the corner: a refused move, a sent command. */
export function toast(text: string, tone: Toast['tone'] = 'info', ms = 5_000): void {
  const t = { id: next++, tone, text };
  toasts = [...toasts.slice(-3), t];
  emit();
  setTimeout(() => dismiss(t.id), ms);
}

function dismiss(id: number) {
  toasts = toasts.filter((t) => t.id !== id);
  emit();
}

export function Toasts() {
  const list = useSyncExternalStore(
    (f) => {
      listeners.add(f);
      return () => listeners.delete(f);
    },
    () => toasts,
  );
  return (
    <div className="toasts" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} className={`toast toast--${t.tone}`} role={t.tone === 'error' ? 'alert' : 'status'} data-testid="toast">
          {t.tone === 'ok' ? <CheckIcon size={14} /> : <AlertIcon size={14} />}
          <span className="toast__text">{t.text}</span>
          <button type="button" className="icon-btn icon-btn--sm" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            <CloseIcon size={12} />
          </button>
        </div>
      ))}
    </div>
  );
}
