/** The Starsystem language server (dist/server.js): `node dist/server.js --stdio`, or over IPC from the extension. */
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, DiagnosticSeverity } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import { parseFile } from '../engine/config/parse';
import { analyze } from '../engine/config/validate';
import { provisioners } from '../engine/provisioners/index';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

connection.onInitialize(() => ({
  capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental },
  serverInfo: { name: 'starsystem-language-server' },
}));

const severities = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, information: DiagnosticSeverity.Information, hint: DiagnosticSeverity.Hint };

documents.onDidChangeContent(({ document }) => {
  const path = fileURLToPath(document.uri);
  const model = analyze(parseFile(path, document.getText()), undefined, { registry: provisioners });
  void connection.sendDiagnostics({
    uri: document.uri,
    version: document.version,
    diagnostics: model.diagnostics
      .filter((d) => d.file === path)
      .map((d) => ({ range: d.range, severity: severities[d.severity], code: d.code, source: 'starsystem', message: d.message })),
  });
});

documents.listen(connection);
connection.listen();
