/** Bad input from a user: the web layer answers it with a 4xx and this message. */
export class InputError extends Error {
  readonly status: number;
  readonly field?: string;

  constructor(message: string, options: { field?: string; status?: number } = {}) {
    super(message);
    this.name = 'InputError';
    this.field = options.field;
    this.status = options.status ?? 400;
  }
}

export class NotFoundError extends InputError {
  constructor(message: string) {
    super(message, { status: 404 });
    this.name = 'NotFoundError';
  }
}

/**
 * A queued analysis nobody is waiting for any more: the same browser view asked for something
 * newer, or the client went away. Answered with 204 (htmx swaps nothing).
 */
export class SupersededError extends Error {
  constructor(message = 'A newer request for the same view replaced this one.') {
    super(message);
    this.name = 'SupersededError';
  }
}

/** Too much analysis already queued: the client should retry shortly (503). */
export class BusyError extends Error {
  readonly status = 503;
  constructor(message = 'The server is busy with other analyses; try again in a few seconds.') {
    super(message);
    this.name = 'BusyError';
  }
}

/**
 * A running analysis stopped because nobody waits for it any more (the client went away, or
 * a newer request from the same view replaced it): see analysis/progress.ts.
 */
export class CancelledError extends Error {
  constructor(message = 'The analysis was stopped: nobody was waiting for it any more.') {
    super(message);
    this.name = 'CancelledError';
  }
}
