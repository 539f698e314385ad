import { readdirSync, readFileSync } from 'node:fs';

/** Live processes on this machine whose environment says they belong to the session (BATON_SESSION_ID). */
export function processesOfSession(sessionId: string): { pid: number; cmdline: string }[] {
  const mark = `BATON_SESSION_ID=${sessionId}\0`;
  const out: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (!environ.includes(mark)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/\) Z /.test(stat)) continue; // a zombie is already dead
      out.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() });
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** Live processes whose environment holds `NAME=value` exactly (e.g. BATON_RUNNER_KEY=<ns>/<runner>). */
export function processesWithEnv(name: string, value: string): { pid: number; cmdline: string }[] {
  const mark = `\0${name}=${value}\0`;
  const out: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!`\0${readFileSync(`/proc/${entry}/environ`, 'utf8')}`.includes(mark)) continue;
      if (/\) Z /.test(readFileSync(`/proc/${entry}/stat`, 'utf8'))) continue;
      out.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() });
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}
