/**
 * The built-in provisioners and the shared registry. Third-party code registers its own
 * with `provisioners.register(new MyProvisioner())`.
 */
import { AwsProvisioner } from './aws';
import { CloudflareProvisioner } from './cloudflare';
import { FlyProvisioner } from './fly';
import { NeonProvisioner } from './neon';
import { PorkbunProvisioner } from './porkbun';
import { LocalProcessProvisioner } from './local-process';
import { RailwayProvisioner } from './railway';
import { ProvisionerRegistry } from './registry';
import { SupabaseProvisioner } from './supabase';

export { ProvisionerRegistry, requestedProvider, namesProvider } from './registry';
export type * from './types';

/** A registry holding every built-in provisioner. */
export function createDefaultRegistry(): ProvisionerRegistry {
  const registry = new ProvisionerRegistry();
  for (const adapter of builtinProvisioners()) registry.register(adapter);
  return registry;
}

function builtinProvisioners() {
  return [
    new LocalProcessProvisioner(),
    new NeonProvisioner(),
    new FlyProvisioner(),
    new SupabaseProvisioner(),
    new RailwayProvisioner(),
    new CloudflareProvisioner(),
    new AwsProvisioner(),
    new PorkbunProvisioner(),
  ];
}

/** The process-wide registry the CLI and the extension use. */
export const provisioners = createDefaultRegistry();
