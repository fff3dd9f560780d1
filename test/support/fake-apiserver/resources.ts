/** The resources the fake API server serves, and how their paths and list kinds are spelled. */

export type ResourceName = 'services' | 'endpoints' | 'nodes' | 'endpointslices';

export interface ResourceInfo {
  readonly name: ResourceName;
  readonly kind: string;
  readonly listKind: string;
  readonly apiVersion: string;
  /** `/api/v1` or `/apis/<group>/<version>`. */
  readonly prefix: string;
  readonly namespaced: boolean;
}

export const RESOURCES: Readonly<Record<ResourceName, ResourceInfo>> = {
  services: {
    name: 'services',
    kind: 'Service',
    listKind: 'ServiceList',
    apiVersion: 'v1',
    prefix: '/api/v1',
    namespaced: true,
  },
  endpoints: {
    name: 'endpoints',
    kind: 'Endpoints',
    listKind: 'EndpointsList',
    apiVersion: 'v1',
    prefix: '/api/v1',
    namespaced: true,
  },
  nodes: {
    name: 'nodes',
    kind: 'Node',
    listKind: 'NodeList',
    apiVersion: 'v1',
    prefix: '/api/v1',
    namespaced: false,
  },
  endpointslices: {
    name: 'endpointslices',
    kind: 'EndpointSlice',
    listKind: 'EndpointSliceList',
    apiVersion: 'discovery.k8s.io/v1',
    prefix: '/apis/discovery.k8s.io/v1',
    namespaced: true,
  },
};

export function isResourceName(value: string): value is ResourceName {
  return Object.hasOwn(RESOURCES, value);
}

/** Where a request points: a collection (all namespaces or one) or a single object. */
export interface Route {
  readonly resource: ResourceInfo;
  /** Undefined for cluster-wide collections and cluster-scoped resources. */
  readonly namespace: string | undefined;
  readonly name: string | undefined;
}

/**
 * Parses `/api/v1/services`, `/api/v1/namespaces/NS/services[/NAME]`, `/api/v1/nodes[/NAME]` and
 * the same shapes under `/apis/discovery.k8s.io/v1`. Undefined when the path is not served.
 */
export function parseRoute(pathname: string): Route | undefined {
  for (const prefix of ['/api/v1', '/apis/discovery.k8s.io/v1']) {
    if (!pathname.startsWith(prefix + '/')) continue;
    const parts = pathname
      .slice(prefix.length + 1)
      .split('/')
      .map(decodeURIComponent);
    const namespaced = parts[0] === 'namespaces' && parts.length >= 3;
    const [namespace, rest] = namespaced ? [parts[1], parts.slice(2)] : [undefined, parts];
    const [resourceName, name, extra] = rest;
    if (resourceName === undefined || !isResourceName(resourceName) || extra !== undefined) return undefined;
    const resource = RESOURCES[resourceName];
    if (resource.prefix !== prefix || (namespaced && !resource.namespaced)) return undefined;
    if (name === '' || namespace === '') return undefined;
    if (resource.namespaced && !namespaced && name !== undefined) return undefined;
    return { resource, namespace, name };
  }
  return undefined;
}
