import type { EndpointSlice, Node, Service } from '../model/cluster.js';
import { type ConvertResult, type ConvertWarning, describeObject } from './convert-common.js';
import { convertEndpointSlice } from './convert-endpoint-slice.js';
import { convertEndpoints } from './convert-endpoints.js';
import { convertNode } from './convert-node.js';
import { convertService } from './convert-service.js';
import { isMapping } from './raw.js';

export type { ConvertResult, ConvertWarning } from './convert-common.js';
export { convertEndpointSlice } from './convert-endpoint-slice.js';
export { convertEndpoints } from './convert-endpoints.js';
export { convertNode } from './convert-node.js';
export { convertService } from './convert-service.js';

export interface ConvertedObjects {
  readonly services: Service[];
  readonly endpointSlices: EndpointSlice[];
  readonly nodes: Node[];
  readonly warnings: ConvertWarning[];
  /** Objects dropped on purpose (headless services, FQDN slices, kinds kproxy does not read, ...). */
  readonly ignored: number;
}

type Mutable = { -readonly [K in keyof ConvertedObjects]: ConvertedObjects[K] };

type Kind = 'Service' | 'Endpoints' | 'EndpointSlice' | 'Node';

/** The API group/version each kind is read from; objects of the same kind in another group (a Knative Service) are not. */
const API_VERSIONS: Readonly<Record<Kind, readonly string[]>> = {
  Service: ['v1'],
  Endpoints: ['v1'],
  EndpointSlice: ['discovery.k8s.io/v1'],
  Node: ['v1'],
};

interface Identified {
  readonly kind: Kind;
  readonly key: string;
  readonly label: string;
  readonly obj: unknown;
}

function field(obj: Record<string, unknown>, key: string): string {
  const value = obj[key];
  return typeof value === 'string' ? value : '';
}

function kindOf(kind: string, apiVersion: string): Kind | undefined {
  if (!Object.hasOwn(API_VERSIONS, kind)) return undefined;
  const known = kind as Kind;
  return apiVersion === '' || API_VERSIONS[known].includes(apiVersion) ? known : undefined;
}

function unusedKindMessage(kind: string, apiVersion: string): string {
  if (kind === '') return 'has no kind and is not used by kproxy';
  const group = apiVersion === '' || apiVersion === 'v1' ? '' : ` (${JSON.stringify(apiVersion)})`;
  return `kind ${JSON.stringify(kind).slice(1, -1)}${group} is not used by kproxy`;
}

function identify(obj: unknown, index: number, out: Mutable): Identified | undefined {
  if (!isMapping(obj)) {
    out.warnings.push({ object: `object #${index + 1}`, message: 'is not an object' });
    return undefined;
  }
  const rawKind = field(obj, 'kind');
  const apiVersion = field(obj, 'apiVersion');
  const kind = kindOf(rawKind, apiVersion);
  const metadata = isMapping(obj['metadata']) ? obj['metadata'] : {};
  const name = field(metadata, 'name');
  if (kind === undefined) {
    const label = describeObject(rawKind || 'object', field(metadata, 'namespace'), name || `#${index + 1}`);
    out.warnings.push({ object: label, message: unusedKindMessage(rawKind, apiVersion) });
    return undefined;
  }
  const namespace = kind === 'Node' ? '' : field(metadata, 'namespace') || 'default';
  return {
    kind,
    key: `${kind}\u0000${namespace}\u0000${name}`,
    label: describeObject(kind, namespace, name),
    obj,
  };
}

function collect<T>(result: ConvertResult<T>, label: string, add: (value: T) => void, out: Mutable): void {
  switch (result.kind) {
    case 'ok':
      add(result.value);
      return;
    case 'ignored':
      out.ignored++;
      return;
    case 'invalid':
      out.warnings.push({ object: label, message: `${result.message}; the object is ignored` });
      return;
    default: {
      const never: never = result;
      throw new Error(`unexpected result ${String(never)}`);
    }
  }
}

function convertOne(item: Identified, out: Mutable): void {
  switch (item.kind) {
    case 'Service':
      return collect(convertService(item.obj), item.label, (v) => out.services.push(v), out);
    case 'EndpointSlice':
      return collect(convertEndpointSlice(item.obj), item.label, (v) => out.endpointSlices.push(v), out);
    case 'Endpoints':
      return collect(convertEndpoints(item.obj), item.label, (v) => out.endpointSlices.push(...v), out);
    case 'Node':
      return collect(convertNode(item.obj), item.label, (v) => out.nodes.push(v), out);
    default: {
      const never: never = item.kind;
      throw new Error(`unexpected kind ${String(never)}`);
    }
  }
}

/**
 * Converts raw API objects (as loadObjects returns them) into the model. Invalid objects are
 * dropped with a warning; ignored ones (headless services, FQDN slices, ...) are only counted, except
 * kinds kproxy does not read, which also warn. When the same object (kind, namespace, name) appears
 * more than once, the last one in input order wins and a warning says so.
 */
export function convertObjects(objects: readonly unknown[]): ConvertedObjects {
  const out: Mutable = { services: [], endpointSlices: [], nodes: [], warnings: [], ignored: 0 };
  const byKey = new Map<string, Identified>();
  objects.forEach((obj, i) => {
    const item = identify(obj, i, out);
    if (item === undefined) {
      out.ignored++;
      return;
    }
    if (byKey.has(item.key)) {
      out.warnings.push({
        object: item.label,
        message: 'appears more than once; the last definition is used',
      });
      byKey.delete(item.key);
    }
    byKey.set(item.key, item);
  });
  for (const item of byKey.values()) convertOne(item, out);
  return out;
}
