/**
 * The "Starsystem" output channel: every run's events, plans, diagnostics and errors, each
 * line passed through the vault's redactor before it is written, so no secret value the
 * vault has handed out or stored can show up here.
 */
import { window, type Disposable, type OutputChannel } from 'vscode';
import type { Style } from '../engine/cli/io';
import type { OpsEvent } from '../engine/ops/events';
import { formatDuration } from '../engine/run/duration';
import type { Redactor } from '../engine/vault/types';

export const OUTPUT_CHANNEL_NAME = 'Starsystem';

/** The CLI renderers' style with every colour off: the output channel is plain text. */
export const PLAIN_STYLE: Style = { bold: same, dim: same, red: same, green: same, yellow: same, blue: same, cyan: same };
function same(text: string): string {
  return text;
}

const PHASE_MARKS: Record<string, string> = {
  queued: '·',
  started: '→',
  step: ' ',
  healthy: '✓',
  destroyed: '✓',
  failed: '✗',
  skipped: '•',
  'not-started': '-',
  checked: '·',
};

export class StarsystemOutput implements Disposable {
  readonly channel: OutputChannel;

  constructor(private readonly redactor: Redactor, channel?: OutputChannel) {
    this.channel = channel ?? window.createOutputChannel(OUTPUT_CHANNEL_NAME);
  }

  /** Writes text (one or more lines), secrets masked. */
  line(text = ''): void {
    this.channel.appendLine(this.redactor.redact(text));
  }

  /** A timestamped line. */
  log(text: string): void {
    this.line(`[${clock()}] ${text}`);
  }

  /** A block of text (a plan, a table), each line written as is. */
  block(text: string): void {
    for (const l of text.replace(/\n$/, '').split('\n')) this.line(l);
  }

  /** The start of a run: a blank line and a heading. */
  heading(text: string): void {
    this.line('');
    this.log(text);
  }

  error(text: string): void {
    this.log(`error: ${text}`);
  }

  /** Renders an engine event as a line. Queued events are left out: they add noise, not news. */
  event(event: OpsEvent): void {
    switch (event.type) {
      case 'service': {
        if (event.phase === 'queued') return;
        const mark = PHASE_MARKS[event.phase] ?? ' ';
        const parts = [`${mark} ${event.serviceId}`];
        if (event.phase === 'step') parts.push(`  ${event.message ?? ''}`);
        else {
          const what =
            event.phase === 'healthy' ? (event.outcome ?? 'healthy') :
            event.phase === 'checked' ? (event.health ?? 'checked') :
            event.phase;
          parts.push(what);
          if (event.provider && (event.phase === 'started' || event.phase === 'checked')) parts.push(`(${event.provider})`);
          if (event.durationMs !== undefined) parts.push(`in ${formatDuration(event.durationMs)}`);
          if (event.message) parts.push(`— ${event.message}`);
        }
        this.log(parts.join(' '));
        return;
      }
      case 'warning':
        this.log(`warning: ${event.serviceId ? `${event.serviceId}: ` : ''}${event.message}`);
        return;
      case 'run':
        if (event.phase === 'started') this.log(`${event.operation} started · ${event.project} (${event.env})${event.runId ? ` · run ${event.runId}` : ''}`);
        else this.log(`${event.operation} ${event.status ?? 'finished'}${event.durationMs !== undefined ? ` in ${formatDuration(event.durationMs)}` : ''}`);
        return;
      case 'plan':
        // The plan is written by the command that asked for it (it knows how to lay it out).
        return;
    }
  }

  show(preserveFocus = true): void {
    this.channel.show(preserveFocus);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

function clock(): string {
  const d = new Date();
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
