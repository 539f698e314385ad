export * from './worktrees';
export * from './merge';
export { BaseUpdateError, publishBranch, type PublishResult } from './publish';
export * from './diff';
export * from './copy-files';
export * from './scripts';
export * from './port-allocator';
export * from './disk-usage';
export { GitError } from './git';
