/** The PDF object model used by the reader, the incremental writer and the verifier. */

/** A PDF name, stored without the leading slash and with #xx escapes decoded. */
export class PdfName {
  private static readonly interned = new Map<string, PdfName>();
  private constructor(readonly value: string) {}
  /** Returns the interned name, so that names compare with ===. */
  static of(value: string): PdfName {
    let name = PdfName.interned.get(value);
    if (name === undefined) {
      name = new PdfName(value);
      PdfName.interned.set(value, name);
    }
    return name;
  }
  toString(): string {
    return `/${this.value}`;
  }
}

/** An indirect reference `N G R`. */
export class PdfRef {
  constructor(
    readonly objectNumber: number,
    readonly generation: number = 0,
  ) {}
  get key(): string {
    return `${this.objectNumber} ${this.generation}`;
  }
  toString(): string {
    return `${this.objectNumber} ${this.generation} R`;
  }
}

/** A string: literal `( )` or hexadecimal `< >`; `bytes` are the decoded bytes. */
export class PdfString {
  constructor(
    readonly bytes: Uint8Array,
    readonly hex: boolean = false,
  ) {}
  /** Decodes as PDFDocEncoding (latin1 approximation) or UTF-16BE with BOM. */
  text(): string {
    const b = this.bytes;
    if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
      return new TextDecoder('utf-16be').decode(b.subarray(2));
    }
    if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
      return new TextDecoder('utf-8').decode(b.subarray(3));
    }
    return Buffer.from(b).toString('latin1');
  }
}

/** A dictionary; keys are name values without the slash. Keeps insertion order for output. */
export class PdfDict {
  readonly entries: Map<string, PdfObject>;
  constructor(entries?: Iterable<[string, PdfObject]>) {
    this.entries = new Map(entries);
  }
  get(key: string): PdfObject | undefined {
    return this.entries.get(key);
  }
  set(key: string, value: PdfObject): this {
    this.entries.set(key, value);
    return this;
  }
  delete(key: string): void {
    this.entries.delete(key);
  }
  has(key: string): boolean {
    return this.entries.has(key);
  }
  /** A shallow copy, so an update can change an object read from the original. */
  clone(): PdfDict {
    return new PdfDict(this.entries);
  }
  /** The name value of `key`, if it is a name. */
  name(key: string): string | undefined {
    const v = this.entries.get(key);
    return v instanceof PdfName ? v.value : undefined;
  }
}

/** A stream: its dictionary and its raw (still encoded) bytes. */
export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    readonly raw: Uint8Array,
  ) {}
}

export type PdfObject = PdfName | PdfRef | PdfString | PdfDict | PdfStream | PdfObject[] | number | boolean | null;

/** Names used often, interned once. */
export const N = {
  Type: 'Type',
  Root: 'Root',
  Size: 'Size',
  Prev: 'Prev',
} as const;

/** Shorthand for PdfName.of. */
export function name(value: string): PdfName {
  return PdfName.of(value);
}

export function isDict(value: unknown): value is PdfDict {
  return value instanceof PdfDict;
}
