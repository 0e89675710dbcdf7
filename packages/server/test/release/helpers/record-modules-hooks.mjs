// The module hooks of record-modules.mjs (they run in Node's loader thread).
import { appendFileSync } from 'node:fs';

let file;

/** Receives the output file. */
export function initialize(data) {
  file = data.file;
}

/** Records each resolved module URL, then lets Node go on. */
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(file, `${result.url}\n`);
  return result;
}
