export { buildConsole, type BuildResult } from './build';
export { CONSOLE_DIST, CONSOLE_FILES, CONSOLE_ROOT, type ConsoleFile } from './paths';
