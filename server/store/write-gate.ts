/**
 * One writer at a time on a database, waited for without blocking the event loop.
 *
 * better-sqlite3 is synchronous: a write that finds the database locked by another
 * connection spins on the request thread for the busy timeout and then fails with
 * "database is locked". Every write of this process goes through its database's gate
 * instead: a short write (a registration, a model save) runs in its turn, and an import's
 * commit, which spans turns of the event loop, holds the gate until it has committed.
 */
import type { Db } from './db.ts';

export class WriteGate {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs a synchronous write in its turn. */
  run<T>(write: () => T): Promise<T> {
    return this.enqueue(async () => write());
  }

  /** Holds the database for a write that spans turns of the event loop; others wait. */
  hold<T>(write: () => Promise<T>): Promise<T> {
    return this.enqueue(write);
  }

  private enqueue<T>(write: () => Promise<T>): Promise<T> {
    const turn = this.tail.then(write);
    this.tail = turn.catch(() => undefined);
    return turn;
  }
}

const gates = new WeakMap<Db, WriteGate>();

/** The gate of a database connection (one per connection this process opened). */
export function writeGate(db: Db): WriteGate {
  let gate = gates.get(db);
  if (!gate) {
    gate = new WriteGate();
    gates.set(db, gate);
  }
  return gate;
}
