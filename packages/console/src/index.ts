export { buildConsole, CONSOLE_DIST, CONSOLE_FILES, type BuildResult, type ConsoleFile } from './build';
