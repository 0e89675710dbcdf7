// The peers Inkan is measured against, and the floors (the least any signer/verifier must do).
import { createHash, createPrivateKey, sign as cryptoSign } from 'node:crypto';
import { PDF, type Signer as LibpdfSigner } from '@libpdf/core';
import { SignPdf } from '@signpdf/signpdf';
import { P12Signer } from '@signpdf/signer-p12';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import type { BenchImpl, PreparedCase } from './types.ts';

const SIGNATURE_FIELDS = {
  name: 'Inkan Bench',
  reason: 'Benchmark',
  location: 'Tokyo',
  contactInfo: 'bench@example.invalid',
};

const asPdf = (result: unknown) => ({ pdf: result as Uint8Array });

/** Sign floor: SHA-256 over the whole file plus one RSA-2048 signature (no PDF work at all). */
export const floorSign: BenchImpl = {
  id: 'floor-sign',
  label: 'floor: SHA-256(file) + 1 RSA-2048 signature',
  section: 'sign',
  async prepare({ pdf, keys }): Promise<PreparedCase> {
    const key = createPrivateKey(keys.leafKeyPem);
    return {
      // Like CMS: the file digest goes into small signed data, which is hashed again and signed.
      run: async () => cryptoSign('sha256', createHash('sha256').update(pdf).digest(), key),
      describe: (result) => ({ note: `${(result as Uint8Array).length}-byte signature` }),
    };
  },
};

/** Verify floor: SHA-256 over the whole file. */
export const floorHash: BenchImpl = {
  id: 'floor-hash',
  label: 'floor: SHA-256(file)',
  section: 'verify',
  async prepare({ pdf }): Promise<PreparedCase> {
    return {
      run: async () => createHash('sha256').update(pdf).digest(),
      describe: () => ({}),
    };
  },
};

/** @libpdf/core: load + sign() (incremental save, CAdES detached), key held by node:crypto through its Signer plug-in. */
export const libpdf: BenchImpl = {
  id: 'libpdf',
  label: '@libpdf/core sign()',
  section: 'sign',
  async prepare({ pdf, keys }): Promise<PreparedCase> {
    const key = createPrivateKey(keys.leafKeyPem);
    const signer: LibpdfSigner = {
      certificate: keys.leafDer,
      certificateChain: [keys.rootDer],
      keyType: 'RSA',
      signatureAlgorithm: 'RSASSA-PKCS1-v1_5',
      sign: async (data, algorithm) => {
        if (algorithm !== 'SHA-256') throw new Error(`bench signer only does SHA-256, asked ${algorithm}`);
        return cryptoSign('sha256', data, key);
      },
    };
    return {
      run: async () => {
        const doc = await PDF.load(pdf);
        const { bytes } = await doc.sign({
          signer,
          reason: SIGNATURE_FIELDS.reason,
          location: SIGNATURE_FIELDS.location,
          contactInfo: SIGNATURE_FIELDS.contactInfo,
        });
        return bytes;
      },
      describe: asPdf,
    };
  },
};

/** @signpdf/signpdf with the plain placeholder and its P12Signer (node-forge; parses the P12 on every sign). */
export const signpdf: BenchImpl = {
  id: 'signpdf',
  label: '@signpdf/signpdf + placeholder-plain + signer-p12',
  section: 'sign',
  async prepare({ pdf, keys }): Promise<PreparedCase> {
    const signing = new SignPdf();
    return {
      run: async () => {
        const withPlaceholder = plainAddPlaceholder({
          pdfBuffer: pdf,
          ...SIGNATURE_FIELDS,
          subFilter: 'ETSI.CAdES.detached',
        });
        // A P12Signer consumes its P12 buffer on first use, so each signing needs its own instance.
        const signer = new P12Signer(keys.p12, { passphrase: keys.p12Password });
        return signing.sign(withPlaceholder, signer);
      },
      describe: asPdf,
    };
  },
};

export const PEERS: readonly BenchImpl[] = [floorSign, libpdf, signpdf, floorHash];
