/**
 * Registries for validation and plan tests: adapters that route like the real ones but
 * refuse to run. Tests of routing and plans must not depend on which built-in provisioners
 * happen to be registered.
 */
import { namesProvider, ProvisionerRegistry } from '../../engine/provisioners/registry';
import type { ProvisionerAdapter, ResolvedService } from '../../engine/provisioners/types';

export function routingAdapter(provider: string, canProvision?: (s: ResolvedService) => boolean): ProvisionerAdapter {
  const refuse = async (): Promise<never> => {
    throw new Error(`${provider}: this adapter only routes; it does not provision`);
  };
  return {
    provider,
    requiresApiKey: false,
    canProvision: canProvision ?? ((s) => namesProvider(s, provider)),
    provision: refuse,
    status: refuse,
    destroy: refuse,
    describePlan: () => `${provider} resource`,
  };
}

/** local-process, cloudflare, neon and fly, routed as the built-ins route them. */
export function routingRegistry(): ProvisionerRegistry {
  return new ProvisionerRegistry()
    .register(routingAdapter('local-process', (s) => s.type === 'process' && typeof s.command === 'string'))
    .register(routingAdapter('cloudflare', (s) => namesProvider(s, 'cloudflare') || (s.type === 'cdn' && s._cloudflare !== undefined)))
    .register(routingAdapter('neon'))
    .register(routingAdapter('fly'));
}
