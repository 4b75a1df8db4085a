/**
 * The server's transport, chosen by the command line as editors start language servers:
 * `--stdio`, `--node-ipc` (how the VS Code client starts it) or `--socket=PORT`. The reader
 * is wrapped to count the edits that have arrived but are not applied yet, so validation can
 * wait for the end of a burst instead of running once per keystroke.
 */
import {
  createServerSocketTransport,
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  type DataCallback,
  type Disposable,
  type Message,
  type MessageReader,
  type MessageWriter,
} from 'vscode-languageserver/node';

export interface Transport {
  reader: MessageReader;
  writer: MessageWriter;
  kind: 'stdio' | 'ipc' | 'socket';
}

export function transportFromArgs(argv: string[]): Transport | undefined {
  if (argv.includes('--stdio')) return { reader: new StreamMessageReader(process.stdin), writer: new StreamMessageWriter(process.stdout), kind: 'stdio' };
  if (argv.includes('--node-ipc')) return { reader: new IPCMessageReader(process), writer: new IPCMessageWriter(process), kind: 'ipc' };
  const socket = argv.find((a) => a.startsWith('--socket='));
  if (socket) {
    const port = Number(socket.slice('--socket='.length));
    if (Number.isInteger(port) && port > 0) {
      const [reader, writer] = createServerSocketTransport(port);
      return { reader, writer, kind: 'socket' };
    }
  }
  return undefined;
}

const DID_CHANGE = 'textDocument/didChange';

/** Counts `didChange` notifications between their arrival and their handling. */
export class PendingEdits {
  private count = 0;

  get pending(): number {
    return this.count;
  }

  /** Called by the didChange handler once the edit is applied. */
  applied(): void {
    if (this.count > 0) this.count--;
  }

  wrap(reader: MessageReader): MessageReader {
    return {
      onError: reader.onError,
      onClose: reader.onClose,
      onPartialMessage: reader.onPartialMessage,
      listen: (callback: DataCallback): Disposable =>
        reader.listen((message: Message) => {
          if ((message as { method?: string }).method === DID_CHANGE) this.count++;
          callback(message);
        }),
      dispose: () => reader.dispose(),
    };
  }
}
