/** The house's sizes: a server file a person can hold in their head, lines a person can read without scrolling. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../server/', import.meta.url));
const MAX_LINES = 350;
const MAX_LINE_CHARS = 140;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    // The WebAssembly kernels are generated (npm run build:kernels): one long base64 line each.
    return entry.name.endsWith('.ts') && !entry.name.endsWith('-wasm.ts') ? [path] : [];
  });
}

describe('server files', () => {
  const files = sourceFiles(ROOT).map((path) => ({ name: relative(ROOT, path), lines: readFileSync(path, 'utf8').split('\n') }));

  it(`stay at ${MAX_LINES} lines or fewer`, () => {
    assert.deepEqual(files.filter((f) => f.lines.length > MAX_LINES).map((f) => `${f.name}: ${f.lines.length} lines`), []);
  });

  it(`keep every line within ${MAX_LINE_CHARS} characters`, () => {
    const long = files.flatMap((f) => f.lines.flatMap((line, i) => (line.length > MAX_LINE_CHARS ? [`${f.name}:${i + 1} (${line.length})`] : [])));
    assert.deepEqual(long, []);
  });
});
