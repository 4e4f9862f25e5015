import { join } from 'node:path';
import { makeTempDir } from '@chatml/testkit';
import { expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { openDatabase, WalCheckpointer } from '../../src/store/database.js';

it('checkpoints the WAL from a worker that runs while writes happen, and folds it back on stop', async () => {
  const dir = await makeTempDir('wal');
  const path = join(dir.path, 'chatml.db');
  const db = openDatabase(path, silentLogger);
  try {
    const checkpointer = new WalCheckpointer(db, path, silentLogger, 20);
    expect(checkpointer.framesCheckpointed).toBe(0);
    db.exec('CREATE TABLE t (x TEXT)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    for (let i = 0; i < 2000; i++) insert.run('x'.repeat(200));
    checkpointer.noteWrite();
    for (let i = 0; i < 200 && checkpointer.framesCheckpointed === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(checkpointer.framesCheckpointed).toBeGreaterThan(0);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    await checkpointer.stop();
    expect((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(2000);
  } finally {
    db.close();
    await dir.cleanup();
  }
});
