// Realistic certificate data: three documents with Japanese names, three parties (one with a very
// long user agent and one with an IPv6 address), 25 events, so that the certificate paginates.
import { createHash } from 'node:crypto';
import type { CompletionCertificateData } from '../../src/certificate/render-completion-certificate.ts';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
/** Minutes after the envelope was created (2026-11-24 10:15:00 JST = 01:15:00 UTC). */
const at = (minutes: number): Date =>
  new Date(Date.UTC(2026, 10, 24, 1, 15, 0) + minutes * 60_000 + (minutes % 7) * 1000);

const LONG_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86 ' +
  'MicroMessenger/8.0.49.2600(0x28003133) NetType/WIFI Language/ja_JP ABI/arm64 Corporate-Proxy/4.2.1 (gateway=tokyo-dc-02.internal.example.co.jp; ' +
  'session=4f1c9a7e2b6d48e0a3c5f7b9d1e3a5c7e9f1b3d5a7c9e1f3b5d7a9c1e3f5b7d9)';

export const SAMPLE_CERTIFICATE_ID = 'IK-7F3A-92KD-XW4P';

export function sampleCertificateData(): CompletionCertificateData {
  const documents = [
    { name: '業務委託契約書（2026年度 システム保守・運用支援業務）.pdf', pages: 12 },
    { name: '秘密保持契約書.pdf', pages: 4 },
    { name: '別紙1 仕様書・作業範囲およびサービスレベル合意書（SLA）.pdf', pages: 27 },
  ].map((d, i) => ({ ...d, sha256Original: sha256(`original ${i}`), sha256Signed: sha256(`signed ${i}`) }));
  const parties = [
    {
      name: '株式会社サンプル商事 代表取締役 山田 太郎',
      email: 'taro.yamada@sample-shoji.example.co.jp',
      authentication: 'メール + アクセスコード (e-mail + access code)',
      ip: '203.0.113.45',
      userAgent: LONG_USER_AGENT,
      signedAt: at(10 * 38),
    },
    {
      name: '佐藤 花子',
      email: 'hanako@example.jp',
      authentication: 'メール + アクセスコード (e-mail + access code)',
      ip: '2001:db8:85a3:8d3:1319:8a2e:370:7348',
      userAgent:
        'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      signedAt: at(16 * 38),
    },
    {
      name: '東京都 契約課長 髙橋 一郎',
      email: 'keiyaku@example.lg.jp',
      authentication: 'Inkan アカウント (二要素認証) (Inkan account with 2FA)',
      ip: null,
      userAgent: null,
      signedAt: at(21 * 38),
    },
  ];
  const actions: Array<[string, string, string | null]> = [
    ['東京都 契約課 鈴木 次郎', '封筒を作成 (envelope created)', '198.51.100.7'],
    ['東京都 契約課 鈴木 次郎', '文書を追加: 業務委託契約書 (document added)', '198.51.100.7'],
    ['東京都 契約課 鈴木 次郎', '文書を追加: 秘密保持契約書 (document added)', '198.51.100.7'],
    ['東京都 契約課 鈴木 次郎', '文書を追加: 別紙1 仕様書 (document added)', '198.51.100.7'],
    ['東京都 契約課 鈴木 次郎', '封筒を送信 (envelope sent)', '198.51.100.7'],
    ['システム (system)', '署名依頼メールを送信: taro.yamada@sample-shoji.example.co.jp (request mail sent)', null],
    ['山田 太郎', '署名ページを開く (signing page opened)', '203.0.113.45'],
    ['山田 太郎', 'アクセスコード誤り 1回目 (access code failed)', '203.0.113.45'],
    ['山田 太郎', 'アクセスコード認証 (access code passed)', '203.0.113.45'],
    ['山田 太郎', '文書を閲覧 (documents viewed)', '203.0.113.45'],
    ['山田 太郎', '署名完了 (signed)', '203.0.113.45'],
    ['システム (system)', '署名を適用: 3 文書 (platform signature applied)', null],
    ['システム (system)', '署名依頼メールを送信: hanako@example.jp (request mail sent)', null],
    ['佐藤 花子', '署名ページを開く (signing page opened)', '2001:db8:85a3:8d3:1319:8a2e:370:7348'],
    ['佐藤 花子', 'アクセスコード認証 (access code passed)', '2001:db8:85a3:8d3:1319:8a2e:370:7348'],
    ['佐藤 花子', '文書を閲覧 (documents viewed)', '2001:db8:85a3:8d3:1319:8a2e:370:7348'],
    ['佐藤 花子', '署名完了 (signed)', '2001:db8:85a3:8d3:1319:8a2e:370:7348'],
    ['システム (system)', '署名を適用: 3 文書 (platform signature applied)', null],
    ['システム (system)', '署名依頼通知 (request notified)', null],
    ['髙橋 一郎', 'サインイン (signed in)', '198.51.100.20'],
    ['髙橋 一郎', '文書を閲覧 (documents viewed)', '198.51.100.20'],
    ['髙橋 一郎', '署名完了 (signed)', '198.51.100.20'],
    ['システム (system)', '署名を適用し長期検証用に封印 (signed and sealed, PAdES B-LTA)', null],
    ['システム (system)', '締結完了 (envelope completed)', null],
    ['システム (system)', '電子署名完了のお知らせを送信 (completion mail sent to 3 parties)', null],
  ];
  const events = actions.map(([actor, action, ip], i) => ({ at: at(i * 38), actor, action, ip }));
  return {
    certificateId: SAMPLE_CERTIFICATE_ID,
    envelope: {
      id: 'env_01JDX6Q4ZK8N3M5P7R9T2V4W6Y',
      name: '2026年度 システム保守・運用支援業務 委託契約',
      createdAt: at(0),
      sentAt: at(4 * 38),
      completedAt: at(24 * 38),
    },
    sender: { organization: '東京都 総務局 契約課', name: '鈴木 次郎', email: 'jiro.suzuki@example.lg.jp' },
    documents,
    parties,
    events,
    verification: { url: 'https://inkan.example.lg.jp/verify' },
    issuedAt: at(24 * 38 + 1),
  };
}
