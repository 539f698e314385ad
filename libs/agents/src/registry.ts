import { claudeCodeAdapter } from './claude-code/claude-code.adapter';
import { codexAdapter } from './codex/codex.adapter';
import { geminiAdapter } from './gemini/gemini.adapter';
import { opencodeAdapter } from './opencode/opencode.adapter';
import type { AgentAdapter, AgentId } from './types';

/** Every adapter, by id. */
export const AGENT_ADAPTERS: Readonly<Partial<Record<AgentId, AgentAdapter>>> = {
  'claude-code': claudeCodeAdapter,
  codex: codexAdapter,
  gemini: geminiAdapter,
  opencode: opencodeAdapter,
};

export function adapterFor(id: string | null | undefined): AgentAdapter | null {
  return (id && AGENT_ADAPTERS[id as AgentId]) || null;
}
