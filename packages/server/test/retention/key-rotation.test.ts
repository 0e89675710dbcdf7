// `inkan keys rotate` with SoftHSM2 (the real CLI, as a process) on SQLite and PostgreSQL: documents'
// data keys move from the master-derived KEK to an AES key inside the HSM and then to a newer one;
// every document still opens; the blob files keep their bytes and mtimes (documents untouched); an
// interrupted rotation resumes; --remove-old destroys the old HSM key and nothing needs it any more;
// without the HSM configured, the rewrapped keys do not open.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSoftHsmToken, tokenHasAesKey, type SoftHsmToken } from '../../../core/test/helpers/softhsm.ts';
import { blobObjectPath } from '../../src/adapters/blob/encrypted-blob-store.ts';
import { DocumentKeyring } from '../../src/adapters/keys/document-keyring.ts';
import { KeyEncryptionKeys } from '../../src/adapters/keys/key-encryption-keys.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createContext, type AppContext } from '../../src/context.ts';
import { readMasterKey } from '../../src/security/server-keys.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import { DIALECTS, createTestContext, type TestContext } from '../helpers/test-database.ts';

const DOCUMENTS = 23;
let token: SoftHsmToken;

before(async () => {
  token = await createSoftHsmToken({ label: 'inkan-kek-test' });
});
after(() => token?.cleanup());

for (const dialect of DIALECTS) {
  describe(`inkan keys rotate with SoftHSM2 (${dialect})`, () => {
    let t: TestContext;
    const labelPrefix = `kek-${dialect}`;
    const stored = new Map<string, Buffer>();
    const kekEnv = () => ({
      INKAN_KEK_PKCS11_LIBRARY: token.libraryPath,
      INKAN_KEK_PKCS11_TOKEN: token.label,
      INKAN_KEK_PKCS11_PIN: token.pin,
      INKAN_KEK_PKCS11_KEY_LABEL: labelPrefix,
    });
    const baseEnv = () => ({
      INKAN_ENV: 'test',
      INKAN_SIGNING_KEY_ALGORITHM: 'ECDSA-P256',
      ...(t.database.url ? { INKAN_DATABASE_URL: t.database.url } : {}),
    });
    const inkan = (args: string[], hsm = true) =>
      runInkan(['keys', ...args], { dataDir: t.dataDir, env: { ...baseEnv(), ...(hsm ? kekEnv() : {}) } });
    /** A context as the server would build it, with or without the HSM KEK configured. */
    const openContext = async (hsm: boolean): Promise<AppContext> =>
      createContext(loadConfig({ ...baseEnv(), INKAN_DATA_DIR: t.dataDir, ...(hsm ? kekEnv() : {}) }));
    const fileStates = () =>
      [...stored.keys()].map((key) => {
        const path = join(t.dataDir, 'blobs', blobObjectPath(key));
        return {
          key,
          sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
          mtimeMs: statSync(path).mtimeMs,
        };
      });
    const assertAllOpen = async (context: AppContext) => {
      for (const [key, bytes] of stored) assert.deepEqual(Buffer.from(await context.blobs.get(key)), bytes, key);
    };
    const hsmHas = (label: string): boolean => tokenHasAesKey(token, label);

    before(async () => {
      t = await createTestContext(dialect);
      for (let i = 0; i < DOCUMENTS; i++) {
        const bytes = randomBytes(200 + i * 37);
        stored.set(await t.context.blobs.put(bytes), bytes);
      }
      await t.context.close();
    });
    after(async () => t?.cleanup());

    it('moves every data key into the HSM; documents untouched and all still open', async () => {
      const before = fileStates();
      const status = await inkan(['status'], false);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, new RegExp(`master-v1\\tmaster\\tdocument-kek/v1\\tcurrent\\t${DOCUMENTS} live`));

      const rotated = await inkan(['rotate', '--batch-size', '7']);
      assert.equal(rotated.code, 0, rotated.stderr);
      assert.match(
        rotated.stdout,
        new RegExp(`created key-encryption key pkcs11-v2 \\(pkcs11, label ${labelPrefix}-v2\\)`),
      );
      assert.match(rotated.stdout, new RegExp(`${DOCUMENTS} data key\\(s\\) rewrapped, 0 left`));
      assert.match(rotated.stdout, /rewrapped 7 data key/, 'in batches');
      assert.ok(hsmHas(`${labelPrefix}-v2`));
      assert.deepEqual(fileStates(), before, 'no blob file was rewritten');

      const context = await openContext(true);
      try {
        await assertAllOpen(context);
        const keys = await context.db.selectFrom('document_keys').select('kek_id').distinct().execute();
        assert.deepEqual(keys, [{ kek_id: 'pkcs11-v2' }]);
        // New documents are wrapped under the HSM key too.
        const fresh = randomBytes(99);
        stored.set(await context.blobs.put(fresh), fresh);
      } finally {
        await context.close();
      }
      // Without the HSM the installation does not start (the master key alone opens nothing any more)…
      await assert.rejects(
        openContext(false),
        /set INKAN_KEK_PKCS11_LIBRARY, INKAN_KEK_PKCS11_TOKEN and INKAN_KEK_PKCS11_PIN/,
      );
      // …and a keyring without it cannot unwrap a data key.
      const config = loadConfig({ ...baseEnv(), INKAN_DATA_DIR: t.dataDir });
      const keks = new KeyEncryptionKeys(await readMasterKey(config), undefined);
      const probe = await openContext(true);
      try {
        const keyring = new DocumentKeyring(probe.db, keks);
        const [first] = stored.keys();
        const row = await probe.db
          .selectFrom('document_keys')
          .select('key_id')
          .where('blob_key', '=', first!)
          .executeTakeFirstOrThrow();
        await assert.rejects(keyring.open(row.key_id, first!), (error: Error & { code?: string }) => {
          assert.equal(error.code, 'BLOB_BAD_KEY');
          return true;
        });
      } finally {
        await probe.close();
      }
    });

    it('resumes an interrupted rotation, then --remove-old destroys the old HSM key: every document still opens', async () => {
      const before = fileStates();
      // A rotation that stops after its first batch (as if the process was killed).
      const config = loadConfig({ ...baseEnv(), INKAN_DATA_DIR: t.dataDir, ...kekEnv() });
      const keks = new KeyEncryptionKeys(await readMasterKey(config), config.kekPkcs11);
      const context = await openContext(true);
      try {
        const keyring = new DocumentKeyring(context.db, keks);
        await assert.rejects(
          keyring.rotate({
            batchSize: 5,
            onBatch: () => {
              throw new Error('killed');
            },
          }),
          /killed/,
        );
        const split = await context.db
          .selectFrom('document_keys')
          .select(['kek_id', (eb) => eb.fn.countAll<number | string>().as('n')])
          .groupBy('kek_id')
          .orderBy('kek_id')
          .execute();
        assert.deepEqual(
          split.map((s) => [s.kek_id, Number(s.n)]),
          [
            ['pkcs11-v2', DOCUMENTS + 1 - 5],
            ['pkcs11-v3', 5],
          ],
        );
        // Half-way, everything opens: each row names its own KEK.
        await assertAllOpen(context);
      } finally {
        keks.close();
        await context.close();
      }

      const resumed = await inkan(['rotate', '--remove-old']);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.match(resumed.stdout, /resumed with key-encryption key pkcs11-v3/);
      assert.match(resumed.stdout, new RegExp(`${DOCUMENTS + 1 - 5} data key\\(s\\) rewrapped, 0 left`));
      assert.match(resumed.stdout, new RegExp(`removed pkcs11-v2: the HSM key "${labelPrefix}-v2" is destroyed`));
      assert.match(resumed.stdout, /retired master-v1 \(derived from the master key: nothing to destroy\)/);
      assert.equal(hsmHas(`${labelPrefix}-v2`), false, 'the old KEK is gone from the token');
      assert.ok(hsmHas(`${labelPrefix}-v3`));
      assert.deepEqual(fileStates(), before, 'no blob file was rewritten');

      const after = await openContext(true);
      try {
        await assertAllOpen(after);
      } finally {
        await after.close();
      }
      const status = await inkan(['status']);
      assert.equal(status.code, 0, status.stderr);
      assert.match(
        status.stdout,
        new RegExp(`pkcs11-v3\\tpkcs11\\t${labelPrefix}-v3\\tcurrent\\t${DOCUMENTS + 1} live`),
      );
      assert.match(status.stdout, /pkcs11-v2\tpkcs11\t.*\tretired /);
    });

    it('refuses bad usage with exit 2', async () => {
      assert.equal((await inkan(['spin'])).code, 2);
      assert.equal((await inkan(['rotate', '--batch-size', '0'])).code, 2);
    });
  });
}
