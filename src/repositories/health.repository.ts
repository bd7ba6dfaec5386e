import type { DataSource } from 'typeorm';

/**
 * The readiness probe's one statement. The only repository without a table family, so it holds
 * the DataSource itself instead of an entity repository.
 */
export class HealthRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** True once `SELECT 1` answered; false at once when the database was never opened. Rejects with the driver error. */
  async ping(): Promise<boolean> {
    if (!this.dataSource.isInitialized) return false;
    await this.dataSource.query('SELECT 1');
    return true;
  }
}
