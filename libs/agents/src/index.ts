export * from './types';
export * from './pricing';
export * from './registry';
export * from './claude-code/claude-code.adapter';
export * from './claude-code/claude-transcript';
export * from './gemini/gemini.adapter';
export * from './codex/codex.adapter';
export * from './opencode/opencode.adapter';
