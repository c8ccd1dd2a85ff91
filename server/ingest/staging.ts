/**
 * Uploaded files wait here between the preview and the import, under a random token.
 *
 * A file is written as `<token>.part` while it arrives and while an API import reads it;
 * a preview keeps it as `<token>.csv` until the user imports it. A `.part` file at start-up
 * belongs to a process that died mid-upload or mid-import, so `recover()` removes it, and
 * kept files nobody imported within a day go too.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.ts';

const STALE_MS = 24 * 60 * 60 * 1000;

/** The staging folder of a database file: beside it, so two dashboards never share one. */
export function stagingDirFor(dbPath: string): string {
  return `${dbPath}-uploads`;
}

export class UploadStaging {
  readonly dir: string;

  /** Without a folder, a fresh one of its own in the system's temporary folder. */
  constructor(dir = mkdtempSync(join(tmpdir(), 'customer-segments-uploads-'))) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  newToken(): string {
    return randomBytes(16).toString('hex');
  }

  private checked(token: string): string {
    if (!/^[a-f0-9]{32}$/.test(token)) throw new InputError('This upload link is not valid; upload the file again.', { status: 404 });
    return token;
  }

  /** Where an arriving upload is written; the token's form is checked, so no path is ever user text. */
  incomingPath(token: string): string {
    return join(this.dir, `${this.checked(token)}.part`);
  }

  /** A file kept for a later import (a preview). */
  keep(token: string): void {
    renameSync(this.incomingPath(token), this.keptPath(token));
  }

  private keptPath(token: string): string {
    return join(this.dir, `${this.checked(token)}.csv`);
  }

  existingPath(token: string): string {
    const path = this.keptPath(token);
    try {
      statSync(path);
    } catch {
      throw new InputError('This upload has expired or was already imported; upload the file again.', { status: 404 });
    }
    return path;
  }

  discard(token: string): void {
    rmSync(this.incomingPath(token), { force: true });
    rmSync(this.keptPath(token), { force: true });
  }

  /** Removes kept uploads nobody imported within a day. */
  sweep(now = Date.now()): void {
    for (const name of readdirSync(this.dir)) this.removeIf(name, (path) => now - statSync(path).mtimeMs > STALE_MS);
  }

  /** At start-up: what a killed process left half-written goes, and so do stale uploads. */
  recover(now = Date.now()): void {
    for (const name of readdirSync(this.dir))
      this.removeIf(name, (path) => name.endsWith('.part') || now - statSync(path).mtimeMs > STALE_MS);
  }

  private removeIf(name: string, stale: (path: string) => boolean): void {
    const path = join(this.dir, name);
    try {
      if (stale(path)) rmSync(path, { force: true });
    } catch {
      // Removed meanwhile: nothing to do.
    }
  }
}
