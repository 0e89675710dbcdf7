// A small flow layout for text documents: rows of wrapped cells placed top to bottom, pages broken
// between rows (or between lines of a row taller than what is left), table headers repeated, and
// blocks kept together when they fit on one page.
import type { FontWeight } from '../font/japanese-font.ts';
import { wrapText } from './line-wrap.ts';
import { PageCanvas } from './pdf-builder.ts';
import type { TextMetrics } from './text-metrics.ts';

export interface TextStyle {
  weight: FontWeight;
  size: number;
  /** 0 black … 1 white. */
  gray: number;
  /** Line height in points. */
  leading: number;
}

export interface Line {
  text: string;
  style: TextStyle;
}

/** A row of cells side by side; each cell is a column of already wrapped lines. */
export interface Row {
  columns: readonly number[];
  cells: Line[][];
  padTop: number;
  padBottom: number;
  padX: number;
  fillGray?: number;
  ruleBelow?: { width: number; gray: number };
  /** Lines for the first cell of the part continued on the next page, e.g. the label with "(continued)". */
  continuation?: Line[];
}

/**
 * Texts already wrapped in one certificate, by weight, size, width and text: a certificate repeats its
 * labels in every block and its parties' names in several. Kept per certificate (per TextMetrics, which
 * each render makes afresh), so that no name, address or other party's text outlives its certificate in
 * the process's memory.
 */
const wrappedTexts = new WeakMap<TextMetrics, Map<string, readonly string[]>>();

/** Wraps pieces of text (each in its own style) into the lines of one cell of `width` points. */
export function cellLines(
  metrics: TextMetrics,
  width: number,
  pieces: ReadonlyArray<{ text: string; style: TextStyle }>,
): Line[] {
  const lines: Line[] = [];
  let known = wrappedTexts.get(metrics);
  if (known === undefined) wrappedTexts.set(metrics, (known = new Map()));
  for (const { text, style } of pieces) {
    const key = `${style.weight} ${style.size} ${width} ${text}`;
    let wrapped = known.get(key);
    if (wrapped === undefined) {
      wrapped = wrapText(text, width, (s) => metrics.width(s, style.weight, style.size));
      known.set(key, wrapped);
    }
    for (const line of wrapped) lines.push({ text: line, style });
  }
  return lines;
}

/** Height of a cell's lines. */
function linesHeight(lines: readonly Line[]): number {
  return lines.reduce((sum, line) => sum + line.style.leading, 0);
}

/** Distance from a line box's top to its baseline: the em box centred in the leading. */
function baselineOffset(style: TextStyle): number {
  // Noto Sans JP's ideographic em box spans 0.88 em above the baseline and 0.12 em below it.
  return (style.leading - style.size) / 2 + style.size * 0.88;
}

/**
 * How far each cell is moved down so that the first baselines of all cells of a row line up
 * (a 9 pt value beside an 8.5 pt label reads as one line, on paper and for text extraction).
 */
function cellShifts(row: Row): number[] {
  const offsets = row.cells.map((lines) => (lines.length > 0 ? baselineOffset(lines[0].style) : 0));
  const deepest = Math.max(0, ...offsets);
  return row.cells.map((lines, i) => (lines.length > 0 ? deepest - offsets[i] : 0));
}

/** Total height of a row, padding included. */
export function rowHeight(row: Row): number {
  const shifts = cellShifts(row);
  return row.padTop + Math.max(0, ...row.cells.map((lines, i) => shifts[i] + linesHeight(lines))) + row.padBottom;
}

/**
 * Splits a row so that its first part is at most `available` high; null when not even one line fits.
 * The second part keeps the columns, so a long value continues in its column on the next page.
 */
function splitRow(row: Row, available: number): [Row, Row] | null {
  const room = available - row.padTop - row.padBottom;
  const shifts = cellShifts(row);
  const first: Line[][] = [];
  const rest: Line[][] = [];
  let placed = 0;
  for (const [i, lines] of row.cells.entries()) {
    let used = shifts[i];
    let count = 0;
    while (count < lines.length && used + lines[count].style.leading <= room + 1e-6)
      used += lines[count++].style.leading;
    first.push(lines.slice(0, count));
    rest.push(lines.slice(count));
    placed += count;
  }
  if (placed === 0) return null;
  if (row.continuation && rest[0].length === 0) rest[0] = row.continuation;
  return [
    { ...row, cells: first },
    { ...row, cells: rest },
  ];
}

export interface FlowFrame {
  pageWidth: number;
  pageHeight: number;
  left: number;
  /** Lowest y content may reach (above the footer). */
  bottom: number;
}

/** Places rows down pages, opening a new page (drawn by `decorate`) when one is full. */
export class PageFlow {
  readonly pages: PageCanvas[] = [];
  /** The current top of free space, in PDF user space. */
  y = 0;

  /**
   * `contentTop(i)` is where content starts on page i (0-based), below any running header;
   * `decorate` draws a new page's fixed parts (the footer, which needs the page count, comes later).
   */
  constructor(
    readonly frame: FlowFrame,
    private readonly contentTop: (pageIndex: number) => number,
    private readonly decorate: (page: PageCanvas, pageIndex: number) => void = () => {},
  ) {
    this.newPage();
  }

  get page(): PageCanvas {
    return this.pages[this.pages.length - 1];
  }

  /** Height left on the current page. */
  get remaining(): number {
    return this.y - this.frame.bottom;
  }

  /** Whether nothing has been placed on the current page yet. */
  get atTop(): boolean {
    return this.y >= this.contentTop(this.pages.length - 1) - 1e-6;
  }

  newPage(): void {
    const page = new PageCanvas(this.frame.pageWidth, this.frame.pageHeight);
    this.pages.push(page);
    this.decorate(page, this.pages.length - 1);
    this.y = this.contentTop(this.pages.length - 1);
  }

  /** Height the next page would offer. */
  get freshPageHeight(): number {
    return this.contentTop(this.pages.length) - this.frame.bottom;
  }

  /** Vertical space; swallowed at the top of a page. */
  gap(height: number): void {
    if (!this.atTop) this.y -= Math.min(height, this.remaining);
  }

  /** Starts a new page unless `height` fits on this one (or this page is still empty). */
  ensure(height: number): void {
    if (height > this.remaining && !this.atTop) this.newPage();
  }

  /**
   * Places rows. `keepTogether` moves the whole group to a new page when it does not fit here but
   * would on a fresh page; `repeat` rows (a table header) are drawn again at the top of every page
   * the group continues on.
   */
  placeRows(rows: readonly Row[], options: { keepTogether?: boolean; repeat?: readonly Row[] } = {}): void {
    const repeat = options.repeat ?? [];
    const repeatHeight = repeat.reduce((sum, r) => sum + rowHeight(r), 0);
    const continuePage = (): void => {
      this.newPage();
      for (const r of repeat) this.drawRow(r);
    };
    const total = rows.reduce((sum, r) => sum + rowHeight(r), 0);
    if (options.keepTogether && total > this.remaining && total <= this.freshPageHeight - repeatHeight && !this.atTop)
      continuePage();
    for (const original of rows) {
      let row = original;
      let height = rowHeight(row);
      if (height > this.remaining && height <= this.freshPageHeight - repeatHeight && !this.atTop) {
        continuePage();
      }
      let freshPage = false;
      while (height > this.remaining + 1e-6) {
        const parts = splitRow(row, this.remaining);
        if (parts === null) {
          // Not one line fits even on a page just started: the layout cannot go on.
          if (freshPage || this.atTop) throw new Error('a line is taller than a page');
          continuePage();
          freshPage = true;
          continue;
        }
        this.drawRow(parts[0]);
        row = parts[1];
        height = rowHeight(row);
        continuePage();
        freshPage = true;
      }
      this.drawRow(row);
    }
  }

  /** Draws a row at the current position and moves below it. */
  drawRow(row: Row): void {
    const page = this.page;
    const height = rowHeight(row);
    const top = this.y;
    const width = row.columns.reduce((a, b) => a + b, 0);
    if (row.fillGray !== undefined) page.rect(this.frame.left, top - height, width, height, { fillGray: row.fillGray });
    const shifts = cellShifts(row);
    let x = this.frame.left;
    row.cells.forEach((lines, column) => {
      let lineTop = top - row.padTop - shifts[column];
      for (const line of lines) {
        page.text(x + row.padX, lineTop - baselineOffset(line.style), line.text, line.style);
        lineTop -= line.style.leading;
      }
      x += row.columns[column];
    });
    if (row.ruleBelow)
      page.line(
        this.frame.left,
        top - height,
        this.frame.left + width,
        top - height,
        row.ruleBelow.width,
        row.ruleBelow.gray,
      );
    this.y = top - height;
  }
}
