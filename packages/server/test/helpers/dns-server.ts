/**
 * A real DNS server for tests: Debian's dnsmasq on 127.0.0.1 (scripts/ensure-system-deps.sh installs
 * dnsmasq-base), authoritative for the given zones (unknown names there: NXDOMAIN), serving the given
 * TXT records, and refusing everything else (no upstream servers). Restart it to change the records;
 * the port stays, so the server under test keeps its INKAN_DNS_SERVERS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { waitFor } from './wait-for.ts';

export const DNSMASQ = '/usr/sbin/dnsmasq';

/**
 * A port that is free for TCP and UDP on 127.0.0.1, outside the kernel's ephemeral range (32768–60999 here):
 * the port stays for every restart of dnsmasq, and a port from listen(0) is an ephemeral one that another
 * process's outgoing connection or listener may take meanwhile ("Address already in use" on a busy machine).
 */
async function freePort(): Promise<number> {
  const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  const top = Math.min(low ?? 32768, 32768);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * Math.max(1, top - 20_000));
    if ((await bindsTcp(port)) && (await bindsUdp(port))) return port;
  }
  throw new Error('no free port for the test DNS server');
}

async function bindsTcp(port: number): Promise<boolean> {
  const server = createServer();
  try {
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    server.close();
    await once(server, 'close');
    return true;
  } catch {
    return false;
  }
}

async function bindsUdp(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  try {
    socket.bind(port, '127.0.0.1');
    await once(socket, 'listening');
    socket.close();
    return true;
  } catch {
    try {
      socket.close();
    } catch {
      // never bound
    }
    return false;
  }
}

export class TestDnsServer {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  /** A server on a free loopback port (start() serves records). */
  static async create(): Promise<TestDnsServer> {
    return new TestDnsServer(await freePort());
  }

  /** The INKAN_DNS_SERVERS value. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** (Re)starts dnsmasq answering for `zones` with `txt` records (name → values); resolves once it answers. */
  async start(zones: string[], txt: Record<string, string[]>): Promise<void> {
    await this.stop();
    const probe = `_ready.${zones[0] ?? 'test'}`;
    const records = { ...txt, [probe]: ['ready'] };
    const args = [
      '--keep-in-foreground',
      '--conf-file=/dev/null',
      `--port=${this.port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--no-resolv',
      '--no-hosts',
      '--no-poll',
      '--pid-file=',
      ...zones.map((zone) => `--local=/${zone}/`),
      ...Object.entries(records).flatMap(([name, values]) =>
        // No shell: the text goes as is (a comma would start another string of the record).
        values.map((value) => `--txt-record=${name},${value.replace(/,/g, '')}`),
      ),
    ];
    const child = spawn(DNSMASQ, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    this.child = child;
    const resolver = new Resolver({ timeout: 200, tries: 1 });
    resolver.setServers([this.address]);
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`dnsmasq exited ${child.exitCode}: ${stderr}`);
        return resolver.resolveTxt(probe).then(
          () => true,
          () => false,
        );
      },
      { timeoutMs: 10_000, what: 'dnsmasq to answer' },
    );
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
}
