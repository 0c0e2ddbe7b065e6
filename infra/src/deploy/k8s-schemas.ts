/**
 * Checks Kubernetes manifests against the API's JSON schemas without a cluster: the models of `kubernetes-models`
 * (the core API) and `@kubernetes-models/cloudnative-pg` (CloudNativePG's `Cluster`), picked by apiVersion and
 * kind. A kind neither knows is refused, so a manifest cannot slip through unchecked. The schemas check types,
 * required fields and enumerations; like the API server's non-strict mode, they let unknown field names pass.
 */
import * as cloudnativePg from '@kubernetes-models/cloudnative-pg';
import * as kubernetes from 'kubernetes-models';

/** A manifest as parsed from YAML. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: object): { validate(): void };
}

function isModelClass(value: unknown): value is ModelClass {
  return typeof value === 'function' && typeof (value as Partial<ModelClass>).apiVersion === 'string' && 'kind' in value;
}

/** Every model class under a package's namespace object (group → version → kind), by `apiVersion/kind`. */
function collectModels(namespace: object, into: Map<string, ModelClass>, depth = 0): Map<string, ModelClass> {
  for (const value of Object.values(namespace)) {
    if (isModelClass(value)) into.set(`${value.apiVersion}/${value.kind}`, value);
    else if (value && typeof value === 'object' && depth < 3) collectModels(value, into, depth + 1);
  }
  return into;
}

/** The schema models known here, by `apiVersion/kind` (e.g. `apps/v1/Deployment`). */
export const MODELS: ReadonlyMap<string, ModelClass> = collectModels(cloudnativePg, collectModels(kubernetes, new Map()));

/** Validates one manifest; throws with its kind and name when it is unknown or breaks its schema. */
export function validateManifest(doc: unknown): asserts doc is Manifest {
  if (!doc || typeof doc !== 'object') throw new Error(`not a manifest: ${JSON.stringify(doc)}`);
  const { apiVersion, kind, metadata } = doc as Partial<Manifest>;
  const what = `${apiVersion}/${kind} ${metadata?.name ?? '(no name)'}`;
  const model = MODELS.get(`${apiVersion}/${kind}`);
  if (!model) throw new Error(`${what}: no schema for this apiVersion and kind`);
  if (!metadata?.name) throw new Error(`${what}: metadata.name is required`);
  try {
    new model(doc).validate();
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
  }
}
