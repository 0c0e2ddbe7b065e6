/**
 * Reads the Kustomize tree of infra/k8s for its tests: renders a kustomization with `kubectl kustomize` (what
 * `kubectl apply -k` would send), or, where kubectl is not installed, lists the resource files as written.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** True when `kubectl` (with its built-in Kustomize) runs here. */
export function kubectlAvailable(): boolean {
  const probe = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore', timeout: 10_000 });
  return probe.status === 0;
}

/** Every YAML document of `text`; a syntax error throws, naming `source`. */
export function parseDocuments(text: string, source: string): unknown[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

/** The manifests `kubectl kustomize dir` renders. */
export function renderKustomization(dir: string): unknown[] {
  const text = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return parseDocuments(text, `kubectl kustomize ${dir}`);
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(dir, f))
    .sort();
}

const isKustomizeFile = (file: string) => /(^|\/)kustomization\.ya?ml$/.test(file);

/** Folders of `root` holding a Kustomization (renderable on its own), not a Component, relative to `root`. */
export function kustomizations(root: string): string[] {
  return yamlFiles(root)
    .filter(isKustomizeFile)
    .filter((file) => (parseDocuments(readFileSync(file, 'utf8'), file)[0] as { kind?: string }).kind === 'Kustomization')
    .map((file) => relative(root, join(file, '..')))
    .sort();
}

/**
 * The resource documents of `root` as written: every YAML file but kustomization files and patches
 * (`*.patch.yaml`; inline patches live in kustomization files), with the file each came from.
 */
export function rawResources(root: string): { file: string; doc: unknown }[] {
  return yamlFiles(root)
    .filter((file) => !isKustomizeFile(file) && !/\.patch\.ya?ml$/.test(file))
    .flatMap((file) => parseDocuments(readFileSync(file, 'utf8'), file).map((doc) => ({ file: relative(root, file), doc })));
}
