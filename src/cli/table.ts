// Plain-text tables for people: aligned columns, long cells cut with an ellipsis.

export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string;
  /** Longest the column may grow; longer cells are cut. */
  readonly max?: number;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((column) => cut(column.value(row).replace(/\s+/g, ' '), column.max ?? 80)));
  const widths = columns.map((column, index) => Math.max(column.header.length, ...cells.map((line) => line[index]?.length ?? 0)));
  const line = (values: readonly string[]) =>
    values
      .map((value, index) => (index === values.length - 1 ? value : value.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...cells.map(line)].join('\n');
}
