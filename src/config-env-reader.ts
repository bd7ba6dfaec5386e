export type Env = Record<string, string | undefined>;

/**
 * Typed reads of an environment, collecting every problem instead of throwing at the first, so
 * loadConfig can report them all in one ConfigError.
 */
export class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(key: string, fallback: string): string {
    const value = this.env[key]?.trim();
    return value === undefined || value === '' ? fallback : value;
  }

  optional(key: string): string | null {
    const value = this.env[key]?.trim();
    return value === undefined || value === '' ? null : value;
  }

  int(key: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(key);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${key} must be an integer in ${min}..${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  number(key: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(key);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) {
      this.problems.push(`${key} must be a number in ${min}..${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  url(key: string, fallback: string, protocols: string[]): string {
    const raw = this.string(key, fallback);
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        this.problems.push(`${key} must use ${protocols.join(' or ')} (got "${parsed.protocol}")`);
      }
    } catch {
      this.problems.push(`${key} is not a valid URL`);
    }
    return raw;
  }
}
