// The web front: one page showing the API's greeting and a domain check made through it.
import { createServer } from 'node:http';

const options = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const port = Number(options.port ?? 4102);
const api = options.api ?? 'http://127.0.0.1:4101';

createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/health') return res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  if (url.pathname !== '/') return res.writeHead(404).end();
  try {
    const hello = await (await fetch(`${api}/api/hello`, { signal: AbortSignal.timeout(1000) })).json();
    const check = await (await fetch(`${api}/api/domains?domain=example.com`, { signal: AbortSignal.timeout(1000) })).json();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
      `<!doctype html><title>Starsystem quickstart</title><h1>${escape(hello.message)}</h1>` +
        `<p>example.com may get a certificate: ${check.allowed ? 'yes' : 'no'}</p>\n`,
    );
  } catch (error) {
    res.writeHead(502, { 'content-type': 'text/plain' }).end(`the API did not answer: ${error}\n`);
  }
}).listen(port, '127.0.0.1', () => console.log(`web listening on http://127.0.0.1:${port}`));

function escape(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}
