/** An inline comment on one line of a diff. */
export interface ReviewComment {
  path: string;
  /** The line number on the new side (or the old side for a deleted line). */
  line: number;
  side: 'new' | 'old';
  /** The line's text, quoted for the agent. */
  code: string;
  text: string;
}

export const commentKey = (c: Pick<ReviewComment, 'path' | 'line' | 'side'>) => `${c.path}:${c.side}:${c.line}`;

/**
 * The follow-up an agent receives for a set of inline comments: file by file, in line
 * order, each with the line it is about, so it can act on them without seeing the UI.
 */
export function composeReview(comments: readonly ReviewComment[], summary = ''): string {
  const byFile = new Map<string, ReviewComment[]>();
  for (const c of comments) if (c.text.trim()) byFile.set(c.path, [...(byFile.get(c.path) ?? []), c]);
  const parts: string[] = [];
  if (summary.trim()) parts.push(summary.trim());
  if (byFile.size) parts.push(`Review comments (${[...byFile.values()].reduce((n, l) => n + l.length, 0)}):`);
  for (const [path, list] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
    parts.push(`\n${path}`);
    for (const c of [...list].sort((a, b) => a.line - b.line)) {
      parts.push(`- line ${c.line}${c.side === 'old' ? ' (removed)' : ''}: \`${c.code.trim().slice(0, 160)}\`\n  ${c.text.trim().replace(/\n/g, '\n  ')}`);
    }
  }
  return parts.join('\n');
}

const LANG_BY_EXT: Record<string, string> = {
  ts: 'typescript',
  tsx: 'typescript',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  json: 'json',
  md: 'markdown',
  css: 'css',
  scss: 'scss',
  html: 'xml',
  xml: 'xml',
  svg: 'xml',
  py: 'python',
  go: 'go',
  rs: 'rust',
  java: 'java',
  rb: 'ruby',
  sh: 'bash',
  bash: 'bash',
  yml: 'yaml',
  yaml: 'yaml',
  sql: 'sql',
  c: 'c',
  h: 'c',
  cpp: 'cpp',
  dockerfile: 'dockerfile',
};

/** The highlighter's language for a path, or null (plain text). */
export function languageOf(path: string): string | null {
  const name = path.split('/').pop()!.toLowerCase();
  if (name === 'dockerfile') return 'dockerfile';
  const ext = name.includes('.') ? name.split('.').pop()! : '';
  return LANG_BY_EXT[ext] ?? null;
}
