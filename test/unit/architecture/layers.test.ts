/**
 * The house's one-way rule, read from the code: every import of server/ goes to a lower (or
 * the same) layer, and no files import each other in a circle. The layers are DESIGN.md's.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../server/', import.meta.url));

/** Lowest first: a file may import its own layer and those before it, never one after. */
export const LAYERS: readonly (readonly string[])[] = [
  ['defaults.ts', 'cache-key.ts', 'derived-cache.ts', 'format.ts', 'errors.ts', 'names.ts'],
  ['analysis'],
  ['segmentation'],
  ['store'],
  ['ingest'],
  ['scoring'],
  ['sources'],
  ['engine'],
  ['models'],
  ['live'],
  ['webhooks'],
  ['registration'],
  // A route is the web layer wherever its feature keeps it.
  ['web', 'live/live-routes.ts'],
  // Entry points: they read the environment (config.ts) and wire everything.
  ['config.ts', 'services.ts', 'app.ts', 'serve.ts', 'main.ts', 'ingest/cli.ts', 'scoring/score-cli.ts'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(entry.name) ? [relative(ROOT, path)] : [];
  });
}

/** Relative imports, static, dynamic and type-only, as paths under server/. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
  return specifiers.map((s) => normalize(join(dirname(file), s))).filter((p) => !p.startsWith('..'));
}

function layerOf(file: string): number {
  const top = file.split('/')[0];
  const own = LAYERS.findIndex((names) => names.includes(file));
  const index = own >= 0 ? own : LAYERS.findIndex((names) => names.includes(top));
  assert.ok(index >= 0, `${file} is in no layer: add its folder to LAYERS (and to DESIGN's layout)`);
  return index;
}

const files = sourceFiles(ROOT);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('the one-way rule', () => {
  it('has every import of server/ go to the same layer or a lower one', () => {
    const upward = [...graph].flatMap(([file, imports]) => imports.filter((to) => layerOf(to) > layerOf(file)).map((to) => `${file} -> ${to}`));
    assert.deepEqual(upward, []);
  });

  it('has no files that import each other in a circle, type-only imports included', () => {
    const state = new Map<string, 'open' | 'done'>();
    const circles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        circles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const to of graph.get(file) ?? []) visit(to, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    assert.deepEqual(circles, []);
  });

  it('keeps the leaves leaves: defaults, cache keys and formats import nothing of ours', () => {
    for (const leaf of ['defaults.ts', 'cache-key.ts', 'format.ts']) assert.deepEqual(graph.get(leaf), [], leaf);
  });
});
