/**
 * The one rule for names people give things (datasets, saved segmentations, segments, and
 * the segment names an imported model carries): 1 to 80 characters once trimmed, no control
 * characters. A name is shown in tabs, legends, file names and SQL literals; a line break,
 * BEL or NUL in one breaks each of them differently.
 */
import { z } from 'zod';
import { InputError } from './errors.ts';

export const NAME_MAX = 80;

/** C0 and C1 control characters, DEL included. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Why a name is refused, or undefined when it is a good one. `what`: "A dataset name". */
export function nameProblem(name: string, what: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > NAME_MAX) return `${what} needs 1 to ${NAME_MAX} characters (got ${trimmed.length}).`;
  if (CONTROL.test(trimmed)) return `${what} must not hold control characters (line breaks, tabs, NUL and the like).`;
  return undefined;
}

/** The same rule for code outside zod (the import, the store). */
export function checkName(name: string, what: string, field = 'name'): string {
  const problem = nameProblem(name, what);
  if (problem) throw new InputError(problem, { field });
  return name.trim();
}

/** The rule as a zod schema: trimmed text, `what` naming it in the messages. */
export const nameText = (what: string) =>
  z
    .string({ error: `${what} must be text.` })
    .superRefine((value, ctx) => {
      const problem = nameProblem(value, what);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .transform((value) => value.trim());
