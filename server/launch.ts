/**
 * How the language server process is started by the extension (and by the benchmark, which
 * measures it as users run it). V8 grows an unbounded heap generously: left alone, a server
 * holding a 5,000-service file (about 30 MB live) keeps about 240 MB resident. A ceiling
 * makes V8 collect before it grows, which keeps it near 140 MB; like the TypeScript server's
 * `maxTsServerMemory`, the ceiling is a setting, so a very large system can be given more.
 */
export const DEFAULT_SERVER_MEMORY_MB = 512;

export function serverExecArgv(maxMemoryMb: number = DEFAULT_SERVER_MEMORY_MB): string[] {
  return [`--max-old-space-size=${Math.max(128, Math.round(maxMemoryMb))}`];
}
