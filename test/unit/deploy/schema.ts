import { DaemonSet } from 'kubernetes-models/apps/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, ServiceAccount } from 'kubernetes-models/v1';

/**
 * Validation of Kubernetes objects against the API's OpenAPI schemas, compiled by
 * kubernetes-models, in the strict sense kubeconform's `-strict` has: the schemas leave
 * `additionalProperties` open, so a misspelt field (`hostNetwrok: true`) would pass them and be
 * dropped by the API server without a word. Here the object is handed to the validator behind a
 * proxy that records every property the validator reads; a property it never read is a field no
 * schema on its path declares.
 */

interface Validatable {
  readonly apiVersion: string;
  readonly kind: string;
  readonly prototype: { validate(this: unknown): void };
}

const MODELS: readonly Validatable[] = [
  DaemonSet,
  ConfigMap,
  ServiceAccount,
  ClusterRole,
  ClusterRoleBinding,
];

export function typeKey(apiVersion: unknown, kind: unknown): string {
  return `${String(apiVersion)} ${String(kind)}`;
}

const BY_TYPE = new Map(MODELS.map((m) => [typeKey(m.apiVersion, m.kind), m]));

export const SUPPORTED_TYPES: readonly string[] = [...BY_TYPE.keys()].sort();

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A read-only view of `value` that adds the path of every own property read to `seen`. */
function tracked(value: unknown, path: string, seen: Set<string>): unknown {
  if (!isObject(value)) return value;
  return new Proxy(value, {
    get(target, key, receiver) {
      const child: unknown = Reflect.get(target, key, receiver);
      if (typeof key !== 'string' || !Object.hasOwn(target, key)) return child;
      const childPath = `${path}/${key}`;
      seen.add(childPath);
      return tracked(child, childPath, seen);
    },
    set: () => false,
    deleteProperty: () => false,
  });
}

/** Paths ("/spec/template/...") of every property of `value`, arrays' elements included. */
function allPaths(value: unknown, path: string, out: string[]): string[] {
  if (!isObject(value)) return out;
  for (const [key, child] of Object.entries(value)) {
    const childPath = `${path}/${key}`;
    out.push(childPath);
    allPaths(child, childPath, out);
  }
  return out;
}

/**
 * Problems with `object` as the API server would see it: an unknown apiVersion/kind, a schema
 * violation (the library's message: path and reason), or fields unknown to the schema.
 */
export function schemaProblems(object: unknown): string[] {
  if (!isObject(object)) return ['not an object'];
  const model = BY_TYPE.get(typeKey(object['apiVersion'], object['kind']));
  if (model === undefined) {
    return [
      `no schema for ${typeKey(object['apiVersion'], object['kind'])} (have: ${SUPPORTED_TYPES.join(', ')})`,
    ];
  }
  const seen = new Set<string>();
  try {
    model.prototype.validate.call(tracked(object, '', seen));
  } catch (err) {
    return [err instanceof Error ? err.message : String(err)];
  }
  return allPaths(object, '', [])
    .filter((path) => !seen.has(path))
    .map((path) => `${path}: unknown field`);
}
