// The logo check (domain/administration/logo-image.ts): PNG and JPEG recognised by their headers with
// their pixel sizes; other formats, truncated or endless JPEG headers, too many bytes and too many
// pixels refused with the stable codes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../src/domain/app-error.ts';
import { checkLogoImage, LOGO_LIMITS } from '../../src/domain/administration/logo-image.ts';
import { makePng, pngHeaderOnly } from '../helpers/png.ts';

/** A JPEG header: SOI, an APP0 segment, `extra` APPn segments, SOF0 of width × height, EOI. */
function jpeg(width: number, height: number, extra = 0): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const apps = Array.from({ length: extra }, () => Buffer.from([0xff, 0xe1, 0x00, 0x04, 0x00, 0x00]));
  const sof = Buffer.from([
    0xff,
    0xc0,
    0x00,
    0x11,
    8,
    height >> 8,
    height & 255,
    width >> 8,
    width & 255,
    3,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  ]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, ...apps, sof, Buffer.from([0xff, 0xd9])]);
}

function refused(bytes: Uint8Array, code: string): void {
  assert.throws(
    () => checkLogoImage(bytes),
    (error: unknown) => error instanceof AppError && error.code === code && error.details?.field === 'logo',
  );
}

describe('logo image check', () => {
  it('reads the size of a real PNG and of a JPEG frame header', () => {
    assert.deepEqual(checkLogoImage(makePng(300, 120, () => [1, 2, 3])), {
      type: 'image/png',
      width: 300,
      height: 120,
    });
    assert.deepEqual(checkLogoImage(jpeg(640, 200)), { type: 'image/jpeg', width: 640, height: 200 });
    assert.deepEqual(checkLogoImage(jpeg(10, 10, 20)), { type: 'image/jpeg', width: 10, height: 10 });
  });

  it('refuses other formats, truncated and endless headers', () => {
    refused(Buffer.from('GIF89a....'), 'UNSUPPORTED_MEDIA_TYPE');
    refused(Buffer.from('<svg/>'), 'UNSUPPORTED_MEDIA_TYPE');
    refused(Buffer.alloc(0), 'UNSUPPORTED_MEDIA_TYPE');
    refused(jpeg(10, 10).subarray(0, 25), 'UNSUPPORTED_MEDIA_TYPE');
    refused(jpeg(10, 10, 100), 'UNSUPPORTED_MEDIA_TYPE'); // more than 64 segments before the frame
    refused(pngHeaderOnly(0, 10), 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses too many bytes and too many pixels (a decompression bomb’s header)', () => {
    refused(Buffer.concat([makePng(2, 2, () => [0, 0, 0]), Buffer.alloc(LOGO_LIMITS.bytes)]), 'PAYLOAD_TOO_LARGE');
    refused(pngHeaderOnly(LOGO_LIMITS.width + 1, 10), 'PAYLOAD_TOO_LARGE');
    refused(jpeg(10, LOGO_LIMITS.height + 1), 'PAYLOAD_TOO_LARGE');
    assert.equal(checkLogoImage(pngHeaderOnly(LOGO_LIMITS.width, LOGO_LIMITS.height)).width, LOGO_LIMITS.width);
  });
});
