/**
 * `drift`: the recorded state against the declared config and against what is live. Like
 * `terraform plan -detailed-exitcode`: 0 when everything matches, 2 when something
 * drifted, 1 when something could not be checked.
 */
import type { DriftFinding } from '../provisioners/types';
import { openSystem, type OpsOptions } from './context';
import { statusOf, type ServiceHealth } from './status';

export interface ServiceDrift {
  serviceId: string;
  provider?: string;
  state: 'clean' | 'drifted' | 'error' | 'skipped';
  health: ServiceHealth;
  findings: DriftFinding[];
  /** For an error: what could not be checked. */
  message?: string;
}

export interface DriftReport {
  project: string;
  env: string;
  configPath: string;
  services: ServiceDrift[];
  drifted: number;
  errors: number;
  /** 0 clean, 2 drift, 1 error. */
  exitCode: 0 | 1 | 2;
  checkedAt: string;
}

export interface DriftOptions extends OpsOptions {
  services?: string[];
  concurrency?: number;
}

export async function drift(options: DriftOptions = {}): Promise<DriftReport> {
  const ops = await openSystem(options);
  // Drift reports each service once, with its findings; status's own events are not passed on.
  const report = await statusOf({ ...ops, emit: () => {} }, options);
  const services: ServiceDrift[] = report.services.map((s) => {
    const findings: DriftFinding[] = [];
    const base = { serviceId: s.serviceId, provider: s.provider, health: s.health };
    if (s.health === 'skipped') return { ...base, state: 'skipped', findings };
    if (s.health === 'error') return { ...base, state: 'error', findings, message: s.message };
    if (s.orphan) findings.push({ field: 'declaration', recorded: s.resourceId, live: null, message: 'recorded but no longer declared' });
    if (s.health === 'not-provisioned') findings.push({ field: 'state', recorded: null, message: 'declared but not provisioned' });
    if (s.health === 'pending') findings.push({ field: 'state', message: 'an earlier run did not finish provisioning it' });
    if (s.health === 'failed') findings.push({ field: 'state', message: s.message });
    if (s.configChanged) findings.push({ field: 'declaration', message: 'the declaration changed since it was provisioned' });
    if (s.drift?.length) findings.push(...s.drift);
    else if (s.health === 'dead' || s.health === 'unhealthy' || s.health === 'starting') {
      findings.push({ field: s.health === 'dead' ? 'resource' : 'health', recorded: 'healthy', live: s.health, message: s.message });
    }
    if (s.record && s.lastError && s.health !== 'failed') findings.push({ field: 'state', message: `the last run failed: ${s.lastError.split('\n')[0]}` });
    return { ...base, state: findings.length > 0 ? 'drifted' : 'clean', findings };
  });
  for (const s of services) {
    ops.emit({ type: 'service', phase: 'checked', serviceId: s.serviceId, provider: s.provider, health: s.state, message: s.findings.map((f) => f.message).join('; ') || s.message });
  }
  const drifted = services.filter((s) => s.state === 'drifted').length;
  const errors = services.filter((s) => s.state === 'error').length;
  return {
    project: report.project,
    env: report.env,
    configPath: report.configPath,
    services,
    drifted,
    errors,
    exitCode: errors > 0 ? 1 : drifted > 0 ? 2 : 0,
    checkedAt: report.checkedAt,
  };
}
