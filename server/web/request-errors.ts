/**
 * Errors the body parsers and the upload reader raise about a request, as a status and a
 * sentence a person can act on. Anything else is ours: a 500, logged.
 */
interface ParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  code?: string;
  charset?: string;
  encoding?: string;
  message?: string;
  /** The raw body body-parser could not parse. */
  body?: unknown;
}

/** What is wrong with a JSON body body-parser refused, in words. */
function jsonProblem(e: ParserError): string {
  const raw = typeof e.body === 'string' ? e.body.trim() : '';
  if (raw === '') return 'The request body is empty; send a JSON object.';
  try {
    JSON.parse(raw);
    // Valid JSON, refused by the strict parser: a bare number, string or literal.
    return 'The request body must be a JSON object or array, not a bare number, string or literal.';
  } catch {
    const where = /position \d+/.exec(e.message ?? '')?.[0];
    return `The request body is not valid JSON${where ? ` (the error is at ${where})` : ''}; check its quotes, commas and brackets.`;
  }
}

const MULTIPART_MESSAGES: [RegExp, string][] = [
  [
    /boundary not found/i,
    'The multipart body has no boundary; send it as multipart/form-data with a boundary (curl -F does this), or send the CSV as a ' +
      'text/csv body.',
  ],
  [/unexpected end of (form|multipart)/i, 'The upload was cut off before it ended; send the whole file again.'],
  [
    /malformed part header|unexpected part|unsupported content type/i,
    'The multipart body is not well formed; send the file in the field "file".',
  ],
];

export function describeRequestError(error: unknown): { status: number; message: string } | undefined {
  const e = (error ?? {}) as ParserError;
  switch (e.type) {
    case 'entity.parse.failed':
      return { status: 400, message: jsonProblem(e) };
    case 'entity.too.large':
      return { status: 413, message: 'The request body is too large.' };
    case 'parameters.too.many':
      return { status: 413, message: 'The form has too many fields.' };
    case 'charset.unsupported':
      return { status: 415, message: `The body's charset "${String(e.charset ?? '').slice(0, 40)}" is not supported; send UTF-8.` };
    case 'encoding.unsupported':
      return {
        status: 415,
        message:
          `The Content-Encoding "${String(e.encoding ?? '').slice(0, 40)}" is not supported; send the body uncompressed, or as ` +
          `gzip, deflate or br.`,
      };
    case 'request.aborted':
      return { status: 400, message: 'The request was aborted before its body arrived.' };
    case 'request.size.invalid':
      return { status: 400, message: 'The body is not as long as its Content-Length says.' };
    default:
      break;
  }
  // A compressed body that does not decompress (zlib says why).
  if (typeof e.code === 'string' && /^Z_(DATA|BUF)_ERROR$/.test(e.code))
    return {
      status: 400,
      message: 'The body says it is compressed (Content-Encoding) but does not decompress; send it uncompressed or fix the encoding.',
    };
  for (const [pattern, message] of MULTIPART_MESSAGES) if (pattern.test(e.message ?? '')) return { status: 400, message };
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return { status, message: 'The request was not understood; check its headers and body.' };
  return undefined;
}
