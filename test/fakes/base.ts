/**
 * The base of every fake provider API: a real HTTP server on 127.0.0.1 (port 0) with
 * routes, a log of every request, and faults on demand (429 with Retry-After, 5xx, slow
 * answers, dropped connections). Each provider's fake adds its documented endpoints,
 * auth check and error envelope on top.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  /** Parsed JSON body, when the body is JSON. */
  json?: unknown;
  /** The status the fake answered (0 when the connection was dropped). */
  status: number;
  at: number;
}

export interface FakeRequest extends Omit<RecordedRequest, 'status' | 'at'> {
  params: Record<string, string>;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the body as-is (a string) instead of JSON. */
  raw?: boolean;
  /** Drop the connection instead of answering, after the handler has acted (the answer is lost). */
  drop?: boolean;
}

export type Handler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface Fault {
  /** Only requests this matches (default: every request). */
  match?: (req: { method: string; path: string }) => boolean;
  /** How many requests the fault applies to (default 1). */
  times?: number;
  /** Answer with this status (429, 500, 503...). */
  status?: number;
  /** Retry-After header value (seconds, or an HTTP date). */
  retryAfter?: string;
  /** Body for the fault response. */
  body?: unknown;
  /** Wait this long before answering (or before dropping). */
  delayMs?: number;
  /** Destroy the connection without answering. */
  drop?: boolean;
}

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes: Route[] = [];
  private readonly lostAnswers: ((req: { method: string; path: string }) => boolean)[] = [];
  private readonly faults: (Fault & { left: number })[] = [];
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  private baseUrl = '';

  /** Auth check run before routing; return a response (or a promise of one) to refuse the request. */
  authorize?: (req: FakeRequest) => FakeResponse | undefined | Promise<FakeResponse | undefined>;
  /** The provider's error envelope for unmatched routes and faults. */
  errorBody: (status: number, message: string) => unknown = (_status, message) => ({ message });
  /** When set, errorBody returns a string sent as-is with this content type (XML error envelopes). */
  errorContentType?: string;

  get url(): string {
    return this.baseUrl;
  }

  /** Registers a route; `:name` segments become params. */
  route(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const pattern = new RegExp(
      '^' +
        path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\/:([A-Za-z_]+)/g, (_m, key: string) => {
          keys.push(key);
          return '/([^/]+)';
        }) +
        '/?$',
    );
    this.routes.push({ method: method.toUpperCase(), pattern, keys, handler });
    return this;
  }

  /** Adds a fault; it applies to the next `times` matching requests. */
  inject(fault: Fault): this {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
    return this;
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Requests matching a method and a path (string prefix or pattern). */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method === method.toUpperCase() && (typeof path === 'string' ? r.path === path : path.test(r.path)),
    );
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    let json: unknown;
    if (body && /json/.test(String(req.headers['content-type'] ?? ''))) {
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
    }
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      json,
      status: 0,
      at: Date.now(),
    };
    this.requests.push(record);

    const fault = this.faults.find((f) => f.left > 0 && (!f.match || f.match({ method: record.method, path: record.path })));
    if (fault) {
      fault.left--;
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (fault.status) {
        const headers: Record<string, string> = {};
        if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
        const error = this.errorResponse(fault.status, `injected ${fault.status}`, fault.body);
        this.send(res, record, { status: fault.status, ...error, headers: { ...error.headers, ...headers } });
        return;
      }
    }

    const request: FakeRequest = { ...record, params: {} };
    const refused = await this.authorize?.(request);
    if (refused) {
      this.send(res, record, refused);
      return;
    }
    for (const route of this.routes) {
      if (route.method !== record.method) continue;
      const m = route.pattern.exec(record.path);
      if (!m) continue;
      route.keys.forEach((key, i) => (request.params[key] = decodeURIComponent(m[i + 1]!)));
      try {
        this.send(res, record, this.maybeLose(request, await route.handler(request)));
      } catch (error) {
        this.send(res, record, { status: 500, ...this.errorResponse(500, (error as Error).message) });
      }
      return;
    }
    this.send(res, record, { status: 404, ...this.errorResponse(404, `no route for ${record.method} ${record.path}`) });
  }

  /** The next matching request is carried out, but its answer is lost (the connection drops). */
  loseAnswer(match: (req: { method: string; path: string }) => boolean): this {
    this.lostAnswers.push(match);
    return this;
  }

  private maybeLose(req: FakeRequest, response: FakeResponse): FakeResponse {
    const lost = this.lostAnswers.findIndex((match) => match(req));
    if (lost < 0) return response;
    this.lostAnswers.splice(lost, 1);
    return { ...response, drop: true };
  }

  private errorResponse(status: number, message: string, body?: unknown): Pick<FakeResponse, 'body' | 'raw' | 'headers'> {
    const payload = body ?? this.errorBody(status, message);
    if (this.errorContentType && typeof payload === 'string') {
      return { body: payload, raw: true, headers: { 'content-type': this.errorContentType } };
    }
    return { body: payload };
  }

  private send(res: ServerResponse, record: RecordedRequest, response: FakeResponse): void {
    if (response.drop) {
      res.socket?.destroy();
      return;
    }
    record.status = response.status;
    const headers: Record<string, string> = { ...response.headers };
    let payload = '';
    if (response.body !== undefined) {
      if (response.raw && typeof response.body === 'string') {
        payload = response.body;
      } else {
        payload = JSON.stringify(response.body);
        headers['content-type'] ??= 'application/json';
      }
    }
    res.writeHead(response.status, headers);
    res.end(payload);
  }
}
