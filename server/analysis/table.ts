/** The in-memory shape of one dataset: one typed column per feature, as analysis sees it. */

export type ColumnKind = 'numeric' | 'categorical' | 'id' | 'date' | 'text';

/** Kinds analysis never reads: identifiers, dates and free text. */
export type UnanalysedKind = 'id' | 'date' | 'text';

/** How messages name them: "is an identifier column". */
export const UNANALYSED_KIND_NAMES: Record<UnanalysedKind, string> = { id: 'an identifier', date: 'a date', text: 'a free-text' };

export interface NumericColumn {
  name: string;
  kind: 'numeric';
  /** NaN marks a missing value. */
  values: Float64Array;
}

export interface TextColumn {
  name: string;
  kind: 'categorical' | UnanalysedKind;
  /** null marks a missing value. */
  values: (string | null)[];
}

export type Column = NumericColumn | TextColumn;

export interface DataTable {
  rowCount: number;
  columns: Column[];
  /** Identifier, date and free-text columns left unloaded because analysis never reads them. */
  omitted?: { name: string; kind: UnanalysedKind }[];
}

/** Every column's name and kind, loaded or not: what checks against a dataset's shape need. */
export function columnKinds(table: DataTable): { name: string; kind: ColumnKind }[] {
  return [...table.columns, ...(table.omitted ?? [])];
}

export function findColumn(table: DataTable, name: string): Column | undefined {
  return table.columns.find((c) => c.name === name);
}

