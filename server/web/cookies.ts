/** Reading and writing the two cookies the dashboard sets, without a parser dependency. */
import type { Request, Response } from 'express';

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * HttpOnly (scripts cannot read it), SameSite=Strict (other sites' requests do not carry it)
 * and Secure when the request came over HTTPS (directly or through a trusted proxy).
 */
export function setStrictCookie(req: Request, res: Response, name: string, value: string, maxAgeSeconds?: number): void {
  res.cookie(name, value, {
    httpOnly: true,
    sameSite: 'strict',
    secure: req.secure,
    path: '/',
    maxAge: maxAgeSeconds === undefined ? undefined : maxAgeSeconds * 1000,
  });
}
