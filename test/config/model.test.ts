/** The merged view: overlays deep-merge onto the base, and every value knows where it came from. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeDeclarations, originOf } from '../../engine/config/model';
import { analyzeText, BASE_PATH, overlayPath } from '../helpers/analyze';

const base = `version: "2"
name: my-app
services:
  api:
    type: process
    description: HTTP API server.
    command: node api.js
    env:
      LOG_LEVEL: info
      PORT: "3000"
    depends_on: []
`;
const overlay = `version: "2"
environment: prod
services:
  api:
    env:
      LOG_LEVEL: warn
      DEBUG: null
    target:
      type: fly
      image: ghcr.io/me/api:1
`;

describe('merged declarations', () => {
  test('mappings merge key by key, lists and scalars are replaced, null removes', () => {
    assert.deepEqual(mergeDeclarations({ a: 1, m: { x: 1, y: 2 }, l: [1, 2] }, { m: { y: 3, z: 4 }, l: [9], a: null }), { m: { x: 1, y: 3, z: 4 }, l: [9] });
  });

  test('the overlay wins where it sets a value; origins point at the file that set it', () => {
    const model = analyzeText({ base, overlay: { env: 'prod', text: overlay } });
    const api = model.byId.get('api')!;
    assert.deepEqual(api.declaration.env, { LOG_LEVEL: 'warn', PORT: '3000' });
    assert.equal(api.declaration.target?.image, 'ghcr.io/me/api:1');
    assert.equal(model.env, 'prod');
    assert.equal(model.project, 'my-app');

    const image = originOf(model, 'api', ['target', 'image'])!;
    assert.equal(image.file, overlayPath('prod'));
    assert.deepEqual(image.range, { start: { line: 9, character: 13 }, end: { line: 9, character: 29 } });
    assert.deepEqual(image.keyRange, { start: { line: 9, character: 6 }, end: { line: 9, character: 11 } });

    const logLevel = originOf(model, 'api', ['env', 'LOG_LEVEL'])!;
    assert.equal(logLevel.file, overlayPath('prod'));
    const port = originOf(model, 'api', ['env', 'PORT'])!;
    assert.equal(port.file, BASE_PATH);
    assert.deepEqual(port.range, { start: { line: 9, character: 12 }, end: { line: 9, character: 18 } });

    const service = originOf(model, 'api', [])!;
    assert.equal(service.file, overlayPath('prod'), 'the service as a whole: the overlay entry when there is one');
    assert.equal(originOf(model, 'api', ['description'])!.file, BASE_PATH);
    assert.equal(originOf(model, 'nope', []), undefined);
  });

  test('the project name falls back to the folder name', () => {
    const model = analyzeText({ base: `services:\n  a:\n    type: external\n` });
    assert.equal(model.project, 'project');
  });
});
