/**
 * Driving the VS Code workbench in the browser the way a person does: the command palette,
 * Quick Open, the editor, CodeLenses, notifications, quick picks, modal dialogs, the
 * Problems panel and the Services view. Selectors are VS Code's own DOM classes.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from './playwright';
import { delay } from './processes';

export const SETTINGS_FOR_TYPING: Record<string, unknown> = {
  // Typing in the tests goes in as typed: no auto-closing, auto-indent or suggestions in the way.
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoIndent': 'none',
  'editor.formatOnType': false,
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.suggestOnTriggerCharacters': false,
  'editor.acceptSuggestionOnEnter': 'off',
  'editor.hover.enabled': false,
  'workbench.editor.enablePreview': false,
};

export class Workbench {
  private shot = 0;

  constructor(readonly page: Page, readonly artifacts: string) {
    mkdirSync(artifacts, { recursive: true });
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await this.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    // The explorer (or restored view) is rendered once the workbench has restored its layout.
    await this.page.waitForSelector('.part.sidebar, .part.editor', { timeout: 60_000 });
  }

  /** Saves a numbered screenshot; returns its path. */
  async screenshot(name: string): Promise<string> {
    // Notifications and quick inputs animate in; let them settle so the picture shows them.
    await delay(400);
    this.shot++;
    const path = join(this.artifacts, `${String(this.shot).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Runs a command from the palette by its full title ("Starsystem: Detect Drift"). */
  async runCommand(title: string): Promise<void> {
    await this.dismissQuickInput();
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    // The first row matching exactly: the palette highlights but may order fuzzily.
    await this.waitForQuickInputRows();
    await row.click();
  }

  async waitForQuickInputRows(): Promise<void> {
    await this.page.locator('.quick-input-widget .monaco-list-row').first().waitFor({ state: 'visible', timeout: 10_000 });
  }

  /** Picks the quick pick row whose text contains `text`. */
  async pick(text: string | RegExp): Promise<void> {
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click();
  }

  /** The texts of the visible quick pick rows. */
  async quickPickRows(): Promise<string[]> {
    await this.waitForQuickInputRows();
    return this.page.locator('.quick-input-widget .monaco-list-row').allInnerTexts();
  }

  async dismissQuickInput(): Promise<void> {
    if (await this.quickInput().isVisible().catch(() => false)) await this.page.keyboard.press('Escape');
  }

  /** Opens a workspace file with Quick Open; resolves with the time Enter was pressed (the file was asked for). */
  async openFile(name: string): Promise<number> {
    await this.dismissQuickInput();
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(name);
    await this.page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible', timeout: 15_000 });
    const openedAt = Date.now();
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tab.active', { hasText: name }).waitFor({ state: 'visible', timeout: 15_000 });
    return openedAt;
  }

  /** The CodeLens links (`<a>` inside `.codelens-decoration`). */
  codeLenses(text?: string | RegExp): Locator {
    return text ? this.page.locator('.codelens-decoration a', { hasText: text }) : this.page.locator('.codelens-decoration a');
  }

  /** Puts the cursor at the end of a 1-based line. */
  async goToLineEnd(line: number): Promise<void> {
    await this.page.locator('.monaco-editor .view-lines').first().click();
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`:${line}`);
    await this.page.keyboard.press('Enter');
    await this.page.keyboard.press('End');
  }

  /** Types text key by key into the focused editor. */
  async type(text: string): Promise<void> {
    await this.page.keyboard.type(text, { delay: 15 });
  }

  /**
   * Types lines below the cursor's line, each at exactly the indentation given: after each
   * Enter whatever indentation the editor inserted is selected and typed over.
   */
  async typeLines(lines: string[]): Promise<void> {
    for (const line of lines) {
      await this.page.keyboard.press('Enter');
      await this.page.keyboard.press('Home');
      await this.page.keyboard.press('Shift+End');
      await this.type(line);
    }
  }

  /** A notification toast containing `text`. */
  notification(text: string | RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-toast', { hasText: text });
  }

  async waitForNotification(text: string | RegExp, timeout = 60_000): Promise<string> {
    const toast = this.notification(text).first();
    await toast.waitFor({ state: 'visible', timeout });
    return toast.innerText();
  }

  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
    await delay(200);
  }

  /** Clicks a button of the modal dialog (VS Code's own dialog in the browser). */
  async dialogButton(label: string): Promise<string> {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    const text = await dialog.innerText();
    await dialog.locator('.dialog-buttons .monaco-button', { hasText: label }).first().click();
    await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
    return text;
  }

  /** Opens the Starsystem view container in the activity bar. */
  async openStarsystemView(): Promise<void> {
    const icon = this.page.locator('.activitybar .action-item a[aria-label^="Starsystem"]').first();
    await icon.waitFor({ state: 'visible', timeout: 30_000 });
    const checked = await this.page.locator('.activitybar .action-item.checked a[aria-label^="Starsystem"]').count();
    if (checked === 0) await icon.click();
    // A container with one view shows the view's name in the side bar's title, not in a pane header.
    await this.page.locator('.part.sidebar .composite.title', { hasText: /Starsystem/i }).first().waitFor({ state: 'visible', timeout: 15_000 });
  }

  /** A row of the Services tree, by its accessible label prefix ("api, healthy"). */
  treeItem(label: string | RegExp): Locator {
    return this.page.locator('.pane-body .monaco-list-row', { has: this.page.locator('.custom-view-tree-node-item') }).filter({ hasText: label });
  }

  async treeRowLabel(serviceId: string): Promise<string | null> {
    const row = this.page.locator(`.pane-body .monaco-list-row[aria-label^="${serviceId}, "]`).first();
    if ((await row.count()) === 0) return null;
    return row.getAttribute('aria-label');
  }

  /** Waits until the Services tree row of `serviceId` has an accessible label matching `pattern`. */
  async waitForTreeRow(serviceId: string, pattern: RegExp, timeout = 60_000): Promise<string> {
    const deadline = Date.now() + timeout;
    let last: string | null = null;
    while (Date.now() < deadline) {
      last = await this.treeRowLabel(serviceId);
      if (last && pattern.test(last)) return last;
      await delay(250);
    }
    throw new Error(`The Services view row of "${serviceId}" did not match ${pattern} within ${timeout} ms (last: ${last ?? 'no row'}).`);
  }

  /** The icon classes of a tree row (codicon-pass-filled...). */
  async treeRowIcon(serviceId: string): Promise<string> {
    const icon = this.page.locator(`.pane-body .monaco-list-row[aria-label^="${serviceId}, "] .custom-view-tree-node-item-icon`).first();
    return (await icon.getAttribute('class')) ?? '';
  }

  /** Opens the Problems panel, waits for a problem containing `text`, and returns the texts of its rows. */
  async waitForProblem(text: string | RegExp, timeout = 30_000): Promise<string[]> {
    await this.dismissQuickInput();
    await this.page.keyboard.press('Control+Shift+M');
    await this.page.locator('.markers-panel .monaco-list-row', { hasText: text }).first().waitFor({ state: 'visible', timeout });
    return this.page.locator('.markers-panel .monaco-list-row').allInnerTexts();
  }

  /** The text of the visible lines of the output panel (Monaco renders the visible part only). */
  async outputText(): Promise<string> {
    const lines = this.page.locator('.panel .output-view .view-lines .view-line');
    await lines.first().waitFor({ state: 'visible', timeout: 15_000 });
    return (await lines.allInnerTexts()).join('\n');
  }
}
