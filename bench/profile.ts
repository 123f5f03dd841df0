/**
 * `npm run bench -- profile <file.cpuprofile> [--top n]`: summarises a V8 CPU profile (for
 * example our server's, from `npm run bench -- http --servers authly --cpu-prof <dir>`). Time is
 * grouped by owner: a package under node_modules, a folder of ours (`authly/storage`, ...), Node's
 * internals, the garbage collector. Prints the share of busy (non-idle) time of each owner: its own
 * frames (self); its own frames plus the Node internals and native code it called (attributed: the
 * way to read "how much goes to jose, to Kysely, to pino"); and everything below it (inclusive).
 * Then the top functions by self time and our top functions by inclusive time. Samples before the
 * first HTTP request (start-up) are left out.
 */
import fs from 'node:fs';
import { option } from './options.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Who owns a frame: a package, a folder of ours, Node, or a V8 pseudo-frame. */
export function ownerOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const [first = '', second = ''] = url.slice(modules + '/node_modules/'.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  const ours = /\/(?:dist|src)\/([^/]+)\//.exec(url);
  if (ours) return `authly/${ours[1]}`;
  if (url.startsWith('node:')) return 'node (internals)';
  return url;
}

/** The families the optimisation work asks about; owners not listed fall under "other". */
const GROUPS: [string, (owner: string) => boolean][] = [
  ['Kysely + better-sqlite3 (SQL building, SQLite itself)', (o) => o === 'kysely' || o === 'better-sqlite3'],
  ['jose + WebCrypto', (o) => o === 'jose'],
  ['pino (+ redaction)', (o) => o === 'pino' || o.startsWith('@pinojs/') || o === 'sonic-boom' || o === 'pino-std-serializers' || o === 'quick-format-unescaped'],
  ['Fastify (+ plugins, router, sockets, HTTP parser)', (o) => o === 'fastify' || o.startsWith('@fastify/') || o === 'find-my-way' || o === 'fast-querystring' || o === 'light-my-request' || o.startsWith('node alone')],
  ['argon2', (o) => o === '@node-rs/argon2'],
  ['ours (authly/*)', (o) => o.startsWith('authly/')],
  ['prom-client', (o) => o === 'prom-client'],
  ['garbage collector', (o) => o === '(garbage collector)'],
];

/** Node's own code and native frames: their time is charged to the library or module that called them. */
function isPlumbing(owner: string): boolean {
  return owner === 'node (internals)' || owner === '(native)' || owner === '(root)';
}

function label(frame: ProfileNode['callFrame']): string {
  const modules = frame.url.lastIndexOf('/node_modules/');
  const file = modules !== -1 ? frame.url.slice(modules + '/node_modules/'.length) : frame.url.replace(/^.*\/(dist|src)\//, '$1/');
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
}

function pct(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(1).padStart(5)}%`;
}

function top(map: Map<string, number>, n: number): [string, number][] {
  return [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

/** `npm run bench -- profile <file> [--top n]`. */
export async function run(args: string[]): Promise<void> {
  const file = args.find((a) => !a.startsWith('--') && a.endsWith('.cpuprofile'));
  if (!file) throw new Error('usage: npm run bench -- profile <file.cpuprofile> [--top n]');
  const n = Math.round(option(args, 'top', 20));
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;

  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const selfOwner = new Map<string, number>();
  const attributedOwner = new Map<string, number>();
  const inclusiveOwner = new Map<string, number>();
  const selfFunction = new Map<string, number>();
  const inclusiveOurs = new Map<string, number>();
  const stack = (id: number): ProfileNode['callFrame'][] => {
    const frames: ProfileNode['callFrame'][] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) frames.push(byId.get(at)!.callFrame);
    return frames;
  };
  // Start-up (module loading, migrations) is not what a load profile is about.
  const first = profile.samples.findIndex((id) => stack(id).some((frame) => frame.functionName === 'parserOnHeadersComplete'));
  let skipped = 0;
  let busy = 0;
  let idle = 0;
  for (const [i, sampleId] of profile.samples.entries()) {
    const delta = profile.timeDeltas[i] ?? 0;
    const leaf = byId.get(sampleId);
    if (!leaf) continue;
    if (i < first) {
      skipped += delta;
      continue;
    }
    if (leaf.callFrame.functionName === '(idle)') {
      idle += delta;
      continue;
    }
    busy += delta;
    add(selfOwner, ownerOf(leaf.callFrame), delta);
    add(selfFunction, label(leaf.callFrame), delta);
    // Inclusive: each owner and each function of ours once per sample, however deep the recursion.
    const owners = new Set<string>();
    const functions = new Set<string>();
    let attributed: string | undefined;
    for (const frame of stack(sampleId)) {
      const owner = ownerOf(frame);
      owners.add(owner);
      if (attributed === undefined && !isPlumbing(owner)) attributed = owner;
      if (owner.startsWith('authly/')) functions.add(label(frame));
    }
    add(attributedOwner, attributed ?? 'node alone (sockets, HTTP parser, timers)', delta);
    for (const owner of owners) add(inclusiveOwner, owner, delta);
    for (const fn of functions) add(inclusiveOurs, fn, delta);
  }

  console.log(`${file}: ${(busy / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle, ${(skipped / 1e6).toFixed(2)} s of start-up left out`);
  console.log('(shares are of busy time; attributed = own frames + the Node internals and native code they called)\n');
  console.log('owner                                 attributed    self   inclusive');
  for (const [owner, time] of top(attributedOwner, n)) {
    console.log(`  ${owner.padEnd(36)} ${pct(time, busy)}   ${pct(selfOwner.get(owner) ?? 0, busy)}   ${pct(inclusiveOwner.get(owner) ?? 0, busy)}`);
  }
  const groups = new Map<string, number>();
  for (const [owner, time] of attributedOwner) add(groups, GROUPS.find(([, member]) => member(owner))?.[0] ?? 'other', time);
  console.log('\nby family (attributed)');
  for (const [group, time] of top(groups, GROUPS.length + 1)) console.log(`  ${pct(time, busy)}  ${group}`);
  console.log(`\ntop ${n} functions by self time`);
  for (const [fn, time] of top(selfFunction, n)) console.log(`  ${pct(time, busy)}  ${fn}`);
  console.log(`\ntop ${n} functions of ours by inclusive time`);
  for (const [fn, time] of top(inclusiveOurs, n)) console.log(`  ${pct(time, busy)}  ${fn}`);
}
