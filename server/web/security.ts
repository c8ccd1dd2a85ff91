/**
 * Browser-facing protections: security headers with a strict Content-Security-Policy, and a
 * CSRF token every state-changing request must carry.
 */
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { InputError } from '../errors.ts';
import { readCookie, setStrictCookie } from './cookies.ts';
import { sameSecret } from './secrets.ts';

/**
 * No inline scripts or styles and no eval: the pages load their scripts and styles from this
 * server, htmx runs without hx-on or js: expressions, its indicator CSS is off
 * (includeIndicatorCSS in the htmx-config meta tag), and so is its settle step
 * (defaultSettleDelay 0), which copied the style attributes Chart.js leaves on a swapped
 * region's elements onto the new ones as inline styles.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // Chart PNG downloads are data: URLs made from the canvas.
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        // The live-update stream shared by every tab runs in a SharedWorker (public/live-stream.js).
        workerSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // The dashboard may be served over plain HTTP on a LAN: no HSTS unless behind HTTPS.
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'same-origin' },
  });
}

export const CSRF_COOKIE = 'cs_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';
/** Plain HTML forms (the login page) send the token as this field. */
export const CSRF_FIELD = '_csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A random token per browser in a strict cookie, echoed by the page into a meta tag that
 * app.js sends back as a header (double submit). Another site can make the browser send a
 * form, but it can neither read the token nor set the header.
 */
export function csrfProtection(options: { bearerAccepted: (req: Request) => boolean }): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const cookie = readCookie(req, CSRF_COOKIE);
    const valid = cookie !== undefined && /^[A-Za-z0-9_-]{43}$/.test(cookie);
    let token = valid ? cookie : undefined;
    if (!token) {
      token = randomBytes(32).toString('base64url');
      setStrictCookie(req, res, CSRF_COOKIE, token);
    }
    res.locals.csrfToken = token;
    if (SAFE_METHODS.has(req.method)) return next();
    // API clients that authenticate with a bearer token carry no ambient credentials to forge.
    if (options.bearerAccepted(req)) return next();
    // Programs (curl, scripts) send no Origin, no Fetch metadata and no cookies: nothing a
    // forged cross-site request could borrow. Browsers always send at least one of them.
    if (!req.headers.origin && !req.headers['sec-fetch-site'] && !req.headers.cookie) return next();
    const sent =
      req.get(CSRF_HEADER) ?? (typeof req.body === 'object' && req.body ? (req.body as Record<string, unknown>)[CSRF_FIELD] : undefined);
    if (valid && typeof sent === 'string' && sameSecret(sent, cookie)) return next();
    next(
      new InputError(
        "This request did not carry the page's security token (it may come from another site, or the page is out of date). Reload the " +
          'page and try again.',
        { status: 403 },
      ),
    );
  };
}
