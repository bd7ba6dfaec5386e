/** `npm run db:indexes [-- --drop]`: see src/ops/db-indexes-command.ts. */
import 'reflect-metadata';
import { runDbIndexes } from '../src/ops/db-indexes-command';

runDbIndexes(process.argv.slice(2), process.env, process.stdout).then(
  ({ code }) => process.exit(code),
  (error: unknown) => {
    console.error('db:indexes failed:', error);
    process.exit(1);
  },
);
