// CPU of rendering the certificate of completion (issue 10), in process: renderCompletionCertificate
// on the sample certificate, and on certificates whose names differ every time (parties, sender,
// envelope name drawn from common kanji), so that nothing keyed by the certificate's own text helps.
//   node --import tsx bench/certificate-render-bench.ts [--count=200] [--warmup=50]
// Prints the median and the 90th percentile of process.cpuUsage per render, and the output's size.
import { renderCompletionCertificate, type CompletionCertificateData } from '../packages/core/src/index.ts';
import { sampleCertificateData } from '../packages/core/test/certificate/sample-certificate-data.ts';

const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [key, value = ''] = arg.replace(/^--/, '').split('=');
    return [key, value];
  }),
);
const count = Number(args.get('count') ?? '200');
const warmup = Number(args.get('warmup') ?? '50');

/** Common kanji and kana for names no certificate before had (a fixed seed: the runs are comparable). */
const NAME_CHARACTERS = Array.from(
  '山田川本中村小林田中佐藤鈴木高橋伊藤渡辺加藤吉田松井上木村清水森池橋石野大野藤原岡崎長谷部近江西東南北' +
    '宮坂竹内松本今井斎藤坂口千葉青木福田太郎次郎花子美咲陽翔結衣蓮健一誠治明雄和子恵理沙織優奈真由美' +
    '株式会社商事製作所工業電機建設銀行証券保険物産技研情報通信開発研究総合企画営業管理部課長取締役代表' +
    '杉浦菅原桑原榊原篠崎柳沢笠原萩原栗田熊谷関根戸塚早川堀江増田丸山水野宮本村上望月矢野横山吉川和田',
);
let seed = 12345;
function nextRandom(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x80000000;
}
function randomName(length: number): string {
  let name = '';
  for (let i = 0; i < length; i++) name += NAME_CHARACTERS[Math.floor(nextRandom() * NAME_CHARACTERS.length)];
  return name;
}

/** The sample with new names: each certificate has variable text of its own. */
function variedData(): CompletionCertificateData {
  const data = sampleCertificateData();
  data.envelope.name = `${randomName(10)} 委託契約`;
  data.sender = { ...data.sender, organization: `${randomName(6)} 契約課`, name: randomName(4) };
  data.parties = data.parties.map((p) => ({ ...p, name: `${randomName(8)} ${randomName(4)}` }));
  data.events = data.events.map((e) => ({ ...e, actor: randomName(5) }));
  return data;
}

function cpuMs(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

for (const [label, makeData] of [
  ['sample', sampleCertificateData],
  ['varied names', variedData],
] as const) {
  let bytes = 0;
  for (let i = 0; i < warmup; i++) renderCompletionCertificate(makeData());
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const data = makeData();
    samples.push(cpuMs(() => (bytes = renderCompletionCertificate(data).length)));
  }
  console.log(
    `${label.padEnd(13)} median ${percentile(samples, 0.5).toFixed(2)} ms CPU, p90 ${percentile(samples, 0.9).toFixed(2)} ms, ` +
      `${count} renders after ${warmup} warm-up, last output ${(bytes / 1024).toFixed(1)} KiB`,
  );
}
