// Every user-visible word lives in the message catalog (packages/core/src/messages): this test reads the
// web UI and the server's mail, HTML-page and certificate code with the TypeScript parser and fails on any
// Japanese text in a string, a template or JSX outside the catalog. Comments are not text and regular
// expressions are patterns for reading input, so neither counts; the few places where Japanese is a fixed
// data format stand in the allow-list below, each with its reason.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The code whose words must come from the catalog: folders (every .ts/.tsx below) and single files. */
const SCOPE = [
  'packages/web/src',
  'packages/server/src/mail',
  'packages/server/src/http',
  'packages/server/src/domain/certificate-data.ts',
  'packages/core/src/certificate',
  'packages/core/src/pades/stamp-certificate-id.ts',
];

/** Where Japanese text in the code is allowed, and why. Each entry must still match something (kept short). */
const ALLOWED: Array<{ path: string; reason: string }> = [
  {
    path: 'packages/server/src/http/audit/present.ts',
    reason: "the audit CSV's column headers: fixed Japanese, a data format auditors' macros read",
  },
  {
    path: 'packages/server/src/http/contracts/routes.ts',
    reason: "the register CSV export's column headers and values (税込, あり …): fixed Japanese, a data format",
  },
  { path: 'packages/server/src/http/openapi/', reason: 'developer documentation in English naming Japanese labels' },
  {
    path: 'packages/core/src/certificate/line-wrap.ts',
    reason: 'the characters that may not begin a line (禁則): line-breaking data, not text',
  },
];

/** Japanese letters: hiragana, katakana and kanji. Punctuation alone (・, ー, 「」) is not a word. */
const JAPANESE_LETTER = /[\u3041-\u309f\u30a1-\u30fa\u4e00-\u9fff]/u;

interface Finding {
  file: string;
  line: number;
  text: string;
}

/** The Japanese strings, template parts and JSX texts of one source file (comments and regexes left out). */
function japaneseTextIn(fileName: string, source: string): Array<{ line: number; text: string }> {
  const kind = fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, kind);
  const found: Array<{ line: number; text: string }> = [];
  const visit = (node: ts.Node): void => {
    const isText =
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node) ||
      ts.isJsxText(node);
    if (isText && JAPANESE_LETTER.test(node.text)) {
      const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
      found.push({ line: line + 1, text: node.text.trim().slice(0, 80) });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function sourceFiles(path: string): string[] {
  const full = join(root, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((name) => {
    const child = join(path, name);
    if (statSync(join(root, child)).isDirectory()) return sourceFiles(child);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [child] : [];
  });
}

describe('user-visible text comes from the message catalog', () => {
  it('the scanner sees strings, templates and JSX text, and passes over comments, regexes and punctuation', () => {
    const sample = [
      '// 注釈はテキストではない',
      "/* ブロック注釈 */ const a = '保存しました';",
      'const b = `合計 ${n} 件`;',
      "const c = <p title={'題名'}>送信する</p>;",
      'const d = /[甲乙]/u;',
      "const e = items.join('・');",
      "const f = 'plain English';",
    ].join('\n');
    assert.deepEqual(
      japaneseTextIn('sample.tsx', sample).map((f) => `${f.line}:${f.text}`),
      ['2:保存しました', '3:合計', '3:件', '4:題名', '4:送信する'],
    );
  });

  it('no Japanese text in the web UI, mails, server pages or certificate code outside the catalog', () => {
    const files = SCOPE.flatMap(sourceFiles);
    assert.ok(files.length > 100, `the scope reads the code (${files.length} files)`);
    const findings: Finding[] = [];
    const used = new Set<string>();
    for (const file of files) {
      const allowed = ALLOWED.find((entry) => file.startsWith(entry.path));
      const found = japaneseTextIn(file, readFileSync(join(root, file), 'utf8'));
      if (allowed && found.length > 0) used.add(allowed.path);
      else for (const f of found) findings.push({ file: relative(root, join(root, file)), ...f });
    }
    assert.deepEqual(
      findings.map((f) => `${f.file}:${f.line} ${f.text}`),
      [],
      'put these words in packages/core/src/messages/ja.ts and en.ts and read them with t()/formatMessage',
    );
    assert.deepEqual(
      ALLOWED.map((entry) => entry.path).filter((path) => !used.has(path)),
      [],
      'an allow-list entry matches nothing any more: remove it',
    );
  });
});
