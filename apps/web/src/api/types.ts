// The gateway's wire types, shared through libs/contracts (type-only: nothing of zod reaches the bundle).
export type { AuthConfigView, CommandAccepted, CreateProjectRequest, ProjectView } from '@baton/contracts';

export type ProjectStatus = import('@baton/contracts').ProjectView['status'];

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export type Role = import('@baton/events').Role;

/** `GET /api/me`: who the bearer token belongs to. (Not in libs/contracts yet.) */
export interface MeView {
  id: string;
  name: string;
  role: Role;
  tokenId: string;
  /** A token from single sign-on expires; signing out revokes it. */
  expiresAt?: string;
}

// Contracts that are zod schemas without a type alias of the same name.
type Out<T> = T extends { _zod: { output: infer O } } ? O : never;
export type PendingQueueView = Out<typeof import('@baton/contracts').PendingQueue>;
export type FollowUpAcceptedView = Out<typeof import('@baton/contracts').FollowUpAccepted>;
