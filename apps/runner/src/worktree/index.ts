export * from './worktrees';
export * from './merge';
export { BaseUpdateError, publishBranch, type PublishResult } from './publish';
export * from './diff';
export * from './copy-files';
export * from './scripts';
export * from './port-allocator';
export * from './disk-usage';
export { DEFAULT_GIT_TIMEOUTS, GitError, stopRunningGit, type GitTimeouts } from './git';
