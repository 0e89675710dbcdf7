/*
 * The two ends of the SQLite write-lock broker between `serve --role=all` and its job child processes, each
 * a small thread whose event loop does nothing else, so that a request, a grant or a release never waits
 * for a busy event loop (an HTTP request in the server, a certificate render in a job process):
 *
 * - `broker` (in the server): listens on a Unix socket; each job process connects, names its SQLite file,
 *   then asks (`A`) and gives back (`R`) the server's lock word one byte at a time; the thread takes the
 *   word on the process's behalf (as a background holder: see SqliteWriteLock) and answers `G`. A process
 *   whose connection closes (it exited, or was killed) gives back what it held at once.
 * - `client` (in a job process): owns the connection; the process's main thread asks through shared
 *   counters and sleeps in Atomics.wait until this thread counts the grant (see useBrokeredSqliteWriteLocks).
 */
import { createConnection, createServer, type Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import {
  BELL,
  GONE,
  GRANTS,
  RELEASES,
  REQUESTS,
  SqliteWriteLock,
  nextBrokerOwner,
  waitAsync,
} from './sqlite-write-lock.ts';

/** What each thread is started with. */
export type LockThreadData =
  | { inkanSqliteLockThread: 'broker'; socketPath: string; maxWaitMs: number }
  | { inkanSqliteLockThread: 'client'; socketPath: string };

/** Messages between the server's main thread and its broker thread. */
export type BrokerMessage =
  | { type: 'listening' }
  | { type: 'failed'; message: string }
  | { type: 'word'; path: string; word?: SharedArrayBuffer };

/** The client thread is handed one of these per SQLite file (its counters, see LockCounters). */
export interface ClientFile {
  path: string;
  counters: SharedArrayBuffer;
}

/** The longest path line a connection may send before its first byte of protocol. */
const MAX_PATH_BYTES = 4096;

/** The broker: see the file's header. */
function runBroker(data: Extract<LockThreadData, { inkanSqliteLockThread: 'broker' }>): void {
  const port = parentPort!;
  // The server's lock word of each file, asked of the main thread once per file (it owns the words).
  const words = new Map<string, Promise<SharedArrayBuffer | undefined>>();
  const answers = new Map<string, (word: SharedArrayBuffer | undefined) => void>();
  port.on('message', (message: BrokerMessage) => {
    if (message.type !== 'word') return;
    answers.get(message.path)?.(message.word);
    answers.delete(message.path);
  });
  const wordOf = (path: string) => {
    let word = words.get(path);
    if (word === undefined) {
      word = new Promise((resolve) => answers.set(path, resolve));
      words.set(path, word);
      port.postMessage({ type: 'word', path } satisfies BrokerMessage);
    }
    return word;
  };

  const server = createServer((socket) => serveConnection(socket, wordOf, data.maxWaitMs));
  server.on('error', (error) => port.postMessage({ type: 'failed', message: error.message } satisfies BrokerMessage));
  server.listen(data.socketPath, () => port.postMessage({ type: 'listening' } satisfies BrokerMessage));
}

/** One job process's connection to the broker. */
function serveConnection(
  socket: Socket,
  wordOf: (path: string) => Promise<SharedArrayBuffer | undefined>,
  maxWaitMs: number,
): void {
  socket.setNoDelay(true);
  let head = Buffer.alloc(0);
  let lock: Promise<SqliteWriteLock | undefined> | undefined;
  // The hold being asked for or held: `release` once granted; `cancelled` when given back before the grant.
  let hold: { release?: () => void; cancelled: boolean } | undefined;
  let closed = false;

  const acquire = () => {
    if (hold !== undefined || lock === undefined) return; // out of turn: a client asks once, then gives back
    const current = { cancelled: false } as { release?: () => void; cancelled: boolean };
    hold = current;
    void lock
      .then((found) => (found === undefined ? () => undefined : found.acquire()))
      .then((release) => {
        if (closed || current.cancelled) {
          release();
          return;
        }
        current.release = release;
        socket.write('G');
      });
  };
  const giveBack = () => {
    const current = hold;
    hold = undefined;
    if (current === undefined) return;
    if (current.release !== undefined) current.release();
    else current.cancelled = true;
  };

  socket.on('data', (chunk: Buffer) => {
    let bytes = chunk;
    if (lock === undefined) {
      const newline = bytes.indexOf(10);
      if (newline < 0) {
        head = Buffer.concat([head, bytes]);
        if (head.length > MAX_PATH_BYTES) socket.destroy();
        return;
      }
      const path = Buffer.concat([head, bytes.subarray(0, newline)]).toString('utf8');
      bytes = bytes.subarray(newline + 1);
      lock = wordOf(path).then((word) =>
        word === undefined ? undefined : new SqliteWriteLock(word, maxWaitMs, nextBrokerOwner(), { background: true }),
      );
    }
    for (const byte of bytes) {
      if (byte === 0x41) acquire();
      else if (byte === 0x52) giveBack();
      else {
        socket.destroy();
        return;
      }
    }
  });
  const close = () => {
    if (closed) return;
    closed = true;
    giveBack();
  };
  socket.on('close', close);
  socket.on('error', close);
}

/** The client: see the file's header and LockCounters. */
function runClient(data: Extract<LockThreadData, { inkanSqliteLockThread: 'client' }>): void {
  parentPort!.on('message', (file: ClientFile) => connectFile(data.socketPath, file));
}

/** The counters of one file: sends A and R in the order the main thread counted them, counts each G. */
function connectFile(socketPath: string, file: ClientFile): void {
  const counters = new Int32Array(file.counters);
  let sentAcquires = 0;
  let sentReleases = 0;
  let connected = false;
  const socket = createConnection(socketPath);
  socket.setNoDelay(true);
  const gone = () => {
    // Nobody will grant: every waiter goes on (SQLite's own lock still serialises).
    Atomics.store(counters, GONE, 1);
    Atomics.notify(counters, GRANTS);
  };
  socket.on('error', gone);
  socket.on('close', gone);
  socket.on('data', (chunk: Buffer) => {
    for (const byte of chunk) if (byte === 0x47) Atomics.add(counters, GRANTS, 1);
    Atomics.notify(counters, GRANTS);
  });
  const pump = () => {
    if (!connected) return;
    let out = '';
    for (;;) {
      if (sentAcquires === sentReleases && Atomics.load(counters, REQUESTS) > sentAcquires) {
        out += 'A';
        sentAcquires++;
      } else if (sentReleases < sentAcquires && Atomics.load(counters, RELEASES) > sentReleases) {
        out += 'R';
        sentReleases++;
      } else break;
    }
    if (out !== '') socket.write(out);
  };
  socket.on('connect', () => {
    socket.write(`${file.path}\n`);
    connected = true;
    pump();
  });
  // Woken by the main thread's doorbell after each request and release.
  void (async () => {
    for (;;) {
      const rung = Atomics.load(counters, BELL);
      pump();
      const wait = waitAsync(counters, BELL, rung, Infinity);
      if (wait.async) await wait.value;
    }
  })();
}

const data = workerData as Partial<LockThreadData> | null;
if (data?.inkanSqliteLockThread === 'broker')
  runBroker(data as Extract<LockThreadData, { inkanSqliteLockThread: 'broker' }>);
else if (data?.inkanSqliteLockThread === 'client')
  runClient(data as Extract<LockThreadData, { inkanSqliteLockThread: 'client' }>);
