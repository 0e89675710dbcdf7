/**
 * A real S3-compatible server for tests (s3rver, in-process, on a free loopback port, its own folder),
 * and the INKAN_S3_* variables that reach it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** A running S3 server with the given buckets. */
export interface TestS3Server {
  endpoint: string;
  /** INKAN_S3_* for the server (path-style, its fixed test credentials). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts s3rver with `buckets` created. */
export async function startS3Server(buckets: readonly string[]): Promise<TestS3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'inkan-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  const address = (await server.run()) as { address: string; port: number };
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    endpoint,
    env: {
      INKAN_S3_ENDPOINT: endpoint,
      INKAN_S3_REGION: 'us-east-1',
      // s3rver's built-in account.
      INKAN_S3_ACCESS_KEY_ID: 'S3RVER',
      INKAN_S3_SECRET_ACCESS_KEY: 'S3RVER',
      INKAN_S3_FORCE_PATH_STYLE: 'true',
    },
    close: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
