/** The real server (npm start's entry point) in a child process, for fault and load tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ServerProcessOptions {
  /** Run the bundle npm start runs (dist/, see scripts/build.mjs) instead of the sources under tsx. */
  built?: boolean;
  /** Node options before the entry point, such as a preloaded probe. */
  nodeArgs?: string[];
  /** Open an IPC channel (child.send / 'message'). */
  ipc?: boolean;
}

export async function startServerProcess(dbPath: string, env: Record<string, string> = {}, options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const entry = options.built ? ['dist/main.js'] : ['--import', 'tsx', 'server/main.ts'];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry], {
    cwd: ROOT, env: { ...process.env, DB_PATH: dbPath, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? ['ipc' as const] : [])],
  });
  let output = '';
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
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
    void exited.then(() => reject(new Error(`the server exited: ${output}`)));
  });
  return { child, base, output: () => output, exited };
}
