/**
 * A real PostgreSQL for tests: Debian's server (CI installs the postgresql package), in a
 * temporary directory, listening only on a Unix socket there. Run as the postgres user when
 * the tests run as root (PostgreSQL refuses root). Stopped, and its files removed, by stop().
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPostgres {
  /** A connection URL with a user and a password (the server trusts its socket: the password is there to be kept secret). */
  url: string;
  stop: () => void;
}

function versions(): string[] {
  const root = '/usr/lib/postgresql';
  return existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
}

/** Why PostgreSQL tests cannot run here, or false: they skip (as browser tests do without Chromium) rather than fail. */
export const postgresSkip: string | false =
  versions().length === 0 ? "PostgreSQL's server is not installed (apt-get install -y postgresql; .ci/run installs it)" : false;

function binDir(): string {
  const found = versions();
  if (found.length === 0) throw new Error(postgresSkip as string);
  return join('/usr/lib/postgresql', found.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

export function startPostgres(): TestPostgres {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'cs-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (command: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : join(bin, command), asRoot ? ['-u', 'postgres', '--', join(bin, command), ...args] : args, {
      stdio: 'pipe',
      timeout: 60_000,
    });
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'segments', '--no-sync', '-E', 'UTF8']);
  run('pg_ctl', ['-D', data, '-w', '-t', '60', '-l', join(dir, 'log'), '-o', `-k ${dir} -c listen_addresses='' -c fsync=off`, 'start']);
  return {
    url: `postgresql://segments:s3cret-pass@localhost/postgres?host=${encodeURIComponent(dir)}`,
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
