/**
 * The seeded PRNG of tests and benches: the simulator's own (production needs it there), so a
 * seed means the same stream wherever it is used.
 */
export { seededRandom } from '../src/ingest/simulator/random';
