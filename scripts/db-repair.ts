/** `npm run db:repair [-- --apply]`: see src/ops/db-repair-command.ts. */
import 'reflect-metadata';
import { runDbRepair } from '../src/ops/db-repair-command';

runDbRepair(process.argv.slice(2), process.env, process.stdout).then(
  ({ code }) => process.exit(code),
  (error: unknown) => {
    console.error('db:repair failed:', error);
    process.exit(1);
  },
);
