export { createLargeRepo } from './large-repo.js';
export { makeTempDir, type TempDir } from './temp-dir.js';
export {
  type BareRemote,
  type CommitSpec,
  createBareRemote,
  createTempRepo,
  type FileTree,
  type TempRepo,
  type TempRepoOptions,
} from './temp-repo.js';
