// Composition root: reads the config, opens and migrates the database, loads the settings files, wires the
// stores, the token verifier and the HTTP app, then listens and shuts down gracefully. `--demo` loads the demo
// tenant into an empty database (what `npm start` does). The only module that wires adapters together.
import { loadConfig, ConfigError, type Config } from './config';
import { createLogger } from './log';
import { systemClock } from './clock';
import { migrateToLatest, openDatabase } from './store/database';
import { createLeadStore } from './store/lead-store';
import { createPeopleStore } from './store/people-store';
import { loadSettings, SettingsError } from './settings/load-settings';
import { createTokenVerifier } from './http/auth';
import { buildApp } from './http/app';
import { loadDemoData } from './demo/demo-data';

async function main(argv: readonly string[]): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  const logger = createLogger(config.logLevel);
  let settings;
  try {
    settings = loadSettings(config);
  } catch (e) {
    if (e instanceof SettingsError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }

  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const applied = await migrateToLatest(database.db);
  logger.info({ database: database.kind, applied }, 'database ready');

  if (argv.includes('--demo') || config.demoData) {
    const demo = await loadDemoData(database.db, { now: systemClock.now(), criteria: settings.qualificationCriteria, handBackReasons: settings.handBackReasons });
    logger.info(demo, demo.skipped ? 'demo data already present' : 'demo data loaded');
  }

  const tokenVerifier = createTokenVerifier(config.auth, { clock: systemClock });
  const app = await buildApp({
    config,
    logger,
    clock: systemClock,
    db: database.db,
    leadStore: createLeadStore(database.db),
    peopleStore: createPeopleStore(database.db),
    tokenVerifier,
    qualificationCriteria: settings.qualificationCriteria,
    handBackReasons: settings.handBackReasons,
  });

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    void app
      .close()
      .then(() => database.close())
      .then(() => process.exit(0), (e: unknown) => {
        logger.error({ err: e }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGINT', () => { shutdown('SIGINT'); });
  process.once('SIGTERM', () => { shutdown('SIGTERM'); });

  const address = await app.listen({ port: config.port, host: config.host });
  const where = database.kind === 'embedded' ? `embedded database in ${config.dataDir}` : 'PostgreSQL';
  console.log(`Baton is listening on ${address} (${where})`);
  console.log(`  health:  ${address}/healthz`);
  console.log(`  API:     ${address}/api (OpenAPI at ${address}/api/openapi.json)`);
  if (!tokenVerifier.configured) {
    console.log('  auth:    AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL are not all set: every /api request is refused (401)');
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error('Baton failed to start:', e);
  process.exit(1);
});
