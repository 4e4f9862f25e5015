import { join } from 'node:path';
import { makeTempDir } from '@chatml/testkit';
import { expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { openDatabase, WalCheckpointer } from '../../src/store/database.js';
import { pragma, prepared } from '../../src/store/prepared.js';

it('checkpoints the WAL once writing pauses, never while it goes on, and folds it back on stop', async () => {
  const dir = await makeTempDir('wal');
  const path = join(dir.path, 'chatml.db');
  const db = openDatabase(path, silentLogger);
  try {
    const checkpointer = new WalCheckpointer(db, 50);
    expect(pragma(db, 'wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 16_384 }]);
    db.exec('CREATE TABLE t (x TEXT)');
    const insert = prepared(db, 'INSERT INTO t VALUES (?)');
    const writingUntil = Date.now() + 200;
    let rows = 0;
    while (Date.now() < writingUntil) {
      insert.run('x'.repeat(200));
      rows += 1;
      checkpointer.noteWrite();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(checkpointer.framesCheckpointed).toBe(0);
    for (let i = 0; i < 100 && checkpointer.framesCheckpointed === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(checkpointer.framesCheckpointed).toBeGreaterThan(0);
    checkpointer.stop();
    expect((prepared(db, 'SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(rows);
  } finally {
    db.close();
    await dir.cleanup();
  }
});
