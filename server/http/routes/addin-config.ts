// GET /addin/config.json (public): how the Outlook add-in signs in to Baton's API (the add-in app registration, the
// authority, the API scope) and, in demo mode, where the sandbox is. The pane reads it before it has a token, so it
// carries no secret. Imports: ../contract, ../errors, ../app types.
import { AddinConfigDto } from '../contract';
import { errorResponses, HttpError } from '../errors';
import type { App } from '../app';

export const addinConfigPath = '/addin/config.json';

export function registerAddinConfigRoute(app: App, deps: { addinConfig?: AddinConfigDto | undefined }): void {
  app.get(
    addinConfigPath,
    {
      config: { public: true },
      schema: {
        summary: "The add-in's sign-in settings (public: read before sign-in)",
        tags: ['add-in'],
        security: [],
        response: { 200: AddinConfigDto, ...errorResponses(503) },
      },
    },
    async (_request, reply) => {
      // A restart may point the add-in elsewhere: the pane asks each time it loads.
      void reply.header('Cache-Control', 'no-cache');
      if (deps.addinConfig === undefined) {
        throw new HttpError(
          503,
          'addin_not_configured',
          'Sign-in for the Outlook add-in is not configured on this server: set ADDIN_CLIENT_ID and ADDIN_API_SCOPE (see the configuration table in README.md).',
        );
      }
      return deps.addinConfig;
    },
  );
}
