import 'reflect-metadata';
import { startApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { SchemaConflictError } from './migrations/adoption/schema-conflict.error';

const REPEAT_SIGNAL_WINDOW_MS = 1_000;

/** `npm start`: load config, start everything, unwind in reverse on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const app = await startApp(config, { logger });

  let shutdownAt: number | null = null;
  const shutdown = (signal: NodeJS.Signals) => {
    if (shutdownAt !== null) {
      // One Ctrl-C on `npm start` arrives twice (the terminal signals the whole group, and npm
      // forwards it too), and process managers may repeat SIGTERM: keep draining. Only a second
      // Ctrl-C pressed later means the operator wants out now.
      if (signal !== 'SIGINT' || Date.now() - shutdownAt < REPEAT_SIGNAL_WINDOW_MS) return;
      logger.warn({ signal }, 'second SIGINT: exiting without finishing the drain');
      process.exit(1);
    }
    shutdownAt = Date.now();
    logger.info({ signal }, 'shutdown requested');
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.fatal({ err: error }, 'shutdown failed: some data may not have been written');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.on('unhandledRejection', (reason) =>
    logger.error({ err: reason }, 'unhandled promise rejection'),
  );
}

main().catch((error: unknown) => {
  // A database TickStock cannot adopt is the operator's to fix: the message says it all.
  if (error instanceof SchemaConflictError) {
    console.error(error.message);
    process.exit(1);
  }
  console.error('TickStock failed to start:', error);
  process.exit(1);
});
