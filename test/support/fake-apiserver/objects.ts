import { StatusError } from './status.js';

/** The JSON shape of any stored object, as much of it as the fake server reads. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  resourceVersion?: string;
  uid?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringMap(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string');
}

/**
 * Copies any object (a client-node model, a literal, a parsed body) to its JSON form and checks the
 * metadata fields the server relies on. Throws a 400 StatusError when the shape is wrong.
 */
export function toKubeObject(input: unknown): KubeObject {
  const json: unknown = JSON.parse(JSON.stringify(input ?? null));
  if (!isRecord(json) || !isRecord(json.metadata)) throw new StatusError(400, 'object has no metadata');
  const metadata: Record<string, unknown> = json.metadata;
  for (const field of ['name', 'generateName', 'namespace', 'resourceVersion'] as const) {
    const value = metadata[field];
    if (value !== undefined && typeof value !== 'string') {
      throw new StatusError(400, `metadata.${field} must be a string`);
    }
  }
  if (metadata.labels !== undefined && !isStringMap(metadata.labels)) {
    throw new StatusError(400, 'metadata.labels must map strings to strings');
  }
  return json as KubeObject;
}

export function clone<T extends KubeObject>(obj: T): T {
  return structuredClone(obj);
}

/** The store key: `namespace/name`, or `name` for cluster-scoped objects. Sorts like etcd keys. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace === undefined ? name : `${namespace}/${name}`;
}
