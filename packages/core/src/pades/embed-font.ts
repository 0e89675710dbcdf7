import { deflateSync } from 'node:zlib';
import {
  buildType0FontObjects,
  createFontSubset,
  loadJapaneseFont,
  type FontSubset,
  type FontWeight,
} from '../font/japanese-font.ts';
import type { IncrementalUpdate } from '../pdf/incremental-update.ts';
import { PdfLexer } from '../pdf/lexer.ts';
import { PdfDict, PdfName, PdfStream, type PdfRef } from '../pdf/objects.ts';

/** A Japanese font subset written into an update: its Type0 font reference and the subset for encoding text. */
export interface EmbeddedFont {
  ref: PdfRef;
  subset: FontSubset;
}

/** A subset ready to write: the subset, its Type0 objects, and its two streams already compressed. */
interface PreparedSubset {
  subset: FontSubset;
  objects: ReturnType<typeof buildType0FontObjects>;
  fontFile2: Uint8Array;
  toUnicode: Uint8Array;
}

/**
 * Subsets already built, by weight and character set (bounded, least recently used out). Stamps embed
 * the same characters every time (the label and the ID's alphabet, see `subsetText`), so they skip the
 * font parse, the subsetting and the compression after the first one.
 */
const SUBSET_CACHE_SIZE = 8;
const subsets = new Map<string, PreparedSubset>();

function preparedSubset(text: string, weight: FontWeight): PreparedSubset {
  const key = `${weight}:${[...new Set(text)].sort().join('')}`;
  const hit = subsets.get(key);
  if (hit !== undefined) {
    subsets.delete(key);
    subsets.set(key, hit);
    return hit;
  }
  const subset = createFontSubset(loadJapaneseFont(weight), text);
  const objects = buildType0FontObjects(subset);
  const prepared = {
    subset,
    objects,
    fontFile2: deflateSync(objects.fontFile2),
    toUnicode: deflateSync(objects.toUnicode),
  };
  subsets.set(key, prepared);
  if (subsets.size > SUBSET_CACHE_SIZE) subsets.delete(subsets.keys().next().value!);
  return prepared;
}

/**
 * Embeds a Noto Sans JP subset covering `text` as the five objects of a Type0 font. `subsetText`, when
 * given, is what the subset covers instead (it must include every character of `text`): a fixed set
 * makes the subset, and its work, the same for every text drawn from it.
 */
export function embedJapaneseFont(
  update: IncrementalUpdate,
  text: string,
  weight: FontWeight = 'regular',
  subsetText?: string,
): EmbeddedFont {
  const { subset, objects, fontFile2, toUnicode } = preparedSubset(subsetText ?? text, weight);
  // Every character of the text must be in the subset (throws FONT_GLYPH_MISSING otherwise).
  subset.encode(text);
  const fontFileRef = update.add(
    new PdfStream(
      new PdfDict([
        ['Filter', PdfName.of('FlateDecode')],
        ['Length1', objects.fontFile2.length],
      ]),
      fontFile2,
    ),
  );
  const toUnicodeRef = update.add(new PdfStream(new PdfDict([['Filter', PdfName.of('FlateDecode')]]), toUnicode));
  const descriptorRef = update.add(
    parseDict(objects.fontDescriptorDict.replace('{{FONTFILE2}}', fontFileRef.toString())),
  );
  const cidFontRef = update.add(parseDict(objects.cidFontDict.replace('{{DESCRIPTOR}}', descriptorRef.toString())));
  const ref = update.add(
    parseDict(
      objects.type0Dict
        .replace('{{DESCENDANT}}', cidFontRef.toString())
        .replace('{{TOUNICODE}}', toUnicodeRef.toString()),
    ),
  );
  return { ref, subset };
}

function parseDict(text: string): PdfDict {
  const value = new PdfLexer(Buffer.from(text, 'latin1')).parseObject();
  if (!(value instanceof PdfDict)) throw new Error('font object is not a dictionary');
  return value;
}
