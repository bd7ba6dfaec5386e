/** The scripts' knobs: environment variables, checked, with a default when unset or empty. */

export function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max)
    throw new Error(`${name} must be a number in ${min}..${max} (got "${raw}")`);
  return value;
}

export function envInt(name: string, fallback: number, min: number, max: number): number {
  const value = envNumber(name, fallback, min, max);
  if (!Number.isInteger(value))
    throw new Error(`${name} must be an integer in ${min}..${max} (got "${process.env[name]}")`);
  return value;
}

/** A comma/space separated subset of `allowed` (all of it when unset); `aliases` map other names. */
export function envList<T extends string>(
  name: string,
  allowed: readonly T[],
  aliases: Record<string, T> = {},
): T[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return [...allowed];
  const out = new Set<T>();
  for (const item of raw.split(/[,|\s]+/).filter(Boolean)) {
    const value: string = Object.hasOwn(aliases, item) ? aliases[item] : item;
    const known = allowed.find((candidate) => candidate === value);
    if (known === undefined)
      throw new Error(`${name}: unknown "${item}" (use ${allowed.join(', ')})`);
    out.add(known);
  }
  return [...out];
}
