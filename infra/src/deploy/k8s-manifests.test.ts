import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IContainer, IEnvVar, IPodTemplateSpec, IService } from 'kubernetes-models/v1';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IJob } from 'kubernetes-models/batch/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IIngress, INetworkPolicy, INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { ICluster } from '@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1';
import type { IIoK8sApimachineryPkgApisMetaV1LabelSelector as LabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';
import { parsePublicKeySet } from '@kyoyo/auth';
import { repoRoot } from '../federation/processes';
import { SERVER_ENTRIES } from './bundle';
import { kubectlAvailable, kustomizations, rawResources, renderKustomization } from './k8s-render';
import { MODELS, validateManifest, type Manifest } from './k8s-schemas';

/**
 * infra/k8s checked without a cluster: every manifest against the Kubernetes (and CloudNativePG) schemas, then
 * the deployment's rules: probes, resources and a non-root, read-only container everywhere; the autoscaler on
 * the gateway; a migration Job per database; institution services reachable from gateway pods only; the
 * CloudNativePG clusters' URLs as the pods resolve them (the gateway writing to the primary, searching replicas).
 */
const K8S = join(repoRoot, 'infra/k8s');
const kubectl = kubectlAvailable();
const NATIONAL_NAMESPACE = 'kyoyo-national';

const renders = new Map<string, Manifest[]>();
/** The validated manifests of one kustomization, rendered once per run. */
function render(dir: string): Manifest[] {
  let docs = renders.get(dir);
  if (!docs) {
    docs = renderKustomization(join(K8S, dir)).map((doc) => {
      validateManifest(doc);
      return doc;
    });
    renders.set(dir, docs);
  }
  return docs;
}

const ofKind = <T>(docs: Manifest[], kind: string) => docs.filter((d) => d.kind === kind) as unknown as (T & Manifest)[];

/** Whether `labels` satisfy `selector` (matchLabels and matchExpressions, as the API server reads them). */
function selects(selector: LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return false;
  const exact = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const expressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    if (operator === 'In') return key in labels && values.includes(labels[key]!);
    if (operator === 'NotIn') return !(key in labels) || !values.includes(labels[key]!);
    if (operator === 'Exists') return key in labels;
    if (operator === 'DoesNotExist') return !(key in labels);
    throw new Error(`unknown selector operator ${operator}`);
  });
  return exact && expressions;
}

/** Pod templates of Deployments and Jobs, with where each came from. */
function podTemplates(docs: Manifest[]): { owner: string; template: IPodTemplateSpec }[] {
  return [...ofKind<IDeployment>(docs, 'Deployment'), ...ofKind<IJob>(docs, 'Job')].map((d) => ({
    owner: `${d.kind} ${d.metadata.name}`,
    template: d.spec!.template,
  }));
}

const allContainers = (t: IPodTemplateSpec): IContainer[] => [...(t.spec!.initContainers ?? []), ...t.spec!.containers];

/** `--target T` of a container running the migration bundle, if it does. */
function migrationTarget(c: IContainer): string | undefined {
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  if (!argv.includes('dist/server/migrate.mjs')) return undefined;
  return argv[argv.indexOf('--target') + 1];
}

const databaseUrlSource = (c: IContainer) => c.env?.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef;

/**
 * A container's `env` as the kubelet resolves it: Secret keys from `secrets`, and `$(NAME)` in a value expanded
 * from the variables defined before it in the list (`$$` escapes; a reference to an undefined or later variable
 * stays as written, which is how a misordered list fails: silently).
 */
function resolveEnv(env: IEnvVar[], secrets: Record<string, Record<string, string>>): Map<string, string> {
  const resolved = new Map<string, string>();
  for (const { name, value, valueFrom } of env) {
    if (valueFrom?.secretKeyRef) {
      const { name: secret, key } = valueFrom.secretKeyRef;
      const data = secrets[secret!]?.[key];
      if (data === undefined) throw new Error(`${name}: no key ${key} in Secret ${secret}`);
      resolved.set(name, data);
    } else if (value !== undefined) {
      resolved.set(
        name,
        value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (ref, variable?: string) =>
          variable === undefined ? '$' : (resolved.get(variable) ?? ref),
        ),
      );
    }
  }
  return resolved;
}

function brokenDeployment(replicas: unknown): unknown {
  const labels = { app: 'x' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x' },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'x', image: 'x' }] } },
    },
  };
}

describe('the schema validator', () => {
  it('accepts a well-formed Deployment and catches one whose replicas is "two"', () => {
    expect(() => validateManifest(brokenDeployment(2))).not.toThrow();
    expect(() => validateManifest(brokenDeployment('two'))).toThrow(/apps\/v1\/Deployment x: .*replicas must be integer/);
  });

  it('refuses kinds it has no schema for, and manifests without a name', () => {
    expect(() => validateManifest({ apiVersion: 'example.jp/v1', kind: 'Widget', metadata: { name: 'w' } })).toThrow(
      /no schema for this apiVersion and kind/,
    );
    expect(() => validateManifest({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} })).toThrow(/metadata.name is required/);
  });

  it('knows the core API and the CloudNativePG Cluster, and checks the Cluster', () => {
    expect(MODELS.has('autoscaling/v2/HorizontalPodAutoscaler')).toBe(true);
    expect(MODELS.has('postgresql.cnpg.io/v1/Cluster')).toBe(true);
    const cluster = {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: 'db' },
      spec: { instances: 'two' },
    };
    expect(() => validateManifest(cluster)).toThrow(/instances must be integer/);
  });
});

describe('every resource file of infra/k8s as written (the only check where kubectl is not installed)', () => {
  const files = rawResources(K8S);
  it('has the resources of the bases and components', () => {
    expect(files.length).toBeGreaterThan(10);
  });
  it.each(files.map(({ file, doc }) => [file, (doc as Manifest).kind, doc] as const))(
    '%s (%s) matches its schema',
    (_f, _k, doc) => {
      validateManifest(doc);
    },
  );
});

describe.skipIf(!kubectl)(
  `rendered by kubectl kustomize${kubectl ? '' : ' (skipped: kubectl is not installed here; only the files as written are checked)'}`,
  () => {
    const dirs = kubectl ? kustomizations(K8S) : [];
    const overlays = dirs.filter((d) => d.startsWith('overlays/'));

    it('renders the bases and the example overlays', () => {
      expect(dirs).toEqual(expect.arrayContaining(['base', 'institution', 'overlays/national', 'overlays/tohoku-u']));
    });

    it.each(dirs)('%s renders to manifests that each match their schema, on stable API versions', (dir) => {
      const docs = render(dir);
      expect(docs.length).toBeGreaterThan(5);
      for (const doc of docs) expect(doc.apiVersion, `${doc.kind} ${doc.metadata.name}`).not.toMatch(/(alpha|beta)\d*$/);
    });

    it('every Deployment container has liveness (/healthz) and readiness (/readyz) probes on its http port', () => {
      for (const dir of dirs) {
        for (const d of ofKind<IDeployment>(render(dir), 'Deployment')) {
          for (const c of d.spec!.template.spec!.containers) {
            const where = `${dir}: ${d.metadata.name}/${c.name}`;
            expect(
              c.ports?.find((p) => p.name === 'http'),
              where,
            ).toBeDefined();
            expect(c.livenessProbe?.httpGet, where).toMatchObject({ path: '/healthz', port: 'http' });
            expect(c.readinessProbe?.httpGet, where).toMatchObject({ path: '/readyz', port: 'http' });
          }
        }
      }
    });

    it('every pod (Deployments and Jobs, init containers too) runs non-root, read-only, with resources set', () => {
      for (const dir of dirs) {
        for (const { owner, template } of podTemplates(render(dir))) {
          const pod = template.spec!.securityContext;
          expect(pod, `${dir}: ${owner}`).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
          expect(pod!.runAsUser, `${dir}: ${owner}`).toBeGreaterThan(0);
          expect(template.spec!.automountServiceAccountToken, `${dir}: ${owner}`).toBe(false);
          for (const c of allContainers(template)) {
            const where = `${dir}: ${owner}/${c.name}`;
            expect(c.securityContext, where).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
            expect(c.securityContext?.capabilities?.drop, where).toContain('ALL');
            expect(c.securityContext?.runAsUser ?? pod!.runAsUser, where).not.toBe(0);
            expect(c.resources?.requests, where).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
            expect(c.resources?.limits?.memory, where).toEqual(expect.any(String));
          }
        }
      }
    });

    it('pods carry Prometheus scrape annotations for /metrics on their http port', () => {
      for (const dir of dirs) {
        for (const d of ofKind<IDeployment>(render(dir), 'Deployment')) {
          const port = d.spec!.template.spec!.containers[0]!.ports!.find((p) => p.name === 'http')!.containerPort;
          expect(d.spec!.template.metadata?.annotations, `${dir}: ${d.metadata.name}`).toMatchObject({
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(port),
            'prometheus.io/path': '/metrics',
          });
        }
      }
    });

    it('containers run bundles that the production build makes', () => {
      for (const dir of dirs) {
        for (const { owner, template } of podTemplates(render(dir))) {
          for (const c of allContainers(template)) {
            const bundle = c.command?.find((part) => part.startsWith('dist/server/'));
            expect(bundle, `${dir}: ${owner}/${c.name}`).toMatch(/^dist\/server\/[a-z-]+\.mjs$/);
            expect(Object.keys(SERVER_ENTRIES)).toContain(bundle!.slice('dist/server/'.length, -'.mjs'.length));
          }
        }
      }
    });

    it('the HorizontalPodAutoscaler (autoscaling/v2) scales the gateway Deployment, which leaves replicas to it', () => {
      for (const dir of ['base', 'overlays/national']) {
        const docs = render(dir);
        const [hpa, ...more] = ofKind<IHorizontalPodAutoscaler>(docs, 'HorizontalPodAutoscaler');
        expect(more).toEqual([]);
        expect(hpa!.apiVersion).toBe('autoscaling/v2');
        expect(hpa!.spec!.scaleTargetRef).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment' });
        const target = ofKind<IDeployment>(docs, 'Deployment').find((d) => d.metadata.name === hpa!.spec!.scaleTargetRef.name);
        expect(target?.spec!.template.spec!.containers[0]!.command).toContain('dist/server/gateway.mjs');
        expect(target!.spec!.replicas).toBeUndefined();
        expect(hpa!.spec!.minReplicas).toBeGreaterThanOrEqual(2);
        expect(hpa!.spec!.metrics?.[0]?.resource?.name).toBe('cpu');
      }
    });

    it('a migration Job per database, with the image and database of the pods whose init container waits on it', () => {
      const targets = new Set<string>();
      for (const dir of dirs) {
        const docs = render(dir);
        const jobs = ofKind<IJob>(docs, 'Job').map((j) => ({ job: j, container: j.spec!.template.spec!.containers[0]! }));
        for (const d of ofKind<IDeployment>(docs, 'Deployment')) {
          const init = (d.spec!.template.spec!.initContainers ?? []).find((c) => migrationTarget(c));
          expect(init, `${dir}: ${d.metadata.name} migrates before it starts`).toBeDefined();
          const target = migrationTarget(init!)!;
          const job = jobs.find(({ container }) => migrationTarget(container) === target);
          expect(job, `${dir}: a Job migrates the ${target} database`).toBeDefined();
          expect(job!.container.image).toBe(init!.image);
          expect(job!.container.image).toBe(d.spec!.template.spec!.containers[0]!.image);
          expect(databaseUrlSource(job!.container)).toEqual(databaseUrlSource(init!));
          expect(databaseUrlSource(job!.container)).toEqual(databaseUrlSource(d.spec!.template.spec!.containers[0]!));
          expect(job!.job.spec!.template.spec!.restartPolicy).toBe('Never');
          expect(job!.job.metadata!.annotations?.['argocd.argoproj.io/sync-wave']).toBe('1');
          expect(d.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBe('2');
          targets.add(target);
        }
      }
      expect([...targets].sort()).toEqual(['equipment', 'gateway']);
    });

    it('the national overlay puts the gateway in the namespace the institutions admit', () => {
      const namespaces = ofKind<Manifest>(render('overlays/national'), 'Namespace');
      expect(namespaces.map((n) => n.metadata.name)).toEqual([NATIONAL_NAMESPACE]);
    });

    it("institution services admit the national gateway's pods only (and Prometheus where its component is added)", () => {
      const national = render('overlays/national');
      const gatewayPods = ofKind<IDeployment>(national, 'Deployment').find((d) => d.metadata.name === 'gateway')!;
      const gatewayLabels = { ...gatewayPods.spec!.template.metadata!.labels };
      const isGatewayPeer = (peer: INetworkPolicyPeer) =>
        peer.ipBlock === undefined &&
        selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': NATIONAL_NAMESPACE }) &&
        Object.keys(peer.namespaceSelector?.matchLabels ?? {}).join() === 'kubernetes.io/metadata.name' &&
        peer.podSelector !== undefined &&
        Object.keys(peer.podSelector.matchLabels ?? {}).length > 0 &&
        selects(peer.podSelector, gatewayLabels);
      const isPrometheusPeer = (peer: INetworkPolicyPeer) =>
        peer.ipBlock === undefined &&
        peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'monitoring' &&
        peer.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'prometheus';

      for (const dir of ['institution', 'overlays/tohoku-u']) {
        const docs = render(dir);
        const pods = ofKind<IDeployment>(docs, 'Deployment').find((d) => d.metadata.name === 'equipment')!;
        const podLabels = pods.spec!.template.metadata!.labels!;
        const policies = ofKind<INetworkPolicy>(docs, 'NetworkPolicy').filter((p) => selects(p.spec!.podSelector, podLabels));
        expect(policies.map((p) => p.metadata.name)).toContain('equipment');
        for (const policy of policies) {
          const where = `${dir}: NetworkPolicy ${policy.metadata.name}`;
          expect(policy.spec!.policyTypes, where).toContain('Ingress');
          const allowed = policy.metadata.name === 'equipment' ? isGatewayPeer : isPrometheusPeer;
          expect(policy.spec!.ingress?.length, where).toBeGreaterThan(0);
          for (const rule of policy.spec!.ingress!) {
            // A rule without `from` admits every source.
            expect(rule.from?.length, where).toBeGreaterThan(0);
            for (const peer of rule.from!) expect(allowed(peer), `${where} admits ${JSON.stringify(peer)}`).toBe(true);
            expect(
              rule.ports?.map((p) => p.port),
              where,
            ).toEqual([8080]);
          }
        }
        // The gateway's own pods do not happen to match (a policy selecting everything would).
        expect(policies.every((p) => !selects(p.spec!.podSelector, gatewayLabels) || p.metadata.name !== 'equipment')).toBe(true);
      }
    });

    it('the gateway admits the Ingress controller only (and Prometheus where its component is added)', () => {
      for (const dir of ['base', 'overlays/national']) {
        const docs = render(dir);
        const labels = ofKind<IDeployment>(docs, 'Deployment').find((d) => d.metadata.name === 'gateway')!.spec!.template
          .metadata!.labels!;
        const policies = ofKind<INetworkPolicy>(docs, 'NetworkPolicy').filter((p) => selects(p.spec!.podSelector, labels));
        expect(policies.map((p) => p.metadata.name)).toContain('gateway');
        const peers = policies.flatMap((p) => p.spec!.ingress!.flatMap((r) => r.from ?? [{}]));
        for (const peer of peers) {
          const source = `${peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']}/${peer.podSelector?.matchLabels?.['app.kubernetes.io/name']}`;
          expect(['ingress-nginx/ingress-nginx', 'monitoring/prometheus'], `${dir} admits ${JSON.stringify(peer)}`).toContain(
            source,
          );
        }
      }
    });

    it('Services, PodDisruptionBudgets and the Ingress point at what the render contains', () => {
      for (const dir of dirs) {
        const docs = render(dir);
        const podLabels = ofKind<IDeployment>(docs, 'Deployment').map((d) => d.spec!.template.metadata!.labels!);
        const services = ofKind<IService>(docs, 'Service');
        for (const s of services)
          expect(
            podLabels.some((l) => selects({ matchLabels: s.spec!.selector }, l)),
            `${dir}: Service ${s.metadata.name}`,
          ).toBe(true);
        for (const p of ofKind<IPodDisruptionBudget>(docs, 'PodDisruptionBudget'))
          expect(
            podLabels.some((l) => selects(p.spec!.selector, l)),
            `${dir}: PDB ${p.metadata.name}`,
          ).toBe(true);
        for (const ingress of ofKind<IIngress>(docs, 'Ingress')) {
          for (const path of ingress.spec!.rules!.flatMap((r) => r.http!.paths)) {
            const service = services.find((s) => s.metadata.name === path.backend.service!.name);
            expect(
              service?.spec!.ports!.map((p) => p.name),
              `${dir}: Ingress ${ingress.metadata.name}`,
            ).toContain(path.backend.service!.port!.name);
          }
        }
      }
    });

    it.each(overlays)('%s puts every resource in its namespace', (dir) => {
      const docs = render(dir);
      const [namespace, ...more] = ofKind<Manifest>(docs, 'Namespace');
      expect(more).toEqual([]);
      expect(namespace!.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
      for (const doc of docs.filter((d) => d.kind !== 'Namespace'))
        expect(doc.metadata.namespace, `${doc.kind} ${doc.metadata.name}`).toBe(namespace!.metadata.name);
    });

    it("with the CloudNativePG component, every DATABASE_URL is the cluster's app URL", () => {
      const docs = render('overlays/tohoku-u');
      const [cluster] = ofKind<ICluster>(docs, 'Cluster');
      expect(cluster?.apiVersion).toBe('postgresql.cnpg.io/v1');
      const sources = podTemplates(docs).flatMap(({ template }) => allContainers(template).map(databaseUrlSource));
      expect(sources.length).toBe(3);
      for (const source of sources) expect(source).toEqual({ name: `${cluster!.metadata!.name}-app`, key: 'uri' });
    });

    it("with the gateway's CloudNativePG component, the harvest writes to the primary and search reads the replicas", () => {
      const docs = render('overlays/national');
      const [cluster, ...more] = ofKind<ICluster>(docs, 'Cluster');
      expect(more).toEqual([]);
      const name = cluster!.metadata!.name!;
      // A primary and at least two streaming replicas behind the -ro Service.
      expect(cluster!.spec!.instances).toBeGreaterThanOrEqual(3);
      const initdb = cluster!.spec!.bootstrap!.initdb!;
      expect(initdb).toMatchObject({ database: expect.any(String), owner: expect.any(String) });
      // pg_trgm finds letters in Japanese text only under a UTF-8 LC_CTYPE; the operator's default is C.
      expect(initdb.localeCType).toMatch(/\.utf-?8$/i);
      // The owner creates pg_trgm and btree_gist (trusted extensions) in the migrations: PostgreSQL 13 or later.
      expect(Number(/:(\d+)/.exec(cluster!.spec!.imageName!)?.[1])).toBeGreaterThanOrEqual(13);
      expect(cluster!.spec!.storage?.size).toEqual(expect.any(String));
      expect(cluster!.spec!.resources).toMatchObject({ requests: { cpu: expect.any(String), memory: expect.any(String) } });
      expect(cluster!.spec!.resources!.limits?.memory).toEqual(expect.any(String));

      // Every DATABASE_URL (the gateway, its init container, the migration Job) is the primary's.
      const templates = podTemplates(docs);
      const sources = templates.flatMap(({ template }) => allContainers(template).map(databaseUrlSource));
      expect(sources.length).toBe(3);
      for (const source of sources) expect(source).toEqual({ name: `${name}-app`, key: 'uri' });

      // The Secret as the operator writes it, then CATALOGUE_READ_URL as the kubelet expands it.
      const app = { username: initdb.owner!, password: 'Zq3xK9mW2pL7vB4nT8rY', dbname: initdb.database! };
      const secrets = {
        [`${name}-app`]: {
          ...app,
          uri: `postgresql://${app.username}:${app.password}@${name}-rw.${NATIONAL_NAMESPACE}:5432/${app.dbname}`,
        },
      };
      const readers = templates.flatMap(({ owner, template }) =>
        allContainers(template)
          .filter((c) => c.env?.some((e) => e.name === 'CATALOGUE_READ_URL'))
          .map((c) => ({ owner, container: c })),
      );
      expect(readers.map(({ owner, container }) => `${owner}/${container.name}`)).toEqual(['Deployment gateway/gateway']);
      const env = resolveEnv(readers[0]!.container.env!, secrets);
      const write = new URL(env.get('DATABASE_URL')!);
      const read = new URL(env.get('CATALOGUE_READ_URL')!);
      expect(read.href).not.toContain('$(');
      expect(read.protocol).toMatch(/^postgres(ql)?:$/);
      expect(read.hostname).toBe(`${name}-ro`);
      expect(read.port).toBe('5432');
      expect(write.hostname).toBe(`${name}-rw.${NATIONAL_NAMESPACE}`);
      for (const part of ['username', 'password', 'pathname'] as const) expect(read[part], part).toBe(write[part]);
    });

    it('the overlays give the processes the settings production requires', () => {
      const equipment = ofKind<{ data: Record<string, string> }>(render('overlays/tohoku-u'), 'ConfigMap')[0]!.data;
      expect(equipment.INSTITUTION_CODE).toBe('tohoku-u');
      expect(parsePublicKeySet(equipment.GATEWAY_PUBLIC_JWK!, { allowPrivate: false })).toHaveLength(1);
      const national = render('overlays/national');
      const gateway = ofKind<{ data: Record<string, string> }>(national, 'ConfigMap')[0]!.data;
      expect(gateway).toMatchObject({ OIDC_ISSUER: expect.stringMatching(/^https:\/\//), OIDC_AUDIENCE: expect.any(String) });
      expect(new URL(gateway.OIDC_JWKS_URL!).protocol).toBe('https:');
      const pod = ofKind<IDeployment>(national, 'Deployment')[0]!.spec!.template.spec!;
      const mounts = pod.containers[0]!.volumeMounts ?? [];
      const keyMount = mounts.find((m) => gateway.GATEWAY_SIGNING_JWK_FILE!.startsWith(`${m.mountPath}/`));
      expect(keyMount, 'the signing key file is on a mounted volume').toBeDefined();
      const volume = pod.volumes!.find((v) => v.name === keyMount!.name);
      expect(volume?.secret?.items?.map((i) => `${keyMount!.mountPath}/${i.path}`)).toContain(gateway.GATEWAY_SIGNING_JWK_FILE);
      for (const config of [equipment, gateway]) expect(config).toMatchObject({ HOST: '0.0.0.0', PORT: '8080' });
    });
  },
);
