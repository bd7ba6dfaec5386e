/** Resident set size of this process, MB. */
export function rssMb(): number {
  return Math.round(process.memoryUsage().rss / 1_048_576);
}
