/**
 * Where a server's CPU went, from a V8 `.cpuprofile` (`node --cpu-prof`; the API bench writes
 * one per API process with BENCH_API_CPU_PROF=<dir>): each sample is charged to the layer of the
 * first frame on its stack, from the leaf up, that belongs to a known layer, so a builtin such
 * as JSON.stringify counts for whoever called it. Shares are of busy time (idle excluded).
 *
 * `npm run build:tools && node dist/scripts/cpu-profile-summary.js <file.cpuprofile>...`
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Layers by the file a frame runs in, most specific first. */
const LAYERS: [string, RegExp][] = [
  ['GC', /^\(garbage collector\)$/],
  ['idle', /^\(idle\)$/],
  ['type-graphql', /node_modules\/type-graphql\//],
  ['graphql-js (parse/validate/execute)', /node_modules\/graphql\//],
  ['graphql-query-complexity', /node_modules\/graphql-query-complexity\//],
  ['Apollo Server pipeline', /node_modules\/@apollo\/|node_modules\/@as-integrations\//],
  [
    'Express + body-parser',
    /node_modules\/(express|router|body-parser|raw-body|finalhandler|send|serve-static|qs|type-is|content-type|accepts|negotiator|on-finished|parseurl|iconv-lite|media-typer|mime-types|path-to-regexp|depd|debug|cookie)\//,
  ],
  ['pg + TypeORM', /node_modules\/(pg|pg-protocol|pg-types|pg-pool|typeorm|postgres-[a-z]+)\//],
  ['prom-client (metrics)', /node_modules\/prom-client\//],
  ['pino (logging)', /node_modules\/(pino|sonic-boom)\//],
  ['ingest writer (bench writes)', /dist\/src\/(ingest|lib|domain)\//],
  ['TickStock fast path', /dist\/src\/http\/fast-path\//],
  ['TickStock http', /dist\/src\/http\//],
  ['TickStock services/cache', /dist\/src\/services\//],
  ['TickStock resolvers/schema', /dist\/src\/(resolvers|schema)\//],
  ['node http/net/streams', /^node:/],
  ['other JS', /./],
];

function layerOf(frame: ProfileNode['callFrame']): string | null {
  const key = frame.url === '' ? frame.functionName : frame.url;
  if (frame.url === '' && !frame.functionName.startsWith('(')) return null; // builtin: caller's
  if (frame.functionName === '(program)' || frame.functionName === '(root)')
    return 'native/program';
  for (const [name, pattern] of LAYERS) if (pattern.test(key)) return name;
  return null;
}

export function summarize(profile: CpuProfile): Map<string, number> {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const layerCache = new Map<number, string>();
  const layerOfNode = (id: number): string => {
    const cached = layerCache.get(id);
    if (cached !== undefined) return cached;
    let current: number | undefined = id;
    let layer = 'native/program';
    while (current !== undefined) {
      const found = layerOf(byId.get(current)!.callFrame);
      if (found !== null) {
        layer = found;
        break;
      }
      current = parent.get(current);
    }
    layerCache.set(id, layer);
    return layer;
  };
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const layer = layerOfNode(id);
    totals.set(layer, (totals.get(layer) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return totals;
}

function format(file: string, totals: Map<string, number>): string {
  const busy = [...totals].filter(([k]) => k !== 'idle').reduce((s, [, v]) => s + v, 0);
  const all = busy + (totals.get('idle') ?? 0);
  const rows = [...totals]
    .filter(([k]) => k !== 'idle')
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `  ${k.padEnd(36)} ${((100 * v) / busy).toFixed(1).padStart(5)} %`);
  return [
    `${file}: busy ${(busy / 1e6).toFixed(1)} s of ${(all / 1e6).toFixed(1)} s sampled`,
    ...rows,
  ].join('\n');
}

if (require.main === module) {
  for (const file of process.argv.slice(2)) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    console.log(format(file, summarize(profile)));
  }
}
