/** Starts pod-server.js in backend pod namespaces and waits for each to print READY. */
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import type { Owned } from './registry.js';
import type { PodFacts } from './types.js';

const SERVER_SCRIPT = fileURLToPath(new URL('./pod-server.js', import.meta.url));
const READY_TIMEOUT_MS = 10_000;

export interface PodServer {
  readonly pod: string;
  /** Resolves (never rejects) when the process has exited. */
  readonly exited: Promise<void>;
  kill(): void;
}

export interface ServerPorts {
  readonly tcpPorts: readonly number[];
  readonly udpPorts: readonly number[];
}

function waitReady(child: ResultPromise, pod: string, exited: Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(
      () => reject(new Error(`pod-server ${pod}: no READY after ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (stdout.includes('READY\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`pod-server ${pod} exited before READY: ${stderr.trim()}`));
    });
  });
}

export async function startPodServer(pod: PodFacts, ports: ServerPorts, owned: Owned): Promise<PodServer> {
  const config = JSON.stringify({
    pod: pod.name,
    ns: pod.ns,
    tcpPorts: ports.tcpPorts,
    udpPorts: ports.udpPorts,
  });
  const child = execa('ip', ['netns', 'exec', pod.ns, process.execPath, SERVER_SCRIPT, config], {
    reject: false,
    buffer: false,
    stdin: 'ignore',
  });
  if (child.pid !== undefined) owned.pids.add(child.pid);
  const pid = child.pid;
  const exited = child.then(() => {
    if (pid !== undefined) owned.pids.delete(pid);
  });
  const server: PodServer = { pod: pod.name, exited, kill: () => void child.kill('SIGKILL') };
  try {
    await waitReady(child, pod.name, exited);
  } catch (err) {
    server.kill();
    await exited;
    throw err;
  }
  return server;
}
