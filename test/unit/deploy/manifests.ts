import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from './kproxy-help.js';

export const MANIFESTS_DIR = join(REPO_ROOT, 'manifests');

export interface ManifestDoc {
  readonly file: string;
  readonly object: unknown;
}

/** Every YAML file in manifests/ but the kustomization, sorted. */
export function manifestFiles(): string[] {
  return readdirSync(MANIFESTS_DIR)
    .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
    .sort();
}

export function readYamlDocs(file: string): ManifestDoc[] {
  const docs = parseAllDocuments(readFileSync(join(MANIFESTS_DIR, file), 'utf8'));
  if (!Array.isArray(docs)) throw new Error(`${file}: not YAML documents`);
  return docs.map((doc, i) => {
    const [error] = doc.errors;
    if (error !== undefined) throw new Error(`${file} document ${i + 1}: ${error.message}`);
    return { file, object: doc.toJS() as unknown };
  });
}

export function kustomization(): { resources: string[]; namespace?: string } {
  const [doc] = readYamlDocs('kustomization.yaml');
  return doc!.object as { resources: string[]; namespace?: string };
}

export interface Objects {
  readonly daemonSet: IDaemonSet;
  readonly configMap: IConfigMap;
  readonly serviceAccount: IServiceAccount;
  readonly clusterRole: IClusterRole;
  readonly clusterRoleBinding: IClusterRoleBinding;
}

/**
 * The kustomization's objects by kind. The casts are safe only once the schema test passed, so
 * the tests below report schema problems first.
 */
export function objects(): Objects {
  const all = kustomization().resources.flatMap((file) => readYamlDocs(file).map((d) => d.object));
  const one = <T>(kind: string): T => {
    const found = all.filter((o) => (o as { kind?: unknown }).kind === kind);
    if (found.length !== 1) throw new Error(`expected one ${kind} in manifests/, found ${found.length}`);
    return found[0] as T;
  };
  return {
    daemonSet: one('DaemonSet'),
    configMap: one('ConfigMap'),
    serviceAccount: one('ServiceAccount'),
    clusterRole: one('ClusterRole'),
    clusterRoleBinding: one('ClusterRoleBinding'),
  };
}

/** "--name=value" / "--name" / "-n=value" -> name; undefined for a positional argument. */
export function flagName(arg: string): string | undefined {
  const m = /^--?([^=]+)/.exec(arg);
  return m ? m[1] : undefined;
}

/** The value of `--name=value` (or `--name value`) in `args`, if given. */
export function flagValue(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
    if (arg === `--${name}`) return args[i + 1];
  }
  return undefined;
}
