/*
 * The plain-language words of the public verification page, in Japanese and English: verdicts, attack
 * patterns, PAdES levels and the kinds of change a later revision can make. The wording is the message
 * catalog's (`verification.*` in @inkan/core/messages), which `inkan verify` prints too. The verifier's own
 * `problems` and `description` texts stay English and technical; these are for everyone else.
 */
import type { Indication, PadesLevel, SignatureReport, SubIndication } from '@inkan/core';
import { formatMessage, inBothLanguages, isMessageKey, type MessageKey, type MessageVars } from '@inkan/core/messages';

/** A text in both UI languages. */
export interface Bilingual {
  ja: string;
  en: string;
}

/** The page's overall answer. */
export type Verdict = 'valid' | 'invalid' | 'untrusted' | 'indeterminate' | 'unsigned' | 'unreadable';

/** A catalog entry in both languages. */
export const bilingual: (key: MessageKey, vars?: MessageVars) => Bilingual = inBothLanguages;

/** One entry per member of a union (the object literal makes a missing member a compile error). */
function wordsOf<K extends string, V>(members: Record<K, true>, words: (member: K) => V): Record<K, V> {
  return Object.fromEntries(Object.keys(members).map((member) => [member, words(member as K)])) as Record<K, V>;
}

/** The banner's title and the paragraph under it. */
export const VERDICT_WORDS = wordsOf(
  {
    valid: true,
    invalid: true,
    untrusted: true,
    indeterminate: true,
    unsigned: true,
    unreadable: true,
  } satisfies Record<Verdict, true>,
  (verdict) => ({
    headline: bilingual(`verification.verdict.${verdict}.headline`),
    explanation: bilingual(`verification.verdict.${verdict}.explanation`),
  }),
);

/** The status of one signature as a short label. */
export const STATUS_WORDS = wordsOf(
  { valid: true, invalid: true, untrusted: true, indeterminate: true } satisfies Record<
    SignatureReport['status'],
    true
  >,
  (status) => bilingual(`verification.status.${status}`),
);

/** ETSI EN 319 102-1 indications, in plain words. */
export const INDICATION_WORDS = wordsOf(
  { 'TOTAL-PASSED': true, 'TOTAL-FAILED': true, INDETERMINATE: true } satisfies Record<Indication, true>,
  (indication) => bilingual(`verification.indication.${indication}`),
);

/** What each ETSI sub-indication means for the reader. */
export const SUB_INDICATION_WORDS = wordsOf(
  {
    FORMAT_FAILURE: true,
    HASH_FAILURE: true,
    SIG_CRYPTO_FAILURE: true,
    REVOKED: true,
    EXPIRED: true,
    NOT_YET_VALID: true,
    NO_SIGNING_CERTIFICATE_FOUND: true,
    NO_CERTIFICATE_CHAIN_FOUND: true,
    CHAIN_CONSTRAINTS_FAILURE: true,
    CERTIFICATE_CHAIN_GENERAL_FAILURE: true,
    REVOKED_NO_POE: true,
    REVOKED_CA_NO_POE: true,
    OUT_OF_BOUNDS_NO_POE: true,
    TRY_LATER: true,
  } satisfies Record<SubIndication, true>,
  (sub) => bilingual(`verification.subIndication.${sub}`),
);

/** The attack patterns the page explains (others get the words of an unknown pattern). */
const KNOWN_ATTACKS = {
  'incremental-saving': true,
  'shadow-attack': true,
  'signature-wrapping': true,
  'coverage-anomaly': true,
  'signature-removed': true,
} as const;

/** Each attack pattern the verifier names: what it is called and what it means for the reader. */
export const ATTACK_WORDS: Record<string, { name: Bilingual; explanation: Bilingual }> = wordsOf(
  KNOWN_ATTACKS,
  (id) => ({
    name: bilingual(`verification.attack.${id}.name`),
    explanation: bilingual(`verification.attack.${id}.explanation`),
  }),
);

/** Words for an attack pattern the page does not know yet (the verifier may add some). */
export function attackWords(id: string): { name: Bilingual; explanation: Bilingual } {
  if (Object.prototype.hasOwnProperty.call(ATTACK_WORDS, id)) return ATTACK_WORDS[id]!;
  return {
    name: bilingual('verification.attack.unknown.name', { id }),
    explanation: bilingual('verification.attack.unknown.explanation'),
  };
}

/** What each PAdES baseline level means, in a phrase. */
export const LEVEL_WORDS = wordsOf(
  { 'B-B': true, 'B-T': true, 'B-LT': true, 'B-LTA': true } satisfies Record<PadesLevel, true>,
  (level) => bilingual(`verification.level.${level}`),
);

type ChangeKind = SignatureReport['laterChanges']['changes'][number]['kind'];

/** Kinds of change that concern the whole document, never one page. */
const DOCUMENT_WIDE = new Set([
  'signature-added',
  'document-timestamp-added',
  'dss-added',
  'dss-updated',
  'metadata-updated',
  'catalog-changed',
]);

/** Each kind of later change as a noun phrase ("the addition of a signature"), for lists. */
export function changeWords(kind: ChangeKind | string, page?: number): Bilingual {
  const key = `verification.change.${kind}`;
  const words = bilingual(isMessageKey(key) && kind !== 'onPage' ? key : 'verification.change.unknown');
  if (!page || DOCUMENT_WIDE.has(kind)) return words;
  return {
    ja: formatMessage('ja', 'verification.change.onPage', { page, change: words.ja }),
    en: formatMessage('en', 'verification.change.onPage', { page, change: words.en }),
  };
}
