/** Runs pod-client.js inside a namespace and turns its JSON output into typed results. */
import { fileURLToPath } from 'node:url';
import { netnsExec } from './run.js';
import type { RequestKind, RequestResult, RequestSpec, RequestSummary } from './types.js';

const CLIENT_SCRIPT = fileURLToPath(new URL('./pod-client.js', import.meta.url));
const DEFAULT_TIMEOUT_MS = 1000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** "10.0.0.1:80" or "[fd00::1]:80" -> ip and port. */
export function splitEndpoint(endpoint: string): { ip: string; port: number } {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(endpoint);
  if (!match) throw new Error(`not an ip:port: ${endpoint}`);
  return { ip: match[1]!, port: Number(match[2]) };
}

function toResult(raw: unknown): RequestResult {
  if (!isRecord(raw))
    return { kind: 'error', message: `bad client result ${JSON.stringify(raw)}`, code: undefined };
  switch (raw.kind) {
    case 'reply': {
      const peer = String(raw.peer);
      const { ip, port } = splitEndpoint(peer);
      return {
        kind: 'reply',
        pod: String(raw.pod),
        peer,
        peerIp: ip,
        peerPort: port,
        local: String(raw.local),
        clientPort: Number(raw.clientPort),
      };
    }
    case 'refused':
      return { kind: 'refused' };
    case 'timeout':
      return { kind: 'timeout' };
    default:
      return {
        kind: 'error',
        message: String(raw.message),
        code: typeof raw.code === 'string' ? raw.code : undefined,
      };
  }
}

export function parseClientOutput(stdout: string): RequestResult[] {
  const parsed: unknown = JSON.parse(stdout);
  if (!isRecord(parsed) || !Array.isArray(parsed.results))
    throw new Error(`bad pod-client output: ${stdout}`);
  return parsed.results.map(toResult);
}

export function summarize(results: readonly RequestResult[]): RequestSummary {
  const byPod: Record<string, number> = {};
  const byKind: Record<RequestKind, number> = { reply: 0, refused: 0, timeout: 0, error: 0 };
  for (const result of results) {
    byKind[result.kind] += 1;
    if (result.kind === 'reply') byPod[result.pod] = (byPod[result.pod] ?? 0) + 1;
  }
  return { results, byPod, byKind };
}

export async function runClient(
  ns: string,
  spec: RequestSpec,
  count: number,
  concurrency: number,
): Promise<RequestResult[]> {
  const payload = JSON.stringify({
    to: spec.to,
    port: spec.port,
    protocol: spec.protocol,
    timeoutMs: spec.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    localAddress: spec.localAddress,
    count,
    concurrency,
  });
  const { stdout } = await netnsExec(ns, [process.execPath, CLIENT_SCRIPT, payload]);
  return parseClientOutput(stdout);
}
