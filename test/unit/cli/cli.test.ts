import { expect } from 'chai';
import { execa } from 'execa';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDestination } from '../../../src/cli/commands/trace.js';

const ENTRY = new URL('../../../src/cli/entry.ts', import.meta.url).pathname;
const DEMO = new URL('../../../fixtures/demo/', import.meta.url).pathname;

async function kproxy(...args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa(process.execPath, ['--import', 'tsx', ENTRY, ...args], { reject: false });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('cli', function () {
  this.timeout(30_000);

  it('render prints the golden rules of the demo cluster and exits 0', async () => {
    const r = await kproxy(
      'render',
      '--config',
      join(DEMO, 'config.yaml'),
      '--objects',
      join(DEMO, 'cluster.yaml'),
    );
    expect(r.exitCode).to.equal(0);
    expect(r.stdout + '\n').to.equal(readFileSync(join(DEMO, 'expected-ipv4.rules'), 'utf8'));
  });

  it('render exits 2 with one line naming the file when the config is invalid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kproxy-cli-'));
    const bad = join(dir, 'config.yaml');
    writeFileSync(
      bad,
      'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\niptables:\n  masqueradeBit: 40\n',
    );
    const r = await kproxy('render', '--config', bad, '--objects', join(DEMO, 'cluster.yaml'));
    expect(r.exitCode).to.equal(2);
    expect(r.stdout).to.equal('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include(bad).and.include('masqueradeBit');
  });

  it('render exits 2 naming an unreadable objects path', async () => {
    const r = await kproxy(
      'render',
      '--config',
      join(DEMO, 'config.yaml'),
      '--objects',
      '/nonexistent/objects',
    );
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.include('/nonexistent/objects');
  });

  it('render --format summary lists every service port', async () => {
    const r = await kproxy(
      'render',
      '--config',
      join(DEMO, 'config.yaml'),
      '--objects',
      DEMO,
      '--format',
      'summary',
    );
    expect(r.exitCode).to.equal(0);
    for (const name of ['default/kubernetes:https', 'shop/api:https', 'shop/cart', 'shop/checkout:http']) {
      expect(r.stdout).to.include(name);
    }
    expect(r.stdout).to.match(/shop\/checkout:http .*\(REJECT\)/);
  });

  it('trace shows the endpoints a NodePort connection reaches', async () => {
    const r = await kproxy(
      'trace',
      '--config',
      join(DEMO, 'config.yaml'),
      '--objects',
      join(DEMO, 'cluster.yaml'),
      '--from',
      '192.168.60.99',
      '--to',
      '192.168.60.1:30080/tcp',
    );
    expect(r.exitCode).to.equal(0);
    expect(r.stdout).to.include('DNAT to 10.244.1.10:8080').and.include('masquerade: yes');
    expect(r.stdout).to.include('33.33%');
  });

  it('parses trace destinations', () => {
    expect(parseDestination('10.0.0.1:80')).to.deep.include({ ip: '10.0.0.1', port: 80, protocol: 'tcp' });
    expect(parseDestination('[fd00::1]:53/udp')).to.deep.include({
      ip: 'fd00::1',
      port: 53,
      protocol: 'udp',
      family: 'ipv6',
    });
    expect(() => parseDestination('10.0.0.1')).to.throw(/IP:PORT/);
    expect(() => parseDestination('10.0.0.1:99999')).to.throw(/IP:PORT/);
  });
});
