/**
 * The Services view: one item per service with a health icon, a description (provider, pid
 * or resource id), a tooltip with details, and children for its URLs, its last deploy and
 * its drift findings. Inline actions follow `contextValue` flags: provisionable, hasLog,
 * stoppable. Health is re-checked on demand, after every run and, when
 * `starsystem.statusRefreshSeconds` is set, on an interval that runs only while the view is visible.
 */
import { relative } from 'node:path';
import {
  EventEmitter,
  MarkdownString,
  ThemeColor,
  ThemeIcon,
  TreeItem,
  TreeItemCollapsibleState,
  Uri,
  window,
  type CancellationToken,
  type Disposable,
  type Event,
  type FileDecoration,
  type FileDecorationProvider,
  type TreeDataProvider,
  type TreeView,
} from 'vscode';
import type { DriftReport, OpsEvent } from '../engine/ops/index';
import { formatDuration } from '../engine/run/duration';
import type { DriftFinding } from '../engine/provisioners/types';
import type { DisplayHealth, ServiceEntry, SystemSnapshot } from './servicesModel';

export const SERVICES_VIEW_ID = 'starsystem.services';
const DECORATION_SCHEME = 'starsystem-service';

interface HealthLook {
  icon: string;
  color?: string;
  label: string;
}

/** Icons and words for every health; colours from the theme's chart palette. */
export const HEALTH_LOOKS: Record<DisplayHealth | 'queued' | 'starting-run' | 'stopping', HealthLook> = {
  healthy: { icon: 'pass-filled', color: 'charts.green', label: 'healthy' },
  running: { icon: 'circle-filled', color: 'charts.green', label: 'running' },
  starting: { icon: 'loading~spin', color: 'charts.blue', label: 'starting' },
  unhealthy: { icon: 'warning', color: 'charts.orange', label: 'unhealthy' },
  dead: { icon: 'error', color: 'charts.red', label: 'dead' },
  failed: { icon: 'error', color: 'charts.red', label: 'failed' },
  pending: { icon: 'clock', color: 'charts.yellow', label: 'pending' },
  'not-provisioned': { icon: 'circle-large-outline', color: 'disabledForeground', label: 'not provisioned' },
  skipped: { icon: 'circle-slash', color: 'disabledForeground', label: 'skipped' },
  error: { icon: 'question', color: 'charts.yellow', label: 'unknown (check failed)' },
  unchecked: { icon: 'circle-outline', color: 'descriptionForeground', label: 'not checked' },
  queued: { icon: 'watch', color: 'charts.blue', label: 'queued' },
  'starting-run': { icon: 'sync~spin', color: 'charts.blue', label: 'provisioning' },
  stopping: { icon: 'sync~spin', color: 'charts.orange', label: 'stopping' },
};

export type ServicesNode =
  | { kind: 'service'; service: ServiceEntry; snapshot: SystemSnapshot }
  | { kind: 'url'; url: string; service: ServiceEntry }
  | { kind: 'deploy'; service: ServiceEntry }
  | { kind: 'drift'; finding: DriftFinding; service: ServiceEntry }
  | { kind: 'message'; text: string; icon: string; tooltip?: string };

export type SnapshotLoader = (configPath: string) => Promise<SystemSnapshot>;

export class ServicesTree implements TreeDataProvider<ServicesNode>, FileDecorationProvider, Disposable {
  private readonly changed = new EventEmitter<ServicesNode | undefined | void>();
  readonly onDidChangeTreeData: Event<ServicesNode | undefined | void> = this.changed.event;
  private readonly decorationsChanged = new EventEmitter<Uri | Uri[] | undefined>();
  readonly onDidChangeFileDecorations = this.decorationsChanged.event;
  private readonly refreshed = new EventEmitter<SystemSnapshot | undefined>();
  /** Fires after each refresh with the new snapshot. */
  readonly onDidRefresh = this.refreshed.event;

  private current: SystemSnapshot | undefined;
  private configPath: string | undefined;
  private inFlight: Promise<void> | undefined;
  private again = false;
  /** Drift findings of the last drift check, by "configPath|env|service". */
  private readonly drifted = new Map<string, DriftFinding[]>();
  private readonly runPhases = new Map<string, 'queued' | 'starting-run' | 'stopping'>();
  private timer: NodeJS.Timeout | undefined;
  private view: TreeView<ServicesNode> | undefined;
  private intervalSeconds = 0;
  private loading = false;

  constructor(private readonly load: SnapshotLoader) {}

  attach(view: TreeView<ServicesNode>): Disposable {
    this.view = view;
    return view.onDidChangeVisibility(() => {
      this.schedule();
      if (view.visible) void this.refresh();
    });
  }

  /** The snapshot the view shows (tests read it). */
  get snapshot(): SystemSnapshot | undefined {
    return this.current;
  }

  /** Shows another system (or none). */
  setSystem(configPath: string | undefined): Promise<void> {
    if (configPath !== this.configPath) {
      this.configPath = configPath;
      this.current = undefined;
      this.changed.fire();
    }
    return this.refresh();
  }

  /** Re-reads state and health. Calls during a refresh coalesce into one more refresh. */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = (async () => {
      do {
        this.again = false;
        const path = this.configPath;
        if (!path) {
          this.current = undefined;
          break;
        }
        this.loading = true;
        try {
          const snapshot = await this.load(path);
          if (path === this.configPath) this.current = snapshot;
        } catch (error) {
          this.current = { configPath: path, project: '', env: '', services: [], invalid: true, error: (error as Error).message, checkedHealth: false, takenAt: new Date().toISOString() };
        } finally {
          this.loading = false;
        }
      } while (this.again);
      this.changed.fire();
      this.decorationsChanged.fire(undefined);
      this.refreshed.fire(this.current);
    })().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Polls every `seconds` while the view is visible; 0 turns polling off. */
  setInterval(seconds: number): void {
    this.intervalSeconds = seconds;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.intervalSeconds > 0 && this.view?.visible) {
      this.timer = setInterval(() => void this.refresh(), this.intervalSeconds * 1000);
    }
  }

  /** Whether the interval timer is running (it runs only while the view is visible). */
  get polling(): boolean {
    return this.timer !== undefined;
  }

  /** Records a drift check's findings: drifted services are marked until the next check or run. */
  applyDrift(configPath: string, report: DriftReport): void {
    for (const key of [...this.drifted.keys()]) if (key.startsWith(`${configPath}|${report.env}|`)) this.drifted.delete(key);
    for (const s of report.services) {
      if (s.state === 'drifted') this.drifted.set(`${configPath}|${report.env}|${s.serviceId}`, s.findings);
    }
    this.changed.fire();
    this.decorationsChanged.fire(undefined);
  }

  /** Follows a run: queued and started services show a spinner; a finished one clears its drift mark. */
  applyEvent(configPath: string, env: string, event: OpsEvent): void {
    if (event.type !== 'service') return;
    const key = event.serviceId;
    switch (event.phase) {
      case 'queued':
        this.runPhases.set(key, 'queued');
        break;
      case 'started':
        this.runPhases.set(key, event.message === 'destroying' ? 'stopping' : 'starting-run');
        break;
      case 'step':
        return;
      case 'healthy':
      case 'destroyed':
        this.drifted.delete(`${configPath}|${env}|${key}`);
        this.runPhases.delete(key);
        break;
      default:
        this.runPhases.delete(key);
    }
    this.changed.fire();
  }

  /** Marks services as being stopped (a destroy run that reports no per-service start). */
  markStopping(ids: string[]): void {
    for (const id of ids) this.runPhases.set(id, 'stopping');
    this.changed.fire();
  }

  /** Forgets run phases (a run ended, however it ended). */
  endRun(): void {
    this.runPhases.clear();
    this.changed.fire();
  }

  driftOf(service: ServiceEntry, snapshot: SystemSnapshot): DriftFinding[] | undefined {
    return this.drifted.get(`${snapshot.configPath}|${snapshot.env}|${service.id}`);
  }

  getChildren(node?: ServicesNode): ServicesNode[] {
    if (!node) {
      const snapshot = this.current;
      if (!this.configPath) return [];
      if (!snapshot) return [{ kind: 'message', text: this.loading ? 'Checking services…' : 'Loading…', icon: 'loading~spin' }];
      if (snapshot.error) return [{ kind: 'message', text: snapshot.error, icon: 'error', tooltip: snapshot.error }];
      if (snapshot.services.length === 0) return [{ kind: 'message', text: 'No services declared yet.', icon: 'info' }];
      return snapshot.services.map((service) => ({ kind: 'service', service, snapshot }));
    }
    if (node.kind !== 'service') return [];
    const out: ServicesNode[] = [];
    for (const finding of this.driftOf(node.service, node.snapshot) ?? node.service.drift ?? []) out.push({ kind: 'drift', finding, service: node.service });
    for (const url of node.service.urls) out.push({ kind: 'url', url, service: node.service });
    if (node.service.lastDeploy) out.push({ kind: 'deploy', service: node.service });
    return out;
  }

  getTreeItem(node: ServicesNode): TreeItem {
    switch (node.kind) {
      case 'service':
        return this.serviceItem(node.service, node.snapshot);
      case 'url': {
        const item = new TreeItem(node.url, TreeItemCollapsibleState.None);
        item.iconPath = new ThemeIcon('link-external');
        item.tooltip = `Open ${node.url}`;
        item.command = { command: 'vscode.open', title: 'Open', arguments: [Uri.parse(node.url)] };
        item.contextValue = 'url';
        return item;
      }
      case 'deploy': {
        const d = node.service.lastDeploy!;
        const item = new TreeItem(`Last deploy ${d.id.slice(0, 8)}`, TreeItemCollapsibleState.None);
        item.description = `${formatDate(d.startedAt)} · ${d.status}`;
        item.iconPath = new ThemeIcon('history', new ThemeColor(d.status === 'completed' ? 'charts.green' : d.status === 'running' ? 'charts.blue' : 'charts.red'));
        item.tooltip = new MarkdownString(
          `**${d.operation}** \`${d.id}\`\n\n${formatDate(d.startedAt)} · ${d.status}${d.durationMs !== undefined ? ` · ${formatDuration(d.durationMs)}` : ''}`,
        );
        item.contextValue = 'deploy';
        return item;
      }
      case 'drift': {
        const item = new TreeItem(`${node.finding.field}: ${node.finding.message}`, TreeItemCollapsibleState.None);
        item.iconPath = new ThemeIcon('diff', new ThemeColor('charts.orange'));
        const tip = new MarkdownString(`**Drift** in \`${node.finding.field}\`\n\n${escapeMarkdown(node.finding.message)}`);
        if (node.finding.recorded !== undefined) tip.appendMarkdown(`\n\nRecorded: \`${String(JSON.stringify(node.finding.recorded))}\``);
        if (node.finding.live !== undefined) tip.appendMarkdown(`\n\nLive: \`${String(JSON.stringify(node.finding.live))}\``);
        item.tooltip = tip;
        item.contextValue = 'drift';
        return item;
      }
      case 'message': {
        const item = new TreeItem(node.text, TreeItemCollapsibleState.None);
        item.iconPath = new ThemeIcon(node.icon);
        if (node.tooltip) item.tooltip = node.tooltip;
        item.contextValue = 'message';
        return item;
      }
    }
  }

  private serviceItem(service: ServiceEntry, snapshot: SystemSnapshot): TreeItem {
    const phase = this.runPhases.get(service.id);
    const look = HEALTH_LOOKS[phase ?? service.health];
    const drift = this.driftOf(service, snapshot) ?? (service.drift?.length ? service.drift : undefined);
    const hasChildren = service.urls.length > 0 || service.lastDeploy !== undefined || (drift?.length ?? 0) > 0;
    const item = new TreeItem(service.id, hasChildren ? TreeItemCollapsibleState.Collapsed : TreeItemCollapsibleState.None);
    item.id = `${snapshot.configPath}|${snapshot.env}|${service.id}`;
    item.iconPath = new ThemeIcon(look.icon, look.color ? new ThemeColor(look.color) : undefined);
    item.description = describe(service, look.label, drift !== undefined);
    item.tooltip = tooltipFor(service, snapshot, look.label, drift);
    item.accessibilityInformation = { label: `${service.id}, ${look.label}${drift ? ', drifted' : ''}` };
    // The decoration provider marks drifted services (badge and colour).
    item.resourceUri = Uri.from({ scheme: DECORATION_SCHEME, path: `/${encodeURIComponent(snapshot.configPath)}/${snapshot.env}/${service.id}` });
    const flags = ['service', `health-${phase ?? service.health}`];
    if (service.planRow && service.planRow.action !== 'skip' && service.planRow.action !== 'remove' && !phase) flags.push('provisionable');
    if (service.logPath) flags.push('hasLog');
    if (service.record && !phase && ['healthy', 'running', 'starting', 'unhealthy'].includes(service.health)) flags.push('stoppable');
    if (drift) flags.push('drifted');
    item.contextValue = flags.join(' ');
    return item;
  }

  provideFileDecoration(uri: Uri, _token: CancellationToken): FileDecoration | undefined {
    if (uri.scheme !== DECORATION_SCHEME) return undefined;
    const parts = uri.path.split('/');
    const id = parts.pop()!;
    const env = parts.pop()!;
    const configPath = decodeURIComponent(parts.pop() ?? '');
    const findings = this.drifted.get(`${configPath}|${env}|${id}`);
    const fromStatus = this.current?.services.find((s) => s.id === id)?.drift;
    if (!findings && !fromStatus?.length) return undefined;
    return { badge: 'D', tooltip: 'Drifted', color: new ThemeColor('charts.orange') };
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.changed.dispose();
    this.decorationsChanged.dispose();
    this.refreshed.dispose();
  }
}

function describe(service: ServiceEntry, healthLabel: string, drifted: boolean): string {
  const parts: string[] = [];
  if (drifted) parts.push('drifted');
  if (service.health === 'skipped') return [...parts, service.message ?? 'skipped'].join(' · ');
  if (service.provider) parts.push(service.provider);
  if (service.pid !== undefined) parts.push(`pid ${service.pid}`);
  else if (service.resourceId) parts.push(service.resourceId);
  if (service.health !== 'healthy' && service.health !== 'running') parts.push(healthLabel);
  if (service.orphan) parts.push('no longer declared');
  return parts.join(' · ');
}

function tooltipFor(service: ServiceEntry, snapshot: SystemSnapshot, healthLabel: string, drift: DriftFinding[] | undefined): MarkdownString {
  const md = new MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMarkdown(service.id)}**${service.name ? ` — ${escapeMarkdown(service.name)}` : ''}\n\n`);
  md.appendMarkdown(`$(${HEALTH_LOOKS[service.health].icon.replace('~spin', '')}) ${healthLabel}`);
  if (service.message && service.message !== healthLabel) md.appendMarkdown(`: ${escapeMarkdown(service.message)}`);
  md.appendMarkdown('\n\n');
  const rows: [string, string | undefined][] = [
    ['Type', service.type],
    ['Provider', service.provider],
    ['Plan', service.planRow ? `${service.planRow.symbol} ${service.planRow.detail}` : undefined],
    ['PID', service.pid !== undefined ? String(service.pid) : undefined],
    ['Resource', service.resourceId],
    ['Provisioned', service.record?.provisionedAt ? formatDate(service.record.provisionedAt) : undefined],
    ['Region', service.record?.region],
    ['Depends on', service.dependsOn.length ? service.dependsOn.join(', ') : undefined],
    ['Log', service.logPath],
    ['Environment', `${snapshot.env} (${relative(process.cwd(), snapshot.configPath) || snapshot.configPath})`],
  ];
  for (const [label, value] of rows) if (value) md.appendMarkdown(`${label}: \`${value.replace(/`/g, "'")}\`  \n`);
  if (drift?.length) {
    md.appendMarkdown('\n**Drift**\n');
    for (const f of drift) md.appendMarkdown(`\n- ${escapeMarkdown(f.field)}: ${escapeMarkdown(f.message)}`);
  }
  return md;
}

function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

/** Registers the view and its decorations. */
export function registerServicesView(tree: ServicesTree): Disposable[] {
  const view = window.createTreeView(SERVICES_VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  return [view, tree.attach(view), window.registerFileDecorationProvider(tree)];
}
