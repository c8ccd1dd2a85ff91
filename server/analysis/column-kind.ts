/** How a column is stored and whether analysis reads it: a leaf both the table and the roles read. */
export type ColumnKind = 'numeric' | 'categorical' | 'id' | 'date' | 'text';

/** Kinds analysis never reads: identifiers, dates and free text. */
export type UnanalysedKind = 'id' | 'date' | 'text';

/** How messages name them: "is an identifier column". */
export const UNANALYSED_KIND_NAMES: Record<UnanalysedKind, string> = { id: 'an identifier', date: 'a date', text: 'a free-text' };
