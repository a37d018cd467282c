#!/usr/bin/env node
// Builds the deployment package: artifacts/cloudpc-image-sync.zip, ready for zip deploy and
// Flex Consumption one-deploy, plus the same files unzipped in artifacts/cloudpc-image-sync/
// (the folder azd deploys, see azure.yaml `dist`).
//
// What goes in: the project's files minus .funcignore (as `func azure functionapp publish` would
// choose them), with node_modules/ and the tsc output replaced by one esbuild bundle of the
// function entry points (package.json `main`), written as dist/main.js, and package.json
// rewritten to point `main` at it. Run `npm run build` first (`npm run package` does).
import { build } from 'esbuild';
import { unzipSync, zipSync } from 'fflate';
import ignore from 'ignore';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HELP = `Usage: node scripts/package.mjs [--root DIR] [--out FILE.zip] [--json]

Bundles the compiled function entry points (package.json "main", e.g. dist/functions/*.js)
with esbuild into dist/main.js, adds the project files that .funcignore does not exclude
(host.json, package.json, ...), and writes FILE.zip (default artifacts/cloudpc-image-sync.zip)
and the same tree unzipped beside it (default artifacts/cloudpc-image-sync/).
Run "npm run build" first; "npm run package" does both.

  --root DIR   project root (default: the current directory)
  --out FILE   zip to write (default: <root>/artifacts/cloudpc-image-sync.zip)
  --json       print the result as JSON (entries, sizes) instead of text
  --help       this text`;

/** Always left out, whatever .funcignore says: build inputs, outputs and secrets. */
// `.git` without a slash: a worktree or submodule has a .git file, not a folder.
const ALWAYS_EXCLUDED = ['.git', 'node_modules/', 'dist/', 'artifacts/', 'local.settings.json'];
const BUNDLE_PATH = 'dist/main.js';
/** The Functions worker provides this module at run time; it is not on npm. */
const PROVIDED_BY_WORKER = ['@azure/functions-core'];
/** Zip timestamps are fixed so the same inputs give the same archive. */
const ZIP_TIME = new Date('2000-01-01T00:00:00Z');

class PackageError extends Error {}

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      root: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const root = path.resolve(values.root ?? process.cwd());
  const out = path.resolve(root, values.out ?? 'artifacts/cloudpc-image-sync.zip');
  if (!out.endsWith('.zip')) throw new PackageError(`--out must name a .zip file, not "${values.out}"`);
  return { root, out, staging: out.slice(0, -'.zip'.length), json: values.json, help: values.help };
}

/** package.json `main` as the Functions host reads it: one file or a `dir/*.js` glob. */
function functionEntryPoints(root, main) {
  if (typeof main !== 'string' || main === '') {
    throw new PackageError('package.json has no "main"; set it to the compiled function files, e.g. "dist/functions/*.js"');
  }
  const dir = path.posix.dirname(main);
  const base = path.posix.basename(main);
  if (dir.includes('*')) throw new PackageError(`package.json "main" (${main}): only the file name may hold a wildcard`);
  const pattern = new RegExp(`^${base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
  const absoluteDir = path.join(root, dir);
  const files = existsSync(absoluteDir)
    ? readdirSync(absoluteDir)
        .filter((name) => pattern.test(name))
        .sort()
    : [];
  if (files.length === 0) {
    throw new PackageError(`no compiled function entry points match package.json "main" (${main}); run "npm run build" first`);
  }
  return files.map((name) => `${dir}/${name}`);
}

function readIgnoreRules(root) {
  const rules = ignore().add(ALWAYS_EXCLUDED);
  const funcignore = path.join(root, '.funcignore');
  if (existsSync(funcignore)) rules.add(readFileSync(funcignore, 'utf8'));
  return rules;
}

/** Project files that .funcignore keeps, as posix paths relative to root. */
function projectFiles(root, rules) {
  const kept = [];
  const walk = (relativeDir) => {
    for (const entry of readdirSync(path.join(root, relativeDir), { withFileTypes: true })) {
      const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!rules.ignores(`${relative}/`)) walk(relative);
      } else if (entry.isFile() && !rules.ignores(relative)) {
        kept.push(relative);
      }
    }
  };
  walk('');
  return kept.sort();
}

/** The deployed package.json: same identity, `main` pointing at the bundle, nothing to install. */
function deployedPackageJson(manifest) {
  const { name, version, description, license, engines } = manifest;
  return `${JSON.stringify({ name, version, description, license, private: true, type: 'commonjs', main: BUNDLE_PATH, engines }, null, 2)}\n`;
}

async function bundle(root, entryPoints, outfile) {
  const contents = entryPoints.map((entry) => `require(${JSON.stringify(`./${entry}`)});`).join('\n');
  const result = await build({
    stdin: { contents, resolveDir: root, sourcefile: 'function-entry-points.js', loader: 'js' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    external: PROVIDED_BY_WORKER,
    // Readable stack traces in Application Insights; minifying does not make loading faster here.
    minify: false,
    sourcemap: false,
    legalComments: 'linked',
    logLevel: 'silent',
    metafile: true,
  });
  return result;
}

function collect(dir, prefix = '') {
  const files = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    const absolute = path.join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(files, collect(absolute, relative));
    else files[relative] = readFileSync(absolute);
  }
  return files;
}

export async function packageApp({ root, out, staging }) {
  const manifestPath = path.join(root, 'package.json');
  if (!existsSync(manifestPath)) throw new PackageError(`no package.json in ${root}`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const entryPoints = functionEntryPoints(root, manifest.main);
  const files = projectFiles(root, readIgnoreRules(root));
  for (const required of ['host.json', 'package.json']) {
    if (!files.includes(required)) throw new PackageError(`${required} is missing or excluded by .funcignore; the Functions host needs it`);
  }

  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const result = await bundle(root, entryPoints, path.join(staging, BUNDLE_PATH));
  for (const file of files) {
    const target = path.join(staging, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file === 'package.json' ? deployedPackageJson(manifest) : readFileSync(path.join(root, file)));
  }

  const tree = collect(staging);
  const names = Object.keys(tree).sort();
  /** @type {import('fflate').Zippable} */
  const zipInput = Object.fromEntries(names.map((name) => [name, [tree[name], { mtime: ZIP_TIME }]]));
  const zip = zipSync(zipInput, { level: 6 });
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, zip);
  // Read it back: a zip that cannot be listed is not worth shipping.
  const listed = Object.keys(unzipSync(zip)).sort();
  if (listed.join('\n') !== names.join('\n')) throw new PackageError('the written zip does not list the files that went in');

  return {
    zip: out,
    staging,
    entryPoints,
    entries: names,
    zipBytes: zip.length,
    unpackedBytes: names.reduce((sum, name) => sum + tree[name].length, 0),
    bundleBytes: tree[BUNDLE_PATH].length,
    warnings: result.warnings.map((warning) => warning.text),
  };
}

function megabytes(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

async function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`package: ${error.message}\n\n${HELP}`);
    return 1;
  }
  if (options.help) {
    console.log(HELP);
    return 0;
  }
  try {
    const result = await packageApp(options);
    if (options.json) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      console.log(`Bundled ${result.entryPoints.length} function entry point(s): ${result.entryPoints.join(', ')}`);
      for (const warning of result.warnings) console.log(`  esbuild warning: ${warning}`);
      console.log(`Package: ${path.relative(process.cwd(), result.zip) || result.zip}`);
      for (const entry of result.entries) console.log(`  ${entry}`);
      console.log(
        `Size: ${megabytes(result.zipBytes)} zipped, ${megabytes(result.unpackedBytes)} unpacked (bundle ${megabytes(result.bundleBytes)})`,
      );
    }
    return 0;
  } catch (error) {
    const message = error instanceof PackageError ? error.message : (error?.errors?.map((e) => e.text).join('; ') ?? String(error));
    console.error(`package: ${message}`);
    return 1;
  }
}

if (path.resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
