import { execFileSync } from 'node:child_process';
import { baton } from '../__tests__/fake-ctx';

/** What bash completes for the words typed so far (the last may be partial), with the generated script sourced. */
function complete(script: string, words: string[]): string[] {
  const line = ['baton', ...words];
  const program = `${script}
COMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')})
COMP_CWORD=${line.length - 1}
_baton
printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', program], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
}

describe('baton completion', () => {
  it('completes commands, subcommands and their options in a real bash, from the program itself', async () => {
    const { code, stdout } = await baton(['completion', 'bash']);
    expect(code).toBe(0);
    expect(complete(stdout, ['ta'])).toEqual(['task']);
    expect(complete(stdout, ['task', 'start-'])).toEqual(['start-attempt']);
    expect(complete(stdout, ['task', 'start-attempt', 'T1', '--te'])).toEqual(['--template']);
    // An option's value is not a subcommand: the path stays `session spawn`.
    expect(complete(stdout, ['session', 'spawn', '--template', 'task', '--prom'])).toEqual(['--prompt', '--prompt-file']);
    // Hidden spellings are not offered.
    expect(complete(stdout, ['task', 'start-attempt', '--session'])).toEqual([]);
  });

  it('prints a zsh script through bashcompinit, and refuses another shell with exit code 2', async () => {
    expect((await baton(['completion', 'zsh'])).stdout).toMatch(/^autoload -U \+X compinit && compinit\nautoload -U \+X bashcompinit && bashcompinit\n# baton completion/);
    const fish = await baton(['completion', 'fish']);
    expect(fish.code).toBe(2);
    expect(fish.stderr).toContain('shell must be bash or zsh');
  });
});
