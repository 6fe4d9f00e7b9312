// `npm start`: start the service; Ctrl-C (SIGINT) or SIGTERM stops it and its
// embedded PostgreSQL cleanly.
import { startService } from './app.ts';
import { ConfigurationError, loadConfig } from './config.ts';
import { createLogger } from './observability/logger.ts';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(error.message);
  process.exit(2);
}
const logger = createLogger(config);

try {
  const service = await startService(config, logger);
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await service.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // A crash still stops the embedded PostgreSQL rather than orphaning it.
  const crash = (error: unknown) => {
    logger.fatal({ err: error }, 'unexpected error; shutting down');
    process.exitCode = 1;
    void service.close().finally(() => process.exit(1));
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
} catch (error) {
  logger.fatal({ err: error }, 'Orgstream failed to start');
  process.exit(1);
}
