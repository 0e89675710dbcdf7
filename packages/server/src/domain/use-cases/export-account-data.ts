import { strToU8, zipSync, type Zippable } from 'fflate';
import { ACCOUNT_EXPORTERS, type AccountExporter } from '../accounts/account-export.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';

/**
 * The account's data as a ZIP: what every exporter of ACCOUNT_EXPORTERS collects, plus manifest.json
 * naming the parts. Recorded as `account.exported` (an export is a disclosure of personal data).
 */
export async function exportAccountData(
  ctx: DomainContext,
  input: { userId: string; organizationId: string | null; origin?: RequestOrigin },
  exporters: readonly AccountExporter[] = ACCOUNT_EXPORTERS,
): Promise<{ fileName: string; bytes: Uint8Array }> {
  const now = ctx.clock.now();
  const files: Zippable = {};
  const parts: Array<{ name: string; files: string[] }> = [];
  for (const exporter of exporters) {
    const collected = await exporter.collect(ctx, input.userId);
    for (const file of collected) {
      if (file.path in files || file.path === 'manifest.json')
        throw new Error(`account export: two parts write ${file.path}`);
      files[file.path] = typeof file.content === 'string' ? strToU8(file.content) : file.content;
    }
    parts.push({ name: exporter.name, files: collected.map((f) => f.path) });
  }
  files['manifest.json'] = strToU8(
    `${JSON.stringify({ format: 'inkan-account-export', version: 1, exportedAt: now.toISOString(), accountId: input.userId, parts }, null, 2)}\n`,
  );
  const bytes = zipSync(files, { level: 6, mtime: now });
  await inTransaction(ctx.db, ctx.dialect, (tx) =>
    recordEvent(tx, {
      organizationId: input.organizationId,
      actor: { type: 'user', id: input.userId },
      action: 'account.exported',
      origin: input.origin,
      at: now,
      details: { parts: parts.map((p) => p.name), bytes: bytes.length },
    }),
  );
  return { fileName: `inkan-account-${now.toISOString().slice(0, 10)}.zip`, bytes };
}
