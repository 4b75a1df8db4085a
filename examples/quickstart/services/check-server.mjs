// The domain-check server: GET /check?domain=NAME answers 200 when the domain is allowed
// (the question a TLS server asks before issuing an on-demand certificate), 403 otherwise.
import { createServer } from 'node:http';

const options = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const port = Number(options.port ?? 4100);
const allowed = new Set((options.allow ?? '').split(',').filter(Boolean));

createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/health') return send(res, 200, { status: 'ok' });
  if (url.pathname === '/check') {
    const domain = url.searchParams.get('domain') ?? '';
    return send(res, allowed.has(domain) ? 200 : 403, { domain, allowed: allowed.has(domain) });
  }
  send(res, 404, { error: 'not found' });
}).listen(port, '127.0.0.1', () => console.log(`check server listening on http://127.0.0.1:${port}`));

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body) + '\n');
}
