// The API: its port, the check server's URL and its greeting come from the config file that
// `ss provision` renders from templates/api.json.template before starting it.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const options = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const config = JSON.parse(readFileSync(options.config, 'utf8'));

createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  try {
    if (url.pathname === '/health') {
      // Healthy only when the service it depends on answers too.
      const check = await fetch(`${config.checkUrl}/health`, { signal: AbortSignal.timeout(1000) });
      return send(res, check.ok ? 200 : 503, { status: check.ok ? 'ok' : 'check server unhealthy' });
    }
    if (url.pathname === '/api/hello') return send(res, 200, { message: config.greeting, env: process.env.NODE_ENV ?? null });
    if (url.pathname === '/api/domains') {
      const domain = url.searchParams.get('domain') ?? '';
      const answer = await fetch(`${config.checkUrl}/check?domain=${encodeURIComponent(domain)}`, { signal: AbortSignal.timeout(1000) });
      return send(res, 200, await answer.json());
    }
    send(res, 404, { error: 'not found' });
  } catch (error) {
    send(res, 502, { error: String(error) });
  }
}).listen(config.port, '127.0.0.1', () => console.log(`api listening on http://127.0.0.1:${config.port}`));

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body) + '\n');
}
