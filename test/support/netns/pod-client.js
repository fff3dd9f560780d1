/* eslint-disable @typescript-eslint/explicit-function-return-type -- plain JS for `node` without tsx */
// Traffic generator, run inside a namespace with plain `node` (no tsx):
//   node pod-client.js '{"to":"10.96.0.10","port":80,"protocol":"tcp","timeoutMs":1000,"count":60}'
// Every request is a new TCP connection / a new connected UDP socket, so each one has a fresh
// source port and a fresh conntrack entry. Prints one JSON document {"results":[...]} on stdout.
import dgram from 'node:dgram';
import net from 'node:net';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';

const spec = JSON.parse(process.argv[2] ?? '{}');
const usedUdpPorts = new Set();

/** Parses the server's JSON line; anything else is an error result. */
function parseReply(text, clientPort) {
  try {
    const reply = JSON.parse(text);
    return { kind: 'reply', pod: reply.pod, peer: reply.peer, local: reply.local, clientPort };
  } catch {
    return { kind: 'error', message: `unparsable reply: ${JSON.stringify(text)}` };
  }
}

function failure(err) {
  if (err && err.code === 'ECONNREFUSED') return { kind: 'refused' };
  return { kind: 'error', message: err instanceof Error ? err.message : String(err), code: err?.code };
}

/** Resolves exactly once, then runs `cleanup`. */
function once(resolve, cleanup) {
  let done = false;
  return (result) => {
    if (done) return;
    done = true;
    cleanup();
    resolve(result);
  };
}

function tcpRequest() {
  return new Promise((resolve) => {
    const options = { host: spec.to, port: spec.port };
    if (spec.localAddress) options.localAddress = spec.localAddress;
    const socket = net.connect(options);
    const finish = once(resolve, () => {
      clearTimeout(timer);
      socket.destroy();
    });
    const timer = setTimeout(() => finish({ kind: 'timeout' }), spec.timeoutMs);
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline >= 0) finish(parseReply(buffer.slice(0, newline), socket.localPort));
    });
    socket.on('end', () =>
      finish({ kind: 'error', message: `connection closed, got ${JSON.stringify(buffer)}` }),
    );
    socket.on('error', (err) => finish(failure(err)));
  });
}

/** A connected UDP socket with a source port this process has not used yet. */
async function freshUdpSocket() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const socket = dgram.createSocket(net.isIPv6(spec.to) ? 'udp6' : 'udp4');
    await new Promise((resolve, reject) => {
      socket.once('error', reject);
      const connect = () => socket.connect(spec.port, spec.to, resolve);
      if (spec.localAddress) socket.bind({ address: spec.localAddress, port: 0 }, connect);
      else connect();
    });
    const port = socket.address().port;
    if (!usedUdpPorts.has(port)) {
      usedUdpPorts.add(port);
      return socket;
    }
    socket.close();
  }
  throw new Error('no fresh UDP source port after 50 attempts');
}

async function udpRequest() {
  let socket;
  try {
    socket = await freshUdpSocket();
  } catch (err) {
    return failure(err);
  }
  const clientPort = socket.address().port;
  return new Promise((resolve) => {
    const finish = once(resolve, () => {
      clearTimeout(timer);
      socket.close();
    });
    const timer = setTimeout(() => finish({ kind: 'timeout' }), spec.timeoutMs);
    socket.removeAllListeners('error');
    socket.on('message', (msg) => finish(parseReply(msg.toString('utf8').trim(), clientPort)));
    // ICMP port-unreachable (iptables REJECT) surfaces as ECONNREFUSED on a connected socket.
    socket.on('error', (err) => finish(failure(err)));
    socket.send('ping\n');
  });
}

async function main() {
  const request = spec.protocol === 'udp' ? udpRequest : tcpRequest;
  const results = new Array(spec.count ?? 1);
  let next = 0;
  async function worker() {
    while (next < results.length) {
      const index = next++;
      results[index] = await request();
    }
  }
  const workers = Array.from({ length: Math.max(1, spec.concurrency ?? 1) }, () => worker());
  await Promise.all(workers);
  process.stdout.write(`${JSON.stringify({ results })}\n`);
}

main().catch((err) => {
  process.stderr.write(`pod-client: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
