/** `npm run validate -- --url …`: see src/ops/validate/validate-command.ts. */
import 'reflect-metadata';
import { runValidate } from '../src/ops/validate/validate-command';

runValidate(process.argv.slice(2), process.env, process.stdout).then(
  ({ code }) => process.exit(code),
  (error: unknown) => {
    console.error('validate failed:', error);
    process.exit(1);
  },
);
