/**
 * The Starsystem language server (dist/server.js). The VS Code extension starts it over IPC;
 * any other editor with `node dist/server.js --stdio` (or `--socket=PORT`).
 */
import { createConnection, LSPErrorCodes, ProposedFeatures, type Message, type RequestMessage, type ResponseMessage } from 'vscode-languageserver/node';
import { starsystemHome } from '../engine/home';
import { provisioners } from '../engine/provisioners/index';
import { startServer } from './server';
import { PendingEdits, transportFromArgs } from './transport';

const transport = transportFromArgs(process.argv.slice(2));
if (!transport) {
  process.stderr.write('Usage: node dist/server.js --stdio | --node-ipc | --socket=PORT\n');
  process.exit(2);
}

const edits = new PendingEdits();
const connection = createConnection(ProposedFeatures.all, edits.wrap(transport.reader), transport.writer, {
  // A request cancelled while it still waits in the queue is answered at once, never run.
  cancelUndispatched: (message: Message): ResponseMessage => ({
    jsonrpc: '2.0',
    id: (message as RequestMessage).id,
    error: { code: LSPErrorCodes.RequestCancelled, message: 'The request was cancelled.' },
  }),
});

if (transport.kind === 'stdio') {
  // stdout carries the protocol: anything printed goes to the client's log instead.
  console.log = (...args: unknown[]) => connection.console.log(args.map(String).join(' '));
  console.info = console.log;
  console.warn = (...args: unknown[]) => connection.console.warn(args.map(String).join(' '));
  console.error = (...args: unknown[]) => connection.console.error(args.map(String).join(' '));
}

let shutdown = false;
connection.onShutdown(() => {
  shutdown = true;
});
// When the client goes away without `exit`, so does the server.
transport.reader.onClose(() => process.exit(shutdown ? 0 : 1));

startServer(connection, {
  home: starsystemHome(process.env),
  registry: provisioners,
  pendingEdits: () => edits.pending,
  onEditApplied: () => edits.applied(),
});
connection.listen();
