/** Uploaded files wait here between the preview and the import, under a random token. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.ts';

const STALE_MS = 60 * 60 * 1000;

export class UploadStaging {
  readonly dir: string;

  constructor(dir = join(tmpdir(), 'customer-segments-uploads')) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  newToken(): string {
    return randomBytes(16).toString('hex');
  }

  /** The staged file of a token; the token's form is checked, so no path is ever user text. */
  path(token: string): string {
    if (!/^[a-f0-9]{32}$/.test(token)) throw new InputError('This upload link is not valid; upload the file again.', { status: 404 });
    return join(this.dir, `${token}.csv`);
  }

  existingPath(token: string): string {
    const path = this.path(token);
    try {
      statSync(path);
    } catch {
      throw new InputError('This upload has expired or was already imported; upload the file again.', { status: 404 });
    }
    return path;
  }

  discard(token: string): void {
    rmSync(this.path(token), { force: true });
  }

  /** Removes uploads nobody imported within the hour. */
  sweep(now = Date.now()): void {
    for (const name of readdirSync(this.dir)) {
      const path = join(this.dir, name);
      try {
        if (now - statSync(path).mtimeMs > STALE_MS) rmSync(path, { force: true });
      } catch {
        // Removed meanwhile: nothing to do.
      }
    }
  }
}
