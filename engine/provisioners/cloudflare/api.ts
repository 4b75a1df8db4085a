/**
 * Cloudflare API v4 over the shared HTTP client: Bearer token auth, the
 * `{success, errors, messages, result, result_info}` envelope unwrapped, errors quoting
 * `errors[].message` (with their codes), and page-number pagination.
 */
import { HttpClient, ProviderHttpError, providerBaseUrl, redactValues, type RequestOptions } from '../http';
import type { ProvisionContext } from '../types';

export const CLOUDFLARE_API_URL = 'https://api.cloudflare.com/client/v4';

export interface CloudflareError {
  code?: number;
  message?: string;
  error_chain?: CloudflareError[];
}

export interface CloudflareEnvelope<T> {
  success: boolean;
  errors: CloudflareError[];
  messages: unknown[];
  result: T;
  result_info?: { page?: number; per_page?: number; count?: number; total_count?: number; total_pages?: number };
}

/** "Authentication error (code 10000)"; chained errors follow after a colon. */
export function cloudflareErrorMessage(body: unknown): string | undefined {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const one = (e: CloudflareError): string => {
    const text = `${e.message ?? 'error'}${e.code !== undefined ? ` (code ${e.code})` : ''}`;
    const chain = Array.isArray(e.error_chain) && e.error_chain.length > 0 ? `: ${e.error_chain.map(one).join('; ')}` : '';
    return text + chain;
  };
  return errors.map((e) => one(e as CloudflareError)).join('; ');
}

export class CloudflareApi {
  private readonly http: HttpClient;

  constructor(private readonly token: string, ctx: Pick<ProvisionContext, 'processEnv' | 'signal'>) {
    if (!token) {
      throw new Error('Cloudflare needs an API token: set it with `ss vault set providers:cloudflare api_key <token>`.');
    }
    const env = ctx.processEnv ?? process.env;
    this.http = new HttpClient({
      provider: 'cloudflare',
      baseUrl: providerBaseUrl('cloudflare', CLOUDFLARE_API_URL, env),
      headers: { authorization: `Bearer ${token}` },
      secrets: [token],
      errorMessage: (body) => cloudflareErrorMessage(body),
      signal: ctx.signal,
      env,
    });
  }

  async get<T>(path: string, query?: RequestOptions['query']): Promise<T> {
    return this.unwrap<T>('GET', path, await this.http.get<CloudflareEnvelope<T>>(path, { query }));
  }

  /** GET, or undefined when Cloudflare answers 404 (the object does not exist). */
  async find<T>(path: string, query?: RequestOptions['query']): Promise<T | undefined> {
    try {
      return await this.get<T>(path, query);
    } catch (error) {
      if (error instanceof ProviderHttpError && error.isGone) return undefined;
      throw error;
    }
  }

  async post<T>(path: string, json: unknown, options: { idempotent?: boolean } = {}): Promise<T> {
    return this.unwrap<T>('POST', path, await this.http.post<CloudflareEnvelope<T>>(path, json, options));
  }

  async put<T>(path: string, json: unknown): Promise<T> {
    return this.unwrap<T>('PUT', path, await this.http.put<CloudflareEnvelope<T>>(path, json));
  }

  /** PATCH sets fields to given values, so repeating it is harmless. */
  async patch<T>(path: string, json: unknown): Promise<T> {
    return this.unwrap<T>('PATCH', path, await this.http.patch<CloudflareEnvelope<T>>(path, json, { idempotent: true }));
  }

  /** DELETE; true when it deleted, false when Cloudflare says the object was already gone. */
  async delete(path: string): Promise<boolean> {
    try {
      this.unwrap('DELETE', path, await this.http.delete<CloudflareEnvelope<unknown>>(path));
      return true;
    } catch (error) {
      if (error instanceof ProviderHttpError && error.isGone) return false;
      throw error;
    }
  }

  /** Every item of a paginated list (page/per_page, stopping at result_info.total_pages). */
  async list<T>(path: string, query: RequestOptions['query'] = {}, perPage = 50): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; page <= 1000; page++) {
      const response = await this.http.get<CloudflareEnvelope<T[]>>(path, { query: { ...query, page, per_page: perPage } });
      const items = this.unwrap<T[]>('GET', path, response);
      if (!Array.isArray(items)) throw this.malformed('GET', path, 'a list');
      out.push(...items);
      const info = response.body.result_info;
      const totalPages = info?.total_pages ?? (info?.total_count !== undefined ? Math.ceil(info.total_count / perPage) : undefined);
      if (items.length === 0 || (totalPages !== undefined ? page >= totalPages : items.length < perPage)) break;
    }
    return out;
  }

  private unwrap<T>(method: string, path: string, response: { status: number; body: CloudflareEnvelope<T> | unknown }): T {
    const body = response.body as CloudflareEnvelope<T> | undefined;
    if (!body || typeof body !== 'object' || !('success' in body)) throw this.malformed(method, path, 'the API v4 envelope');
    if (body.success === false) {
      // A 2xx that still says it failed: report it the way an HTTP error is reported.
      const said = cloudflareErrorMessage(body) ?? 'success: false';
      throw new ProviderHttpError(
        this.clean(`cloudflare API ${method} ${path} failed: ${response.status} ${said}`),
        'cloudflare',
        'http',
        method,
        path,
        response.status,
        this.clean(said),
        body,
      );
    }
    return body.result;
  }

  private malformed(method: string, path: string, expected: string): ProviderHttpError {
    return new ProviderHttpError(
      this.clean(`cloudflare API ${method} ${path} answered without ${expected}`),
      'cloudflare',
      'http',
      method,
      path,
    );
  }

  private clean(text: string): string {
    return redactValues(text, [this.token]);
  }
}
