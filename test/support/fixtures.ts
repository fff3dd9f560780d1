import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { loadObjects } from '../../src/input/load-objects.js';
import { convertObjects } from '../../src/k8s/convert.js';
import type { IpFamily } from '../../src/model/family.js';
import { buildSnapshot } from '../../src/model/snapshot.js';
import { clusterFamilies, offlineHostFacts, type OfflineInputs } from '../../src/cli/inputs.js';
import type { RenderInput } from '../../src/render/input.js';

export const FIXTURES_DIR = new URL('../../fixtures/', import.meta.url).pathname;

export interface Fixture {
  readonly name: string;
  readonly dir: string;
  readonly objects: unknown[];
  readonly inputs: OfflineInputs;
  readonly families: IpFamily[];
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(FIXTURES_DIR, d.name, 'config.yaml')))
    .map((d) => d.name)
    .sort();
}

export async function loadFixture(name: string): Promise<Fixture> {
  const dir = join(FIXTURES_DIR, name);
  const configPath = join(dir, 'config.yaml');
  const { config } = parseConfig(readFileSync(configPath, 'utf8'), configPath, { hostname: 'fixture-host' });
  const objects = await loadObjects([join(dir, 'cluster.yaml')]);
  const inputs = snapshotInputs(config, objects);
  return { name, dir, objects, inputs, families: clusterFamilies(inputs) };
}

export function snapshotInputs(config: OfflineInputs['config'], objects: unknown[]): OfflineInputs {
  const converted = convertObjects(objects);
  return { config, snapshot: buildSnapshot(converted.services, converted.endpointSlices, converted.nodes) };
}

export function renderInput(inputs: OfflineInputs, family: IpFamily): RenderInput {
  return { ...inputs, family, host: offlineHostFacts(inputs) };
}

export function expectedPath(fixture: Fixture, family: IpFamily): string {
  return join(fixture.dir, `expected-${family}.rules`);
}

/** A flow: one new connection traced through the rendered rules. */
export interface Flow {
  readonly name: string;
  readonly family: IpFamily;
  readonly from: string;
  readonly origin: 'remote' | 'local';
  readonly inInterface: string | undefined;
  readonly to: { ip: string; port: number; protocol: 'tcp' | 'udp' | 'sctp' };
  readonly expect: {
    readonly endpoints?: string[];
    readonly verdict?: 'REJECT' | 'DROP' | 'ACCEPT';
    /** true/false for every outcome, or the endpoints whose connections are masqueraded. */
    readonly masquerade?: boolean | string[];
  };
}

const TO = /^(\[[0-9a-f:.]+\]|[0-9.]+):(\d+)\/(tcp|udp|sctp)$/;

export function loadFlows(fixture: Fixture): Flow[] {
  const file = join(fixture.dir, 'flows.yaml');
  if (!existsSync(file)) return [];
  const doc = parseYaml(readFileSync(file, 'utf8')) as { flows?: Record<string, unknown>[] };
  return (doc.flows ?? []).map((raw, i) => {
    const to = TO.exec(String(raw.to));
    if (!to) throw new Error(`${file}: flows[${i}].to must be IP:PORT/PROTO, got ${String(raw.to)}`);
    const ip = to[1]!.replace(/^\[|\]$/g, '');
    return {
      name: typeof raw.name === 'string' ? raw.name : `flow ${i}`,
      family: ip.includes(':') ? 'ipv6' : 'ipv4',
      from: String(raw.from),
      origin: raw.origin === 'local' ? 'local' : 'remote',
      inInterface: typeof raw.inInterface === 'string' ? raw.inInterface : undefined,
      to: { ip, port: Number(to[2]), protocol: to[3] as 'tcp' | 'udp' | 'sctp' },
      expect: raw.expect ?? {},
    };
  });
}
