// Where a .cpuprofile (node --cpu-prof) spent its time: self time by package (or by file of the app)
// and the heaviest functions. `node dist/bench/summariseProfile.js FILE.cpuprofile [TOP]`.
// The bench leaves profiles with BENCH_SYNC_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR".
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** `node_modules/@azure/core-rest-pipeline/…` → `@azure/core-rest-pipeline`; the app's own files by path under dist/. */
export function ownerOf(url: string): string {
  if (url === '') return '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') === true ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? url);
  }
  if (url.startsWith('node:')) return url;
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? url.slice(dist + 1) : url;
}

export function summarise(profile: Profile, top = 15): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const node = byId.get(id);
    if (node === undefined) return;
    total += delta;
    const owner = ownerOf(node.callFrame.url);
    owners.set(owner, (owners.get(owner) ?? 0) + delta);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${owner}:${node.callFrame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + delta);
  });
  const lines = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((left, right) => right[1] - left[1])
      .slice(0, top)
      .map(
        ([name, micros]) =>
          `${(micros / 1000).toFixed(0).padStart(7)} ms ${((100 * micros) / Math.max(1, total)).toFixed(1).padStart(5)}%  ${name}`,
      );
  return [
    `sampled ${(total / 1000).toFixed(0)} ms of ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms`,
    '',
    'self time by package / file:',
    ...lines(owners),
    '',
    'heaviest functions:',
    ...lines(functions),
  ].join('\n');
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('usage: node dist/bench/summariseProfile.js FILE.cpuprofile [TOP]\n');
    process.exitCode = 2;
  } else {
    void readFile(file, 'utf8').then((text) =>
      process.stdout.write(`${summarise(JSON.parse(text) as Profile, top === undefined ? 15 : Number(top))}\n`),
    );
  }
}
