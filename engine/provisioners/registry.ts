/**
 * The provisioner registry. Built-in provisioners are registered by `createDefaultRegistry`;
 * third-party code adds its own with `register()` at run time.
 */
import type { ProvisionerAdapter, ResolvedService } from './types';

export class ProvisionerRegistry {
  private readonly byName = new Map<string, ProvisionerAdapter>();

  register(adapter: ProvisionerAdapter): this {
    if (!adapter.provider || typeof adapter.provider !== 'string') {
      throw new Error('A provisioner needs a provider name.');
    }
    // A later registration of the same name replaces the earlier one: plugins can override built-ins.
    this.byName.set(adapter.provider, adapter);
    return this;
  }

  unregister(provider: string): boolean {
    return this.byName.delete(provider);
  }

  get(provider: string): ProvisionerAdapter | undefined {
    return this.byName.get(provider);
  }

  has(provider: string): boolean {
    return this.byName.has(provider);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  all(): ProvisionerAdapter[] {
    return [...this.byName.values()];
  }

  /**
   * The provisioner for a service. An explicit `target.type` or `provision.provider` is
   * asked first; otherwise the first provisioner whose `canProvision` accepts it.
   */
  resolve(service: ResolvedService): ProvisionerAdapter | undefined {
    const named = requestedProvider(service);
    if (named) {
      const adapter = this.byName.get(named);
      return adapter && adapter.canProvision(service) ? adapter : undefined;
    }
    for (const adapter of this.byName.values()) {
      if (adapter.canProvision(service)) return adapter;
    }
    return undefined;
  }
}

/** The provider a service names explicitly (v2 `target.type`, else v1 `provision.provider`). */
export function requestedProvider(service: Pick<ResolvedService, 'target' | 'provision'>): string | undefined {
  const fromTarget = service.target?.type;
  if (typeof fromTarget === 'string' && fromTarget !== '') return fromTarget;
  const fromProvision = service.provision?.provider;
  if (typeof fromProvision === 'string' && fromProvision !== '') return fromProvision;
  return undefined;
}

/** The default `canProvision` for a provisioner that is chosen by name. */
export function namesProvider(service: ResolvedService, provider: string): boolean {
  return requestedProvider(service) === provider;
}
