/**
 * Provisioning 40 independent local-process services.
 *
 * 1. Each service's health check passes about 300 ms after it starts: the services are real
 *    processes (`sleep`), and their health URL is served by this benchmark, answering 503
 *    until 300 ms after the first check of that service, then 200. Provisioned at
 *    concurrency 1 and at the default (4); the ratio is how much the executor's parallelism
 *    buys (4 would be perfect).
 * 2. The engine's own cost per service: the same 40 services with no health check, so the
 *    time is spawning, the pending and final state writes (fsync'ed), the receipt and the
 *    event stream, divided by 40.
 *
 * Every run starts from nothing (the previous run's services are destroyed, untimed).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONCURRENCY, provision } from '../engine/ops/provision';
import { destroy } from '../engine/ops/destroy';
import { openVault } from '../engine/vault/store';
import { ms, stats, table } from './util';

const SERVICES = 40;
const READY_AFTER_MS = 300;
const RUNS = 3;

/** Answers /svc-N with 503 until READY_AFTER_MS after its first check, then 200. */
function healthServer(): Promise<{ server: Server; port: number; reset(): void }> {
  const firstSeen = new Map<string, number>();
  const server = createServer((req, res) => {
    const key = req.url ?? '';
    const now = Date.now();
    if (!firstSeen.has(key)) firstSeen.set(key, now);
    const ready = now - firstSeen.get(key)! >= READY_AFTER_MS;
    res.writeHead(ready ? 200 : 503).end(ready ? 'ok' : 'starting');
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0, reset: () => firstSeen.clear() });
    });
  });
}

function system(healthPort: number | undefined): string {
  const lines = [`name: bench-provision`, 'services:'];
  for (let i = 0; i < SERVICES; i++) {
    lines.push(`  svc-${i}:`, '    type: process', '    command: sleep 600');
    if (healthPort !== undefined) {
      lines.push('    health_check:', `      url: http://127.0.0.1:${healthPort}/svc-${i}`, '      interval: 25ms', '      timeout: 1s');
    }
    lines.push('    stop_grace_period: 1s');
  }
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'ss-bench-home-'));
  const dir = await mkdtemp(join(tmpdir(), 'ss-bench-system-'));
  const health = await healthServer();
  const env = { ...process.env, STARSYSTEM_HOME: home };
  const options = { cwd: dir, home, processEnv: env, vault: openVault({ home, env }) };
  const measure = async (concurrency: number): Promise<number[]> => {
    const samples: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      health.reset();
      const started = performance.now();
      const result = await provision({ ...options, concurrency });
      samples.push(performance.now() - started);
      if (result.status !== 'completed' || result.summary.created !== SERVICES) {
        throw new Error(`run did not create every service: ${JSON.stringify(result.summary)}`);
      }
      await destroy(options);
    }
    return samples;
  };

  try {
    await writeFile(join(dir, 'starsystem.yaml'), system(health.port));
    const serial = stats(await measure(1));
    const parallel = stats(await measure(DEFAULT_CONCURRENCY));
    process.stdout.write(`${SERVICES} services, health passing ${READY_AFTER_MS} ms after start, ${RUNS} runs each (median, min, max)\n`);
    process.stdout.write(
      table([
        ['concurrency', 'median', 'min', 'max', 'per service'],
        ['1', ms(serial.p50), ms(serial.min), ms(serial.max), ms(serial.p50 / SERVICES)],
        [`${DEFAULT_CONCURRENCY} (default)`, ms(parallel.p50), ms(parallel.min), ms(parallel.max), ms(parallel.p50 / SERVICES)],
      ]),
    );
    process.stdout.write(`speed-up at the default concurrency: ${(serial.p50 / parallel.p50).toFixed(2)}x (ideal ${DEFAULT_CONCURRENCY}x)\n\n`);

    await writeFile(join(dir, 'starsystem.yaml'), system(undefined));
    const bare1 = stats(await measure(1));
    const bare = stats(await measure(DEFAULT_CONCURRENCY));
    process.stdout.write(`${SERVICES} services without health checks: the engine's own cost\n`);
    process.stdout.write(
      table([
        ['concurrency', 'run (median)', 'per service'],
        ['1', ms(bare1.p50), ms(bare1.p50 / SERVICES)],
        [`${DEFAULT_CONCURRENCY} (default)`, ms(bare.p50), ms(bare.p50 / SERVICES)],
      ]),
    );
  } finally {
    await destroy(options).catch(() => undefined);
    health.server.close();
    await rm(home, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
