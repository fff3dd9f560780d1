import type { EndpointSlice, Service } from '../model/cluster.js';
import type { IpFamily } from '../model/family.js';
import { compareBytes } from '../model/ruleset.js';
import type { RenderWarning } from './input.js';
import type { NodeFacts } from './node-facts.js';
import { serviceClusterIP, servicePortView, type ServicePortView } from './service-view.js';

/**
 * One service as this node sees it, for one family: its port views and the warnings about it.
 * Everything here depends only on the Service, its slices of the family and the node facts
 * (summarised in `viewKey`), so an entry can be reused while those stay the same.
 */
export interface ServiceEntry {
  readonly service: Service;
  /** The service's slices of the family, sorted by name. */
  readonly slices: readonly EndpointSlice[];
  readonly viewKey: string;
  /** The port views, sorted by name and protocol. */
  readonly views: readonly ServicePortView[];
  /** The views that own their chains: all but later duplicates of a port (same name and protocol). */
  readonly unique: readonly ServicePortView[];
  readonly warnings: readonly RenderWarning[];
}

export interface EntryContext {
  readonly family: IpFamily;
  readonly node: NodeFacts;
  readonly nodeHints: boolean;
  readonly viewKey: string;
}

export const compareViews = (a: ServicePortView, b: ServicePortView): number =>
  compareBytes(a.name, b.name) || compareBytes(a.protocol, b.protocol);

/** The entry of a service, or undefined when it has no cluster IP of the family (not rendered). */
export function serviceEntry(
  service: Service,
  slices: readonly EndpointSlice[],
  ctx: EntryContext,
): ServiceEntry | undefined {
  const clusterIP = serviceClusterIP(service, ctx.family);
  if (clusterIP === undefined) return undefined;
  const viewCtx = { family: ctx.family, node: ctx.node, nodeHints: ctx.nodeHints, slices };
  const views = service.ports
    .map((port) => servicePortView(service, port, clusterIP, viewCtx))
    .sort(compareViews);
  const unique: ServicePortView[] = [];
  const warnings: RenderWarning[] = [];
  let previous: ServicePortView | undefined;
  for (const view of views) {
    if (previous?.hash === view.hash) {
      warnings.push({
        object: `Service ${service.namespace}/${service.name}`,
        message: `duplicate port ${view.name}`,
      });
    } else {
      unique.push(view);
    }
    previous = view;
  }
  return { service, slices, viewKey: ctx.viewKey, views, unique, warnings };
}

/** The slices of one family, sorted by name (a service's slices in snapshot order are sorted by name first). */
export function familySlices(slices: readonly EndpointSlice[], family: IpFamily): EndpointSlice[] {
  return slices.filter((s) => s.family === family);
}
