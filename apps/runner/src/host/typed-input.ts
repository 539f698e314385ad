import type { SubmitStyle } from '@baton/agents';
import type { RunnerInput } from '@baton/events';

export interface TypedKey {
  text: string;
  /** Wait this long before typing it. */
  delayMs: number;
}

const PLAIN: SubmitStyle = { bracketedPaste: false, enterDelayMs: 0, enter: '\r' };

/**
 * What to type for an input. Raw input goes as it is. A message to submit goes as its text,
 * then Enter on its own after the agent's delay: TUIs read a burst ending in Enter as a paste
 * and keep the Enter as a newline, so a follow-up typed in one write is never sent.
 */
export function typedKeys(input: Pick<RunnerInput, 'data' | 'submit'>, style: SubmitStyle | null): TypedKey[] {
  if (!input.submit) return [{ text: input.data, delayMs: 0 }];
  const s = style ?? PLAIN;
  const text = input.data.replace(/[\r\n]+$/, '');
  const body = s.bracketedPaste ? `\x1b[200~${text}\x1b[201~` : text;
  if (!text) return [{ text: s.enter, delayMs: 0 }];
  return s.enterDelayMs > 0 ? [{ text: body, delayMs: 0 }, { text: s.enter, delayMs: s.enterDelayMs }] : [{ text: body + s.enter, delayMs: 0 }];
}
