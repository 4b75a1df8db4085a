/** The quick picks and input boxes the commands ask with. */
import { QuickPickItemKind, window, type QuickPickItem } from 'vscode';
import type { SystemModel } from '../engine/config/model';
import type { Receipt } from '../engine/ops/index';
import type { PlanRow } from '../engine/plan/plan';
import { vaultKeyProblem } from '../engine/vault/names';
import { formatDuration } from '../engine/run/duration';

export async function pickService(rows: readonly PlanRow[], title: string): Promise<string | undefined> {
  const items = rows
    .filter((r) => r.action !== 'remove')
    .map((r) => ({
      label: r.serviceId,
      description: `${r.symbol} ${r.detail}`,
      detail: r.provider ? `${r.provider}${r.dependsOn.length ? ` · depends on ${r.dependsOn.join(', ')}` : ''}` : undefined,
      serviceId: r.serviceId,
    }));
  if (items.length === 0) {
    void window.showInformationMessage('Starsystem: this system declares no services.');
    return undefined;
  }
  const chosen = await window.showQuickPick(items, { title, placeHolder: 'Which service?', matchOnDescription: true });
  return chosen?.serviceId;
}

/** A quick pick of the deploy history: id, date, result and services. */
export async function pickReceipt(receipts: readonly Receipt[], title: string): Promise<Receipt | undefined> {
  const items = receipts.map((r) => ({
    label: `$(${r.status === 'completed' ? 'pass' : r.status === 'running' ? 'sync' : 'error'}) ${r.id.slice(0, 8)}`,
    description: `${formatWhen(r.startedAt)} · ${r.operation} · ${r.status}${r.durationMs !== undefined ? ` · ${formatDuration(r.durationMs)}` : ''}`,
    detail: r.services.length ? `Services: ${r.services.join(', ')}` : 'No services',
    receipt: r,
  }));
  const chosen = await window.showQuickPick(items, { title, placeHolder: 'Roll back to which deploy? (newest first)', matchOnDescription: true, matchOnDetail: true });
  return chosen?.receipt;
}

export async function pickEnvironment(current: string, environments: readonly string[]): Promise<string | undefined> {
  const items: (QuickPickItem & { env: string })[] = environments.map((env) => ({
    label: env,
    description: env === current ? 'active' : env === 'local' ? 'default' : `starsystem.${env}.yaml`,
    picked: env === current,
    env,
  }));
  const chosen = await window.showQuickPick(items, { title: 'Starsystem: Select Environment', placeHolder: `Active: ${current}` });
  return chosen?.env;
}

/** Asks for a vault key name: the ones this system references first (unset ones marked), or any name typed. */
export async function pickVaultKey(model: SystemModel | undefined, isSet: (key: string) => boolean): Promise<string | undefined> {
  const referenced = [...new Set(model?.vaultReferences.map((r) => r.key) ?? [])].sort();
  const other = { label: '$(edit) Another key…', description: 'namespace.name, e.g. secrets.CF_ZONE_ID', key: '' };
  const items: (QuickPickItem & { key: string })[] = [];
  const unset = referenced.filter((k) => !isSet(k));
  const set = referenced.filter((k) => isSet(k));
  if (unset.length) items.push({ label: 'Referenced, not set', kind: QuickPickItemKind.Separator, key: '' }, ...unset.map((key) => ({ label: key, description: 'not set', key })));
  if (set.length) items.push({ label: 'Referenced, set', kind: QuickPickItemKind.Separator, key: '' }, ...set.map((key) => ({ label: key, description: 'set (replace it)', key })));
  let key: string | undefined;
  if (items.length > 0) {
    items.push({ label: '', kind: QuickPickItemKind.Separator, key: '' }, other);
    const chosen = await window.showQuickPick(items, { title: 'Starsystem: Set Vault Key', placeHolder: 'Which key?' });
    if (!chosen) return undefined;
    key = chosen.key || undefined;
  }
  return key ?? askVaultKeyName();
}

export function askVaultKeyName(): Thenable<string | undefined> {
  return window.showInputBox({
    title: 'Starsystem: Set Vault Key',
    prompt: 'The key name: namespace.name (providers.neon.api_key, secrets.CF_ZONE_ID, hosting.acme_email)',
    placeHolder: 'namespace.name',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() === '' ? undefined : vaultKeyProblem(value.trim())),
  }).then((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
}

/** The secret value, in a password box: never echoed, never kept. */
export function askSecretValue(key: string): Thenable<string | undefined> {
  return window.showInputBox({
    title: `Starsystem: value of ${key}`,
    prompt: `The value to store (encrypted) as ${key}. It is never shown, logged or written to YAML.`,
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value === '' ? 'The value cannot be empty.' : undefined),
  });
}

function formatWhen(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
