/**
 * A separate process that writes to a vault, for the concurrency and crash tests.
 *   writer.ts once KEY VALUE          waits for a line on stdin, sets KEY once, prints "done"
 *   writer.ts many KEY TAG COUNT      waits for a line, sets KEY to TAG-0 .. TAG-(COUNT-1), prints "done"
 *   writer.ts loop KEY SIZE START     sets KEY to crashValue(n, SIZE) for n = START, START+1, ...
 *                                     printing n after each write completes, until killed
 * STARSYSTEM_HOME comes from the environment.
 */
import { starsystemHome } from '../../engine/home';
import { openVault } from '../../engine/vault/store';

/** The value the loop writes for n: recognisable and large enough that a write takes a while. */
export function crashValue(n: number, size: number): string {
  return `value-${n}:` + String(n % 10).repeat(size);
}

async function waitForGo(): Promise<void> {
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  process.stdin.pause();
}

async function main(): Promise<void> {
  const [mode, key, a, b] = process.argv.slice(2);
  const vault = openVault({ home: starsystemHome(process.env), env: process.env });
  if (mode === 'once') {
    process.stdout.write('ready\n');
    await waitForGo();
    await vault.set(key!, a!);
    process.stdout.write('done\n');
  } else if (mode === 'many') {
    process.stdout.write('ready\n');
    await waitForGo();
    for (let i = 0; i < Number(b); i++) await vault.set(key!, `${a}-${i}`);
    process.stdout.write('done\n');
  } else if (mode === 'loop') {
    const size = Number(a);
    for (let n = Number(b); ; n++) {
      await vault.set(key!, crashValue(n, size));
      process.stdout.write(`${n}\n`);
    }
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
}

// Run only as a program, not when the test imports crashValue.
if (process.argv[1]?.endsWith('writer.ts')) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
