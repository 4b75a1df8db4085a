/** The `ss` executable (bundled to dist/cli.js). */
import { processIO } from './io';
import { runCli } from './run';

const controller = new AbortController();
let interrupted = 0;
process.on('SIGINT', () => {
  // The first Ctrl-C cancels the run cleanly; a second one exits at once.
  if (++interrupted > 1) process.exit(130);
  controller.abort();
});

runCli(process.argv.slice(2), processIO(controller.signal)).then(
  (code) => {
    process.exitCode = interrupted > 0 && code !== 0 ? 130 : code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
