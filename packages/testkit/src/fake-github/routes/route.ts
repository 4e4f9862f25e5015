import type { Answer } from '../answer.js';
import type { FakeRepo } from '../fake-repo.js';
import type { FakeUser } from '../types.js';

/** A REST request under `/repos/:owner/:repo`, parsed once for every resource's routes. */
export interface RepoRequest {
  method: string;
  url: URL;
  repo: FakeRepo;
  /** URI-decoded path segments after `/repos/:owner/:repo`. */
  rest: string[];
  /** `rest[1]` as a number: the pull or issue number, on the routes that name one. */
  number: number;
  /** The JSON body when it is an object, else `{}`. */
  input: Record<string, unknown>;
  user: FakeUser;
  /** The API base URL (prefix included), for `url` fields and pagination links. */
  apiBase: string;
}

/** Answers a request for its resource, or returns undefined to let the next resource's routes try. */
export type RepoRoute = (request: RepoRequest) => Promise<Answer | undefined>;

/** Looks a repository up by `owner/name`, case-insensitively as GitHub does. */
export type FindRepo = (fullName: string) => FakeRepo | undefined;

/** Pull requests are issues on GitHub, so this also decides whether an issue number exists. */
export function hasPull(repo: FakeRepo, number: number): boolean {
  return repo.pulls.some((pull) => pull.number === number);
}
