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

/** Embeds a Noto Sans JP subset covering `text` as the five objects of a Type0 font. */
export function embedJapaneseFont(
  update: IncrementalUpdate,
  text: string,
  weight: FontWeight = 'regular',
): EmbeddedFont {
  const subset = createFontSubset(loadJapaneseFont(weight), text);
  const objects = buildType0FontObjects(subset);
  const fontFileRef = update.add(
    new PdfStream(
      new PdfDict([
        ['Filter', PdfName.of('FlateDecode')],
        ['Length1', objects.fontFile2.length],
      ]),
      deflateSync(objects.fontFile2),
    ),
  );
  const toUnicodeRef = update.add(
    new PdfStream(new PdfDict([['Filter', PdfName.of('FlateDecode')]]), deflateSync(objects.toUnicode)),
  );
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
