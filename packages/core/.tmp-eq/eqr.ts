import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as oc from './old/cms/der.ts';
import * as op from './old/pki/der-reader.ts';
import * as r from '../src/asn1/der-reader.ts';
type T = string;
function oldCms(b: Uint8Array): T { const walk = (t: oc.Tlv): T => `${t.tag}:${t.indefinite}:${Buffer.from(t.bytes).toString('hex').length}` + (t.constructed ? `[${oc.childrenOf(t).map(walk).join(',')}]` : `=${Buffer.from(t.content).toString('hex')}`); return walk(oc.readSingle(b)); }
function oldPki(b: Uint8Array): T { const walk = (t: op.DerNode): T => `${t.raw[0]}:false:${Buffer.from(t.raw).toString('hex').length}` + (t.constructed ? `[${t.children().map(walk).join(',')}]` : `=${Buffer.from(t.content).toString('hex')}`); return walk(op.readDer(b)); }
function neu(b: Uint8Array, ber: boolean): T { const walk = (t: r.DerNode): T => `${t.tag}:${t.indefinite}:${Buffer.from(t.raw).toString('hex').length}` + (t.constructed ? `[${t.children().map(walk).join(',')}]` : `=${Buffer.from(t.content).toString('hex')}`); return walk(r.readDer(b, ber ? r.BER : {})); }
const res = (f: () => T): T => { try { return f(); } catch { return 'ERR'; } };
const files: string[] = [];
const collect = (d: string) => { for (const n of readdirSync(d)) { const p = join(d, n); if (statSync(p).isDirectory()) collect(p); else if (/\.(der|p7s|cms|tsr|ocsp|crl|cer)$/.test(n)) files.push(p); } };
collect(process.argv[2]);
let n = 0, mism = 0;
const inputs: Uint8Array[] = files.map((f) => new Uint8Array(readFileSync(f)));
for (const base of inputs.slice(0, 40)) {
  for (let i = 0; i < Math.min(base.length, 400); i++) {
    const m = Uint8Array.from(base); m[(i * 7919) % m.length] ^= 1 << (i % 8);
    for (const x of [base, m]) {
      n++;
      const a = res(() => oldCms(x)), b = res(() => neu(x, true));
      const c = res(() => oldPki(x)), d = res(() => neu(x, false));
      if (a !== b || c !== d) mism++;
    }
  }
}
console.log(files.length, 'files', n, 'inputs', mism, 'mismatches');
