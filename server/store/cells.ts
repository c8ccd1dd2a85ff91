/** A value as SQLite stores a customer's cell: a number, text, or null for missing. */
export type CellValue = number | string | null;
