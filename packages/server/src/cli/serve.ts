import type { Config } from '../config/config.ts';
import { buildApp } from '../http/app.ts';
import { openSigningServices } from '../signing-services.ts';

/** Serves HTTP until SIGINT/SIGTERM; resolves with the exit code after a graceful close. */
export async function serve(config: Config): Promise<number> {
  const services = await openSigningServices(config);
  const app = await buildApp({ config, services, logger: true });
  const address = await app.listen({ port: config.port, host: config.host });
  process.stdout.write(`Inkan is listening on ${address} (public URL ${config.publicUrl})\n`);
  return new Promise((resolve) => {
    const stop = () => {
      app.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
