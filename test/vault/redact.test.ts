/** Redaction: every value the vault hands out or stores is masked in any text. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tempHome } from '../helpers/home';
import { createRedactor, REDACTED } from '../../engine/vault/redact';
import { openVault } from '../../engine/vault/store';

describe('redactor', () => {
  test('masks known values wherever they appear, longest first, and ignores very short ones', () => {
    const r = createRedactor();
    assert.equal(r.redact('nothing known yet'), 'nothing known yet');
    r.add('tok_123456');
    r.add('tok_123456_extended');
    r.add('abc');
    assert.equal(r.redact('a=tok_123456 b=tok_123456_extended c=abc'), `a=${REDACTED} b=${REDACTED} c=abc`);
    assert.equal(r.redact('tok_123456tok_123456'), `${REDACTED}${REDACTED}`);
  });

  test('masks regex metacharacters literally, and the JSON and URL forms of a value', () => {
    const r = createRedactor();
    const secret = 'p@ss"word/+?(x)*';
    r.add(secret);
    assert.equal(r.redact(`raw ${secret} end`), `raw ${REDACTED} end`);
    assert.equal(r.redact(JSON.stringify({ password: secret })), `{"password":"${REDACTED}"}`);
    assert.equal(r.redact(`https://h/?p=${encodeURIComponent(secret)}`), `https://h/?p=${REDACTED}`);
    assert.equal(r.redact('p@ss"word'), 'p@ss"word', 'a prefix alone is not the secret');
  });

  test('masks the lines of a multi-line secret one by one', () => {
    const r = createRedactor();
    r.add('-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\nOtherLineOfKeyMaterial\n-----END KEY-----\n');
    const log = 'read line MIIBOgIBAAJBAKj34GkxFhD9 then OtherLineOfKeyMaterial';
    assert.equal(r.redact(log), `read line ${REDACTED} then ${REDACTED}`);
  });

  test('the vault adds what get() returns and what set() stores', async () => {
    const h = await tempHome();
    try {
      const vault = openVault({ home: h.path, env: h.env });
      await vault.set('a.stored', 'stored-secret-1');
      const reader = openVault({ home: h.path, env: h.env });
      assert.equal(reader.redactor.redact('x stored-secret-1'), 'x stored-secret-1', 'nothing handed out yet');
      assert.equal(await reader.get('a.stored'), 'stored-secret-1');
      assert.equal(reader.redactor.redact('error: auth failed for stored-secret-1'), `error: auth failed for ${REDACTED}`);
      assert.equal(vault.redactor.redact('stored-secret-1'), REDACTED);
      // A shared redactor collects from several vaults.
      const shared = createRedactor();
      const one = openVault({ home: h.path, env: h.env, redactor: shared });
      await one.get('a.stored');
      assert.equal(shared.redact('stored-secret-1'), REDACTED);
    } finally {
      await h.cleanup();
    }
  });
});
