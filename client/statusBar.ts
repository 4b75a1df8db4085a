/** The status bar item that shows the active environment; clicking it selects another. */
import { MarkdownString, StatusBarAlignment, window, type Disposable, type StatusBarItem } from 'vscode';

export class EnvironmentStatusBar implements Disposable {
  private readonly item: StatusBarItem;

  constructor() {
    this.item = window.createStatusBarItem('starsystem.environment', StatusBarAlignment.Left, 50);
    this.item.name = 'Starsystem Environment';
    this.item.command = 'starsystem.selectEnvironment';
  }

  /** Shows `env` for the system at `configPath`, or hides the item when there is no system. */
  update(env: string | undefined, configPath?: string, running?: string): void {
    if (!env) {
      this.item.hide();
      return;
    }
    this.item.text = running ? `$(sync~spin) ${env}: ${running}` : `$(layers) ${env}`;
    const tooltip = new MarkdownString(`**Starsystem environment:** \`${env}\``);
    if (configPath) tooltip.appendMarkdown(`\n\n${configPath}`);
    tooltip.appendMarkdown('\n\nClick to select another environment.');
    this.item.tooltip = tooltip;
    this.item.show();
  }

  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}
