/** Request bodies to staged files: multipart uploads and text/csv bodies, both size-limited. */
import { formatMegabytes } from '../format.ts';
import { createWriteStream } from 'node:fs';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { InputError } from '../errors.ts';
import type { UploadStaging } from '../ingest/staging.ts';

export interface StagedUpload {
  token: string;
  path: string;
  originalName?: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    staged?: StagedUpload;
  }
}

function tooLarge(maxBytes: number): InputError {
  return new InputError(`The file is larger than the ${formatMegabytes(maxBytes)} limit; split it or raise MAX_UPLOAD_MB.`, {
    status: 413,
  });
}

/** Multipart field "file" (plus any text fields) to a staged file. */
export function multipartUpload(staging: UploadStaging, maxBytes: number): RequestHandler {
  const upload = multer({
    storage: multer.diskStorage({
      destination: staging.dir,
      filename: (req, _file, done) => {
        const token = staging.newToken();
        req.staged = { token, path: staging.incomingPath(token) };
        done(null, `${token}.part`);
      },
    }),
    limits: { fileSize: maxBytes, files: 1, fields: 50 },
  }).single('file');
  return (req: Request, res: Response, next: NextFunction) => {
    upload(req, res, (error: unknown) => {
      if (error instanceof multer.MulterError) {
        if (req.staged) staging.discard(req.staged.token);
        next(
          error.code === 'LIMIT_FILE_SIZE'
            ? tooLarge(maxBytes)
            : new InputError(`The upload was not understood: ${error.message}; send the CSV in the field "file".`),
        );
        return;
      }
      if (error) {
        next(error);
        return;
      }
      if (req.staged && req.file) req.staged.originalName = req.file.originalname;
      next();
    });
  };
}

/** A raw text/csv body streamed to a staged file, never held as one string. */
export function stageRawBody(req: Request, staging: UploadStaging, maxBytes: number): Promise<StagedUpload> {
  const token = staging.newToken();
  const path = staging.incomingPath(token);
  return new Promise((resolve, reject) => {
    let size = 0;
    const out = createWriteStream(path);
    const fail = (error: Error) => {
      out.destroy();
      staging.discard(token);
      reject(error);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.unpipe(out);
        req.resume();
        fail(tooLarge(maxBytes));
      }
    });
    req.on('error', fail);
    out.on('error', fail);
    out.on('finish', () => {
      if (size <= maxBytes) resolve({ token, path });
    });
    req.pipe(out);
  });
}
