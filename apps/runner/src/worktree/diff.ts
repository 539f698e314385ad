import { git } from './git';

export type FileStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'type_changed';

export interface DiffLine {
  kind: 'context' | 'add' | 'del';
  text: string;
  /** Line number on the old side (context and deletions). */
  oldLine?: number;
  /** Line number on the new side (context and additions). */
  newLine?: number;
  /** The file ends here without a newline ("\ No newline at end of file"). */
  noNewline?: true;
}

export interface DiffHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** The function or section git names after the second `@@`, if any. */
  section: string;
  lines: DiffLine[];
}

export interface FileDiff {
  path: string;
  /** The path before a rename or copy. */
  oldPath: string | null;
  status: FileStatus;
  binary: boolean;
  additions: number;
  deletions: number;
  hunks: DiffHunk[];
}

const STATUS: Record<string, FileStatus> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed', C: 'copied', T: 'type_changed' };
// No external diff drivers or textconv filters: a repository must not make the runner run programs.
const DIFF_FLAGS = ['--no-color', '--no-ext-diff', '--no-textconv', '--find-renames'];

/**
 * Changes between two trees as files with status and hunks. The file list comes from
 * `--name-status -z` (exact paths, whatever characters they hold) and the hunks from the
 * patch, which lists the same files in the same order.
 */
export async function diffFiles(cwd: string, revs: string[]): Promise<FileDiff[]> {
  const [names, patch] = await Promise.all([
    git(['diff', ...DIFF_FLAGS, '--name-status', '-z', ...revs, '--'], { cwd }),
    git(['diff', ...DIFF_FLAGS, '--unified=3', ...revs, '--'], { cwd }),
  ]);
  const entries = parseNameStatus(names.stdout);
  const sections = splitPatch(patch.stdout);
  let next = 0;
  const files = entries.map((e) => {
    let section = sections[next++] ?? '';
    // A type change (file ↔ symlink) is one entry in the list but two in the patch.
    if (e.status === 'type_changed' && /^deleted file mode /m.test(section)) section += '\n' + (sections[next++] ?? '');
    return { ...e, ...parseSection(section) };
  });
  if (next !== sections.length) {
    throw new Error(`git diff listed ${entries.length} files but its patch has ${sections.length} sections`);
  }
  return files;
}

/** An untracked file shown as added, through `git diff --no-index` against /dev/null. */
export async function diffUntracked(cwd: string, path: string): Promise<FileDiff> {
  const patch = await git(['diff', ...DIFF_FLAGS, '--unified=3', '--no-index', '--', '/dev/null', path], { cwd, okCodes: [1] });
  const [section = ''] = splitPatch(patch.stdout);
  return { path, oldPath: null, status: 'added', ...parseSection(section) };
}

export function parseNameStatus(z: string): Pick<FileDiff, 'path' | 'oldPath' | 'status'>[] {
  const tokens = z.split('\0');
  const out: Pick<FileDiff, 'path' | 'oldPath' | 'status'>[] = [];
  for (let i = 0; i < tokens.length && tokens[i] !== ''; ) {
    const code = tokens[i++];
    const status = STATUS[code[0]];
    if (!status) throw new Error(`unexpected git diff status ${JSON.stringify(code)}`);
    if (status === 'renamed' || status === 'copied') {
      out.push({ status, oldPath: tokens[i], path: tokens[i + 1] });
      i += 2;
    } else {
      out.push({ status, oldPath: null, path: tokens[i++] });
    }
  }
  return out;
}

/** One string per file: each starts at a `diff --git` line (hunk lines always carry a prefix). */
export function splitPatch(patch: string): string[] {
  const sections: string[] = [];
  let current: string[] | null = null;
  for (const line of patch.split('\n')) {
    if (line.startsWith('diff --git ') || line.startsWith('diff --cc ')) {
      if (current) sections.push(current.join('\n'));
      current = [line];
    } else if (current) current.push(line);
  }
  if (current) sections.push(current.join('\n'));
  return sections;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

export function parseSection(section: string): Pick<FileDiff, 'binary' | 'hunks' | 'additions' | 'deletions'> {
  const lines = section.split('\n');
  const hunks: DiffHunk[] = [];
  let binary = false;
  let additions = 0;
  let deletions = 0;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i++];
    if (line.startsWith('Binary files ') || line === 'GIT binary patch') binary = true;
    const m = HUNK.exec(line);
    if (!m) continue;
    const hunk: DiffHunk = {
      oldStart: Number(m[1]),
      oldLines: m[2] === undefined ? 1 : Number(m[2]),
      newStart: Number(m[3]),
      newLines: m[4] === undefined ? 1 : Number(m[4]),
      section: m[5] ?? '',
      lines: [],
    };
    // Counting lines (instead of trusting prefixes) keeps a "-- " or "+++" inside content in its hunk.
    let oldLeft = hunk.oldLines;
    let newLeft = hunk.newLines;
    let oldNo = hunk.oldStart;
    let newNo = hunk.newStart;
    while (i < lines.length && (oldLeft > 0 || newLeft > 0 || lines[i].startsWith('\\'))) {
      const l = lines[i++];
      const text = l.slice(1);
      if (l.startsWith('\\')) {
        const last = hunk.lines[hunk.lines.length - 1];
        if (last) last.noNewline = true;
      } else if (l.startsWith('+')) {
        hunk.lines.push({ kind: 'add', text, newLine: newNo++ });
        newLeft--;
        additions++;
      } else if (l.startsWith('-')) {
        hunk.lines.push({ kind: 'del', text, oldLine: oldNo++ });
        oldLeft--;
        deletions++;
      } else {
        hunk.lines.push({ kind: 'context', text, oldLine: oldNo++, newLine: newNo++ });
        oldLeft--;
        newLeft--;
      }
    }
    hunks.push(hunk);
  }
  return { binary, hunks, additions, deletions };
}
