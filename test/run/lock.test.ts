import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { acquireRunLock, currentLockHolder, LockHeldError, lockPath } from '../../engine/run/lock';
import { processStartTime } from '../../engine/run/processes';
import { tempHome, type TempHome } from '../helpers/home';

describe('run lock', () => {
  let home: TempHome;
  beforeEach(async () => {
    home = await tempHome();
  });
  afterEach(async () => {
    await home.cleanup();
  });

  it('records pid, host, start time and command, and is released', async () => {
    const lock = await acquireRunLock({ home: home.path, project: 'shop', env: 'prod', command: 'ss deploy --env=prod' });
    const onDisk = JSON.parse(await readFile(lockPath(home.path, 'shop', 'prod'), 'utf8'));
    assert.equal(onDisk.pid, process.pid);
    assert.equal(onDisk.host, hostname());
    assert.equal(onDisk.startTime, processStartTime(process.pid));
    assert.equal(onDisk.command, 'ss deploy --env=prod');
    assert.deepEqual(await currentLockHolder(home.path, 'shop', 'prod'), onDisk);
    await lock.release();
    assert.equal(await currentLockHolder(home.path, 'shop', 'prod'), undefined);
    // Released: it can be taken again.
    await (await acquireRunLock({ home: home.path, project: 'shop', env: 'prod', command: 'again' })).release();
  });

  it('refuses a second run, naming the holder; other environments are independent', async () => {
    const lock = await acquireRunLock({ home: home.path, project: 'shop', env: 'prod', command: 'ss deploy --env=prod' });
    await assert.rejects(
      acquireRunLock({ home: home.path, project: 'shop', env: 'prod', command: 'ss provision' }),
      (error: unknown) => {
        assert.ok(error instanceof LockHeldError);
        assert.match(error.message, /"ss deploy --env=prod" \(pid \d+, since /);
        assert.equal(error.holder.pid, process.pid);
        return true;
      },
    );
    const other = await acquireRunLock({ home: home.path, project: 'shop', env: 'staging', command: 'ss deploy --env=staging' });
    await other.release();
    await lock.release();
  });

  it('takes over the lock of a holder that died', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await once(child, 'spawn');
    const pid = child.pid!;
    const startTime = processStartTime(pid)!;
    const path = lockPath(home.path, 'shop', 'local');
    await acquireRunLock({ home: home.path, project: 'shop', env: 'local', command: 'placeholder' }).then((l) => l.release());
    await writeFile(path, JSON.stringify({ pid, host: hostname(), startTime, command: 'ss provision', acquiredAt: new Date().toISOString() }));
    await assert.rejects(acquireRunLock({ home: home.path, project: 'shop', env: 'local', command: 'second' }), LockHeldError);
    child.kill('SIGKILL');
    await once(child, 'exit');
    const lock = await acquireRunLock({ home: home.path, project: 'shop', env: 'local', command: 'second' });
    assert.equal(lock.tookOver?.pid, pid);
    assert.equal(JSON.parse(await readFile(path, 'utf8')).command, 'second');
    await lock.release();
  });

  it('a live process that only reuses the holder\'s pid does not keep the lock', async () => {
    const path = lockPath(home.path, 'shop', 'local');
    await acquireRunLock({ home: home.path, project: 'shop', env: 'local', command: 'placeholder' }).then((l) => l.release());
    // Our own pid, with a start time that is not ours: the recorded holder is gone.
    await writeFile(path, JSON.stringify({ pid: process.pid, host: hostname(), startTime: '1', command: 'old run', acquiredAt: '2020-01-01T00:00:00Z' }));
    const lock = await acquireRunLock({ home: home.path, project: 'shop', env: 'local', command: 'new run' });
    assert.equal(lock.tookOver?.command, 'old run');
    await lock.release();
  });

  it('a lock held on another host is respected', async () => {
    const path = lockPath(home.path, 'shop', 'local');
    await acquireRunLock({ home: home.path, project: 'shop', env: 'local', command: 'placeholder' }).then((l) => l.release());
    await writeFile(path, JSON.stringify({ pid: 1, host: 'build-agent-7', command: 'ss deploy', acquiredAt: '2020-01-01T00:00:00Z' }));
    await assert.rejects(acquireRunLock({ home: home.path, project: 'shop', env: 'local', command: 'x' }), /pid 1 on build-agent-7/);
  });
});
