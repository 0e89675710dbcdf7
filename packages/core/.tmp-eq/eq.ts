import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as oc from './old/cms/der.ts';
import * as op from './old/pki/der.ts';
import * as ok from './old/pkcs11/pkcs11-encoding.ts';
import * as w from '../src/asn1/der-writer.ts';
import * as k from '../src/pkcs11/pkcs11-encoding.ts';
import { OID } from '../src/asn1/oids.ts';
const eq = (a: Uint8Array, b: Uint8Array) => assert.equal(Buffer.from(a).toString('hex'), Buffer.from(b).toString('hex'));
for (const o of [...Object.values(OID), '2.25.44540748359294252132535346979429172744.1.1', '0.0', '1.39', '2.999.1']) { eq(w.oid(o), op.oid(o)); if (!o.startsWith('2.25')) eq(w.oid(o), oc.oid(o)); }
for (const n of [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 31, 2 ** 40]) { eq(w.integer(n), oc.smallInteger(n)); eq(w.integer(n), op.integer(n)); eq(w.enumerated(n), op.enumerated(n)); }
for (let i = 0; i < 200; i++) { const b = randomBytes(1 + (i % 40)); if (i % 3 === 0) b[0] = 0; eq(w.integer(b), op.integer(b)); }
for (const t of [Date.UTC(1949, 11, 31, 23, 59, 59, 999), Date.UTC(1950, 0, 1), Date.UTC(2024, 5, 7, 8, 9, 10, 456), Date.UTC(2049, 11, 31, 23, 59, 59, 999), Date.UTC(2050, 0, 1), Date.UTC(1, 0, 1), Date.UTC(9999, 11, 31)]) {
  const d = new Date(t); eq(w.x509Time(d), op.x509Time(d)); eq(w.x509Time(d), oc.encodeTime(d)); eq(w.generalizedTime(d), op.generalizedTime(d)); eq(w.utcTime(d), op.utcTime(d));
}
for (const bits of [[0], [1], [5, 6], [0, 1, 2, 3, 4, 5, 6, 7, 8], [25], [7]]) {
  const highest = Math.max(...bits); const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[Math.floor(bit / 8)] |= 0x80 >> (bit % 8);
  eq(w.namedBitString(bits), op.bitString(bytes, 7 - (highest % 8)));
}
const items = Array.from({ length: 20 }, (_, i) => oc.octetString(randomBytes(i % 7)));
eq(w.setOf(items), oc.setOf(items)); eq(w.setOf(items, 0xa0), oc.setOf(items, 0xa0));
eq(w.setOf([items[0]]), op.set(items[0]));
eq(w.nullValue(), oc.derNull); eq(w.explicit(0, items[1]), oc.tlv(0xa0, items[1])); eq(w.explicit(4, items[1]), oc.tlv(0xa4, items[1]));
eq(w.implicitPrimitive(1, items[2]), oc.tlv(0x81, items[2]));
for (let i = 0; i < 500; i++) { const raw = randomBytes(2 * (1 + (i % 70))); if (i % 4 === 0) raw.fill(0, 0, raw.length / 2); if (i % 5 === 0) raw[0] = 0xff; eq(k.ecdsaRawToDer(raw), ok.ecdsaRawToDer(raw)); }
eq(k.P256_EC_PARAMS, ok.P256_EC_PARAMS);
const dg = randomBytes(32); eq(k.sha256DigestInfo(dg), Buffer.concat([ok.SHA256_DIGEST_INFO_PREFIX, dg]));
console.log('writer equivalence ok');
