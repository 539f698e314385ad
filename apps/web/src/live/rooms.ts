import type { LiveRoom } from '@baton/contracts';

// The room names of libs/contracts/src/socket.ts, written here so no zod reaches the bundle
// (the contracts module is imported for its types only).
export const liveRoom = {
  project: (id: string): LiveRoom => `project:${id}`,
  session: (id: string): LiveRoom => `session:${id}`,
  runner: (id: string): LiveRoom => `runner:${id}`,
};
