import { createDataSource } from '../../ormconfig';
import { loadConfig } from '../config';

/**
 * For the TypeORM CLI only (`npx typeorm -d dist/src/cli/typeorm.data-source.js migration:show`):
 * the database the environment names. A bad environment fails here, loudly, with the same
 * ConfigError the service would give; nothing else imports this file.
 */
export default createDataSource(loadConfig().database);
