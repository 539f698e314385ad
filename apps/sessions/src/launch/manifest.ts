import { ROLES_THAT_SPAWN, type SessionRole, type SessionStrategy } from '@baton/events';

export interface ManifestTask {
  id: string;
  title: string;
  description: string;
  acceptanceCriteria: string[];
}

export interface ManifestInput {
  session: { id: string; name: string; role: SessionRole; strategy: SessionStrategy; templateId: string; templateName: string };
  project: { id: string; name: string };
  attempt: { id: string; branch: string; baseBranch: string; number?: number } | null;
  tasks: ManifestTask[];
  parent: { id: string; name: string } | null;
  apiUrl: string;
}

export interface Manifest {
  json: string;
  markdown: string;
}

/** One line: titles, names and ids never open a new heading or list in the document. */
const inline = (s: string) => s.replace(/[\r\n]+/g, ' ').replace(/`/g, "'").trim();
/** A block as a quote: every line stays inside it, whatever it starts with. */
const quoted = (s: string) =>
  s
    .trim()
    .split(/\r?\n/)
    .map((l) => `> ${l}`.trimEnd())
    .join('\n');

function reporting(input: ManifestInput): { command: string; when: string }[] {
  const { strategy, role } = input.session;
  const rows = [
    { command: 'baton report status working|idle|needs_input', when: 'your state changes (hooks may do this for you)' },
    { command: 'baton report progress 0.5 "what is done"', when: 'you make progress (0..1)' },
    { command: 'baton report milestone "text"', when: 'something worth showing on the timeline happened' },
    { command: 'baton report needs-input "question"', when: 'you cannot go on without a person' },
    { command: 'baton report error "text"', when: 'something failed but you carry on' },
  ];
  if (strategy === 'queue') {
    rows.push(
      { command: 'baton queue next', when: 'you are ready for the next task (prints it; nothing left: you are done)' },
      { command: 'baton queue complete "summary"', when: 'the task in progress is done' },
      { command: 'baton queue fail "why"', when: 'the task in progress cannot be done' },
      { command: 'baton queue skip "why"', when: 'a task should not be done' },
    );
  } else {
    rows.push(
      { command: 'baton report task-started <taskId>', when: 'you start a task' },
      { command: 'baton report task-completed <taskId> "summary"', when: 'a task is done' },
      { command: 'baton report task-failed <taskId> "why"', when: 'a task cannot be done' },
      { command: 'baton report status completed "summary"', when: 'all your work is done (ends this session)' },
    );
  }
  rows.push({ command: 'baton report usage --input N --output N --cost USD', when: 'you know what you spent (hooks may do this for you)' });
  if (ROLES_THAT_SPAWN.has(role)) {
    rows.push(
      { command: 'baton session spawn --template <id> --task <taskId> --role worker', when: 'you hand a task to a worker (it becomes your child)' },
      { command: 'baton session send <sessionId> "text"', when: 'you tell a worker something' },
      { command: 'baton session list --children', when: 'you check on your workers' },
    );
  }
  return rows;
}

/**
 * The session's manifest (DESIGN §4, Spawn): Markdown for the agent to read and JSON for
 * tools, both from the same input. Task text is data: it is quoted or flattened, so a
 * hostile title cannot forge instructions that look like Baton's own sections.
 */
export function buildManifest(input: ManifestInput): Manifest {
  const rows = reporting(input);
  const json = {
    version: 1,
    session: input.session,
    project: input.project,
    attempt: input.attempt,
    parent: input.parent,
    tasks: input.tasks,
    // tokenFileEnv: the file the runner keeps the token renewed in (read it first; decision 0024).
    api: { url: input.apiUrl, tokenEnv: 'BATON_TOKEN', tokenFileEnv: 'BATON_TOKEN_FILE', sessionEnv: 'BATON_SESSION_ID' },
    reporting: rows,
  };
  const s = input.session;
  const md: string[] = [
    `# Baton session ${inline(s.name || s.id)}`,
    '',
    `- Session: \`${s.id}\` (${s.role}, ${s.strategy} strategy, template ${inline(s.templateName)})`,
    `- Project: ${inline(input.project.name)} (\`${input.project.id}\`)`,
  ];
  if (input.attempt) md.push(`- Branch: \`${inline(input.attempt.branch)}\` from \`${inline(input.attempt.baseBranch)}\` (attempt \`${input.attempt.id}\`${input.attempt.number ? `, #${input.attempt.number} of its task` : ''}) — commit your work here`);
  if (input.parent) md.push(`- Parent session: ${inline(input.parent.name || input.parent.id)} (\`${input.parent.id}\`) reports to you through Baton`);
  md.push('', `## ${s.strategy === 'queue' ? 'Your queue (in order; take them with `baton queue next`)' : 'Your tasks'}`, '');
  if (input.tasks.length === 0) md.push('No task is assigned: follow the prompt.');
  input.tasks.forEach((t, i) => {
    md.push(`### ${i + 1}. ${inline(t.title)}`, '', `Task id: \`${t.id}\``, '');
    if (t.description.trim()) md.push(quoted(t.description), '');
    if (t.acceptanceCriteria.length) md.push('Acceptance criteria:', '', ...t.acceptanceCriteria.map((c) => `- [ ] ${inline(c)}`), '');
  });
  md.push('## How to report', '', 'Run these in this terminal; they act on this session only.', '', '| Command | When |', '| --- | --- |');
  for (const r of rows) md.push(`| \`${r.command}\` | ${r.when} |`);
  md.push('');
  return { json: `${JSON.stringify(json, null, 2)}\n`, markdown: md.join('\n') };
}
