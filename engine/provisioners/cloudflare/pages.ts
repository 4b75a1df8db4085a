/**
 * `pages-project`: a Cloudflare Pages project (found by name before it is created) with its
 * production branch and custom domain bindings. Writes `PAGES_URL` (the *.pages.dev URL).
 */
import type { DriftFinding, ProvisionContext, ProvisionResult, ProvisionStateRecord, ProvisionStatus } from '../types';
import { ProviderHttpError } from '../http';
import type { CloudflareApi } from './api';
import type { CloudflareSpec } from './spec';
import { metadataOf, plural, statusFromError, stringField, type CloudflareRun } from './run';

type PagesSpec = Extract<CloudflareSpec, { resource: 'pages-project' }>;

interface PagesProject {
  id?: string;
  name: string;
  subdomain?: string;
  production_branch?: string;
  domains?: string[];
}

interface PagesDomain {
  id?: string;
  name: string;
  status?: string;
  validation_data?: { status?: string; error_message?: string };
}

const projectPath = (account: string, name: string) => `/accounts/${encodeURIComponent(account)}/pages/projects/${encodeURIComponent(name)}`;
const domainsPath = (account: string, name: string) => `${projectPath(account, name)}/domains`;

function recordedDomains(state: Partial<ProvisionStateRecord> | undefined): string[] {
  const domains = metadataOf(state).domains;
  return Array.isArray(domains) ? domains.filter((d): d is string => typeof d === 'string') : [];
}

export async function provisionPagesProject(run: CloudflareRun, spec: PagesSpec): Promise<ProvisionResult> {
  const { api, ctx } = run;
  const previousName = run.previous?.resourceId;
  if (previousName && previousName !== spec.projectName) {
    run.step(`The recorded Pages project ${previousName} is not the declared ${spec.projectName}; ${previousName} is left as it is`);
  }
  let project = await api.find<PagesProject>(projectPath(spec.accountId, spec.projectName));
  let created = false;
  if (!project) {
    try {
      project = await api.post<PagesProject>(`/accounts/${encodeURIComponent(spec.accountId)}/pages/projects`, {
        name: spec.projectName,
        production_branch: spec.productionBranch,
      });
      created = true;
      run.step(`Pages project ${spec.projectName} created (${project.subdomain ?? `${spec.projectName}.pages.dev`})`);
    } catch (error) {
      // Created by an earlier attempt whose answer was lost: use it.
      if (!(error instanceof ProviderHttpError && error.status === 409)) throw error;
      project = await api.get<PagesProject>(projectPath(spec.accountId, spec.projectName));
      run.step(`Pages project ${spec.projectName} exists`);
    }
  } else {
    run.step(`Pages project ${spec.projectName} exists (${project.subdomain ?? ''})`);
    if (project.production_branch !== spec.productionBranch) {
      project = await api.patch<PagesProject>(projectPath(spec.accountId, spec.projectName), { production_branch: spec.productionBranch });
      run.step(`Production branch set to ${spec.productionBranch}`);
    }
  }
  const metadata: Record<string, unknown> = {
    resource: 'pages-project',
    accountId: spec.accountId,
    projectName: spec.projectName,
    productionBranch: spec.productionBranch,
    subdomain: project.subdomain ?? `${spec.projectName}.pages.dev`,
  };
  if (project.id) metadata.projectId = project.id;
  await ctx.savePartialState?.({ provider: 'cloudflare', resourceId: spec.projectName, metadata: { ...metadata, domains: recordedDomains(run.previous) } });

  const live = await api.get<PagesDomain[]>(domainsPath(spec.accountId, spec.projectName));
  const liveNames = new Set((Array.isArray(live) ? live : []).map((d) => d.name.toLowerCase()));
  let added = 0;
  for (const domain of spec.domains) {
    if (liveNames.has(domain)) continue;
    const bound = await api.post<PagesDomain>(domainsPath(spec.accountId, spec.projectName), { name: domain });
    added++;
    run.step(`Custom domain ${domain} added (status: ${bound.status ?? 'initializing'})`);
  }
  const previousDomains = previousName === spec.projectName ? recordedDomains(run.previous) : [];
  for (const domain of previousDomains) {
    if (spec.domains.includes(domain) || !liveNames.has(domain)) continue;
    await api.delete(`${domainsPath(spec.accountId, spec.projectName)}/${encodeURIComponent(domain)}`);
    run.step(`Custom domain ${domain} removed (no longer declared)`);
  }
  metadata.domains = spec.domains;

  const url = `https://${metadata.subdomain as string}`;
  const domainNote = spec.domains.length > 0 ? `, ${plural(spec.domains.length, 'custom domain')}${added > 0 ? ` (${added} added)` : ''}` : '';
  return {
    state: { provider: 'cloudflare', resourceId: spec.projectName, provisionedAt: new Date().toISOString(), metadata },
    credentials: { PAGES_URL: url },
    summary: `${created ? 'created' : 'verified'} Pages project ${spec.projectName} at ${url}${domainNote}`,
  };
}

export async function pagesProjectStatus(api: CloudflareApi, state: ProvisionStateRecord): Promise<ProvisionStatus> {
  const metadata = metadataOf(state);
  const account = stringField(metadata, 'accountId');
  const name = stringField(metadata, 'projectName') ?? state.resourceId;
  if (!account) return { healthy: false, condition: 'error', message: 'The recorded state has no accountId; run provision again.' };
  try {
    const project = await api.get<PagesProject>(projectPath(account, name));
    const drift: DriftFinding[] = [];
    const branch = stringField(metadata, 'productionBranch');
    if (branch && project.production_branch && project.production_branch !== branch) {
      drift.push({ field: 'production_branch', recorded: branch, live: project.production_branch, message: `production branch changed from ${branch} to ${project.production_branch}` });
    }
    const recorded = recordedDomains(state);
    const live = recorded.length > 0 ? await api.get<PagesDomain[]>(domainsPath(account, name)) : [];
    const byName = new Map(live.map((d) => [d.name.toLowerCase(), d]));
    const pending: string[] = [];
    recorded.forEach((domain, i) => {
      const d = byName.get(domain);
      if (!d) drift.push({ field: `domains[${i}]`, recorded: domain, live: null, message: `custom domain ${domain} was removed out of band` });
      else if (d.status !== 'active') pending.push(`${domain} ${d.status ?? 'unknown'}`);
    });
    const where = project.subdomain ?? stringField(metadata, 'subdomain') ?? `${name}.pages.dev`;
    if (drift.length > 0) return { healthy: false, condition: 'unhealthy', message: drift[0]!.message, drift, raw: project };
    if (pending.length > 0) return { healthy: false, condition: 'unhealthy', message: `custom domain status: ${pending.join(', ')}`, drift, raw: project };
    const domains = recorded.length > 0 ? `; ${plural(recorded.length, 'custom domain')} active` : '';
    return { healthy: true, condition: 'healthy', message: `Pages project ${name} at ${where}${domains}`, drift, raw: project };
  } catch (error) {
    return statusFromError(error, `Pages project ${name}`);
  }
}

export async function destroyPagesProject(api: CloudflareApi, ctx: ProvisionContext, state: ProvisionStateRecord): Promise<void> {
  const metadata = metadataOf(state);
  const account = stringField(metadata, 'accountId');
  const name = stringField(metadata, 'projectName') ?? state.resourceId;
  if (!account) throw new Error(`Cannot delete Pages project ${name}: the recorded state has no accountId.`);
  const deleted = await api.delete(projectPath(account, name));
  ctx.step?.(`Pages project ${name} ${deleted ? 'deleted' : 'was already gone'}`);
}
