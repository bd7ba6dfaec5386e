import type { DataSource } from 'typeorm';

/**
 * The readiness probe's one statement. The only repository without a table family, so it holds
 * the DataSource itself instead of an entity repository.
 */
export class HealthRepository {
  /** The statement `ping` runs (`/readyz` quotes it when the database does not answer). */
  readonly statement = 'SELECT 1';

  constructor(private readonly dataSource: DataSource) {}

  /** True once the statement answered; false at once when the database was never opened. Rejects with the driver error. */
  async ping(): Promise<boolean> {
    if (!this.dataSource.isInitialized) return false;
    await this.dataSource.query(this.statement);
    return true;
  }
}
