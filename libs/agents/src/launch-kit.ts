import type { AgentHomeInput, AgentLaunch } from './types';

/**
 * The shell line every adapter launches its agent with. Baton's own flags are words; a value
 * someone chose (a model, a resume id, the prompt) travels in an environment variable and is
 * expanded inside double quotes, so it is always one argument of data, never code.
 */
export class ShellLaunch {
  private readonly words = ['exec "$BATON_AGENT_PROGRAM"'];
  private readonly env: Record<string, string> = {};

  /** Fixed words (flags Baton chooses). */
  add(...words: string[]): this {
    this.words.push(...words);
    return this;
  }

  /** `flag "$NAME"` (or `flag="$NAME"`; a positional when `flag` is empty), the value in `NAME`. */
  value(flag: string, name: string, value: string, separator: ' ' | '=' = ' '): this {
    this.env[name] = value;
    this.words.push(flag ? `${flag}${separator}"$${name}"` : `"$${name}"`);
    return this;
  }

  /** The prompt file's text as one argument (after `flag` when given). */
  prompt(flag = '', separator: ' ' | '=' = ' '): this {
    const text = '"$(cat "$BATON_PROMPT_FILE")"';
    this.words.push(flag ? `${flag}${separator}${text}` : text);
    return this;
  }

  /** An environment variable for the agent that is not on its command line. */
  setEnv(name: string, value: string): this {
    this.env[name] = value;
    return this;
  }

  build(): AgentLaunch {
    return { argv: ['sh', '-c', this.words.join(' ')], env: { ...this.env } };
  }
}

/** The agent's commits carry the runner's configured identity, through the environment (never ~/.gitconfig). */
export function gitIdentityEnv({ name, email }: AgentHomeInput['gitAuthor']): Record<string, string> {
  return { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email };
}
