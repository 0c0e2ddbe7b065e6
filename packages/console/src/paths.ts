/**
 * Where the built console lives and which files it has. Apart from `build.ts` so that the gateway, which only
 * serves these files, does not load the bundler (esbuild, a native binary) nor the map data when it starts.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's directory (resolved from this file, so a server bundle finds it where it lays out its assets). */
export const CONSOLE_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the built console lives; the gateway serves these files. */
export const CONSOLE_DIST = join(CONSOLE_ROOT, 'dist', 'web');

/** Files of a built console, by the name the gateway serves them under. */
export const CONSOLE_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'japan.json': 'application/json',
} as const;
export type ConsoleFile = keyof typeof CONSOLE_FILES;
