import type { RequestHandler } from 'express';
import multer from 'multer';
import { BadRequest, HttpError } from '../../framework';

/**
 * Route middleware that reads one uploaded file of a multipart form into memory (`req.file`), with
 * its other fields in `req.body`, using multer. Held in memory, not written to disk: nothing is
 * stored until the action has checked the form's CSRF token and the file itself. Multer's limit
 * errors become clear 4xx answers: a file over `maxBytes` is a 413.
 */
export function singleUpload(field: string, options: { maxBytes: number }): RequestHandler {
  const parse = multer({ storage: multer.memoryStorage(), limits: { fileSize: options.maxBytes, files: 1, fields: 20 } }).single(field);
  return (request, response, next) =>
    parse(request, response, (error?: unknown) => {
      if (!(error instanceof multer.MulterError)) return next(error);
      if (error.code === 'LIMIT_FILE_SIZE') return next(new HttpError(413, `The file is too large: at most ${formatBytes(options.maxBytes)}.`));
      if (error.code === 'LIMIT_UNEXPECTED_FILE') return next(new BadRequest(`Send one file, in the "${field}" field.`));
      next(new BadRequest(`The upload was refused: ${error.message}.`));
    });
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB` : `${Math.round(bytes / 1024)} KB`;
}
