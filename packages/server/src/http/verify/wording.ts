/*
 * The plain-language words of the public verification page, in Japanese and English: verdicts, attack
 * patterns, PAdES levels and the kinds of change a later revision can make. The verifier's own
 * `problems` and `description` texts stay English and technical; these are for everyone else.
 */
import type { Indication, PadesLevel, SignatureReport, SubIndication } from '@inkan/core';

/** A text in both UI languages. */
export interface Bilingual {
  ja: string;
  en: string;
}

/** The page's overall answer. */
export type Verdict = 'valid' | 'invalid' | 'untrusted' | 'indeterminate' | 'unsigned' | 'unreadable';

/** The banner's title and the paragraph under it. */
export const VERDICT_WORDS: Record<Verdict, { headline: Bilingual; explanation: Bilingual }> = {
  valid: {
    headline: { ja: '有効', en: 'Valid' },
    explanation: {
      ja: 'すべての電子署名とタイムスタンプが有効で、このInkanのルート証明書までたどれます。署名の後に、認められない変更は加えられていません。',
      en: "Every signature and timestamp is valid and chains to this Inkan's root certificate. Nothing that is not allowed was changed after signing.",
    },
  },
  invalid: {
    headline: { ja: '無効', en: 'Invalid' },
    explanation: {
      ja: '無効な署名、または署名後の改ざんが見つかりました。このファイルの内容は、署名された時点のものと同じとはいえません。各署名の説明をご確認ください。',
      en: 'An invalid signature or a change after signing was found: this file cannot be taken to be what was signed. See each signature below.',
    },
  },
  untrusted: {
    headline: { ja: '信頼できない発行元', en: 'Untrusted issuer' },
    explanation: {
      ja: '署名そのものは壊れていませんが、証明書がこのInkanのルート証明書にも、ここで知られているどの発行元にもつながっていません。他のサービスで署名された文書であれば、そのサービスの検証方法で確認してください。',
      en: "The signatures are intact, but their certificates chain neither to this Inkan's root nor to any issuer known here. If another service signed the document, check it with that service.",
    },
  },
  indeterminate: {
    headline: { ja: '判定不能', en: 'Cannot be decided' },
    explanation: {
      ja: '改ざんは見つかりませんでしたが、署名が有効かどうかを確定できません。証明書の失効情報が得られない、証明書の有効期限が切れた後でそれ以前の存在を証明するタイムスタンプがない、などの理由です。各署名の説明をご確認ください。',
      en: 'No tampering was found, but whether the signatures are valid cannot be decided: for example, no revocation information is available, or a certificate has expired and no timestamp proves the signature existed before. See each signature below.',
    },
  },
  unsigned: {
    headline: { ja: '署名なし', en: 'Not signed' },
    explanation: {
      ja: 'このPDFには電子署名もタイムスタンプもありません。内容が誰によって確定されたかを、このファイルから確かめることはできません。',
      en: 'This PDF holds no electronic signature and no timestamp: the file itself cannot tell who approved its content.',
    },
  },
  unreadable: {
    headline: { ja: '読み取れません', en: 'Cannot be read' },
    explanation: {
      ja: 'このファイルはPDFとして読み取れませんでした。壊れているか、PDFではありません。',
      en: 'This file could not be read as a PDF: it is damaged or not a PDF.',
    },
  },
};

/** The status of one signature as a short label. */
export const STATUS_WORDS: Record<SignatureReport['status'], Bilingual> = {
  valid: { ja: '有効', en: 'Valid' },
  invalid: { ja: '無効', en: 'Invalid' },
  untrusted: { ja: '信頼できない発行元', en: 'Untrusted issuer' },
  indeterminate: { ja: '判定不能', en: 'Indeterminate' },
};

/** ETSI EN 319 102-1 indications, in plain words. */
export const INDICATION_WORDS: Record<Indication, Bilingual> = {
  'TOTAL-PASSED': { ja: '有効（TOTAL-PASSED）', en: 'Passed (TOTAL-PASSED)' },
  'TOTAL-FAILED': { ja: '無効（TOTAL-FAILED）', en: 'Failed (TOTAL-FAILED)' },
  INDETERMINATE: { ja: '判定不能（INDETERMINATE）', en: 'Indeterminate (INDETERMINATE)' },
};

/** What each ETSI sub-indication means for the reader. */
export const SUB_INDICATION_WORDS: Record<SubIndication, Bilingual> = {
  FORMAT_FAILURE: {
    ja: '署名の形式または対象範囲に異常があります。',
    en: 'The signature or the range it covers is malformed.',
  },
  HASH_FAILURE: {
    ja: '署名された内容とファイルの内容が一致しません。',
    en: 'The signed content does not match the file.',
  },
  SIG_CRYPTO_FAILURE: {
    ja: '署名値を公開鍵で検証できません。',
    en: 'The signature value does not verify with the public key.',
  },
  REVOKED: {
    ja: '署名の時点より前に、証明書が失効していました。',
    en: 'The certificate was revoked before the time the signature is proved to exist.',
  },
  EXPIRED: {
    ja: '証明書の有効期限が切れた後に署名されています。',
    en: 'The signature was made after the certificate expired.',
  },
  NOT_YET_VALID: {
    ja: '証明書の有効期間が始まる前に署名されています。',
    en: 'The signature was made before the certificate became valid.',
  },
  NO_SIGNING_CERTIFICATE_FOUND: {
    ja: '署名者の証明書を特定できません。',
    en: 'The signer certificate cannot be identified.',
  },
  NO_CERTIFICATE_CHAIN_FOUND: {
    ja: '証明書が信頼できるルート証明書までたどれません。',
    en: 'The certificate does not chain to a trusted root.',
  },
  CHAIN_CONSTRAINTS_FAILURE: {
    ja: '証明書の連鎖が規則（CA資格、パス長、鍵用途など）を満たしていません。',
    en: 'The certificate chain breaks a rule (CA status, path length, key usage …).',
  },
  CERTIFICATE_CHAIN_GENERAL_FAILURE: {
    ja: '証明書の連鎖に、この検証機能が対応していない内容があります。',
    en: 'The certificate chain uses features this verifier does not support.',
  },
  REVOKED_NO_POE: {
    ja: '証明書は失効しており、失効前に署名されたことを証明するタイムスタンプがありません。',
    en: 'The certificate is revoked, and no timestamp proves the signature was made before.',
  },
  REVOKED_CA_NO_POE: {
    ja: '発行元の証明書が失効しており、失効前に署名されたことを証明するタイムスタンプがありません。',
    en: 'An issuing CA certificate is revoked, and no timestamp proves the signature was made before.',
  },
  OUT_OF_BOUNDS_NO_POE: {
    ja: '証明書の有効期限が切れており、期限内に署名と検証情報が存在したことを証明するタイムスタンプがありません。',
    en: 'A certificate has expired, and no timestamp proves the signature and its validation data existed before.',
  },
  TRY_LATER: {
    ja: '証明書の失効情報が得られないため、いまは判定できません。',
    en: 'No usable revocation information is available: it cannot be decided now.',
  },
};

/** Each attack pattern the verifier names: what it is called and what it means for the reader. */
export const ATTACK_WORDS: Record<string, { name: Bilingual; explanation: Bilingual }> = {
  'incremental-saving': {
    name: { ja: 'インクリメンタル・セーブ攻撃', en: 'Incremental saving attack' },
    explanation: {
      ja: 'PDFは署名の後にも内容を書き足せます。このファイルには、署名の後にページ・注釈・フォームなど内容に関わる変更が書き足されています。署名は壊れていないように見えても、いま表示される内容は署名された時点と異なる可能性があります。',
      en: 'A PDF can be appended to after it is signed. This file had changes to its content (pages, annotations, form fields …) appended after a signature: the signature may look intact while what you see is not what was signed.',
    },
  },
  'shadow-attack': {
    name: { ja: 'シャドウ攻撃', en: 'Shadow attack' },
    explanation: {
      ja: '署名の前から隠しておいた内容を、署名の後の小さな変更で表に出す手口です。このファイルでは、署名の後にページの内容や表示（外観）が差し替えられています。署名者が見た内容と、いま表示される内容が異なるおそれがあります。',
      en: 'Content hidden before signing is brought to the surface by a small change afterwards. Here page content or an appearance was replaced after signing: what the signer saw may differ from what is shown now.',
    },
  },
  'signature-wrapping': {
    name: { ja: '署名ラッピング攻撃', en: 'Signature wrapping attack' },
    explanation: {
      ja: '署名の対象範囲（ByteRange）の「すき間」には、本来その署名の値だけが入ります。このファイルでは、そこに別のデータが入っています。署名済みのデータを移し、署名されていない内容を紛れ込ませる手口です。',
      en: "The gap in a signature's byte range must hold that signature's value and nothing else. Here it holds something else: signed data was moved to slip unsigned content in.",
    },
  },
  'coverage-anomaly': {
    name: { ja: '署名範囲の異常', en: 'Coverage anomaly' },
    explanation: {
      ja: '署名がファイルの一部しか対象にしていない、範囲が重なっている、またはファイルの外を指しています。署名されていない部分には、署名を壊さずに何でも書き込めてしまいます。',
      en: 'A signature covers only part of the file, overlaps itself, or points outside the file. Anything can be written into the unsigned part without breaking the signature.',
    },
  },
  'signature-removed': {
    name: { ja: '署名の削除', en: 'Signature removed' },
    explanation: {
      ja: 'ファイルの中に署名の値が残っているのに、それを参照する署名欄がありません。後から署名が取り除かれた形跡です。',
      en: 'The file still holds a signature value that no signature field lists: a signature was removed afterwards.',
    },
  },
};

/** Words for an attack pattern the page does not know yet (the verifier may add some). */
export function attackWords(id: string): { name: Bilingual; explanation: Bilingual } {
  return (
    ATTACK_WORDS[id] ?? {
      name: { ja: `不審なパターン（${id}）`, en: `Suspicious pattern (${id})` },
      explanation: {
        ja: '検証で不審な構造が見つかりました。技術的な詳細をご確認ください。',
        en: 'The verifier found a suspicious structure; see the technical details.',
      },
    }
  );
}

/** What each PAdES baseline level means, in a phrase. */
export const LEVEL_WORDS: Record<PadesLevel, Bilingual> = {
  'B-B': { ja: '基本の電子署名（タイムスタンプなし）', en: 'a basic signature without a timestamp' },
  'B-T': { ja: '署名タイムスタンプ付きの電子署名', en: 'a signature with a signature timestamp' },
  'B-LT': {
    ja: '検証に必要な証明書と失効情報を文書内に保存した長期署名',
    en: 'a long-term signature: the certificates and revocation data needed to check it are stored in the document',
  },
  'B-LTA': {
    ja: '検証情報を文書内に保存し、文書タイムスタンプで保護した長期署名（長期にわたり検証できます）',
    en: 'a long-term archival signature: validation data stored in the document and protected by a document timestamp',
  },
};

type ChangeKind = SignatureReport['laterChanges']['changes'][number]['kind'];

/** Each kind of later change as a noun phrase ("the addition of a signature"), for lists. */
export function changeWords(kind: ChangeKind | string, page?: number): Bilingual {
  const onPage = (ja: string, en: string): Bilingual =>
    page ? { ja: `${page}ページ目の${ja}`, en: `${en} on page ${page}` } : { ja, en };
  switch (kind) {
    case 'signature-added':
      return { ja: '署名の追加', en: 'a signature added' };
    case 'document-timestamp-added':
      return { ja: '文書タイムスタンプの追加', en: 'a document timestamp added' };
    case 'dss-added':
      return { ja: '検証情報（証明書・失効情報）の追加', en: 'validation data (certificates, revocation data) added' };
    case 'dss-updated':
      return {
        ja: '検証情報（証明書・失効情報）の更新',
        en: 'validation data (certificates, revocation data) updated',
      };
    case 'metadata-updated':
      return { ja: '文書情報（メタデータ）の更新', en: 'document metadata updated' };
    case 'page-content-changed':
      return onPage('内容の変更', 'content changed');
    case 'field-values-added':
      return onPage('署名者による入力項目（印影・日付など）の記入', 'field values (seal, date…) filled in by a signer');
    case 'page-added':
      return onPage('ページの追加', 'a page added');
    case 'page-removed':
      return onPage('ページの削除', 'a page removed');
    case 'annotation-added':
      return onPage('注釈の追加', 'an annotation added');
    case 'annotation-changed':
      return onPage('注釈の変更', 'an annotation changed');
    case 'annotation-removed':
      return onPage('注釈の削除', 'an annotation removed');
    case 'form-field-changed':
      return onPage('フォーム入力値の変更', 'a form field changed');
    case 'form-field-added':
      return onPage('フォームフィールドの追加', 'a form field added');
    case 'appearance-changed':
      return onPage('表示内容（外観）の差し替え', 'an appearance replaced');
    case 'catalog-changed':
      return { ja: '文書全体の構成（カタログ）の変更', en: 'the document catalog changed' };
    case 'object-changed':
      return onPage('PDF内部のデータの変更', 'internal PDF data changed');
    case 'object-freed':
      return onPage('PDF内部のデータの削除', 'internal PDF data deleted');
    default:
      return onPage('種類を特定できない変更', 'a change of unknown kind');
  }
}
