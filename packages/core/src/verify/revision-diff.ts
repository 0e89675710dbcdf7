/**
 * What later revisions of a signed PDF changed, and whether each change is one a signed document
 * may receive: more signatures, document timestamps, validation data (DSS) and metadata — or
 * something that alters what the signer saw (incremental-saving, shadow and form-override attacks).
 *
 * The policy is PAdES/Adobe-like for "form filling and signing allowed" (DocMDP P=2), minus form
 * filling and annotations: Inkan signatures carry no DocMDP transform, and its documents have no
 * fields to fill. Allowed: new signature fields and widgets, signing an empty signature field (with
 * its own appearance, if nothing else uses that stream), /SigFlags /DA /DR /Q of the AcroForm,
 * catalog /DSS /Metadata /Extensions /Version /MarkInfo, DSS objects, /Info. Everything else that
 * the signed revision used is forbidden to change.
 *
 * One Inkan extension: values drawn into field rectangles that the signed revision declared
 * (field-stamps.ts) — new Form XObjects named after still-empty declared areas, their /BBox inside
 * the area, invoked only by appended `q /InkanField{k} Do Q` streams — are allowed: a signer's
 * fields, drawn in the revision of that signer's own signature. Any other change to the page, or a
 * second drawing into a field already filled, stays forbidden.
 *
 * Only objects whose cross-reference entry changed are read and compared; what each one is for
 * comes from one walk of the signed revision (diff-index.ts), cached per document.
 */
import type { PdfDocument } from '../pdf/document.ts';
import { PdfDict, PdfName, PdfRef, PdfStream, type PdfObject } from '../pdf/objects.ts';
import { FIELD_AREAS_KEY, FIELD_XOBJECT_PREFIX, readAreas } from '../pades/field-areas.ts';
import { signedIndex, type EmptySignatureField, type Origin, type Role, type SignedIndex } from './diff-index.ts';
import {
  arrayOf,
  changedKeys,
  changeVerb,
  describeObject,
  dictOf,
  equalValues,
  fieldNameOf,
  readObject,
  resolveSafe,
  shortText,
  signatureKind,
  touchedObjects,
  type TouchedObjects,
} from './diff-objects.ts';

export type ChangeKind =
  | 'signature-added'
  | 'document-timestamp-added'
  | 'dss-added'
  | 'dss-updated'
  | 'metadata-updated'
  | 'page-content-changed'
  | 'field-values-added'
  | 'page-added'
  | 'page-removed'
  | 'annotation-added'
  | 'annotation-changed'
  | 'annotation-removed'
  | 'form-field-changed'
  | 'form-field-added'
  | 'appearance-changed'
  | 'catalog-changed'
  | 'object-changed'
  | 'object-freed'
  | 'unknown';

export interface RevisionChange {
  kind: ChangeKind;
  allowed: boolean;
  objectNumber?: number;
  /** 1-based. */
  page?: number;
  /** English, precise: what changed and where. */
  description: string;
}

export interface RevisionDiff {
  changes: RevisionChange[];
  /** Every change is allowed. */
  allowed: boolean;
}

/** Compares the signed state with a later state of the same file. */
export function diffRevisions(signed: PdfDocument, later: PdfDocument): RevisionDiff {
  const differ = new RevisionDiffer(signed, later, signedIndex(signed), touchedObjects(signed, later));
  differ.run();
  return { changes: differ.changes, allowed: differ.changes.every((c) => c.allowed) };
}

/** Keys of an empty signature field that signing it may set besides /V (as pyHanko's policy allows). */
const SIGNING_UPDATE_KEYS = new Set(['AP', 'AS', 'F', 'DA', 'Q', 'Ff', 'Type']);
/** Keys of a new signature widget that could run something or change what other content shows. */
const ACTION_KEYS = ['A', 'AA'];
/** Forbidden roles, most telling first: the first one an object has names its change. */
const ROLE_PRIORITY: Role[] = ['page', 'form', 'catalog', 'trailer'];

class RevisionDiffer {
  readonly changes: RevisionChange[] = [];
  /** New signature fields already reported (field and widget object numbers). */
  readonly #announced = new Set<number>();
  /** New signature widgets seen in page /Annots: object number → 1-based page. */
  readonly #widgetPages = new Map<number, number>();
  /** The same pages keyed by the widgets' parent fields (where /V sits). */
  readonly #fieldPages = new Map<number, number>();
  readonly #dssObjects: number[] = [];
  #pagesCompared = false;

  constructor(
    readonly signed: PdfDocument,
    readonly later: PdfDocument,
    readonly index: SignedIndex,
    readonly touched: TouchedObjects,
  ) {}

  run(): void {
    this.#trailer();
    for (const num of this.touched.changed) {
      const before = readObject(this.signed, num);
      const after = readObject(this.later, num);
      if (after === undefined) {
        if (this.index.origins.has(num)) {
          this.#add(
            'unknown',
            false,
            `object ${num} (${this.#where(num)}) was redefined in a later revision and the new definition cannot be read`,
            { objectNumber: num },
          );
        }
        continue;
      }
      if (before !== undefined && equalValues(before, after, { a: this.signed, b: this.later })) continue;
      this.#changedObject(num, before, after);
    }
    // An object the signed revision referred to but did not have (a null) that now exists:
    // defining it changes what those references show ("shadow add").
    for (const num of this.touched.added) {
      if (!this.index.origins.has(num)) continue;
      const after = readObject(this.later, num);
      if (after !== undefined && after !== null) this.#changedObject(num, null, after);
    }
    for (const num of this.touched.freed) this.#freed(num);
    this.#widgetsWithoutFields();
    if (this.#dssObjects.length > 0) {
      const list = this.#dssObjects.join(', ');
      this.#add(
        'dss-updated',
        true,
        `the Document Security Store was updated in place (object${this.#dssObjects.length > 1 ? 's' : ''} ${list})`,
      );
    }
    // Attach pages to signatures reported from the AcroForm side.
    for (const change of this.changes) {
      if (change.page !== undefined || change.objectNumber === undefined) continue;
      const page = this.#widgetPages.get(change.objectNumber) ?? this.#fieldPages.get(change.objectNumber);
      if (page !== undefined) change.page = page;
    }
  }

  #add(
    kind: ChangeKind,
    allowed: boolean,
    description: string,
    extra: { objectNumber?: number; page?: number } = {},
  ): void {
    const change: RevisionChange = { kind, allowed, description };
    if (extra.objectNumber !== undefined) change.objectNumber = extra.objectNumber;
    if (extra.page !== undefined) change.page = extra.page;
    this.changes.push(change);
  }

  // ---------------------------------------------------------------------------------------------
  // Trailer and catalog

  #trailer(): void {
    const a = this.signed.trailer;
    const b = this.later.trailer;
    const rootA = a.get('Root');
    const rootB = b.get('Root');
    if (!equalValues(rootA, rootB)) {
      this.#add(
        'catalog-changed',
        false,
        `the trailer's /Root now names a different document catalog (${String(rootB)} instead of ${String(rootA)}), replacing the signed catalog wholesale`,
      );
      this.#catalog(
        dictOf(this.signed, rootA),
        dictOf(this.later, rootB),
        rootB instanceof PdfRef ? rootB.objectNumber : undefined,
      );
    }
    if (!equalValues(a.get('Info'), b.get('Info'))) {
      this.#add(
        'metadata-updated',
        true,
        `the document information dictionary (trailer /Info) was ${changeVerb(a, b, 'Info')}`,
      );
    }
    if (!equalValues(a.get('Encrypt'), b.get('Encrypt'))) {
      this.#add(
        'object-changed',
        false,
        `the encryption dictionary (trailer /Encrypt) was ${changeVerb(a, b, 'Encrypt')}`,
      );
    }
  }

  #catalog(before: PdfDict | undefined, after: PdfDict | undefined, num: number | undefined): void {
    if (!after) {
      this.#add('catalog-changed', false, 'the document catalog of the later revision is not a dictionary', {
        objectNumber: num,
      });
      return;
    }
    for (const key of changedKeys(before, after)) {
      const oldValue = before?.get(key);
      const newValue = after.get(key);
      const verb = changeVerb(before, after, key);
      switch (key) {
        case 'DSS':
          if (newValue === undefined)
            this.#add(
              'catalog-changed',
              false,
              'the Document Security Store (/DSS) was removed from the document catalog',
              { objectNumber: num },
            );
          else
            this.#add(
              oldValue === undefined ? 'dss-added' : 'dss-updated',
              true,
              `a Document Security Store was ${oldValue === undefined ? 'added to' : 'replaced in'} the document catalog (${this.#dssSummary(newValue)})`,
              { objectNumber: newValue instanceof PdfRef ? newValue.objectNumber : num },
            );
          break;
        case 'AcroForm':
          this.#acroForm(
            dictOf(this.signed, oldValue),
            dictOf(this.later, newValue),
            newValue instanceof PdfRef ? newValue.objectNumber : num,
          );
          break;
        case 'Metadata':
          this.#add('metadata-updated', true, `the document's XMP metadata (catalog /Metadata) was ${verb}`, {
            objectNumber: newValue instanceof PdfRef ? newValue.objectNumber : num,
          });
          break;
        case 'Extensions':
        case 'Version':
        case 'MarkInfo':
          // Extension declarations (e.g. /ESIC for PAdES), the version, the tagged-PDF flag: nothing rendered.
          this.#add('catalog-changed', true, `the document catalog's /${key} was ${verb}`, { objectNumber: num });
          break;
        case 'Pages':
          this.#add(
            'catalog-changed',
            false,
            `the document catalog's page tree (/Pages) was ${verb}: every page can be replaced this way`,
            { objectNumber: num },
          );
          this.#comparePages();
          break;
        default:
          this.#add(
            'catalog-changed',
            false,
            `/${key} was ${verb} ${verb === 'added' ? 'to' : verb === 'removed' ? 'from' : 'in'} the document catalog${describeCatalogKey(key)}`,
            { objectNumber: num },
          );
      }
    }
  }

  #dssSummary(value: PdfObject | undefined): string {
    const dss = dictOf(this.later, value);
    if (!dss) return 'not a dictionary';
    const count = (key: string) => arrayOf(this.later, dss.get(key))?.length ?? 0;
    const vri = dictOf(this.later, dss.get('VRI'));
    return `certificates: ${count('Certs')}, OCSP responses: ${count('OCSPs')}, CRLs: ${count('CRLs')}, VRI entries: ${vri ? vri.entries.size : 0}`;
  }

  // ---------------------------------------------------------------------------------------------
  // Form: AcroForm, /Fields, new signature fields

  #acroForm(before: PdfDict | undefined, after: PdfDict | undefined, num: number | undefined): void {
    if (!after) {
      if (before)
        this.#add('form-field-changed', false, 'the interactive form (/AcroForm) was removed', { objectNumber: num });
      return;
    }
    for (const key of changedKeys(before, after)) {
      if (key === 'Fields') {
        const oldValue = before?.get('Fields');
        this.#fields(arrayOf(this.signed, oldValue) ?? [], arrayOf(this.later, after.get('Fields')) ?? []);
      } else if (key === 'SigFlags') {
        continue;
      } else if (key === 'DA' || key === 'DR' || key === 'Q') {
        // Defaults for fields without appearance streams, written by signers for their new fields
        // (existing DR fonts redefined in place are caught as changed objects of the form).
        continue;
      } else {
        this.#add(
          'form-field-changed',
          false,
          `/${key} was ${changeVerb(before, after, key)} in the interactive form (/AcroForm)${key === 'NeedAppearances' ? ', which makes viewers redraw existing fields' : ''}`,
          { objectNumber: num },
        );
      }
    }
  }

  #fields(before: PdfObject[], after: PdfObject[]): void {
    const { removed, added } = listDiff(before, after);
    for (const value of removed) {
      const name = fieldNameOf(this.signed, dictOf(this.signed, value)) ?? '(unnamed)';
      this.#add(
        'form-field-changed',
        false,
        `form field '${name}'${refText(value)} was removed from the interactive form`,
        { objectNumber: refNumber(value) },
      );
    }
    for (const value of added) this.#newField(value);
  }

  /** Checks a new entry of /Fields: only signature fields (filled or empty) may be added. */
  #newField(value: PdfObject): void {
    const num = refNumber(value);
    if (num !== undefined && this.#announced.has(num)) return;
    const field = dictOf(this.later, value);
    const name = fieldNameOf(this.later, field) ?? '(unnamed)';
    const label = `'${name}'${refText(value)}`;
    if (!field) {
      this.#add(
        'form-field-added',
        false,
        `a /Fields entry${refText(value)} that is not a dictionary was added to the interactive form`,
        { objectNumber: num },
      );
      return;
    }
    if (num !== undefined && this.index.origins.has(num)) {
      this.#add(
        'form-field-added',
        false,
        `object ${num}, which the signed revision already used (${this.#where(num)}), was added to the interactive form as field ${label}`,
        { objectNumber: num },
      );
      return;
    }
    if (field.name('FT') !== 'Sig') {
      this.#add(
        'form-field-added',
        false,
        `a new ${field.name('FT') ? `/${field.name('FT')} ` : ''}form field ${label} was added`,
        { objectNumber: num },
      );
      return;
    }
    const widgets = (arrayOf(this.later, field.get('Kids')) ?? [value]).map((kid) => ({
      kid,
      dict: dictOf(this.later, kid),
    }));
    if (num !== undefined) this.#announced.add(num);
    for (const { kid } of widgets) if (refNumber(kid) !== undefined) this.#announced.add(refNumber(kid)!);
    const active = widgets.find(({ dict }) => dict && ACTION_KEYS.some((k) => dict.has(k)));
    if (active || ACTION_KEYS.some((k) => field.has(k))) {
      this.#add('form-field-added', false, `the new signature field ${label} carries actions (/A or /AA)`, {
        objectNumber: num,
      });
      return;
    }
    const v = field.get('V');
    if (v === undefined) {
      this.#add('form-field-added', true, `an empty signature field ${label} was added`, { objectNumber: num });
      return;
    }
    const kind = signatureKind(this.later, v);
    if (!kind) {
      this.#add(
        'form-field-added',
        false,
        `the new signature field ${label} has a value that is not a signature dictionary`,
        { objectNumber: num },
      );
      return;
    }
    this.#add(
      kind === 'signature' ? 'signature-added' : 'document-timestamp-added',
      true,
      `a ${kind === 'signature' ? 'signature' : 'document timestamp'} was added in the new signature field ${label}`,
      { objectNumber: num },
    );
  }

  /** Signature widgets put on pages without a field in /Fields: allowed (nothing new is signed), but said. */
  #widgetsWithoutFields(): void {
    for (const [num, page] of this.#widgetPages) {
      if (this.#announced.has(num)) continue;
      const widget = dictOf(this.later, new PdfRef(num));
      const parent = widget?.get('Parent');
      const fieldNum = parent instanceof PdfRef ? parent.objectNumber : num;
      if (this.#announced.has(fieldNum)) continue;
      const before = this.changes.length;
      this.#newField(new PdfRef(fieldNum));
      for (const change of this.changes.slice(before)) {
        change.page = page;
        change.description += ` (its widget on page ${page} is not listed in the interactive form's /Fields)`;
      }
    }
  }

  /** An existing signature field (or its widget) that had no value: it may receive /V and /AP, nothing else. */
  #fillSignatureField(
    num: number,
    field: EmptySignatureField,
    before: PdfDict | undefined,
    after: PdfDict | undefined,
  ): void {
    const label = `signature field '${field.name}' (object ${num})`;
    const page = this.#pageOf(num);
    if (!before || !after) {
      this.#add('form-field-changed', false, `${label} was replaced by something that is not a dictionary`, {
        objectNumber: num,
        page,
      });
      return;
    }
    const filled = this.#filledLater(field.field);
    for (const key of changedKeys(before, after)) {
      if (key === 'V' && !before.has('V')) {
        const kind = signatureKind(this.later, after.get('V'));
        if (kind) {
          this.#add(
            kind === 'signature' ? 'signature-added' : 'document-timestamp-added',
            true,
            `the empty ${label} was ${kind === 'signature' ? 'signed' : 'filled with a document timestamp'}`,
            { objectNumber: num, page },
          );
        } else {
          this.#add('form-field-changed', false, `${label} received a value that is not a signature dictionary`, {
            objectNumber: num,
            page,
          });
        }
      } else if (filled && SIGNING_UPDATE_KEYS.has(key)) {
        continue; // the appearance and display settings of the signature being added
      } else {
        const kind: ChangeKind =
          key === 'AP' || key === 'MK' || key === 'AS' ? 'appearance-changed' : 'form-field-changed';
        this.#add(
          kind,
          false,
          `/${key} of ${label} was ${changeVerb(before, after, key)}${key === 'AP' ? ' without signing the field' : ''}`,
          { objectNumber: num, page },
        );
      }
    }
  }

  #filledLater(fieldNum: number): boolean {
    const field = dictOf(this.later, new PdfRef(fieldNum));
    return signatureKind(this.later, field?.get('V')) !== undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Pages and annotations

  #page(num: number, pageIndex: number, before: PdfDict | undefined, after: PdfDict | undefined): void {
    const page = pageIndex + 1;
    if (!before || !after) {
      this.#add(
        'page-content-changed',
        false,
        `page ${page} (object ${num}) was replaced by something that is not a page dictionary`,
        { objectNumber: num, page },
      );
      return;
    }
    const keys = changedKeys(before, after);
    let fieldKeys = new Set<string>();
    if (keys.includes('Contents') && keys.includes('Resources')) {
      const filled = this.#fieldValues(before, after);
      if (filled) {
        this.#add(
          'field-values-added',
          true,
          `page ${page} (object ${num}): values were drawn into ${filled.length} declared field area${filled.length > 1 ? 's' : ''} (${filled.map((k) => `#${k}`).join(', ')}), each inside its declared rectangle and empty before`,
          { objectNumber: num, page },
        );
        fieldKeys = new Set(['Contents', 'Resources']);
      }
    }
    for (const key of keys) {
      if (fieldKeys.has(key)) continue;
      if (key === 'Annots') {
        this.#annots(
          page,
          arrayOf(this.signed, before.get('Annots')) ?? [],
          arrayOf(this.later, after.get('Annots')) ?? [],
          num,
        );
        continue;
      }
      const what =
        key === 'Contents' ? 'content streams (/Contents)' : key === 'Resources' ? 'resources (/Resources)' : `/${key}`;
      this.#add(
        'page-content-changed',
        false,
        `page ${page} (object ${num}): its ${what} ${key === 'Contents' ? 'were' : 'was'} ${changeVerb(before, after, key)}${key === 'Contents' ? ` (${contentsText(before.get(key))} → ${contentsText(after.get(key))})` : ''}`,
        { objectNumber: num, page },
      );
    }
  }

  /**
   * The declared field areas a later revision filled on this page, when the change of /Contents and
   * /Resources is exactly Inkan's field drawing (see the header); undefined for anything else.
   */
  #fieldValues(before: PdfDict, after: PdfDict): number[] | undefined {
    const areas = readAreas(this.signed, before.get(FIELD_AREAS_KEY));
    if (!areas || areas.length === 0) return undefined;
    const contentsBefore = before.get('Contents');
    const contentsAfter = after.get('Contents');
    if (!Array.isArray(contentsBefore) || !Array.isArray(contentsAfter)) return undefined;
    if (contentsAfter.length <= contentsBefore.length) return undefined;
    if (!contentsBefore.every((value, i) => equalValues(value, contentsAfter[i]))) return undefined;
    const resourcesBefore = before.get('Resources');
    const resourcesAfter = after.get('Resources');
    if (!(resourcesBefore instanceof PdfDict) || !(resourcesAfter instanceof PdfDict)) return undefined;
    if (changedKeys(resourcesBefore, resourcesAfter).some((key) => key !== 'XObject')) return undefined;
    const xobjectsBefore = resourcesBefore.get('XObject') ?? new PdfDict();
    const xobjectsAfter = resourcesAfter.get('XObject');
    if (!(xobjectsBefore instanceof PdfDict) || !(xobjectsAfter instanceof PdfDict)) return undefined;
    const added = new Map<string, number>();
    for (const key of changedKeys(xobjectsBefore, xobjectsAfter)) {
      if (xobjectsBefore.has(key)) return undefined; // an existing resource replaced or removed
      const match = new RegExp(`^${FIELD_XOBJECT_PREFIX}(\\d{1,4})$`).exec(key);
      const area = match ? areas[Number(match[1])] : undefined;
      if (!match || !area) return undefined;
      const ref = xobjectsAfter.get(key);
      if (!(ref instanceof PdfRef) || this.index.origins.has(ref.objectNumber)) return undefined;
      const form = resolveSafe(this.later, ref);
      if (!(form instanceof PdfStream) || form.dict.name('Subtype') !== 'Form') return undefined;
      const matrix = arrayOf(this.later, form.dict.get('Matrix'));
      if (matrix && !equalValues(matrix, [1, 0, 0, 1, 0, 0])) return undefined;
      const bbox = arrayOf(this.later, form.dict.get('BBox'))?.map((n) => resolveSafe(this.later, n));
      if (!bbox || bbox.length !== 4 || !bbox.every((n): n is number => typeof n === 'number')) return undefined;
      const [x0, y0, x1, y1] = [
        Math.min(bbox[0], bbox[2]),
        Math.min(bbox[1], bbox[3]),
        Math.max(bbox[0], bbox[2]),
        Math.max(bbox[1], bbox[3]),
      ];
      const tolerance = 0.01;
      if (x0 < area[0] - tolerance || y0 < area[1] - tolerance || x1 > area[2] + tolerance || y1 > area[3] + tolerance)
        return undefined;
      added.set(key, Number(match[1]));
    }
    if (added.size === 0) return undefined;
    const drawn = new Set<string>();
    for (const value of contentsAfter.slice(contentsBefore.length)) {
      if (!(value instanceof PdfRef) || this.index.origins.has(value.objectNumber)) return undefined;
      const stream = resolveSafe(this.later, value);
      if (!(stream instanceof PdfStream) || stream.raw.length > 65536) return undefined;
      let text: string;
      try {
        text = Buffer.from(this.later.streamData(stream)).toString('latin1');
      } catch {
        return undefined;
      }
      const tokens = text.split(/[\s\0]+/).filter((t) => t !== '');
      if (tokens.length % 4 !== 0) return undefined;
      for (let i = 0; i < tokens.length; i += 4) {
        const name = tokens[i + 1].slice(1);
        if (tokens[i] !== 'q' || !tokens[i + 1].startsWith('/') || tokens[i + 2] !== 'Do' || tokens[i + 3] !== 'Q')
          return undefined;
        if (!added.has(name) || drawn.has(name)) return undefined;
        drawn.add(name);
      }
    }
    return [...drawn].map((name) => added.get(name)!).sort((a, b) => a - b);
  }

  #annots(page: number, before: PdfObject[], after: PdfObject[], num: number): void {
    const { removed, added } = listDiff(before, after);
    for (const value of removed) {
      this.#add(
        'annotation-removed',
        false,
        `a ${describeObject(resolveSafe(this.signed, value))}${refText(value)} was removed from page ${page}`,
        { objectNumber: refNumber(value) ?? num, page },
      );
    }
    for (const value of added) this.#newAnnotation(page, value);
  }

  /** A new entry of a page's /Annots: only signature widgets may appear. */
  #newAnnotation(page: number, value: PdfObject): void {
    const num = refNumber(value);
    const annot = dictOf(this.later, value);
    if (num !== undefined && this.index.origins.has(num)) {
      this.#add(
        'annotation-added',
        false,
        `object ${num}, which the signed revision already used (${this.#where(num)}), was added to the annotations of page ${page}`,
        { objectNumber: num, page },
      );
      return;
    }
    if (annot && annot.name('Subtype') === 'Widget' && num !== undefined) {
      const parent = annot.get('Parent');
      const field = parent instanceof PdfRef ? dictOf(this.later, parent) : annot;
      const parentIsNew = !(parent instanceof PdfRef) || !this.index.origins.has(parent.objectNumber);
      if ((field?.name('FT') ?? annot.name('FT')) === 'Sig' && parentIsNew) {
        this.#widgetPages.set(num, page);
        if (parent instanceof PdfRef) this.#fieldPages.set(parent.objectNumber, page);
        return;
      }
    }
    const what = annot ? describeObject(annot) : 'entry that is not an annotation dictionary';
    this.#add(
      'annotation-added',
      false,
      `a new ${what}${refText(value)} was added to page ${page}${annot?.name('Subtype') === 'Widget' ? ' (not a new signature field)' : ''}`,
      { objectNumber: num, page },
    );
  }

  #pageTreeNode(num: number, before: PdfDict | undefined, after: PdfDict | undefined): void {
    for (const key of changedKeys(before, after)) {
      if (key === 'Kids' || key === 'Count') {
        this.#comparePages(num);
        continue;
      }
      this.#add(
        'page-content-changed',
        false,
        `page tree node ${num}: the inherited /${key} was ${changeVerb(before, after, key)}, which changes every page below it`,
        { objectNumber: num },
      );
    }
  }

  /** Compares the page lists of both states once: pages added, removed or reordered. */
  #comparePages(nodeNum?: number): void {
    if (this.#pagesCompared) return;
    this.#pagesCompared = true;
    let laterPages: number[];
    try {
      laterPages = this.later.pages().map((p) => p.ref.objectNumber);
    } catch (error) {
      this.#add(
        'page-content-changed',
        false,
        `the page tree of the later revision cannot be read (${(error as Error).message})`,
        { objectNumber: nodeNum },
      );
      return;
    }
    const before = this.index.pageOrder;
    const beforeSet = new Set(before);
    const afterSet = new Set(laterPages);
    let reported = false;
    laterPages.forEach((num, i) => {
      if (beforeSet.has(num)) return;
      reported = true;
      this.#add('page-added', false, `a page (object ${num}) was inserted as page ${i + 1}`, {
        objectNumber: num,
        page: i + 1,
      });
    });
    before.forEach((num, i) => {
      if (afterSet.has(num)) return;
      reported = true;
      this.#add('page-removed', false, `page ${i + 1} (object ${num}) was removed`, { objectNumber: num, page: i + 1 });
    });
    const keptBefore = before.filter((n) => afterSet.has(n));
    const keptAfter = laterPages.filter((n) => beforeSet.has(n));
    if (keptBefore.some((n, i) => keptAfter[i] !== n)) {
      reported = true;
      this.#add(
        'object-changed',
        false,
        `the pages were reordered (signed order: objects ${keptBefore.join(', ')}; now: ${keptAfter.join(', ')})`,
        { objectNumber: nodeNum },
      );
    }
    if (!reported)
      this.#add('object-changed', false, `page tree node ${nodeNum ?? '?'} was rewritten (/Kids or /Count changed)`, {
        objectNumber: nodeNum,
      });
  }

  // ---------------------------------------------------------------------------------------------
  // Any other redefined object

  #changedObject(num: number, before: PdfObject | undefined, after: PdfObject): void {
    const { index } = this;
    const beforeDict = before instanceof PdfDict ? before : undefined;
    const afterDict = after instanceof PdfDict ? after : undefined;
    if (num === index.catalogNumber) return this.#catalog(beforeDict, afterDict, num);
    const pageIndex = index.pages.get(num);
    if (pageIndex !== undefined) return this.#page(num, pageIndex, beforeDict, afterDict);
    if (index.pageTreeNodes.has(num)) return this.#pageTreeNode(num, beforeDict, afterDict);
    const annotsPage = index.annotsArrays.get(num);
    if (annotsPage !== undefined) {
      return this.#annots(annotsPage + 1, Array.isArray(before) ? before : [], Array.isArray(after) ? after : [], num);
    }
    if (num === index.acroForm) return this.#acroForm(beforeDict, afterDict, num);
    if (num === index.fieldsArray)
      return this.#fields(Array.isArray(before) ? before : [], Array.isArray(after) ? after : []);
    const emptyField = index.emptySignatureFields.get(num);
    if (emptyField) return this.#fillSignatureField(num, emptyField, beforeDict, afterDict);

    const origins = index.origins.get(num);
    if (!origins) return; // not used by the signed revision: judged through whatever references it now
    const forbidden = ROLE_PRIORITY.map((role) => origins.find((o) => o.role === role)).find((o) => o !== undefined);
    if (!forbidden) {
      if (origins.some((o) => o.role === 'dss')) this.#dssObjects.push(num);
      const meta = origins.find((o) => o.role === 'info' || o.role === 'metadata');
      if (meta)
        this.#add(
          'metadata-updated',
          true,
          `${meta.role === 'info' ? 'the document information dictionary' : 'the XMP metadata'} (object ${num}) was updated${
            beforeDict && afterDict
              ? ` (${changedKeys(beforeDict, afterDict)
                  .map((k) => `/${k}`)
                  .join(', ')})`
              : ''
          }`,
          { objectNumber: num },
        );
      return;
    }
    const appearance = this.#signatureAppearance(num);
    if (appearance?.allowed) {
      this.#add(
        'appearance-changed',
        true,
        `the appearance stream (object ${num}) of ${appearance.field} was replaced while that field was signed`,
        { objectNumber: num, page: forbidden.page },
      );
      return;
    }
    if (appearance) {
      const why =
        appearance.others.length > 0
          ? `but the signed revision also uses that object from ${appearance.others.join(', ')}: the change alters content that was signed`
          : 'without that field being signed';
      this.#add(
        'appearance-changed',
        false,
        `the appearance stream (object ${num}) of ${appearance.field} was redefined, ${why}`,
        { objectNumber: num, page: forbidden.page },
      );
      return;
    }
    this.#forbiddenChange(num, forbidden, before, after);
  }

  /**
   * Is `num` the appearance of a signature field being signed now (directly, or through an
   * indirect /AP dictionary)? Allowed only when nothing else in the signed revision uses it —
   * else replacing it changes that other content too (the "sneaky" form-override attack).
   */
  #signatureAppearance(num: number): { field: string; allowed: boolean; others: string[] } | undefined {
    const owners = new Set<string>();
    const others: string[] = [];
    let unsigned = false;
    const visit = (target: number, depth: number): void => {
      for (const ref of this.index.referrers.get(target) ?? []) {
        const field = this.index.emptySignatureFields.get(ref.from);
        if (field && ref.path.startsWith('/AP')) {
          owners.add(field.name);
          if (!this.#filledLater(field.field)) unsigned = true;
          continue;
        }
        if (
          depth === 0 &&
          /^\/(N|D|R)\b/.test(ref.path) &&
          this.index.referrers
            .get(ref.from)
            ?.some((r) => this.index.emptySignatureFields.has(r.from) && r.path === '/AP')
        ) {
          visit(ref.from, depth + 1);
          continue;
        }
        others.push(this.#referrerText(ref.from, ref.path));
      }
    };
    visit(num, 0);
    if (owners.size === 0) return undefined;
    const field = [...owners].map((n) => `signature field '${n}'`).join(' and ');
    return { field, allowed: others.length === 0 && !unsigned, others };
  }

  #referrerText(from: number, path: string): string {
    if (from === 0) return `the trailer (${path})`;
    if (from === this.index.catalogNumber) return `the document catalog (${path})`;
    const page = this.index.pages.get(from);
    if (page !== undefined) return `page ${page + 1} (${path})`;
    return `object ${from} (${path}; ${this.#where(from)})`;
  }

  #forbiddenChange(num: number, origin: Origin, before: PdfObject | undefined, after: PdfObject): void {
    const what =
      before === null
        ? `an object missing from the signed revision, now a ${describeObject(after)}`
        : describeUse(before, origin);
    const keys = before instanceof PdfDict && after instanceof PdfDict ? changedKeys(before, after) : [];
    const keyText =
      keys.length > 0
        ? ` (${keys.map((k) => `/${k}`).join(', ')} ${keys.length > 1 ? 'changed' : changeVerb(before as PdfDict, after as PdfDict, keys[0])})`
        : '';
    const base = `${what} (object ${num}), used by ${origin.path},`;
    const did = before === null ? 'was defined' : 'was redefined';
    const extra = { objectNumber: num, page: origin.page };
    switch (origin.area) {
      case 'contents':
        return this.#add(
          'page-content-changed',
          false,
          `${base} ${did} in a later revision: the page shows different content than what was signed`,
          extra,
        );
      case 'page':
      case 'page-tree':
      case 'resources':
        return this.#add(
          'page-content-changed',
          false,
          `${base} ${did} in a later revision${keyText}: what the page shows can differ from what was signed`,
          extra,
        );
      case 'appearance':
        return this.#add(
          'appearance-changed',
          false,
          `${base} ${did} in a later revision (an annotation or field appearance was overridden)`,
          extra,
        );
      case 'signature':
        return this.#add(
          'form-field-changed',
          false,
          `${base} (an existing signature's dictionary) was modified${keyText}`,
          extra,
        );
      case 'annotation':
      case 'field':
      case 'form': {
        if (keys.includes('V') && before instanceof PdfDict && after instanceof PdfDict) {
          const name = fieldNameOf(this.signed, before) ?? '(unnamed)';
          return this.#add(
            'form-field-changed',
            false,
            `the value of form field '${name}' (object ${num}) changed from ${shortText(this.signed, before.get('V'))} to ${shortText(this.later, after.get('V'))}`,
            extra,
          );
        }
        if (keys.some((k) => k === 'AP' || k === 'MK' || k === 'AS')) {
          return this.#add('appearance-changed', false, `${base} had its appearance changed${keyText}`, extra);
        }
        const kind: ChangeKind = origin.area === 'annotation' ? 'annotation-changed' : 'form-field-changed';
        return this.#add(kind, false, `${base} ${did} in a later revision${keyText}`, extra);
      }
      default:
        return this.#add('object-changed', false, `${base} ${did} in a later revision${keyText}`, extra);
    }
  }

  #freed(num: number): void {
    const origins = this.index.origins.get(num);
    if (!origins) {
      this.#add('object-freed', true, `object ${num}, unused in the signed revision, was freed`, { objectNumber: num });
      return;
    }
    const origin =
      ROLE_PRIORITY.map((role) => origins.find((o) => o.role === role)).find((o) => o !== undefined) ?? origins[0];
    const page = this.index.pages.get(num);
    const what =
      page !== undefined
        ? `page ${page + 1}`
        : `${describeUse(readObject(this.signed, num), origin)} (object ${num}), used by ${origin.path},`;
    this.#add('object-freed', false, `${what} was deleted (freed in the cross-reference table) in a later revision`, {
      objectNumber: num,
      page: page !== undefined ? page + 1 : origin.page,
    });
  }

  #where(num: number): string {
    const origins = this.index.origins.get(num);
    if (!origins) return 'not referenced';
    return origins.map((o) => o.path).join('; ');
  }

  #pageOf(num: number): number | undefined {
    return this.index.origins.get(num)?.find((o) => o.page !== undefined)?.page;
  }
}

/** What an object is, named after how the signed revision uses it when that says more. */
function describeUse(value: PdfObject | undefined, origin: Origin): string {
  if (origin.area === 'contents' && value instanceof PdfStream) return 'content stream';
  if (origin.area === 'appearance' && value instanceof PdfStream && describeObject(value) === 'form XObject')
    return 'appearance stream';
  return describeObject(value);
}

/** Elements of `before` missing from `after`, and new elements of `after` (references by number, direct values by content). */
function listDiff(before: PdfObject[], after: PdfObject[]): { removed: PdfObject[]; added: PdfObject[] } {
  const matched = new Set<number>();
  const removed: PdfObject[] = [];
  for (const value of before) {
    const at = after.findIndex((candidate, i) => !matched.has(i) && equalValues(value, candidate));
    if (at < 0) removed.push(value);
    else matched.add(at);
  }
  return { removed, added: after.filter((_, i) => !matched.has(i)) };
}

function refNumber(value: PdfObject | undefined): number | undefined {
  return value instanceof PdfRef ? value.objectNumber : undefined;
}

function refText(value: PdfObject | undefined): string {
  return value instanceof PdfRef ? ` (object ${value.objectNumber})` : '';
}

function contentsText(value: PdfObject | undefined): string {
  if (value === undefined) return 'none';
  if (value instanceof PdfRef) return `object ${value.objectNumber}`;
  if (Array.isArray(value)) return `[${value.map((v) => (v instanceof PdfRef ? v.objectNumber : '?')).join(' ')}]`;
  if (value instanceof PdfStream) return 'a direct stream';
  if (value instanceof PdfName) return value.toString();
  return 'a direct value';
}

function describeCatalogKey(key: string): string {
  switch (key) {
    case 'OpenAction':
      return ' (an action or destination run when the document opens)';
    case 'AA':
      return ' (document-level actions, e.g. JavaScript)';
    case 'Names':
      return ' (named destinations, embedded files or JavaScript)';
    case 'Outlines':
      return ' (bookmarks)';
    case 'Perms':
      return ' (permissions, e.g. DocMDP)';
    case 'OCProperties':
      return ' (optional content: layers can hide or show signed content)';
    default:
      return '';
  }
}
