/**
 * File paths of sources and score outputs, confined to SOURCES_DIR after every link is
 * resolved: no request reads or writes a file outside it.
 */
import { lstat, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { InputError } from '../errors.ts';

const CONTROL = /[\u0000-\u001f\u007f]/;

function within(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

async function rootOf(sourcesDir: string | undefined): Promise<string> {
  if (!sourcesDir) {
    throw new InputError(
      'File sources are off: start the server with SOURCES_DIR set to the folder that holds your Parquet, CSV or DuckDB files.',
      {
        status: 403,
        field: 'path',
      },
    );
  }
  return realpath(sourcesDir);
}

function checkText(path: string): void {
  if (CONTROL.test(path))
    throw new InputError('The path holds a control character; give a file name under SOURCES_DIR.', { field: 'path' });
}

const outside = (path: string) =>
  new InputError(`"${path.slice(0, 200)}" is outside SOURCES_DIR; give a path relative to it (links leading out are refused too).`, {
    status: 403,
    field: 'path',
  });

/** An existing file under SOURCES_DIR to read, as its real path. */
export async function readablePath(sourcesDir: string | undefined, path: string): Promise<string> {
  checkText(path);
  const root = await rootOf(sourcesDir);
  const candidate = resolve(root, path);
  if (isAbsolute(path) && !within(root, candidate)) throw outside(path);
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    if (!within(root, candidate)) throw outside(path);
    throw new InputError(`There is no file "${path.slice(0, 200)}" in SOURCES_DIR.`, { status: 404, field: 'path' });
  }
  if (!within(root, real)) throw outside(path);
  if (!(await stat(real)).isFile()) throw new InputError(`"${path.slice(0, 200)}" is a folder; give a file in it.`, { field: 'path' });
  return real;
}

/** A file under SOURCES_DIR to write (its folder must exist; a link in its place is refused), as its real path. */
export async function writablePath(sourcesDir: string | undefined, path: string): Promise<string> {
  checkText(path);
  const root = await rootOf(sourcesDir);
  const candidate = resolve(root, path);
  let folder: string;
  try {
    folder = await realpath(dirname(candidate));
  } catch {
    if (!within(root, candidate)) throw outside(path);
    throw new InputError(`The folder of "${path.slice(0, 200)}" does not exist in SOURCES_DIR; create it first.`, { field: 'path' });
  }
  const target = join(folder, basename(candidate));
  if (!within(root, target) || target === root) throw outside(path);
  const existing = await lstat(target).catch(() => undefined);
  if (existing && !existing.isFile())
    throw new InputError(`"${path.slice(0, 200)}" exists and is no plain file; choose another name.`, { field: 'path' });
  return target;
}
