export * from './admin-types';
export * from './admin-server';
export * from './leader-relay';
export * from './row-diff';
export * from './verify-read-models';
