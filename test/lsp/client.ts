/**
 * A minimal LSP client over stdio, written against the protocol itself (Content-Length
 * framing and JSON-RPC 2.0), not the library the server uses: it starts a language server
 * process and talks to it as an editor does.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface RpcError {
  code: number;
  message: string;
}

export class RpcResponseError extends Error {
  constructor(
    readonly method: string,
    readonly error: RpcError,
  ) {
    super(`${method}: ${error.message} (${error.code})`);
  }
}

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export interface Notification {
  method: string;
  params: unknown;
  /** performance.now() when it arrived. */
  at: number;
}

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; severity?: number; code?: string | number; message: string; source?: string }[];
}

export class LspClient {
  readonly process: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  readonly notifications: Notification[] = [];
  private readonly waiters: { test(n: Notification): boolean; resolve(n: Notification): void }[] = [];
  /** Requests the server sent to the client (method names), in order. */
  readonly serverRequests: { method: string; params: unknown }[] = [];
  /** Answers to server requests by method (default: null). */
  readonly answers = new Map<string, (params: unknown) => unknown>();
  stderr = '';
  exited: Promise<number | null>;

  constructor(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
    this.process = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.process.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.process.on('exit', (code) => resolve(code)));
    this.exited.then(() => {
      for (const p of this.pending.values()) p.reject(new Error(`${p.method}: the server exited. ${this.stderr}`));
      this.pending.clear();
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd === -1) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const m = /Content-Length: *(\d+)/i.exec(header);
      if (!m) throw new Error(`Bad header from the server: ${header}`);
      const length = Number(m[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.onMessage(JSON.parse(body));
    }
  }

  private onMessage(message: { id?: number | string; method?: string; params?: unknown; result?: unknown; error?: RpcError }): void {
    if (message.method !== undefined && message.id !== undefined) {
      this.serverRequests.push({ method: message.method, params: message.params });
      const answer = this.answers.get(message.method);
      this.send({ jsonrpc: '2.0', id: message.id, result: answer ? answer(message.params) : null });
      return;
    }
    if (message.method !== undefined) {
      const n: Notification = { method: message.method, params: message.params, at: performance.now() };
      this.notifications.push(n);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        if (this.waiters[i]!.test(n)) {
          this.waiters[i]!.resolve(n);
          this.waiters.splice(i, 1);
        }
      }
      return;
    }
    const pending = this.pending.get(Number(message.id));
    if (!pending) return;
    this.pending.delete(Number(message.id));
    if (message.error) pending.reject(new RpcResponseError(pending.method, message.error));
    else pending.resolve(message.result);
  }

  private send(message: unknown): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.process.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.process.stdin.write(body);
  }

  /**
   * Several messages in one write, as they arrive when a client sends faster than the server
   * reads (a burst of keystrokes, a request and its cancellation).
   */
  burst(messages: { method: string; params: unknown; request?: boolean }[]): Promise<unknown>[] {
    const results: Promise<unknown>[] = [];
    const frames: Buffer[] = [];
    for (const m of messages) {
      let body: unknown = { jsonrpc: '2.0', method: m.method, params: m.params };
      if (m.request) {
        const id = this.nextId++;
        body = { ...(body as object), id };
        results.push(new Promise((resolve, reject) => this.pending.set(id, { method: m.method, resolve, reject })));
      }
      const json = Buffer.from(JSON.stringify(body), 'utf8');
      frames.push(Buffer.from(`Content-Length: ${json.length}\r\n\r\n`, 'ascii'), json);
    }
    this.process.stdin.write(Buffer.concat(frames));
    return results;
  }

  /** The id the next request will get. */
  get peekId(): number {
    return this.nextId;
  }

  request<T = unknown>(method: string, params: unknown): Promise<T> {
    return this.requestWithId<T>(method, params).result;
  }

  /** A request and its id (to cancel it). */
  requestWithId<T = unknown>(method: string, params: unknown): { id: number; result: Promise<T> } {
    const id = this.nextId++;
    const result = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
    });
    this.send({ jsonrpc: '2.0', id, method, params });
    return { id, result };
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** The next notification (after now) that passes the test. */
  waitFor(test: (n: Notification) => boolean, timeoutMs = 20000): Promise<Notification> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No matching notification within ${timeoutMs} ms. ${this.stderr}`)), timeoutMs);
      this.waiters.push({
        test,
        resolve: (n) => {
          clearTimeout(timer);
          resolve(n);
        },
      });
    });
  }

  /** The next publishDiagnostics for a document (for a version, when given). */
  async diagnostics(uri: string, version?: number, timeoutMs?: number): Promise<PublishedDiagnostics> {
    const n = await this.waitFor((n) => {
      if (n.method !== 'textDocument/publishDiagnostics') return false;
      const p = n.params as PublishedDiagnostics;
      return p.uri === uri && (version === undefined || p.version === version);
    }, timeoutMs);
    return n.params as PublishedDiagnostics;
  }

  async initialize(params: Record<string, unknown> = {}): Promise<{ capabilities: Record<string, unknown> }> {
    const result = await this.request<{ capabilities: Record<string, unknown> }>('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
      ...params,
    });
    this.notify('initialized', {});
    return result;
  }

  /** shutdown + exit; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.process.exitCode !== null) return this.process.exitCode;
    await this.request('shutdown', null);
    this.notify('exit', null);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 5000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  kill(): void {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
  }
}
