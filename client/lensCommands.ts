/**
 * The contract with the language server for CodeLens commands: the client names the
 * command ids in the experimental client capability `experimental.starsystem.commands`
 * (documented in server/capabilities.ts), and registers a command for each.
 */

/** The experimental client capability the server reads. */
export const EXPERIMENTAL_CAPABILITY = 'starsystem';

/** The command ids the server's CodeLenses carry (server/service/types.ts `LensCommands`). */
export const CODELENS_COMMANDS = {
  provisionService: 'starsystem.provisionService',
  provisionAll: 'starsystem.provisionAll',
  plan: 'starsystem.showPlan',
} as const;

/** What the client adds to its capabilities at `initialize`. */
export function experimentalCapability(): Record<string, unknown> {
  return { [EXPERIMENTAL_CAPABILITY]: { commands: { ...CODELENS_COMMANDS } } };
}
