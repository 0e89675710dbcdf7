import { AppError } from '../app-error.ts';

/** Bounds of an organisation's logo: bytes as uploaded and decoded pixel dimensions. */
export const LOGO_LIMITS = { bytes: 256 * 1024, width: 1024, height: 1024 } as const;

/** A checked logo: its type and the dimensions read from its header. */
export interface LogoImage {
  type: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function refuse(reason: string): never {
  throw new AppError('UNSUPPORTED_MEDIA_TYPE', `the logo must be a PNG or JPEG image: ${reason}`, {
    field: 'logo',
    reason,
  });
}

/**
 * Checks that bytes are a PNG or JPEG within LOGO_LIMITS, reading only the header (PNG: IHDR; JPEG: the
 * first start-of-frame, walking at most 64 segments). Anything else → UNSUPPORTED_MEDIA_TYPE; too big
 * (bytes or pixels) → PAYLOAD_TOO_LARGE. The bytes are served as uploaded, with their type and nosniff.
 */
export function checkLogoImage(bytes: Uint8Array): LogoImage {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length > LOGO_LIMITS.bytes)
    throw new AppError('PAYLOAD_TOO_LARGE', `the logo is larger than ${LOGO_LIMITS.bytes} bytes`, {
      field: 'logo',
      maxBytes: LOGO_LIMITS.bytes,
    });
  let image: LogoImage;
  if (data.length >= 24 && data.subarray(0, 8).equals(PNG_SIGNATURE)) {
    if (data.toString('latin1', 12, 16) !== 'IHDR') refuse('PNG without IHDR');
    image = { type: 'image/png', width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  } else if (data.length >= 4 && data[0] === 0xff && data[1] === 0xd8) {
    image = { type: 'image/jpeg', ...jpegSize(data) };
  } else {
    refuse('unknown format');
  }
  if (image.width === 0 || image.height === 0) refuse('empty image');
  if (image.width > LOGO_LIMITS.width || image.height > LOGO_LIMITS.height)
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `the logo is larger than ${LOGO_LIMITS.width}×${LOGO_LIMITS.height} pixels`,
      {
        field: 'logo',
        maxWidth: LOGO_LIMITS.width,
        maxHeight: LOGO_LIMITS.height,
      },
    );
  return image;
}

function jpegSize(data: Buffer): { width: number; height: number } {
  let offset = 2;
  for (let segments = 0; segments < 64 && offset + 4 <= data.length; segments++) {
    if (data[offset] !== 0xff) refuse('broken JPEG marker');
    const marker = data[offset + 1]!;
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    const length = data.readUInt16BE(offset + 2);
    if (length < 2) refuse('broken JPEG segment');
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (offset + 9 > data.length) refuse('truncated JPEG frame');
      return { height: data.readUInt16BE(offset + 5), width: data.readUInt16BE(offset + 7) };
    }
    if (marker === 0xd9 || marker === 0xda) break;
    offset += 2 + length;
  }
  return refuse('JPEG without a frame header');
}
