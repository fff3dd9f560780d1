import { expect } from 'chai';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { planRestore } from '../../src/iptables/diff.js';
import { parseSave } from '../../src/iptables/parse.js';
import { serializeRuleSet } from '../../src/iptables/serialize.js';
import { IP_FAMILIES } from '../../src/model/family.js';
import { render } from '../../src/render/render.js';
import { tracePacket } from '../../src/trace/trace.js';
import { traceTablesFromRuleSet } from '../../src/trace/tables.js';
import {
  expectedPath,
  fixtureNames,
  loadFixture,
  loadFlows,
  renderInput,
  snapshotInputs,
  type Flow,
} from '../support/fixtures.js';
import { checkFlow } from '../support/flows.js';
import { seededShuffle } from '../support/shuffle.js';

const update = process.env.UPDATE_GOLDEN === '1';
if (update && process.env.CI)
  throw new Error(
    'UPDATE_GOLDEN=1 is refused when CI is set: golden files are reviewed, not regenerated, in CI',
  );

describe('golden fixtures', () => {
  for (const name of fixtureNames()) {
    describe(name, () => {
      it('renders exactly the expected rules for each family', async () => {
        const fixture = await loadFixture(name);
        for (const family of IP_FAMILIES) {
          const path = expectedPath(fixture, family);
          const wanted = fixture.families.includes(family);
          const text = serializeRuleSet(render(renderInput(fixture.inputs, family)).ruleSet);
          if (update) {
            if (wanted) writeFileSync(path, text);
            else if (existsSync(path)) unlinkSync(path);
            continue;
          }
          expect(existsSync(path), `${path} exists`).to.equal(wanted);
          if (wanted) expect(text, `${name} ${family}`).to.equal(readFileSync(path, 'utf8'));
        }
      });

      it('renders the same bytes whatever the order of the objects', async () => {
        const fixture = await loadFixture(name);
        for (const family of fixture.families) {
          const reference = serializeRuleSet(render(renderInput(fixture.inputs, family)).ruleSet);
          for (const seed of [1, 2, 3]) {
            const shuffled = snapshotInputs(fixture.inputs.config, seededShuffle(fixture.objects, seed));
            expect(serializeRuleSet(render(renderInput(shuffled, family)).ruleSet)).to.equal(reference);
          }
        }
      });

      it('has nothing left to apply once its own rules are live', async () => {
        const fixture = await loadFixture(name);
        for (const family of fixture.families) {
          const ruleSet = render(renderInput(fixture.inputs, family)).ruleSet;
          const live = parseSave(serializeRuleSet(ruleSet), family);
          const plan = planRestore(ruleSet, live);
          expect(plan.empty, JSON.stringify(plan.tables)).to.equal(true);
        }
      });

      it('sends every flow where kube-proxy would', async function () {
        const fixture = await loadFixture(name);
        const flows = loadFlows(fixture);
        if (flows.length === 0) return;
        const tables = new Map(
          fixture.families.map((f) => [
            f,
            traceTablesFromRuleSet(render(renderInput(fixture.inputs, f)).ruleSet),
          ]),
        );
        const host = { localAddresses: renderInput(fixture.inputs, 'ipv4').host.localAddresses };
        const failures: string[] = [];
        for (const flow of flows) {
          const t = tables.get(flow.family);
          if (!t) {
            failures.push(`${flow.name}: fixture renders no ${flow.family} rules`);
            continue;
          }
          failures.push(...checkFlow(flow, tracePacket(t, toPacket(flow), host)));
        }
        expect(failures, failures.join('\n')).to.deep.equal([]);
      });
    });
  }
});

function toPacket(flow: Flow): Parameters<typeof tracePacket>[1] {
  return {
    src: flow.from,
    dst: flow.to.ip,
    dport: flow.to.port,
    protocol: flow.to.protocol,
    origin: flow.origin,
    ...(flow.inInterface ? { inInterface: flow.inInterface } : {}),
  };
}
