/**
 * Optional password protection (DASHBOARD_PASSWORD): a login page and a session cookie for
 * people, `Authorization: Bearer <password>` for programs. Without a password every route is
 * open, and the README says so.
 */
import { randomBytes } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { InputError } from '../errors.ts';
import { readCookie, setStrictCookie } from './cookies.ts';
import { isHtmx } from './render.ts';
import { sameSecret } from './secrets.ts';

export interface AuthSettings {
  password: string;
  /** Lockout after the first failed login; doubles with each further failure (default 1 s). */
  failureDelayMs?: number;
  /** Session lifetime (default 12 hours). */
  sessionSeconds?: number;
  /** The clock lockouts and sessions run on, in milliseconds (tests pass their own). */
  now?: () => number;
}

export const SESSION_COOKIE = 'cs_session';
const MAX_LOCKOUT_MS = 60_000;

/** Failed logins per client address: each failure locks the address out for longer. */
class LoginThrottle {
  private readonly failures = new Map<string, { count: number; until: number }>();
  constructor(
    private readonly baseDelayMs: number,
    private readonly now: () => number,
  ) {}

  /** Milliseconds this client must still wait, 0 if it may try now. */
  waitFor(client: string): number {
    const entry = this.failures.get(client);
    return entry ? Math.max(0, entry.until - this.now()) : 0;
  }

  fail(client: string): number {
    const count = (this.failures.get(client)?.count ?? 0) + 1;
    const delay = Math.min(MAX_LOCKOUT_MS, this.baseDelayMs * 2 ** (count - 1));
    this.failures.set(client, { count, until: this.now() + delay });
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value!);
    return delay;
  }

  succeed(client: string): void {
    this.failures.delete(client);
  }
}

const loginForm = z.object({
  password: z
    .string({ error: 'Enter the password.' })
    .min(1, { error: 'Enter the password.' })
    .max(1000, { error: 'That password is too long.' }),
  next: z.string().max(2000).optional(),
  _csrf: z.string().optional(),
});

/** Only same-site paths: a login link cannot send people elsewhere afterwards. */
function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])/.test(next) ? next : '/';
}

export class Auth {
  private readonly sessions = new Map<string, number>();
  private readonly throttle: LoginThrottle;
  private readonly sessionMs: number;
  private readonly now: () => number;

  constructor(private readonly settings: AuthSettings) {
    this.now = settings.now ?? Date.now;
    this.throttle = new LoginThrottle(settings.failureDelayMs ?? 1000, this.now);
    this.sessionMs = (settings.sessionSeconds ?? 12 * 3600) * 1000;
  }

  bearerAccepted(req: Request): boolean {
    const header = req.get('Authorization');
    const match = header?.match(/^Bearer (.+)$/);
    return !!match && sameSecret(match[1], this.settings.password);
  }

  private sessionValid(req: Request): boolean {
    const id = readCookie(req, SESSION_COOKIE);
    if (!id) return false;
    const expires = this.sessions.get(id);
    if (expires === undefined) return false;
    if (expires < this.now()) {
      this.sessions.delete(id);
      return false;
    }
    return true;
  }

  /**
   * Everything below this middleware needs a session or the bearer password. A wrong
   * bearer password counts as a failed login: the same lockout per address, doubling.
   */
  required(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      if (this.sessionValid(req)) return next();
      if (req.get('Authorization')?.startsWith('Bearer ')) {
        const client = req.ip ?? 'unknown';
        const waiting = this.throttle.waitFor(client);
        if (waiting > 0) {
          const seconds = Math.ceil(waiting / 1000);
          res
            .set('Retry-After', String(seconds))
            .status(429)
            .json({
              error: `Too many wrong passwords from this address. Wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`,
            });
          return;
        }
        if (this.bearerAccepted(req)) {
          this.throttle.succeed(client);
          return next();
        }
        const delay = this.throttle.fail(client);
        res
          .set('WWW-Authenticate', 'Bearer realm="Customer Segments", error="invalid_token"')
          .set('Retry-After', String(Math.ceil(delay / 1000)))
          .status(401)
          .json({
            error:
              `That password is not right. This address may try again in ${Math.ceil(delay / 1000)} ` +
              `second${delay <= 1000 ? '' : 's'}.`,
          });
        return;
      }
      if (req.path.startsWith('/api/') || req.path === '/events' || !req.accepts('html')) {
        res
          .set('WWW-Authenticate', 'Bearer realm="Customer Segments"')
          .status(401)
          .json({ error: 'Sign in first: send Authorization: Bearer <dashboard password>.' });
        return;
      }
      const login = `/login?next=${encodeURIComponent(req.originalUrl)}`;
      if (isHtmx(req)) {
        // htmx follows this header with a full page load.
        res.set('HX-Redirect', login).status(401).end();
        return;
      }
      res.redirect(303, login);
    };
  }

  routes(): Router {
    const router = Router();
    router.get('/login', (req, res) => {
      res.render('login', {
        title: 'Sign in',
        next: safeNext(typeof req.query.next === 'string' ? req.query.next : undefined),
        message: undefined,
      });
    });
    router.post('/login', async (req, res) => {
      const client = req.ip ?? 'unknown';
      const fields = loginForm.safeParse(req.body ?? {});
      const next = safeNext(fields.success ? fields.data.next : undefined);
      const waiting = this.throttle.waitFor(client);
      if (waiting > 0) {
        const seconds = Math.ceil(waiting / 1000);
        res
          .set('Retry-After', String(seconds))
          .status(429)
          .render('login', {
            title: 'Sign in',
            next,
            message: `Too many failed attempts. Wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`,
          });
        return;
      }
      if (!fields.success) throw new InputError(fields.error.issues[0].message, { field: 'password' });
      if (!sameSecret(fields.data.password, this.settings.password)) {
        const delay = this.throttle.fail(client);
        res.status(401).render('login', {
          title: 'Sign in',
          next,
          message: `That password is not right. You can try again in ${Math.ceil(delay / 1000)} second${delay <= 1000 ? '' : 's'}.`,
        });
        return;
      }
      this.throttle.succeed(client);
      const id = randomBytes(32).toString('base64url');
      this.sessions.set(id, this.now() + this.sessionMs);
      setStrictCookie(req, res, SESSION_COOKIE, id, this.sessionMs / 1000);
      res.redirect(303, next);
    });
    router.post('/logout', (req, res) => {
      const id = readCookie(req, SESSION_COOKIE);
      if (id) this.sessions.delete(id);
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      res.redirect(303, '/login');
    });
    return router;
  }
}

/** Login and logout forms are plain form posts: parsed before the CSRF check reads _csrf. */
export const loginBody = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });
