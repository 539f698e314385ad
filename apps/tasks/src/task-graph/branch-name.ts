/** Lower-case ASCII words joined by dashes, cut at a word boundary; "task" when nothing is left. */
export function slugify(title: string, max = 40): string {
  const words = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!words) return 'task';
  if (words.length <= max) return words;
  const cut = words.slice(0, max + 1);
  const lastDash = cut.lastIndexOf('-');
  return (lastDash > 0 ? cut.slice(0, lastDash) : words.slice(0, max)).replace(/-+$/, '');
}

/** The tail of an id (a ULID's random part), lower-case letters and digits only. */
export function shortId(id: string, length = 8): string {
  const clean = id.toLowerCase().replace(/[^a-z0-9]/g, '');
  return clean.slice(-length) || 'x';
}

/**
 * `baton/<task-slug>-<short-id>`. `taken` are branch names the project already used:
 * on a clash the short id grows, then the whole attempt id is used.
 */
export function attemptBranchName(title: string, attemptId: string, taken: ReadonlySet<string> = new Set()): string {
  const slug = slugify(title);
  for (const length of [8, 12, 16]) {
    const name = `baton/${slug}-${shortId(attemptId, length)}`;
    if (!taken.has(name)) return name;
  }
  return `baton/${slug}-${attemptId.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '') || 'x'}`;
}
