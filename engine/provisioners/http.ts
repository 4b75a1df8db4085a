/**
 * HTTP for provisioners that call a provider's REST API: undici, a timeout per attempt,
 * retries with backoff on 429 and 5xx honouring `Retry-After`, and errors that say what the
 * provider said without ever containing a credential.
 */
import type { Dispatcher } from 'undici';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpClientOptions {
  /** Provider name, used in messages ("neon"). */
  provider: string;
  /** Base URL without a trailing slash ("https://console.neon.tech/api/v2"). */
  baseUrl: string;
  /** Headers sent with every request (authorization). */
  headers?: Record<string, string>;
  /** Values that must never appear in an error message (tokens, keys). */
  secrets?: string[];
  /** Time one attempt may take, in ms (default 30 s, or STARSYSTEM_HTTP_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Attempts after the first for a retryable failure (default 4, or STARSYSTEM_HTTP_RETRIES). */
  retries?: number;
  /** First backoff delay in ms, doubled each retry with jitter (default 500, or STARSYSTEM_HTTP_BACKOFF_MS). */
  backoffMs?: number;
  /** Longest Retry-After the client waits for, in ms (default 60 s). */
  maxRetryAfterMs?: number;
  /** Statuses the provider documents as safe to retry for any method (Neon's 423 Locked while operations run). */
  retryStatuses?: number[];
  /** Answers the provider documents as safe to retry that a status alone does not identify (AWS's 400 Throttling). */
  retryWhen?: (status: number, body: unknown, text: string) => boolean;
  /** Pulls the provider's own error message out of an error response body. */
  errorMessage?: (body: unknown, text: string) => string | undefined;
  /** Cancels every request made through this client. */
  signal?: AbortSignal;
  /** The environment to read the STARSYSTEM_HTTP_* defaults from. */
  env?: NodeJS.ProcessEnv;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON body (sets content-type). */
  json?: unknown;
  /** A raw body. */
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Statuses that are not errors besides 2xx (for example [404] when probing for existence). */
  allow?: number[];
  /**
   * Whether repeating the request is harmless. Defaults to true for GET, HEAD, PUT and DELETE.
   * A request that is not idempotent is retried only when the provider clearly did not act
   * on it (429, 502, 503, 504), never after a timeout or a dropped connection.
   */
  idempotent?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the response is JSON, else the text. */
  body: T;
  text: string;
}

export type HttpErrorKind = 'http' | 'timeout' | 'network' | 'cancelled';

export class ProviderHttpError extends Error {
  constructor(
    message: string,
    readonly provider: string,
    readonly kind: HttpErrorKind,
    readonly method: string,
    readonly path: string,
    readonly status?: number,
    readonly providerMessage?: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ProviderHttpError';
  }

  /** True only when the provider said the resource does not exist. */
  get isGone(): boolean {
    return this.kind === 'http' && (this.status === 404 || this.status === 410);
  }

  get isAuth(): boolean {
    return this.kind === 'http' && (this.status === 401 || this.status === 403);
  }
}

/** The base URL for a provider: `STARSYSTEM_<PROVIDER>_API_URL` when set, else its documented URL. */
export function providerBaseUrl(provider: string, defaultUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  const name = `STARSYSTEM_${provider.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_URL`;
  const url = env[name]?.trim();
  return (url && url !== '' ? url : defaultUrl).replace(/\/+$/, '');
}

/** undici is loaded on the first request: commands that call no provider API never pay for it. */
let undici: Promise<{ request: typeof import('undici').request; agent: Dispatcher }> | undefined;
function loadUndici() {
  undici ??= import('undici').then(({ Agent, request }) => ({
    request,
    agent: new Agent({ connect: { timeout: 10_000 }, keepAliveTimeout: 4_000 }),
  }));
  return undici;
}

const RETRY_ALWAYS = new Set([429, 502, 503, 504]);

export class HttpClient {
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxRetryAfterMs: number;

  constructor(private readonly options: HttpClientOptions) {
    const env = options.env ?? process.env;
    this.timeoutMs = options.timeoutMs ?? numberFrom(env.STARSYSTEM_HTTP_TIMEOUT_MS) ?? 30_000;
    this.retries = options.retries ?? numberFrom(env.STARSYSTEM_HTTP_RETRIES) ?? 4;
    this.backoffMs = options.backoffMs ?? numberFrom(env.STARSYSTEM_HTTP_BACKOFF_MS) ?? 500;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  get<T = unknown>(path: string, options?: RequestOptions): Promise<HttpResponse<T>> {
    return this.request<T>('GET', path, options);
  }

  post<T = unknown>(path: string, json?: unknown, options?: RequestOptions): Promise<HttpResponse<T>> {
    return this.request<T>('POST', path, { ...options, json });
  }

  put<T = unknown>(path: string, json?: unknown, options?: RequestOptions): Promise<HttpResponse<T>> {
    return this.request<T>('PUT', path, { ...options, json });
  }

  patch<T = unknown>(path: string, json?: unknown, options?: RequestOptions): Promise<HttpResponse<T>> {
    return this.request<T>('PATCH', path, { ...options, json });
  }

  delete<T = unknown>(path: string, options?: RequestOptions): Promise<HttpResponse<T>> {
    return this.request<T>('DELETE', path, options);
  }

  async request<T = unknown>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const url = this.url(path, options.query);
    const idempotent = options.idempotent ?? (method === 'GET' || method === 'HEAD' || method === 'PUT' || method === 'DELETE');
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers, ...options.headers };
    let body: string | Buffer | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }

    for (let attempt = 0; ; attempt++) {
      const outer = anySignal([this.options.signal, options.signal]);
      if (outer?.aborted) throw this.error('cancelled', method, path, `${this.options.provider} API ${method} ${path} cancelled`);
      const attemptSignal = anySignal([outer, AbortSignal.timeout(this.timeoutMs)])!;
      let response: Dispatcher.ResponseData;
      const { request: undiciRequest, agent: sharedAgent } = await loadUndici();
      try {
        response = await undiciRequest(url, {
          method,
          headers,
          body,
          signal: attemptSignal,
          dispatcher: sharedAgent,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        });
      } catch (cause) {
        if (outer?.aborted) throw this.error('cancelled', method, path, `${this.options.provider} API ${method} ${path} cancelled`);
        const timedOut = attemptSignal.aborted || isTimeout(cause);
        const kind: HttpErrorKind = timedOut ? 'timeout' : 'network';
        if (idempotent && attempt < this.retries) {
          await this.sleep(this.backoff(attempt), outer);
          continue;
        }
        const what = timedOut ? `timed out after ${this.timeoutMs} ms` : `failed: ${errorText(cause)}`;
        const hint = idempotent ? '' : ' (the provider may have applied it; run again to reconcile)';
        throw this.error(kind, method, path, `${this.options.provider} API ${method} ${path} ${what}${hint}`);
      }

      let text: string;
      try {
        text = await response.body.text();
      } catch (cause) {
        if (idempotent && attempt < this.retries) {
          await this.sleep(this.backoff(attempt), outer);
          continue;
        }
        throw this.error('network', method, path, `${this.options.provider} API ${method} ${path} failed while reading the response: ${errorText(cause)}`);
      }
      const parsed = parseBody(text, response.headers['content-type']);
      const status = response.statusCode;
      if ((status >= 200 && status < 300) || options.allow?.includes(status)) {
        return { status, headers: response.headers, body: parsed as T, text };
      }

      const retryable =
        RETRY_ALWAYS.has(status) ||
        this.options.retryStatuses?.includes(status) === true ||
        this.options.retryWhen?.(status, parsed, text) === true ||
        (status >= 500 && idempotent);
      if (retryable && attempt < this.retries) {
        const retryAfter = parseRetryAfter(response.headers['retry-after']);
        if (retryAfter === undefined || retryAfter <= this.maxRetryAfterMs) {
          await this.sleep(retryAfter ?? this.backoff(attempt), outer);
          continue;
        }
      }
      const providerMessage = this.options.errorMessage?.(parsed, text) ?? defaultErrorMessage(parsed, text);
      const tries = attempt > 0 ? ` after ${attempt + 1} attempts` : '';
      throw this.error(
        'http',
        method,
        path,
        `${this.options.provider} API ${method} ${path} failed${tries}: ${status}${providerMessage ? ` ${providerMessage}` : ''}`,
        status,
        providerMessage,
        parsed,
      );
    }
  }

  private url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(this.options.baseUrl + (path.startsWith('/') ? path : `/${path}`));
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  private backoff(attempt: number): number {
    const base = this.backoffMs * 2 ** attempt;
    return Math.round(base / 2 + Math.random() * (base / 2));
  }

  private async sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(done, ms);
      function done() {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }
      function onAbort() {
        clearTimeout(timer);
        reject(new Error('cancelled'));
      }
      signal?.addEventListener('abort', onAbort, { once: true });
    }).catch(() => {
      throw this.error('cancelled', '', '', `${this.options.provider} API request cancelled`);
    });
  }

  private error(
    kind: HttpErrorKind,
    method: string,
    path: string,
    message: string,
    status?: number,
    providerMessage?: string,
    body?: unknown,
  ): ProviderHttpError {
    const clean = (s: string | undefined) => (s === undefined ? s : redactValues(s, this.options.secrets ?? []));
    return new ProviderHttpError(clean(message)!, this.options.provider, kind, method, clean(path)!, status, clean(providerMessage), body);
  }
}

/** Replaces every occurrence of the given values (at least 4 characters long) with `***`. */
export function redactValues(text: string, values: readonly string[]): string {
  let out = text;
  for (const value of values) {
    if (value && value.length >= 4) out = out.split(value).join('***');
  }
  return out;
}

function parseBody(text: string, contentType: string | string[] | undefined): unknown {
  const type = Array.isArray(contentType) ? contentType[0] : contentType;
  if (text === '') return undefined;
  if (type?.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** Common error envelopes: {message}, {error}, {error: {message}}, {errors: [{message}]}. */
function defaultErrorMessage(body: unknown, text: string): string | undefined {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (Array.isArray(b.errors) && b.errors.length > 0) {
      return b.errors
        .map((e) => (e && typeof e === 'object' && 'message' in e ? String((e as { message: unknown }).message) : String(e)))
        .join('; ');
    }
    if (typeof b.message === 'string') return b.message;
    if (typeof b.error === 'string') return b.error;
    if (b.error && typeof b.error === 'object' && typeof (b.error as { message?: unknown }).message === 'string') {
      return (b.error as { message: string }).message;
    }
  }
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed.slice(0, 300);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.round(Number(raw) * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function anySignal(signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length === 0) return undefined;
  if (present.length === 1) return present[0];
  return AbortSignal.any(present);
}

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  const name = (error as { name?: string } | null)?.name;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || name === 'TimeoutError';
}

function errorText(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } } | null;
  return e?.cause?.code ?? e?.code ?? e?.cause?.message ?? e?.message ?? String(error);
}

function numberFrom(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
