// Pixels of signed pages for the field tests: a small seal PNG to upload, a page rendered by pdftoppm
// (1 px = 1 pt), and counts of red, blue and dark pixels inside a rectangle given in PDF points.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { runTool, withTempDir } from '../../../core/test/helpers/validators.ts';

type Rect = [number, number, number, number];

/** A 48×48 RGBA PNG: a blue square ring on transparency (a stand-in for a scanned 角印). */
export function squareSealPng(rgb: [number, number, number] = [20, 40, 200]): Buffer {
  const size = 48;
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const ring = x < 6 || x >= size - 6 || y < 6 || y >= size - 6;
      row.set(ring ? [...rgb, 255] : [0, 0, 0, 0], 1 + x * 4);
    }
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])));
    return Buffer.concat([length, Buffer.from(type, 'latin1'), data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  header[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Page `page` rendered by pdftoppm at 72 dpi (1 px = 1 pt). */
export async function renderPage(
  pdf: Uint8Array,
  page: number,
): Promise<{ width: number; height: number; rgb: Buffer }> {
  return withTempDir(async (dir) => {
    await writeFile(join(dir, 'in.pdf'), pdf);
    const run = await runTool('pdftoppm', [
      '-r',
      '72',
      '-f',
      String(page),
      '-l',
      String(page),
      join(dir, 'in.pdf'),
      join(dir, 'p'),
    ]);
    assert.equal(run.exitCode, 0, run.stderr);
    const ppm = await readFile(
      join(
        dir,
        readdirSync(dir).find((f) => f.endsWith('.ppm'))!,
      ),
    );
    const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.toString('latin1', 0, 40))!;
    return { width: Number(header[1]), height: Number(header[2]), rgb: ppm.subarray(header[0].length) };
  });
}

/** Pixels inside a rectangle in PDF points that are red, blue or dark. */
export function colours(image: { width: number; height: number; rgb: Buffer }, rect: Rect) {
  const out = { red: 0, blue: 0, dark: 0 };
  for (let y = Math.ceil(image.height - rect[3]); y < Math.floor(image.height - rect[1]); y++) {
    for (let x = Math.ceil(rect[0]); x < Math.floor(rect[2]); x++) {
      const at = (y * image.width + x) * 3;
      const [r, g, b] = [image.rgb[at], image.rgb[at + 1], image.rgb[at + 2]];
      if (r > 150 && g < 100 && b < 100) out.red++;
      if (b > 150 && r < 100 && g < 120) out.blue++;
      if (r < 90 && g < 90 && b < 90) out.dark++;
    }
  }
  return out;
}
