import 'reflect-metadata';
import { AppConfig, AppLogger, ConfigValidationError } from '@mira/core';
import { createApp } from './app.factory.js';
import { installGracefulShutdown } from './lifecycle/graceful-shutdown.js';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = AppConfig.fromEnvironment();
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = new AppLogger(config.values.logLevel);
  const app = await createApp(config, logger);
  installGracefulShutdown(app, {
    timeoutMs: config.values.shutdownTimeoutMs,
    logger,
    exit: (code) => process.exit(code),
  });
  await app.listen(config.values.port, config.values.host);
  logger.info('server_listening', {
    port: config.values.port,
    database: config.values.database.kind,
    docs: config.values.docsEnabled ? `http://localhost:${config.values.port}/docs` : 'disabled',
    jwt_secret: config.values.jwt.secretSource,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`Fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
