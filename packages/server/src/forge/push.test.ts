import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBareRemote, createTempRepo, type TempRepo } from '@chatml/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { ForgeAuthError } from './forge-errors.js';
import { pushBranch } from './push.js';

describe('pushBranch', () => {
  let repo: TempRepo;
  let server: Server | undefined;
  afterEach(async () => {
    await repo.cleanup();
    if (server) {
      server.close();
      server.closeAllConnections();
      await once(server, 'close');
      server = undefined;
    }
  });

  it('pushes the branch by explicit refspec, whatever push.default says', async () => {
    repo = await createTempRepo();
    const remote = await createBareRemote(repo);
    try {
      await repo.git(['checkout', '-q', '-b', 'chatml/x']);
      await repo.writeFiles({ 'x.txt': 'x\n' });
      const sha = await repo.commitAll('x');
      await repo.git(['config', 'push.default', 'nothing']);
      await repo.git(['remote', 'add', 'origin', remote.url]);
      const result = await pushBranch({
        worktreePath: repo.path,
        remote: { name: 'origin', url: remote.url },
        branch: 'chatml/x',
      });
      expect(result).toEqual({ remote: 'origin', branch: 'chatml/x', sha, isUpdated: true, isForced: false });
      expect((await remote.git(['rev-parse', 'refs/heads/chatml/x'])).trim()).toBe(sha);
    } finally {
      await remote.cleanup();
    }
  });

  it('reports refused credentials as an auth failure, without the password in the URL', async () => {
    repo = await createTempRepo();
    server = createServer((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end('no');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const url = `http://me:s3cret@127.0.0.1:${port}/acme/widgets.git`;
    await repo.git(['remote', 'add', 'origin', url]);
    const failure = await pushBranch({
      worktreePath: repo.path,
      remote: { name: 'origin', url },
      branch: 'main',
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ForgeAuthError);
    expect((failure as Error).message).toContain('refused the credentials');
    expect((failure as Error).message).not.toContain('s3cret');
  });
});
