import { useEffect, useState } from 'react';
import { CheckIcon, CopyIcon } from './icons';

/** Copies a value (an id, a path) and says so for a moment. */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 1_200);
    return () => clearTimeout(t);
  }, [copied]);
  const copy = () => {
    // The Clipboard API needs a secure context; on plain http fall back to a hidden textarea.
    if (navigator.clipboard && window.isSecureContext) {
      void navigator.clipboard.writeText(value).then(() => setCopied(true), () => undefined);
      return;
    }
    const area = document.createElement('textarea');
    area.value = value;
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    if (ok) setCopied(true);
  };
  return (
    <button type="button" className="icon-btn icon-btn--sm" onClick={copy} aria-label={copied ? 'Copied' : label} title={copied ? 'Copied' : label}>
      {copied ? <CheckIcon size={14} /> : <CopyIcon size={14} />}
    </button>
  );
}
