/**
 * The `features` parameter: column names separated by commas, CSV-style, so a name that
 * holds a comma can be chosen: `"Region, Country",age` (a quote inside a quoted name is
 * doubled). The parameter may also be repeated, one name each: `features=a&features=b`.
 */
import { InputError } from '../errors.ts';

export function parseFeatureList(raw: string | string[]): string[] {
  if (Array.isArray(raw)) return raw.map((name) => name.trim()).filter(Boolean);
  const names: string[] = [];
  let i = 0;
  while (i <= raw.length) {
    while (raw[i] === ' ') i++;
    if (raw[i] === '"') {
      let name = '';
      i++;
      for (;;) {
        if (i >= raw.length)
          throw new InputError('A quoted name in features is never closed; end it with a double quote.', { field: 'features' });
        if (raw[i] === '"' && raw[i + 1] === '"') {
          name += '"';
          i += 2;
        } else if (raw[i] === '"') {
          i++;
          break;
        } else name += raw[i++];
      }
      while (raw[i] === ' ') i++;
      if (i < raw.length && raw[i] !== ',') throw new InputError('In features, put a comma after a quoted name.', { field: 'features' });
      names.push(name);
    } else {
      const end = raw.indexOf(',', i);
      names.push(raw.slice(i, end < 0 ? raw.length : end).trim());
      i = end < 0 ? raw.length : end;
    }
    i++;
  }
  return names.filter(Boolean);
}

/** The parameter value for these names: quoted only where a name needs it. */
export function formatFeatureList(names: readonly string[]): string {
  return names.map((name) => (/[",]/.test(name) || name !== name.trim() ? `"${name.replaceAll('"', '""')}"` : name)).join(',');
}
