/**
 * The agent home's record of the conversation the attempt's next session resumes: written by
 * `baton hook` from the agent's own signals, read by the runner when it launches the agent.
 */
export const AGENT_STATE_FILE = '.baton-agent.json';

export interface AgentConversation {
  agent: string;
  conversationId: string | null;
}

/** Reads the record's text; anything strange is no record. */
export function parseAgentConversation(text: string | null): AgentConversation | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Partial<AgentConversation>;
    return typeof v.agent === 'string' ? { agent: v.agent, conversationId: typeof v.conversationId === 'string' && v.conversationId ? v.conversationId : null } : null;
  } catch {
    return null;
  }
}
