/**
 * The channel the language client traces into. vscode-languageclient traces only when its
 * trace channel's log level is Trace; this channel takes its level from the
 * `starsystem.trace.server` setting instead, so the setting alone turns tracing on and off.
 */
import { EventEmitter, LogLevel, window, workspace, type Disposable, type LogOutputChannel, type OutputChannel, type ViewColumn } from 'vscode';

export const TRACE_SETTING = 'starsystem.trace.server';

function levelFromSetting(): LogLevel {
  const value = workspace.getConfiguration('starsystem').get<string>('trace.server', 'off');
  return value === 'off' ? LogLevel.Info : LogLevel.Trace;
}

export class TraceChannel implements LogOutputChannel {
  readonly name: string;
  private readonly channel: OutputChannel;
  private readonly levelChanged = new EventEmitter<LogLevel>();
  readonly onDidChangeLogLevel = this.levelChanged.event;
  private level = levelFromSetting();
  private readonly subscription: Disposable;

  constructor(name: string) {
    this.name = name;
    this.channel = window.createOutputChannel(name);
    this.subscription = workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(TRACE_SETTING)) return;
      const next = levelFromSetting();
      if (next === this.level) return;
      this.level = next;
      this.levelChanged.fire(next);
    });
  }

  get logLevel(): LogLevel {
    return this.level;
  }

  private write(level: string, message: string | Error, args: unknown[]): void {
    const text = message instanceof Error ? (message.stack ?? message.message) : message;
    const extra = args.length ? ` ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}` : '';
    this.channel.appendLine(`${new Date().toISOString()} [${level}] ${text}${extra}`);
  }

  trace(message: string, ...args: unknown[]): void {
    if (this.level <= LogLevel.Trace) this.write('trace', message, args);
  }
  debug(message: string, ...args: unknown[]): void {
    if (this.level <= LogLevel.Debug) this.write('debug', message, args);
  }
  info(message: string, ...args: unknown[]): void {
    this.write('info', message, args);
  }
  warn(message: string, ...args: unknown[]): void {
    this.write('warning', message, args);
  }
  error(error: string | Error, ...args: unknown[]): void {
    this.write('error', error, args);
  }
  append(value: string): void {
    this.channel.append(value);
  }
  appendLine(value: string): void {
    this.channel.appendLine(value);
  }
  replace(value: string): void {
    this.channel.replace(value);
  }
  clear(): void {
    this.channel.clear();
  }
  show(columnOrPreserveFocus?: ViewColumn | boolean, preserveFocus?: boolean): void {
    if (typeof columnOrPreserveFocus === 'boolean') this.channel.show(columnOrPreserveFocus);
    else this.channel.show(columnOrPreserveFocus, preserveFocus);
  }
  hide(): void {
    this.channel.hide();
  }
  dispose(): void {
    this.subscription.dispose();
    this.levelChanged.dispose();
    this.channel.dispose();
  }
}
