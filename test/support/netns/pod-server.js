/* eslint-disable @typescript-eslint/explicit-function-return-type -- plain JS for `node` without tsx */
// Backend "pod" process, run inside a pod namespace with plain `node` (no tsx):
//   node pod-server.js '{"pod":"local1","ns":"kpt-ab12-local1","tcpPorts":[8080],"udpPorts":[8080]}'
// Answers every TCP connection and every UDP datagram with one JSON line
// {"pod","peer","local"} and prints READY once every listener is bound. ("ns" is unused here:
// it only makes a leftover process findable by its command line.)
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import process from 'node:process';

const config = JSON.parse(process.argv[2] ?? '{}');
const pod = String(config.pod);

/** "ip:port" for IPv4, "[ip]:port" for IPv6; IPv4-mapped addresses are unwrapped. */
function endpoint(address, port) {
  const ip = address.startsWith('::ffff:') ? address.slice(7) : address;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function answer(peerAddress, peerPort, localAddress, localPort) {
  const line = JSON.stringify({
    pod,
    peer: endpoint(peerAddress, peerPort),
    local: endpoint(localAddress, localPort),
  });
  return `${line}\n`;
}

function listenTcp(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.end(
        answer(socket.remoteAddress ?? '?', socket.remotePort ?? 0, socket.localAddress ?? '?', port),
      );
    });
    server.once('error', reject);
    server.listen({ host: '::', port, ipv6Only: false }, () => resolve(server));
  });
}

/** Non-loopback, non-link-local addresses of this namespace (the pod IPs). */
function podAddresses() {
  const out = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.internal || info.address.startsWith('fe80:')) continue;
      out.push(info);
    }
  }
  return out;
}

/**
 * UDP: one socket per pod address (so "local" is known and replies leave from the address the
 * datagram was sent to) plus a wildcard fallback for anything else (reported as local "*").
 */
function bindUdp(address, type, port, localLabel) {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type, reuseAddr: true, ipv6Only: false });
    socket.on('message', (_msg, rinfo) => {
      socket.send(answer(rinfo.address, rinfo.port, localLabel ?? address, port), rinfo.port, rinfo.address);
    });
    socket.once('error', reject);
    socket.bind({ port, address }, () => {
      socket.removeListener('error', reject);
      socket.on('error', () => {});
      resolve(socket);
    });
  });
}

async function listenUdp(port) {
  const bound = [];
  for (const info of podAddresses()) {
    bound.push(await bindUdp(info.address, info.family === 'IPv6' ? 'udp6' : 'udp4', port));
  }
  bound.push(await bindUdp('::', 'udp6', port, '*'));
  return bound;
}

async function main() {
  for (const port of config.tcpPorts ?? []) await listenTcp(port);
  for (const port of config.udpPorts ?? []) await listenUdp(port);
  process.stdout.write('READY\n');
}

process.on('SIGTERM', () => process.exit(0));
main().catch((err) => {
  process.stderr.write(`pod-server ${pod}: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
