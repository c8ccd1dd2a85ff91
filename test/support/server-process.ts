/** The real server (npm start's entry point) in a child process, for fault and load tests. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  base: string;
  output: () => string;
  exited: PromiseLike<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ServerProcessOptions {
  /** Run the bundle npm start runs (dist/, see scripts/build.mjs) instead of the sources under tsx. */
  built?: boolean;
  /** Node options before the entry point, such as a preloaded probe. */
  nodeArgs?: string[];
  /** Open an IPC channel (child.send / 'message'). */
  ipc?: boolean;
}

/** Builds the bundle npm start runs (scripts/build.mjs, about a second). */
export function buildServer(): void {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the server build failed: ${build.stderr}`);
}

/**
 * npm start's command line as environment and node arguments ("VAR=value node --flag
 * dist/main.js"), so the built server runs here exactly as npm start runs it.
 */
export function startCommand(): { env: Record<string, string>; nodeArgs: string[] } {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const words = scripts.start.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (words.length > 0 && /^[A-Z_]+=/.test(words[0])) {
    const [name, ...value] = words.shift()!.split('=');
    env[name] = value.join('=');
  }
  if (words.shift() !== 'node') throw new Error(`npm start does not run node: ${scripts.start}`);
  return { env, nodeArgs: words };
}

/**
 * Every server a test started dies with the test process, and none keeps that process
 * alive: a test that fails before its own kill neither hangs the file nor leaves a server.
 */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export async function startServerProcess(dbPath: string, env: Record<string, string> = {}, options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const start = options.built ? startCommand() : { env: {}, nodeArgs: ['--import', 'tsx', 'server/main.ts'] };
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...start.nodeArgs], {
    cwd: ROOT, env: { ...process.env, ...start.env, DB_PATH: dbPath, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? ['ipc' as const] : [])],
  });
  children.add(child);
  child.unref();
  for (const pipe of [child.stdout, child.stderr]) (pipe as unknown as { unref?: () => void }).unref?.();
  let output = '';
  child.stderr!.on('data', (d) => (output += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => {
    children.delete(child);
    resolve({ code, signal });
  }));
  // The child is unref'd: a test awaiting its exit keeps this process alive meanwhile.
  const exited: PromiseLike<{ code: number | null; signal: NodeJS.Signals | null }> = {
    then: (onExit, onError) => {
      const keepAlive = setInterval(() => {}, 1000);
      return exit.finally(() => clearInterval(keepAlive)).then(onExit, onError);
    },
  };
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${output}`)), 60_000);
    child.stdout!.on('data', (d) => {
      output += d;
      const match = output.match(/is serving (http:\/\/[\d.]+:\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exit.then(() => reject(new Error(`the server exited: ${output}`)));
  });
  return { child, base, output: () => output, exited };
}
