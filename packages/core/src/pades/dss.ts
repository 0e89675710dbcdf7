import { createHash } from 'node:crypto';
import type { PdfDocument } from '../pdf/document.ts';
import type { IncrementalUpdate } from '../pdf/incremental-update.ts';
import { PdfDict, PdfName, PdfRef, PdfStream, type PdfObject } from '../pdf/objects.ts';
import { deflateSync } from 'node:zlib';

/** Validation material for one signature or timestamp (its VRI entry). */
export interface VriEntry {
  /** Upper-case hex SHA-1 of the signature's /Contents value. */
  key: string;
  certificates: Uint8Array[];
  ocspResponses: Uint8Array[];
  crls: Uint8Array[];
}

type Category = 'Certs' | 'OCSPs' | 'CRLs';

/**
 * Writes (or extends) the catalog's Document Security Store: each certificate, OCSP response and
 * CRL once as a stream, and one VRI dictionary per signature, as PAdES (ETSI EN 319 142-1 §5.4) says.
 */
export function writeDss(doc: PdfDocument, update: IncrementalUpdate, entries: readonly VriEntry[]): void {
  const catalog = (update.current(doc.catalogRef) as PdfDict).clone();
  const existingValue = catalog.get('DSS');
  const existing = doc.dict(existingValue);
  const dss = (existing ?? new PdfDict([['Type', PdfName.of('DSS')]])).clone();

  const refsByHash = new Map<string, PdfRef>();
  const arrays: Record<Category, PdfObject[]> = { Certs: [], OCSPs: [], CRLs: [] };
  for (const category of ['Certs', 'OCSPs', 'CRLs'] as const) {
    const current = doc.resolve(dss.get(category));
    if (!Array.isArray(current)) continue;
    for (const item of current) {
      arrays[category].push(item);
      const stream = doc.resolve(item);
      if (item instanceof PdfRef && stream instanceof PdfStream) {
        try {
          refsByHash.set(`${category}:${sha256(doc.streamData(stream))}`, item);
        } catch {
          continue;
        }
      }
    }
  }
  const refOf = (category: Category, data: Uint8Array): PdfRef => {
    const key = `${category}:${sha256(data)}`;
    let ref = refsByHash.get(key);
    if (!ref) {
      ref = update.add(new PdfStream(new PdfDict([['Filter', PdfName.of('FlateDecode')]]), deflateSync(data)));
      refsByHash.set(key, ref);
      arrays[category].push(ref);
    }
    return ref;
  };

  const vri = (doc.dict(dss.get('VRI')) ?? new PdfDict()).clone();
  for (const entry of entries) {
    const item = new PdfDict();
    const certs = entry.certificates.map((c) => refOf('Certs', c));
    const ocsps = entry.ocspResponses.map((o) => refOf('OCSPs', o));
    const crls = entry.crls.map((c) => refOf('CRLs', c));
    if (certs.length) item.set('Cert', certs);
    if (ocsps.length) item.set('OCSP', ocsps);
    if (crls.length) item.set('CRL', crls);
    vri.set(entry.key, item);
  }
  for (const category of ['Certs', 'OCSPs', 'CRLs'] as const)
    if (arrays[category].length) dss.set(category, arrays[category]);
  dss.set('VRI', vri);

  if (existingValue instanceof PdfRef) update.set(existingValue, dss);
  else catalog.set('DSS', update.add(dss));
  if (!(existingValue instanceof PdfRef)) update.set(doc.catalogRef, catalog);
}

/** The VRI key of a signature: SHA-1 of its /Contents bytes, upper-case hex. */
export function vriKey(contents: Uint8Array): string {
  return createHash('sha1').update(contents).digest('hex').toUpperCase();
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
