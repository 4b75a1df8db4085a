/**
 * A ProvisionContext for testing one provisioner directly (without the engine's run):
 * vault reads and writes go to a plain map, saved partial state is kept for inspection.
 */
import type { ProvisionContext, ProvisionStateRecord } from '../../engine/provisioners/types';

export interface TestContext extends ProvisionContext {
  /** Values by vault key (what vaultGet reads, what vaultSetProviderKey writes). */
  vault: Map<string, string>;
  /** Every partial state saved, in order. */
  partials: Partial<ProvisionStateRecord>[];
  /** Every step reported, in order. */
  steps: string[];
}

export function testContext(options: Partial<ProvisionContext> & { vault?: Record<string, string> } = {}): TestContext {
  const vault = new Map(Object.entries(options.vault ?? {}));
  const partials: Partial<ProvisionStateRecord>[] = [];
  const steps: string[] = [];
  const { vault: _ignored, ...rest } = options;
  return {
    project: 'test-project',
    env: 'test',
    serviceId: 'svc',
    apiKey: 'test-token-0123456789',
    vaultGet: async (key) => vault.get(key) ?? null,
    vaultSetProviderKey: async (provider, key, value) => {
      vault.set(`providers.${provider}.${key}`, value);
    },
    savePartialState: async (partial) => {
      partials.push(partial);
    },
    step: (message) => steps.push(message),
    processEnv: {},
    ...rest,
    vault,
    partials,
    steps,
  };
}
