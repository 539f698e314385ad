import { useEffect } from 'react';

/** The badge's text: the count, `99+` past 99. */
export const badgeText = (count: number) => (count > 99 ? '99+' : String(count));

let original: { href: string; type: string } | null = null;
let drawn = 0;

function iconLink(): HTMLLinkElement | null {
  return document.querySelector<HTMLLinkElement>('link[rel="icon"]');
}

/**
 * The tab's icon with a red badge holding `count` (drawn on a canvas into a data: URL, which the
 * CSP's `img-src 'self' data:` allows); the plain icon again at 0.
 */
export async function showFaviconCount(count: number): Promise<void> {
  const link = iconLink();
  if (!link) return;
  original ??= { href: link.href, type: link.type };
  const ticket = ++drawn;
  if (count <= 0) {
    link.type = original.type;
    link.href = original.href;
    return;
  }
  const img = new Image();
  img.src = original.href;
  await img.decode().catch(() => undefined);
  if (ticket !== drawn) return;
  const size = 64;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const g = canvas.getContext('2d');
  if (!g) return;
  if (img.complete && img.naturalWidth > 0) g.drawImage(img, 0, 0, size, size);
  const text = badgeText(count);
  const r = text.length > 2 ? 22 : 18;
  g.beginPath();
  g.arc(size - r, r, r, 0, 2 * Math.PI);
  g.fillStyle = '#e5484d';
  g.fill();
  g.fillStyle = '#fff';
  g.font = `bold ${text.length > 2 ? 20 : 26}px system-ui, sans-serif`;
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.fillText(text, size - r, r + 1);
  link.type = 'image/png';
  link.href = canvas.toDataURL('image/png');
}

/** Keeps the favicon's badge at the count of waiting sessions. */
export function useFaviconCount(count: number): void {
  useEffect(() => {
    void showFaviconCount(count);
  }, [count]);
}
