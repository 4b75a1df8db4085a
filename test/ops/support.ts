/**
 * For the operation tests: a third-party provisioner registered at run time (as seed 001
 * shows), which keeps its "resources" as files and issues a credential, so that
 * inject_from, the vault, receipts and rollback have something real to carry.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createDefaultRegistry } from '../../engine/provisioners/index';
import { namesProvider } from '../../engine/provisioners/registry';
import type { ProvisionContext, ProvisionerAdapter, ProvisionResult, ProvisionStateRecord, ProvisionStatus, ResolvedService } from '../../engine/provisioners/types';
import type { OpsEvent, ServiceEvent } from '../../engine/ops/events';
import { openVault } from '../../engine/vault/store';
import type { Sandbox } from '../local-process/support';

/** Issues a token per "plan"; the resource is a file under `dir`. A new plan issues a new token. */
export class TokenIssuer implements ProvisionerAdapter {
  readonly provider = 'token-issuer';
  readonly requiresApiKey = false;
  calls: string[] = [];
  constructor(readonly dir: string) {}

  canProvision(service: ResolvedService): boolean {
    return namesProvider(service, this.provider);
  }

  async provision(ctx: ProvisionContext, service: ResolvedService): Promise<ProvisionResult> {
    this.calls.push(`provision ${ctx.serviceId}`);
    const plan = service.provision?.plan ?? 'free';
    if (service.provision?.region === 'fail') throw new Error(`region "fail" is not available (token ${await ctx.vaultGet('secrets.ISSUER_SECRET')})`);
    await mkdir(this.dir, { recursive: true });
    const previous = ctx.existing?.metadata as { plan?: string } | undefined;
    const resourceId = ctx.existing?.resourceId ?? `res_${randomBytes(4).toString('hex')}`;
    let token = ctx.existing && previous?.plan === plan ? await ctx.vaultGet(`${ctx.serviceId}.TOKEN`) : null;
    if (!token) token = `tok-${plan}-${randomBytes(6).toString('hex')}`;
    await writeFile(join(this.dir, resourceId), plan);
    return {
      state: { provider: this.provider, resourceId, provisionedAt: new Date().toISOString(), region: 'local', metadata: { plan } },
      credentials: { TOKEN: token },
      summary: ctx.existing ? `${resourceId} exists` : `created ${resourceId}`,
    };
  }

  async status(_ctx: ProvisionContext, state: ProvisionStateRecord): Promise<ProvisionStatus> {
    try {
      const plan = await readFile(join(this.dir, state.resourceId), 'utf8');
      const recorded = (state.metadata as { plan?: string } | undefined)?.plan;
      if (plan !== recorded) {
        return { healthy: true, message: `plan ${plan}`, condition: 'healthy', drift: [{ field: 'plan', recorded, live: plan, message: `plan: recorded ${recorded}, live ${plan}` }] };
      }
      return { healthy: true, message: `active (plan ${plan})`, condition: 'healthy' };
    } catch {
      return { healthy: false, message: 'resource not found', condition: 'gone' };
    }
  }

  async destroy(ctx: ProvisionContext, state: ProvisionStateRecord): Promise<void> {
    this.calls.push(`destroy ${ctx.serviceId}`);
    await rm(join(this.dir, state.resourceId), { force: true });
  }
}

export function testRegistry(sb: Sandbox) {
  const issuer = new TokenIssuer(join(sb.home, 'issuer-resources'));
  const registry = createDefaultRegistry().register(issuer);
  return { registry, issuer };
}

/** Engine options for a sandbox: its home, its folder, a real vault, events collected. */
export function opsFor(sb: Sandbox, registry: ReturnType<typeof testRegistry>['registry']) {
  const events: OpsEvent[] = [];
  const vault = openVault({ home: sb.home, env: sb.env });
  return {
    events,
    vault,
    options: { cwd: sb.dir, registry, vault, processEnv: sb.env, home: sb.home, onEvent: (e: OpsEvent) => events.push(e) },
    serviceEvents: (phase?: ServiceEvent['phase']) =>
      events.filter((e): e is ServiceEvent => e.type === 'service' && (phase === undefined || e.phase === phase)),
  };
}
