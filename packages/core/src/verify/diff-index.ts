/**
 * What each object of a signed revision is for: one walk from the trailer, cached per document,
 * so that the revision diff can classify a redefined object without walking the file again.
 */
import type { PdfDocument } from '../pdf/document.ts';
import { PdfDict, PdfRef, PdfStream, type PdfObject } from '../pdf/objects.ts';
import { arrayOf, dictOf, fieldNameOf, readObject, resolveSafe } from './diff-objects.ts';

/** Which part of the document reaches an object. */
export type Role = 'page' | 'form' | 'catalog' | 'trailer' | 'dss' | 'metadata' | 'info';

/** Finer context, used to name the kind of a change. */
export type Area =
  | 'page-tree'
  | 'page'
  | 'contents'
  | 'resources'
  | 'annotation'
  | 'appearance'
  | 'field'
  | 'signature'
  | 'form'
  | 'catalog'
  | 'trailer'
  | 'dss'
  | 'metadata'
  | 'info';

/** How an object was first reached in one role. */
export interface Origin {
  role: Role;
  area: Area;
  /** 1-based page number when reached from a page. */
  page?: number;
  /** Human-readable path, e.g. "page 1 /Resources /XObject /Im0". */
  path: string;
}

/** One reference to an object: from which object (0 = the trailer) and where inside it. */
export interface Referrer {
  from: number;
  /** Key path inside the referring object, e.g. "/AP/N" or "/Annots[2]". */
  path: string;
}

/** A signature field that had no value in the signed revision (a node of it: field or widget). */
export interface EmptySignatureField {
  /** The object holding the field's /V (the field itself). */
  field: number;
  name: string;
}

/** The index of a signed revision. */
export interface SignedIndex {
  catalogNumber: number;
  /** Page object number → 0-based page index. */
  pages: Map<number, number>;
  pageOrder: number[];
  /** Intermediate /Pages nodes (the root included). */
  pageTreeNodes: Set<number>;
  /** Indirect /Annots arrays → 0-based page index. */
  annotsArrays: Map<number, number>;
  acroForm?: number;
  fieldsArray?: number;
  /** Field and widget objects of signature fields that had no /V. */
  emptySignatureFields: Map<number, EmptySignatureField>;
  /** Every object reachable from the trailer: its roles with the first way each was reached. */
  origins: Map<number, Origin[]>;
  referrers: Map<number, Referrer[]>;
}

const cache = new WeakMap<PdfDocument, SignedIndex>();

/** The index of `doc`, built on first use. */
export function signedIndex(doc: PdfDocument): SignedIndex {
  let index = cache.get(doc);
  if (!index) {
    index = buildIndex(doc);
    cache.set(doc, index);
  }
  return index;
}

interface Context {
  role: Role;
  area: Area;
  page?: number;
  path: string;
}

interface WorkItem {
  value: PdfObject;
  /** The indirect object this value sits in (0 = trailer). */
  owner: number;
  /** Key path inside `owner`. */
  inner: string;
  ctx: Context;
  /** Record the references found (only while expanding an object for the first time). */
  record: boolean;
}

const MAX_PATH = 140;

function buildIndex(doc: PdfDocument): SignedIndex {
  const catalogRef = doc.catalogRef;
  const catalog = doc.catalog;
  const index: SignedIndex = {
    catalogNumber: catalogRef.objectNumber,
    pages: new Map(),
    pageOrder: [],
    pageTreeNodes: new Set(),
    annotsArrays: new Map(),
    emptySignatureFields: new Map(),
    origins: new Map(),
    referrers: new Map(),
  };
  collectPageTree(doc, catalog.get('Pages'), index);

  const expanded = new Set<number>();
  const stack: WorkItem[] = [];
  const addOrigin = (num: number, ctx: Context): boolean => {
    const list = index.origins.get(num);
    if (list?.some((o) => o.role === ctx.role)) return false;
    const origin: Origin = { role: ctx.role, area: ctx.area, path: ctx.path };
    if (ctx.page !== undefined) origin.page = ctx.page;
    if (list) list.push(origin);
    else index.origins.set(num, [origin]);
    return true;
  };
  const addReferrer = (num: number, referrer: Referrer) => {
    const list = index.referrers.get(num);
    if (list) list.push(referrer);
    else index.referrers.set(num, [referrer]);
  };
  /** Starts walking the contents of indirect object `num` in context `ctx`. */
  const enter = (num: number, ctx: Context, skipKeys: readonly string[] = []) => {
    const value = readObject(doc, num);
    const record = !expanded.has(num);
    expanded.add(num);
    if (value === undefined || value === null) return;
    const area = areaOfObject(value, ctx.area);
    const inner = { ...ctx, area };
    pushEntries(value, num, '', inner, record, skipKeys);
  };
  const pushEntries = (
    value: PdfObject,
    owner: number,
    inner: string,
    ctx: Context,
    record: boolean,
    skipKeys: readonly string[] = [],
  ) => {
    const dict = value instanceof PdfStream ? value.dict : value;
    if (dict instanceof PdfDict) {
      for (const [key, child] of dict.entries) {
        if (!canHoldReference(child) || skipKeys.includes(key)) continue;
        const next = childContext(ctx, key, dict);
        if (next === undefined) continue;
        stack.push({ value: child, owner, inner: `${inner}/${key}`, ctx: next, record });
      }
    } else if (Array.isArray(dict)) {
      dict.forEach((child, i) => {
        if (canHoldReference(child))
          stack.push({
            value: child,
            owner,
            inner: `${inner}[${i}]`,
            ctx: { ...ctx, path: clip(`${ctx.path}[${i}]`) },
            record,
          });
      });
    }
  };
  const drain = () => {
    for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
      const { value, ctx } = item;
      if (value instanceof PdfRef) {
        const num = value.objectNumber;
        if (item.record) addReferrer(num, { from: item.owner, path: item.inner });
        // Pages are reached only through the page tree; a link or /P back to a page stops here.
        if (index.pages.has(num) || index.pageTreeNodes.has(num)) continue;
        if (addOrigin(num, ctx)) enter(num, ctx);
        continue;
      }
      if (value instanceof PdfDict || Array.isArray(value)) {
        const area = value instanceof PdfDict ? areaOfObject(value, ctx.area) : ctx.area;
        pushEntries(value, item.owner, item.inner, { ...ctx, area }, item.record);
      }
    }
  };

  // Trailer → catalog (and the references the trailer itself holds).
  addReferrer(catalogRef.objectNumber, { from: 0, path: '/Root' });
  addOrigin(catalogRef.objectNumber, { role: 'catalog', area: 'catalog', path: 'the document catalog' });
  expanded.add(catalogRef.objectNumber);

  // Pages first, so that a shared object is described by its use on a page.
  index.pageOrder.forEach((num, i) => {
    const ctx: Context = { role: 'page', area: 'page', page: i + 1, path: `page ${i + 1}` };
    addOrigin(num, ctx);
    enter(num, ctx, ['Parent']);
    drain();
  });
  for (const num of index.pageTreeNodes) {
    // Inheritable attributes (/Resources, /MediaBox, /Rotate …) of intermediate nodes render on pages too.
    const ctx: Context = { role: 'page', area: 'resources', path: `page tree node ${num}` };
    addOrigin(num, { ...ctx, area: 'page-tree' });
    enter(num, ctx, ['Parent', 'Kids', 'Count']);
    drain();
  }

  const catalogRecord = true;
  for (const [key, value] of catalog.entries) {
    if (key === 'Pages') {
      if (value instanceof PdfRef) addReferrer(value.objectNumber, { from: catalogRef.objectNumber, path: '/Pages' });
      continue;
    }
    const role: Role =
      key === 'AcroForm' ? 'form' : key === 'DSS' ? 'dss' : key === 'Metadata' ? 'metadata' : 'catalog';
    const area: Area = role === 'form' ? 'form' : role === 'catalog' ? 'catalog' : role;
    stack.push({
      value,
      owner: catalogRef.objectNumber,
      inner: `/${key}`,
      ctx: { role, area, path: `the document catalog /${key}` },
      record: catalogRecord,
    });
    drain();
  }
  for (const [key, value] of doc.trailer.entries) {
    if (key === 'Root' || key === 'Prev' || key === 'XRefStm') continue;
    const role: Role = key === 'Info' ? 'info' : 'trailer';
    stack.push({
      value,
      owner: 0,
      inner: `/${key}`,
      ctx: { role, area: role, path: `the trailer /${key}` },
      record: true,
    });
    drain();
  }

  const acroFormValue = catalog.get('AcroForm');
  if (acroFormValue instanceof PdfRef) index.acroForm = acroFormValue.objectNumber;
  const fieldsValue = dictOf(doc, acroFormValue)?.get('Fields');
  if (fieldsValue instanceof PdfRef) index.fieldsArray = fieldsValue.objectNumber;
  collectEmptySignatureFields(doc, index, arrayOf(doc, fieldsValue) ?? []);
  return index;
}

/** Walks the page tree, recording pages in order and the intermediate nodes. */
function collectPageTree(doc: PdfDocument, root: PdfObject | undefined, index: SignedIndex): void {
  const seen = new Set<number>();
  const visit = (node: PdfObject | undefined, depth: number) => {
    if (!(node instanceof PdfRef) || depth > 64 || seen.has(node.objectNumber)) return;
    seen.add(node.objectNumber);
    const dict = dictOf(doc, node);
    if (!dict) return;
    const kids = arrayOf(doc, dict.get('Kids'));
    if (dict.name('Type') === 'Pages' || (dict.name('Type') === undefined && kids)) {
      index.pageTreeNodes.add(node.objectNumber);
      for (const kid of kids ?? []) visit(kid, depth + 1);
      return;
    }
    index.pages.set(node.objectNumber, index.pageOrder.length);
    index.pageOrder.push(node.objectNumber);
    const annots = dict.get('Annots');
    if (annots instanceof PdfRef) index.annotsArrays.set(annots.objectNumber, index.pageOrder.length - 1);
  };
  visit(root, 0);
}

/** The context of a dictionary entry; undefined to not follow it. */
function childContext(ctx: Context, key: string, dict: PdfDict): Context | undefined {
  const path = clip(`${ctx.path} /${key}`);
  switch (ctx.area) {
    case 'page':
      if (key === 'Parent') return undefined;
      if (key === 'Contents') return { ...ctx, area: 'contents', path };
      if (key === 'Annots') return { ...ctx, area: 'annotation', path };
      return { ...ctx, area: 'resources', path };
    case 'annotation':
    case 'field':
      if (key === 'P') return undefined; // back to the page, which the page tree covers
      if (key === 'AP') return { ...ctx, area: 'appearance', path };
      if (key === 'Parent' || key === 'Kids') return { ...ctx, area: 'field', path };
      if (key === 'V' && dict.name('FT') === 'Sig') return { ...ctx, area: 'signature', path };
      return { ...ctx, path };
    case 'form':
      if (key === 'Fields') return { ...ctx, area: 'field', path };
      return { ...ctx, path };
    default:
      return { ...ctx, path };
  }
}

/** Refines the area by what an object is (an annotation met through a field, a signature value …). */
function areaOfObject(value: PdfObject, area: Area): Area {
  if (area !== 'annotation' && area !== 'field') return area;
  const dict = value instanceof PdfDict ? value : undefined;
  if (!dict) return area;
  const type = dict.name('Type');
  if (type === 'Sig' || type === 'DocTimeStamp') return 'signature';
  if (type === 'Annot' || dict.has('Subtype')) return 'annotation';
  if (dict.has('FT') || dict.has('T') || dict.has('Kids')) return 'field';
  return area;
}

/** Numbers, names, strings and booleans lead nowhere: skipping them keeps the walk small. */
function canHoldReference(value: PdfObject): boolean {
  return value instanceof PdfRef || value instanceof PdfDict || Array.isArray(value);
}

function clip(path: string): string {
  return path.length > MAX_PATH ? `${path.slice(0, 40)} … ${path.slice(path.length - (MAX_PATH - 45))}` : path;
}

/**
 * Finds the signature fields without a value, from the AcroForm field tree and from page
 * widgets (a widget may be missing from /Fields); both field nodes and their widgets are listed.
 */
function collectEmptySignatureFields(doc: PdfDocument, index: SignedIndex, fields: PdfObject[]): void {
  const seen = new Set<number>();
  const visit = (value: PdfObject, parentName: string, inheritedFt: string | undefined, depth: number) => {
    if (!(value instanceof PdfRef) || depth > 32 || seen.has(value.objectNumber)) return;
    seen.add(value.objectNumber);
    const dict = dictOf(doc, value);
    if (!dict) return;
    const partial = fieldNameOf(doc, dict);
    const name = parentName && partial ? `${parentName}.${partial}` : (partial ?? parentName);
    const ft = dict.name('FT') ?? inheritedFt;
    const kids = arrayOf(doc, dict.get('Kids')) ?? [];
    const fieldKids = kids.filter((kid) => fieldNameOf(doc, dictOf(doc, kid)) !== undefined);
    if (fieldKids.length > 0) {
      for (const kid of kids) visit(kid, name, ft, depth + 1);
      return;
    }
    if (ft !== 'Sig' || resolveSafe(doc, dict.get('V')) instanceof PdfDict) return;
    const entry: EmptySignatureField = { field: value.objectNumber, name: name || `object ${value.objectNumber}` };
    index.emptySignatureFields.set(value.objectNumber, entry);
    for (const kid of kids) if (kid instanceof PdfRef) index.emptySignatureFields.set(kid.objectNumber, entry);
  };
  for (const field of fields) visit(field, '', undefined, 0);

  for (const pageNum of index.pageOrder) {
    const page = dictOf(doc, new PdfRef(pageNum));
    for (const annot of arrayOf(doc, page?.get('Annots')) ?? []) {
      if (!(annot instanceof PdfRef) || index.emptySignatureFields.has(annot.objectNumber)) continue;
      const widget = dictOf(doc, annot);
      if (!widget || widget.name('Subtype') !== 'Widget') continue;
      const parentRef = widget.get('Parent');
      const field = parentRef instanceof PdfRef ? dictOf(doc, parentRef) : widget;
      const fieldNum = parentRef instanceof PdfRef ? parentRef.objectNumber : annot.objectNumber;
      if (
        !field ||
        (field.name('FT') ?? widget.name('FT')) !== 'Sig' ||
        resolveSafe(doc, field.get('V')) instanceof PdfDict
      )
        continue;
      const entry: EmptySignatureField = { field: fieldNum, name: fieldNameOf(doc, field) ?? `object ${fieldNum}` };
      index.emptySignatureFields.set(annot.objectNumber, entry);
      index.emptySignatureFields.set(fieldNum, entry);
    }
  }
}
