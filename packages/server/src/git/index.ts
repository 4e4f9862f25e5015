export { type CloneOptions, cloneRepo, validateCloneUrl } from './clone.js';
export { type SessionDiffOptions, sessionDiff } from './diff-service.js';
export { generateName, generateUniqueName } from './name-generator.js';
export { archiveRef, SESSION_BRANCH_PREFIX, sessionBranch, validateBranchName } from './ref-names.js';
export { inspectRepo, type RepoInfo } from './repo-inspector.js';
export {
  type GitResult,
  type RunGitOptions,
  runGit,
  runGitStreaming,
  type StreamGitOptions,
} from './run-git.js';
export type { ArchiveOutcome } from './work-archive.js';
export type { WorktreeInfo } from './worktree-list.js';
export {
  type CreateWorktreeOptions,
  type RemoveWorktreeOptions,
  type RestoreWorktreeOptions,
  WorktreeManager,
} from './worktree-manager.js';
