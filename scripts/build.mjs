/**
 * Bundles the server for `npm start`: plain JavaScript that Node runs without the TypeScript
 * loader. Running the server under tsx costs about 75 MB more resident memory (its loader
 * thread and transform caches), which counts against the memory budget at a million
 * customers. Tests and tools still run the sources with tsx.
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** dist/main.js and dist/engine/worker.js, and the chunks they share in dist/: the same layout as server/, so relative paths hold. */
export async function buildServer() {
  // Chunk names change with their contents: an earlier build's would stay beside the new ones.
  rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: ['server/main.ts', 'server/engine/worker.ts'],
    outbase: 'server',
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    // Chunks, so that main.js can start the workers before it loads the web server (serve.ts).
    splitting: true,
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildServer();
