/**
 * Progress events of engine operations. The CLI prints them as they come; the editor shows
 * them in its output channel, progress notification and services tree. Every text in an
 * event has been through the vault's redactor.
 */
import type { Plan } from '../plan/plan';

export type OperationName = 'provision' | 'deploy' | 'status' | 'drift' | 'destroy' | 'rollback' | 'inspect';

export type ServicePhase =
  /** Waiting for its dependencies or a free slot. */
  | 'queued'
  /** Its provisioner was called. */
  | 'started'
  /** A step of the work ("Machine launched in iad"). */
  | 'step'
  /** Done and healthy (provision), or stopped and removed (destroy). */
  | 'healthy'
  | 'destroyed'
  | 'failed'
  /** No provisioner applies (or not this operation's kind of service). */
  | 'skipped'
  /** A dependency failed, or the run was cancelled, before it could start. */
  | 'not-started'
  /** Status and drift: the service was checked. */
  | 'checked';

export interface ServiceEvent {
  type: 'service';
  phase: ServicePhase;
  serviceId: string;
  provider?: string;
  /** The step's text, the failure, the reason for skipping or not starting, the summary. */
  message?: string;
  /** Time since the service started (healthy, destroyed, failed). */
  durationMs?: number;
  /** healthy: created, restarted, updated or verified. */
  outcome?: string;
  /** checked: the health found. */
  health?: string;
  at: string;
}

export interface PlanEvent {
  type: 'plan';
  operation: OperationName;
  plan: Plan;
  at: string;
}

export interface RunEvent {
  type: 'run';
  phase: 'started' | 'finished';
  operation: OperationName;
  project: string;
  env: string;
  runId?: string;
  status?: string;
  durationMs?: number;
  at: string;
}

export interface WarningEvent {
  type: 'warning';
  message: string;
  serviceId?: string;
  at: string;
}

export type OpsEvent = ServiceEvent | PlanEvent | RunEvent | WarningEvent;

export type OpsEventListener = (event: OpsEvent) => void;
