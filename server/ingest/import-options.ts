/** Import choices from a form or query string, validated into ImportOptions. */
import { z } from 'zod';
import { ROLES, type ColumnRole } from '../analysis/roles.ts';
import type { ColumnKind } from '../analysis/table.ts';
import { InputError } from '../errors.ts';
import type { Delimiter } from './delimiter.ts';
import type { CsvReadOptions } from './stream-import.ts';

const DELIMITERS: Record<string, Delimiter> = { ',': ',', comma: ',', ';': ';', semicolon: ';', '\t': '\t', tab: '\t' };
export const KINDS = ['numeric', 'categorical', 'id', 'date', 'text'] as const satisfies readonly ColumnKind[];
export const KIND_PREFIX = 'kind:';
export const ROLE_PREFIX = 'role:';
/** How the preview names each kind. */
export const KIND_LABELS: Record<ColumnKind, string> = { numeric: 'numeric', categorical: 'categorical', id: 'identifier', date: 'date', text: 'free text' };

const flag = z.enum(['true', 'false', 'on', '1', '0']).transform((v) => v === 'true' || v === 'on' || v === '1');

export interface ImportChoices extends CsvReadOptions {
  name?: string;
  rfm: boolean;
}

export function parseImportChoices(fields: Record<string, unknown>): ImportChoices {
  const single = (key: string): string | undefined => {
    const v = fields[key];
    if (Array.isArray(v)) throw new InputError(`The field "${key}" is given more than once.`, { field: key });
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const choices: ImportChoices = { rfm: false };
  const name = single('name');
  if (name !== undefined) choices.name = name;
  const delimiter = single('delimiter');
  if (delimiter !== undefined) {
    if (!(delimiter in DELIMITERS)) throw new InputError('delimiter must be comma, semicolon or tab.', { field: 'delimiter' });
    choices.delimiter = DELIMITERS[delimiter];
  }
  for (const key of ['hasHeader', 'rfm', 'dayFirst'] as const) {
    const raw = single(key);
    if (raw === undefined) continue;
    const parsed = flag.safeParse(raw);
    if (!parsed.success) throw new InputError(`${key} must be true or false.`, { field: key });
    if (key === 'rfm') choices.rfm = parsed.data;
    else choices[key] = parsed.data;
  }
  // Column names are user text: no prototype ("constructor", "toString") may answer for one.
  const kinds: Record<string, ColumnKind> = Object.create(null) as Record<string, ColumnKind>;
  for (const [key, value] of Object.entries(fields)) {
    if (!key.startsWith(KIND_PREFIX)) continue;
    if (typeof value !== 'string' || !(KINDS as readonly string[]).includes(value)) {
      throw new InputError(`The kind of "${key.slice(KIND_PREFIX.length).slice(0, 60)}" must be one of ${KINDS.join(', ')}.`, { field: key });
    }
    kinds[key.slice(KIND_PREFIX.length)] = value as ColumnKind;
  }
  if (Object.keys(kinds).length) choices.kinds = kinds;
  const roles: Record<string, ColumnRole> = Object.create(null) as Record<string, ColumnRole>;
  for (const [key, value] of Object.entries(fields)) {
    if (!key.startsWith(ROLE_PREFIX)) continue;
    if (typeof value !== 'string' || !(ROLES as readonly string[]).includes(value)) {
      throw new InputError(`The role of "${key.slice(ROLE_PREFIX.length).slice(0, 60)}" must be one of ${ROLES.join(', ')}.`, { field: key });
    }
    roles[key.slice(ROLE_PREFIX.length)] = value as ColumnRole;
  }
  if (Object.keys(roles).length) choices.roles = roles;
  return choices;
}

export function delimiterName(delimiter: Delimiter): string {
  return delimiter === ',' ? 'comma' : delimiter === ';' ? 'semicolon' : 'tab';
}
