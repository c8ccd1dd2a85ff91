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
