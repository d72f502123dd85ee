// POST /api/imports: a CSV file of leads (text/csv body, streamed, never held in memory) imported for the calling
// SDR (or, for a manager or admin, the SDR named by ownerId). Answers the import report: every bad row with its line.
// Imports: ../contract, ../auth, ../errors, ./owner, the importer, ../app types.
import { Transform, type Readable } from 'node:stream';
import { ImportQuery, ImportReportDto } from '../contract';
import { requireAuth } from '../auth';
import { errorResponses, forbidden, HttpError } from '../errors';
import type { App, AppDeps } from '../app';
import { canCreateLead } from '../../domain/access';
import { importLeads } from '../../import/lead-import';
import { resolveOwner } from './owner';

type ImportDeps = Pick<AppDeps, 'clock' | 'db' | 'peopleStore' | 'config'>;

class BodyTooLarge extends Error {}

/** Passes bytes through until `limit`, then fails the stream: a chunked upload cannot exceed the limit either. */
function limitBytes(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) done(new BodyTooLarge());
      else done(null, chunk);
    },
  });
}

export function registerImportRoutes(app: App, deps: ImportDeps): void {
  // The CSV body reaches the handler as the raw request stream.
  app.addContentTypeParser(['text/csv', 'application/csv'], (_request, payload, done) => {
    done(null, payload);
  });

  app.post(
    '/api/imports',
    {
      bodyLimit: deps.config.importBodyLimitBytes,
      schema: {
        summary: 'Import leads from a CSV file (text/csv body)',
        tags: ['leads'],
        querystring: ImportQuery,
        response: { 200: ImportReportDto, ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request) => {
      const { actor, user } = requireAuth(request);
      if (!canCreateLead(actor)) throw forbidden('Only SDRs, managers and admins import leads.');
      const owner = await resolveOwner(deps.peopleStore, actor, user, request.query.ownerId);
      const limit = deps.config.importBodyLimitBytes;
      const declared = Number(request.headers['content-length'] ?? '0');
      if (declared > limit) throw new HttpError(413, 'payload_too_large', `The file is over ${String(limit)} bytes.`);
      const body = request.body as Readable;
      const source = body.pipe(limitBytes(limit));
      body.once('error', (e) => source.destroy(e));
      let result;
      try {
        result = await importLeads(deps.db, source, { owner: { teamId: owner.teamId, sdrId: owner.ownerId }, clock: deps.clock, actorId: actor.userId });
      } catch (error) {
        if (error instanceof BodyTooLarge) throw new HttpError(413, 'payload_too_large', `The file is over ${String(limit)} bytes; the rows before that point were imported.`);
        throw error;
      }
      if (!result.ok) {
        const field = result.error.missing?.[0];
        throw new HttpError(400, result.error.code, result.error.message, field === undefined ? {} : { field });
      }
      return result.value;
    },
  );
}
