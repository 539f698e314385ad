export * from './script';
export * from './server';
export * from './anthropic';
export * from './gemini';
export * from './openai-responses';
export * from './openai-chat';
