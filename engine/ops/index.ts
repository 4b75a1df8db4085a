/**
 * The engine's operations, as the CLI and the VS Code extension call them: each takes
 * options (file, env, vault, signal, onEvent...) and returns a typed result; progress
 * arrives as events. Nothing here prints.
 */
export { provision, DEFAULT_CONCURRENCY } from './provision';
export type { ProvisionOptions, ProvisionRun, ServiceRunResult, ServiceOutcome, RunSummary } from './provision';
export { status } from './status';
export type { StatusOptions, StatusReport, ServiceStatus, ServiceHealth } from './status';
export { drift } from './drift';
export type { DriftOptions, DriftReport, ServiceDrift } from './drift';
export { destroy } from './destroy';
export type { DestroyOptions, DestroyPlan, DestroyRun, DestroyTarget } from './destroy';
export { rollback, RollbackError } from './rollback';
export type { RollbackOptions, RollbackResult } from './rollback';
export { inspect, listReceipts } from './inspect';
export type { InspectOptions, InspectResult } from './inspect';
export { InvalidConfigError, MissingApiKeyError, MissingInjectedCredentialError } from './context';
export type { OpsOptions } from './context';
export type { OpsEvent, OpsEventListener, ServiceEvent, ServicePhase, PlanEvent, RunEvent, WarningEvent, OperationName } from './events';
export { LockHeldError } from '../run/lock';
export type { LockHolder } from '../run/lock';
export { ReceiptNotFoundError } from '../run/history';
export type { Receipt, TimelineEntry } from '../run/history';
