// An organisation's 社印/角印 image (PNG or JPEG), checked and decoded into what a PDF image XObject
// needs: JPEG goes in as it is (DCTDecode); PNG is inflated and unfiltered, its alpha split off into a
// soft mask, and both recompressed with Flate. Everything is bounded before it is decoded.
import { deflateSync, inflateSync } from 'node:zlib';
import { CoreError } from '../errors.ts';

/** Bounds of an uploaded seal image. */
export const SEAL_IMAGE_LIMITS = { bytes: 2 * 1024 * 1024, maxSide: 2000, minSide: 16 } as const;

/** A seal image ready to embed. */
export interface SealImage {
  format: 'png' | 'jpeg';
  width: number;
  height: number;
  /** The stream data and its PDF filter. */
  data: Uint8Array;
  filter: 'FlateDecode' | 'DCTDecode';
  colorSpace: 'DeviceRGB' | 'DeviceGray' | 'DeviceCMYK';
  /** 8-bit alpha, Flate-compressed, when the PNG had transparency. */
  alpha?: Uint8Array;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Checks and decodes a PNG or JPEG seal image; throws CoreError('IMAGE_INVALID') with the reason. */
export function readSealImage(bytes: Uint8Array): SealImage {
  if (bytes.length > SEAL_IMAGE_LIMITS.bytes) invalid(`the image is larger than ${SEAL_IMAGE_LIMITS.bytes} bytes`);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length >= 8 && buffer.subarray(0, 8).equals(PNG_SIGNATURE)) return readPng(buffer);
  if (buffer.length >= 3 && buffer[0] === 0xff && buffer[1] === 0xd8 && buffer[2] === 0xff) return readJpeg(buffer);
  return invalid('the image is neither PNG nor JPEG');
}

function invalid(reason: string): never {
  throw new CoreError('IMAGE_INVALID', reason);
}

function checkSize(width: number, height: number): void {
  const { maxSide, minSide } = SEAL_IMAGE_LIMITS;
  if (width > maxSide || height > maxSide) invalid(`the image is larger than ${maxSide}×${maxSide} pixels`);
  if (width < minSide || height < minSide) invalid(`the image is smaller than ${minSide}×${minSide} pixels`);
}

function readJpeg(buffer: Buffer): SealImage {
  let offset = 2;
  while (offset + 4 <= buffer.length) {
    if (buffer[offset] !== 0xff) invalid('the JPEG is malformed');
    const marker = buffer[offset + 1];
    if (marker === 0xff) {
      offset++;
      continue;
    }
    const length = buffer.readUInt16BE(offset + 2);
    if (length < 2 || offset + 2 + length > buffer.length) invalid('the JPEG is truncated');
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (length < 8) invalid('the JPEG frame header is truncated');
      const height = buffer.readUInt16BE(offset + 5);
      const width = buffer.readUInt16BE(offset + 7);
      const components = buffer[offset + 9];
      checkSize(width, height);
      const colorSpace =
        components === 1 ? 'DeviceGray' : components === 3 ? 'DeviceRGB' : components === 4 ? 'DeviceCMYK' : undefined;
      if (!colorSpace) invalid(`a JPEG with ${components} colour components is not supported`);
      return { format: 'jpeg', width, height, data: new Uint8Array(buffer), filter: 'DCTDecode', colorSpace };
    }
    offset += 2 + length;
  }
  return invalid('the JPEG has no frame header');
}

function readPng(buffer: Buffer): SealImage {
  let offset = 8;
  let header: { width: number; height: number; depth: number; type: number; interlace: number } | undefined;
  const idat: Buffer[] = [];
  let palette: Buffer | undefined;
  let transparency: Buffer | undefined;
  while (offset + 12 <= buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    if (offset + 12 + length > buffer.length) invalid('the PNG is truncated');
    const data = buffer.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      if (length < 13) invalid('the PNG header is truncated');
      header = {
        width: data.readUInt32BE(0),
        height: data.readUInt32BE(4),
        depth: data[8],
        type: data[9],
        interlace: data[12],
      };
      checkSize(header.width, header.height);
    } else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') transparency = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  if (!header) invalid('the PNG has no header');
  const { width, height, depth, type, interlace } = header;
  if (depth !== 8) invalid('only 8-bit PNG images are supported');
  if (interlace !== 0) invalid('interlaced PNG images are not supported');
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[type];
  if (channels === undefined) invalid(`PNG colour type ${type} is not supported`);
  if (type === 3 && !palette) invalid('the palette PNG has no palette');
  const stride = width * channels;
  const expected = (stride + 1) * height;
  let raw: Buffer;
  try {
    // maxOutputLength bounds the inflation: a decompression bomb stops at the size the header allows.
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: expected + 1 });
  } catch {
    return invalid('the PNG image data cannot be decompressed');
  }
  if (raw.length < expected) invalid('the PNG image data is truncated');
  const pixels = unfilter(raw, width, height, channels);

  const rgb = Buffer.alloc(width * height * (type === 0 || type === 4 ? 1 : 3));
  const alpha = Buffer.alloc(width * height, 255);
  let hasAlpha = false;
  for (let i = 0; i < width * height; i++) {
    const p = i * channels;
    switch (type) {
      case 0:
        rgb[i] = pixels[p];
        break;
      case 4:
        rgb[i] = pixels[p];
        alpha[i] = pixels[p + 1];
        break;
      case 2:
        pixels.copy(rgb, i * 3, p, p + 3);
        break;
      case 6:
        pixels.copy(rgb, i * 3, p, p + 3);
        alpha[i] = pixels[p + 3];
        break;
      default: {
        const index = pixels[p];
        if (index * 3 + 2 >= palette!.length) invalid('the PNG uses a colour outside its palette');
        palette!.copy(rgb, i * 3, index * 3, index * 3 + 3);
        if (transparency && index < transparency.length) alpha[i] = transparency[index];
      }
    }
    if (alpha[i] !== 255) hasAlpha = true;
  }
  const image: SealImage = {
    format: 'png',
    width,
    height,
    data: deflateSync(rgb),
    filter: 'FlateDecode',
    colorSpace: type === 0 || type === 4 ? 'DeviceGray' : 'DeviceRGB',
  };
  if (hasAlpha) image.alpha = deflateSync(alpha);
  return image;
}

/** Reverses PNG's per-row filters (None, Sub, Up, Average, Paeth). */
function unfilter(raw: Buffer, width: number, height: number, bpp: number): Buffer {
  const stride = width * bpp;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const row = y * (stride + 1) + 1;
    const at = y * stride;
    for (let x = 0; x < stride; x++) {
      const value = raw[row + x];
      const left = x >= bpp ? out[at + x - bpp] : 0;
      const up = y > 0 ? out[at - stride + x] : 0;
      const upLeft = y > 0 && x >= bpp ? out[at - stride + x - bpp] : 0;
      let predicted: number;
      switch (filter) {
        case 0:
          predicted = 0;
          break;
        case 1:
          predicted = left;
          break;
        case 2:
          predicted = up;
          break;
        case 3:
          predicted = (left + up) >> 1;
          break;
        case 4: {
          const p = left + up - upLeft;
          const pa = Math.abs(p - left);
          const pb = Math.abs(p - up);
          const pc = Math.abs(p - upLeft);
          predicted = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
          break;
        }
        default:
          return invalid(`the PNG uses an unknown row filter (${filter})`);
      }
      out[at + x] = (value + predicted) & 0xff;
    }
  }
  return out;
}
