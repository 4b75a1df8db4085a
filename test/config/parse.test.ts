/** The segmented parse gives what the whole-document parse gives, and reuses unchanged blocks. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFile, parseWhole, type ParsedFile, type SegmentCache } from '../../engine/config/parse';
import { analyzeText } from '../helpers/analyze';

function shape(file: ParsedFile) {
  return {
    header: [...file.header.keys()],
    servicesShape: file.servicesShape,
    services: file.services.map((s) => ({ id: s.id, value: s.value?.toJS(s.doc) ?? null, key: file.lines.range(s.base + s.key.range![0], s.base + s.key.range![1]) })),
    diagnostics: file.diagnostics,
  };
}

const samples: Record<string, string> = {
  plain: `version: "2"\nname: demo\nservices:\n  a:\n    type: process\n    command: a\n  b:\n    type: process\n    command: b\n    depends_on: [a]\n`,
  comments: `# starsystem\nname: demo # the name\n\nservices: # all of them\n  # a comment before a\n  a:\n    type: process\n\n    # inside a\n    command: a\n# a column-0 comment\n  b:\n    command: b\n\n# trailing\ndescription: after services\n`,
  crlf: `name: demo\r\nservices:\r\n  a:\r\n    type: process\r\n    command: a\r\n  b:\r\n    command: "b c"\r\n`,
  blockScalar: `services:\n  a:\n    description: |\n      line one\n        indented\n      line three\n    command: a\n  b:\n    command: >-\n      folded\n      text\n`,
  duplicates: `name: x\nservices:\n  a:\n    command: a\n    command: b\n  a:\n    command: c\nname: y\n`,
  fourSpaces: `services:\n    a:\n        command: a\n    b:\n        command: b\n`,
  quotedKeys: `services:\n  "a":\n    command: a\n  'b-c':\n    command: b\n`,
  emptyServices: `name: x\nservices:\n`,
};

describe('segmented parse', () => {
  for (const [name, text] of Object.entries(samples)) {
    test(`${name}: same result as the whole-document parse`, () => {
      const segmented = parseFile('/p/starsystem.yaml', text);
      assert.equal(segmented.mode, 'segmented', 'this sample should be segmented');
      assert.deepEqual(shape(segmented), shape(parseWhole('/p/starsystem.yaml', text)));
    });
  }

  const unsafe: Record<string, string> = {
    anchors: `x-defaults: &defaults\n  type: process\nservices:\n  a:\n    <<: *defaults\n    command: a\n`,
    flow: `services: {a: {command: a}}\n`,
    documents: `---\nservices:\n  a:\n    command: a\n`,
    syntaxError: `services:\n  a:\n    command: "unterminated\n  b:\n    command: b\n`,
    oddIndent: `services:\n    a:\n      command: a\n  b:\n    command: b\n`,
    sequence: `services:\n- a\n`,
  };
  for (const [name, text] of Object.entries(unsafe)) {
    test(`${name}: falls back to the whole-document parse`, () => {
      const parsed = parseFile('/p/starsystem.yaml', text);
      assert.equal(parsed.mode, 'whole');
      assert.deepEqual(shape(parsed), shape(parseWhole('/p/starsystem.yaml', text)));
    });
  }

  test('a cache reuses the segments of unchanged services', () => {
    const cache: SegmentCache = new Map();
    const first = parseFile('/p/starsystem.yaml', samples.plain!, cache);
    const edited = samples.plain!.replace('command: b', 'command: bb');
    const second = parseFile('/p/starsystem.yaml', edited, cache);
    assert.equal(second.services[0]!.segment, first.services[0]!.segment, 'service a is reused');
    assert.notEqual(second.services[1]!.segment, first.services[1]!.segment, 'service b is re-parsed');
    assert.equal(cache.size, 3, 'the cache holds exactly the header and two services');
  });

  test('moving a block keeps its parse and shifts its ranges', () => {
    const cache: SegmentCache = new Map();
    parseFile('/p/starsystem.yaml', samples.plain!, cache);
    const shifted = samples.plain!.replace('name: demo\n', 'name: demo\ndescription: a longer header\n');
    const parsed = parseFile('/p/starsystem.yaml', shifted, cache);
    const b = parsed.services[1]!;
    assert.deepEqual(parsed.lines.position(b.base + b.key.range![0]), { line: 7, character: 2 });
  });

  test('validation results agree between the two parses on every sample', () => {
    for (const text of Object.values(samples)) {
      assert.deepEqual(analyzeText({ base: text }).diagnostics, analyzeText({ base: text, whole: true }).diagnostics);
    }
  });
});
