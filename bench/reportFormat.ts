// How the bench's tables write a figure: seconds, megabytes, ratios to the minimum, CPU shares,
// and the Markdown form of a table (the plain-text form is src/cli/table.ts).
import type { Column } from '../src/cli/table';
import type { WindowCpu } from './cpuTimeline';
import type { KindFigure } from './requestFigures';

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
export const fixed = (value: number): string => value.toFixed(2);
export const megabytes = (bytes: number | null): string => (bytes === null ? '?' : `${(bytes / 1024 / 1024).toFixed(0)} MB`);
export const ratio = (figure: KindFigure): string =>
  figure.minimum === 0 ? (figure.count === 0 ? '-' : '∞') : (figure.count / figure.minimum).toFixed(3);
export const versus = (figure: KindFigure): string =>
  `${figure.count}/${figure.minimum}${figure.refused === 0 ? '' : ` +${figure.refused} refused`}`;
export const ratioWithRefused = (figure: KindFigure): string =>
  figure.minimum === 0 ? '-' : ((figure.count + figure.refused) / figure.minimum).toFixed(3);

const percent = (share: number | null): string => (share === null ? '?' : `${(100 * share).toFixed(0)}%`);
export const busy = (window: WindowCpu): string => `sync ${percent(window.sync)} of a core, machine ${percent(window.machine)}`;

export function markdownTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  return [
    `| ${columns.map((column) => escape(column.header)).join(' | ')} |`,
    `|${columns.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${columns.map((column) => escape(column.value(row))).join(' | ')} |`),
  ].join('\n');
}
