/**
 * Builds the web console into `dist/`: one bundle of `web/main.tsx` (Preact, no CDN), its stylesheet, the page,
 * and Japan's coastline for the map (from Natural Earth's 1:50m countries, rounded to 0.01°). Everything the
 * browser loads comes from the gateway, so the console works offline.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { feature } from 'topojson-client';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import type { Topology, GeometryCollection } from 'topojson-specification';
import { CONSOLE_DIST, CONSOLE_FILES, CONSOLE_ROOT, type ConsoleFile } from './paths';

export { CONSOLE_DIST, CONSOLE_FILES, type ConsoleFile } from './paths';

/** Japan (ISO 3166 numeric 392) as polygons of [longitude, latitude] rings. */
async function japanOutline(): Promise<number[][][][]> {
  const require = createRequire(import.meta.url);
  const topology = JSON.parse(await readFile(require.resolve('world-atlas/countries-50m.json'), 'utf8')) as Topology<{
    countries: GeometryCollection<{ name: string }>;
  }>;
  const japan = topology.objects.countries.geometries.find((g) => g.id === '392');
  if (!japan) throw new Error('world-atlas has no Japan (392)');
  const shape = (feature(topology, japan) as Feature<MultiPolygon | Polygon>).geometry;
  const polygons = shape.type === 'MultiPolygon' ? shape.coordinates : [shape.coordinates];
  const round = (v: number) => Math.round(v * 100) / 100;
  return polygons.map((polygon) => polygon.map((ring) => ring.map(([lon, lat]) => [round(lon!), round(lat!)])));
}

export interface BuildResult {
  files: { name: ConsoleFile; bytes: number }[];
  ms: number;
}

/** Builds the console (minified unless `development`). */
export async function buildConsole(options: { development?: boolean } = {}): Promise<BuildResult> {
  const started = performance.now();
  const web = join(CONSOLE_ROOT, 'web');
  // Built aside, then each file renamed into place: a gateway serving the console never reads a half-written file.
  const staging = `${CONSOLE_DIST}.${process.pid}.${Date.now()}`;
  await mkdir(staging, { recursive: true });
  await mkdir(CONSOLE_DIST, { recursive: true });
  await build({
    entryPoints: { app: join(web, 'main.tsx') },
    outdir: staging,
    bundle: true,
    format: 'esm',
    target: ['es2022'],
    minify: !options.development,
    sourcemap: options.development ? 'inline' : false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(web, 'tsconfig.json'),
    legalComments: 'none',
    logLevel: 'silent',
  });
  await writeFile(join(staging, 'index.html'), await readFile(join(web, 'index.html')));
  await writeFile(join(staging, 'japan.json'), JSON.stringify(await japanOutline()));
  for (const name of Object.keys(CONSOLE_FILES)) await rename(join(staging, name), join(CONSOLE_DIST, name));
  await rm(staging, { recursive: true, force: true });
  const files = await Promise.all(
    (Object.keys(CONSOLE_FILES) as ConsoleFile[]).map(async (name) => ({
      name,
      bytes: (await readFile(join(CONSOLE_DIST, name))).byteLength,
    })),
  );
  return { files, ms: performance.now() - started };
}
