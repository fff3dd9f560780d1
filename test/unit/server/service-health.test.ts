import net from 'node:net';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import winston from 'winston';
import {
  ServiceHealthServers,
  serviceHealthBody,
  type ServiceHealthInfo,
} from '../../../src/server/service-health.js';
import { freePorts, get, tryConnect } from './http-client.js';

function capturingLogger(): { logger: winston.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback): void {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  const logger = winston.createLogger({
    level: 'debug',
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, lines };
}

const svc = (name: string, localEndpoints: number): ServiceHealthInfo => ({
  namespace: 'ns',
  name,
  localEndpoints,
});

describe('ServiceHealthServers', () => {
  let servers: ServiceHealthServers;
  let abort: AbortController;
  let healthy: boolean;
  let lines: Record<string, unknown>[];
  let ports: number[];

  beforeEach(async () => {
    const captured = capturingLogger();
    lines = captured.lines;
    healthy = true;
    servers = new ServiceHealthServers({
      logger: captured.logger,
      addresses: ['127.0.0.1'],
      proxyHealthy: () => healthy,
    });
    abort = new AbortController();
    servers.start(abort.signal);
    ports = await freePorts(4);
  });

  afterEach(async () => {
    abort.abort();
    await servers.stop();
  });

  it('answers 200 with the local endpoint count, 503 without endpoints', async () => {
    const [a = 0, b = 0] = ports;
    await servers.sync(
      new Map([
        [a, svc('a', 2)],
        [b, svc('b', 0)],
      ]),
    );
    expect(servers.listeningPorts()).to.deep.equal([a, b].sort((x, y) => x - y));

    const ok = await get(a, '/');
    expect(ok.status).to.equal(200);
    expect(ok.headers['content-type']).to.equal('application/json');
    expect(ok.headers['x-content-type-options']).to.equal('nosniff');
    expect(ok.body).to.equal(
      '{\n\t"service": {\n\t\t"namespace": "ns",\n\t\t"name": "a"\n\t},\n\t"localEndpoints": 2,\n\t"serviceProxyHealthy": true\n}',
    );
    expect(JSON.parse(ok.body)).to.deep.equal({
      service: { namespace: 'ns', name: 'a' },
      localEndpoints: 2,
      serviceProxyHealthy: true,
    });

    const none = await get(b, '/anything');
    expect(none.status).to.equal(503);
    expect(JSON.parse(none.body)).to.include({ localEndpoints: 0, serviceProxyHealthy: true });
  });

  it('answers 503 when the proxy is unhealthy', async () => {
    const [a = 0] = ports;
    await servers.sync(new Map([[a, svc('a', 3)]]));
    healthy = false;
    const reply = await get(a, '/');
    expect(reply.status).to.equal(503);
    expect(reply.body).to.equal(serviceHealthBody(svc('a', 3), false));
  });

  it('opens and closes ports as the wanted set changes', async () => {
    const [a = 0, b = 0, c = 0] = ports;
    await servers.sync(
      new Map([
        [a, svc('a', 1)],
        [b, svc('b', 0)],
      ]),
    );
    await servers.sync(
      new Map([
        [b, svc('b', 4)],
        [c, svc('c', 1)],
      ]),
    );
    expect(servers.listeningPorts()).to.deep.equal([b, c].sort((x, y) => x - y));
    expect(await tryConnect(a)).to.equal('ECONNREFUSED');
    const reply = await get(b, '/');
    expect(reply.status).to.equal(200);
    expect(JSON.parse(reply.body)).to.include({ localEndpoints: 4 });
    expect((await get(c, '/')).status).to.equal(200);

    await servers.sync(new Map());
    expect(servers.listeningPorts()).to.deep.equal([]);
    for (const port of [a, b, c]) expect(await tryConnect(port)).to.equal('ECONNREFUSED');
  });

  it('logs a port it cannot bind and binds it on a later sync', async () => {
    const [a = 0, busy = 0] = ports;
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(busy, '127.0.0.1', resolve));
    const wanted = new Map([
      [a, svc('a', 1)],
      [busy, svc('busy', 1)],
    ]);
    await servers.sync(wanted);
    expect(servers.listeningPorts()).to.deep.equal([a]);
    expect(lines.find((l) => l.message === 'failed to open health check port')).to.include({
      level: 'error',
      port: busy,
      service: 'ns/busy',
    });

    await new Promise<void>((resolve) => squatter.close(() => resolve()));
    await servers.sync(wanted);
    expect(servers.listeningPorts()).to.deep.equal([a, busy].sort((x, y) => x - y));
    expect((await get(busy, '/')).status).to.equal(200);
  });

  it('closes every port on abort', async () => {
    const [a = 0, b = 0] = ports;
    await servers.sync(
      new Map([
        [a, svc('a', 1)],
        [b, svc('b', 1)],
      ]),
    );
    abort.abort();
    await servers.stop();
    expect(servers.listeningPorts()).to.deep.equal([]);
    expect(await tryConnect(a)).to.equal('ECONNREFUSED');
    await servers.sync(new Map([[a, svc('a', 1)]]));
    expect(await tryConnect(a)).to.equal('ECONNREFUSED');
  });
});

describe('ServiceHealthServers.update', () => {
  it('accepts the syncer list shape', async () => {
    const { logger } = capturingLogger();
    const servers = new ServiceHealthServers({ logger, addresses: ['127.0.0.1'] });
    const abort = new AbortController();
    servers.start(abort.signal);
    const [a = 0] = await freePorts(1);
    servers.update([{ namespace: 'ns', name: 'a', healthCheckNodePort: a, localEndpoints: 1 }]);
    await servers.sync(new Map([[a, svc('a', 5)]]));
    expect(JSON.parse((await get(a, '/')).body)).to.include({ localEndpoints: 5 });
    abort.abort();
    await servers.stop();
    expect(await tryConnect(a)).to.equal('ECONNREFUSED');
  });
});
