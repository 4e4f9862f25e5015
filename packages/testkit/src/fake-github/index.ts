export { FakeRepo } from './fake-repo.js';
export { type FakeGitHubOptions, FakeGitHubServer } from './server.js';
export type {
  NewCheckRun,
  NewCommitStatus,
  NewReview,
  NewReviewComment,
  RecordedGitHubRequest,
  ScriptedGitHubResponse,
} from './types.js';
