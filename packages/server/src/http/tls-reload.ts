import { createHash, X509Certificate } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { createSecureContext } from 'node:tls';

/** What setSecureContext needs: Node's https and tls servers. */
interface SecureServer {
  setSecureContext(options: { cert: Buffer; key: Buffer }): void;
}

/** Where the reloader reports (the server's pino logger). */
interface ReloadLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** A running reloader: reload on demand (SIGHUP), stop watching. */
export interface TlsReloader {
  /** Reads the files again; installs them when they changed and make a valid pair. Never throws. */
  reload(reason: string): Promise<boolean>;
  close(): void;
}

// Renewals write several files (certbot: a symlink swap per file): wait for them to settle.
const SETTLE_MS = 300;

/**
 * Reloads INKAN_TLS_CERT / INKAN_TLS_KEY into a listening HTTPS server when the files change (certbot,
 * Caddy, acme.sh renewals) and on `reload()` (SIGHUP): new connections get the new certificate, open
 * ones keep theirs (server.setSecureContext). A pair that does not load (half written, key of another
 * certificate) is refused with a warning and the server keeps the one it has. The parent directories
 * are watched, not the files: renewals replace files (rename, symlink swap), which a file watch misses.
 */
export function startTlsReloader(
  server: SecureServer,
  files: { certFile: string; keyFile: string },
  log: ReloadLog,
): TlsReloader {
  let current = '';
  let running: Promise<boolean> = Promise.resolve(false);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const load = async (reason: string): Promise<boolean> => {
    try {
      const [cert, key] = await Promise.all([readFile(files.certFile), readFile(files.keyFile)]);
      const digest = createHash('sha256').update(cert).update('\0').update(key).digest('hex');
      if (digest === current) return false;
      createSecureContext({ cert, key }); // throws when the pair is unusable
      server.setSecureContext({ cert, key });
      const leaf = new X509Certificate(cert);
      const first = current === '';
      current = digest;
      if (!first)
        log.info(
          { reason, serialNumber: leaf.serialNumber, validTo: leaf.validTo, subject: leaf.subject },
          'TLS certificate reloaded',
        );
      return !first;
    } catch (error) {
      log.warn(
        { reason, error: error instanceof Error ? error.message : String(error) },
        'TLS certificate not reloaded: keeping the current one',
      );
      return false;
    }
  };
  // One load at a time, in order.
  const reload = (reason: string): Promise<boolean> => (running = running.then(() => load(reason)));

  // The files as loaded at start count as current (the server was built with them).
  void reload('start');
  const names = new Set([basename(files.certFile), basename(files.keyFile)]);
  const watchers: FSWatcher[] = [];
  for (const dir of new Set([dirname(files.certFile), dirname(files.keyFile)])) {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (closed || (name !== null && !names.has(String(name)))) return;
        clearTimeout(timer);
        timer = setTimeout(() => void reload('file change'), SETTLE_MS);
        timer.unref();
      });
      watcher.on('error', (error) =>
        log.warn({ dir, error: error.message }, 'TLS certificate directory no longer watched (SIGHUP still reloads)'),
      );
      watchers.push(watcher);
    } catch (error) {
      log.warn(
        { dir, error: error instanceof Error ? error.message : String(error) },
        'TLS certificate directory cannot be watched (SIGHUP still reloads)',
      );
    }
  }
  return {
    reload,
    close: () => {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
