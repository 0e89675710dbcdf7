// The Japanese words of a signature's verdict (status and ETSI sub-indication). They are part of the
// catalog: ja.ts spreads them in, so this file is their one source. They live apart only so that
// `inkan verify` can print them without loading the whole catalog (about 400 KB to compile for 17 lines).
export const verificationVerdictsJa = {
  'verification.status.valid': '有効',
  'verification.status.invalid': '無効',
  'verification.status.untrusted': '信頼できない発行元',
  'verification.status.indeterminate': '判定不能',
  'verification.subIndication.FORMAT_FAILURE': '署名の形式または対象範囲に異常があります。',
  'verification.subIndication.HASH_FAILURE': '署名された内容とファイルの内容が一致しません。',
  'verification.subIndication.SIG_CRYPTO_FAILURE': '署名値を公開鍵で検証できません。',
  'verification.subIndication.REVOKED': '署名の時点より前に、証明書が失効していました。',
  'verification.subIndication.EXPIRED': '証明書の有効期限が切れた後に署名されています。',
  'verification.subIndication.NOT_YET_VALID': '証明書の有効期間が始まる前に署名されています。',
  'verification.subIndication.NO_SIGNING_CERTIFICATE_FOUND': '署名者の証明書を特定できません。',
  'verification.subIndication.NO_CERTIFICATE_CHAIN_FOUND': '証明書が信頼できるルート証明書までたどれません。',
  'verification.subIndication.CHAIN_CONSTRAINTS_FAILURE':
    '証明書の連鎖が規則（CA資格、パス長、鍵用途など）を満たしていません。',
  'verification.subIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE':
    '証明書の連鎖に、この検証機能が対応していない内容があります。',
  'verification.subIndication.REVOKED_NO_POE':
    '証明書は失効しており、失効前に署名されたことを証明するタイムスタンプがありません。',
  'verification.subIndication.REVOKED_CA_NO_POE':
    '発行元の証明書が失効しており、失効前に署名されたことを証明するタイムスタンプがありません。',
  'verification.subIndication.OUT_OF_BOUNDS_NO_POE':
    '証明書の有効期限が切れており、期限内に署名と検証情報が存在したことを証明するタイムスタンプがありません。',
  'verification.subIndication.TRY_LATER': '証明書の失効情報が得られないため、いまは判定できません。',
} as const;
