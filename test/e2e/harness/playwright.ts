/**
 * The part of playwright-core's API the real-editor tests use. playwright-core is a test
 * tool installed outside the project's dependencies (scripts/setup-e2e.sh), so the project
 * typechecks without it; these declarations follow its documented signatures.
 */

export interface Playwright {
  chromium: BrowserType;
}

export interface BrowserType {
  launchPersistentContext(userDataDir: string, options: {
    executablePath?: string;
    headless?: boolean;
    args?: string[];
    viewport?: { width: number; height: number } | null;
    timeout?: number;
    env?: Record<string, string | undefined>;
  }): Promise<BrowserContext>;
}

export interface BrowserContext {
  pages(): Page[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
  grantPermissions(permissions: string[], options?: { origin?: string }): Promise<void>;
}

export interface WaitOptions {
  timeout?: number;
}

export interface Page {
  goto(url: string, options?: { waitUntil?: 'load' | 'domcontentloaded' | 'networkidle' | 'commit'; timeout?: number }): Promise<unknown>;
  locator(selector: string, options?: { hasText?: string | RegExp; has?: Locator }): Locator;
  getByRole(role: string, options?: { name?: string | RegExp; exact?: boolean }): Locator;
  getByText(text: string | RegExp, options?: { exact?: boolean }): Locator;
  waitForSelector(selector: string, options?: WaitOptions & { state?: 'attached' | 'detached' | 'visible' | 'hidden' }): Promise<unknown>;
  waitForTimeout(ms: number): Promise<void>;
  waitForFunction<T>(fn: (arg: T) => unknown, arg: T, options?: WaitOptions & { polling?: number | 'raf' }): Promise<unknown>;
  evaluate<R, T>(fn: (arg: T) => R | Promise<R>, arg: T): Promise<R>;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  keyboard: Keyboard;
  mouse: { click(x: number, y: number): Promise<void> };
  on(event: 'console', listener: (message: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', listener: (error: Error) => void): void;
  close(): Promise<void>;
  url(): string;
  setViewportSize(size: { width: number; height: number }): Promise<void>;
}

export interface Keyboard {
  press(key: string, options?: { delay?: number }): Promise<void>;
  type(text: string, options?: { delay?: number }): Promise<void>;
  insertText(text: string): Promise<void>;
}

export interface Locator {
  first(): Locator;
  last(): Locator;
  nth(index: number): Locator;
  locator(selector: string, options?: { hasText?: string | RegExp; has?: Locator }): Locator;
  filter(options: { hasText?: string | RegExp; has?: Locator }): Locator;
  getByText(text: string | RegExp, options?: { exact?: boolean }): Locator;
  click(options?: { timeout?: number; button?: 'left' | 'right' | 'middle'; force?: boolean; position?: { x: number; y: number } }): Promise<void>;
  dblclick(options?: { timeout?: number }): Promise<void>;
  hover(options?: { timeout?: number; force?: boolean }): Promise<void>;
  fill(value: string, options?: { timeout?: number }): Promise<void>;
  press(key: string, options?: { timeout?: number }): Promise<void>;
  waitFor(options?: WaitOptions & { state?: 'attached' | 'detached' | 'visible' | 'hidden' }): Promise<void>;
  count(): Promise<number>;
  textContent(options?: { timeout?: number }): Promise<string | null>;
  innerText(options?: { timeout?: number }): Promise<string>;
  allInnerTexts(): Promise<string[]>;
  allTextContents(): Promise<string[]>;
  getAttribute(name: string, options?: { timeout?: number }): Promise<string | null>;
  isVisible(): Promise<boolean>;
  boundingBox(options?: { timeout?: number }): Promise<{ x: number; y: number; width: number; height: number } | null>;
  scrollIntoViewIfNeeded(options?: { timeout?: number }): Promise<void>;
  screenshot(options: { path: string }): Promise<unknown>;
  evaluate<R, T>(fn: (element: Element, arg: T) => R | Promise<R>, arg: T): Promise<R>;
}

/** A DOM element as `evaluate` callbacks see it (the project's lib has no DOM types). */
export interface Element {
  textContent: string | null;
  className: string;
  getAttribute(name: string): string | null;
  querySelector(selector: string): Element | null;
  querySelectorAll(selector: string): ArrayLike<Element>;
}
