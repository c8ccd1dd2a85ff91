/** Import choices from a form or query string, validated into ImportOptions. */
import { z } from 'zod';
import { ROLES } from '../analysis/roles.ts';
import type { ColumnKind } from '../analysis/table.ts';
import { InputError } from '../errors.ts';
import type { Delimiter } from './delimiter.ts';
import type { CsvReadOptions } from './stream-import.ts';

const DELIMITERS: Record<string, Delimiter> = { ',': ',', comma: ',', ';': ';', semicolon: ';', '\t': '\t', tab: '\t' };
export const KINDS = ['numeric', 'categorical', 'id', 'date', 'text'] as const satisfies readonly ColumnKind[];
export const KIND_PREFIX = 'kind:';
export const ROLE_PREFIX = 'role:';
/** How the preview names each kind. */
export const KIND_LABELS: Record<ColumnKind, string> = {
  numeric: 'numeric',
  categorical: 'categorical',
  id: 'identifier',
  date: 'date',
  text: 'free text',
};

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
  const kinds = perColumnChoices(fields, KIND_PREFIX, 'kind', KINDS);
  if (kinds) choices.kinds = kinds;
  const roles = perColumnChoices(fields, ROLE_PREFIX, 'role', ROLES);
  if (roles) choices.roles = roles;
  return choices;
}

/** The `kind:<column>` or `role:<column>` fields, each one of `allowed`; undefined when there are none. */
function perColumnChoices<T extends string>(
  fields: Record<string, unknown>,
  prefix: string,
  what: string,
  allowed: readonly T[],
): Record<string, T> | undefined {
  // Column names are user text: no prototype ("constructor", "toString") may answer for one.
  const chosen = Object.create(null) as Record<string, T>;
  for (const [key, value] of Object.entries(fields)) {
    if (!key.startsWith(prefix)) continue;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      throw new InputError(`The ${what} of "${key.slice(prefix.length).slice(0, 60)}" must be one of ${allowed.join(', ')}.`, {
        field: key,
      });
    }
    chosen[key.slice(prefix.length)] = value as T;
  }
  return Object.keys(chosen).length > 0 ? chosen : undefined;
}

export function delimiterName(delimiter: Delimiter): string {
  return delimiter === ',' ? 'comma' : delimiter === ';' ? 'semicolon' : 'tab';
}
