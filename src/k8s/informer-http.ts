import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { statusError, WatchError } from './informer-error.js';

export type Query = Readonly<Record<string, string | undefined>>;

/**
 * Opens a GET against the current cluster of `kc` and resolves with the response once its headers
 * arrive (any status). Authentication, TLS and proxies come from client-node's
 * `applyToHTTPSOptions`, so in-cluster service-account tokens (re-read as they rotate), client
 * certificates, exec plugins and kubeconfig proxies all work as they do for client-node itself.
 */
export async function openGet(
  kc: KubeConfig,
  path: string,
  query: Query,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new WatchError('no current cluster in the kubeconfig', path);
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  const options: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  const headers: http.OutgoingHttpHeaders = { accept: 'application/json', 'user-agent': 'kproxy' };
  if (options.headers && !Array.isArray(options.headers)) Object.assign(headers, options.headers);
  const agent = options.agent;
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(url, { ...options, method: 'GET', headers, signal }, (res) => {
      res.once('close', () => {
        if (agent instanceof http.Agent) agent.destroy();
      });
      resolve(res);
    });
    req.once('socket', (socket) => socket.setKeepAlive(true, 30_000));
    req.once('error', (err) => {
      if (agent instanceof http.Agent) agent.destroy();
      reject(new WatchError(err.message, path, undefined, undefined, { cause: err }));
    });
    req.end();
  });
}

export async function readText(res: http.IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return text;
}

/** GET and parse a JSON body; any status but 200 becomes a WatchError carrying the Status. */
export async function getJson(
  kc: KubeConfig,
  path: string,
  query: Query,
  signal: AbortSignal,
): Promise<unknown> {
  const res = await openGet(kc, path, query, signal);
  const text = await readText(res).catch((err: unknown) => {
    throw new WatchError(`reading the response: ${String(err)}`, path, undefined, undefined, { cause: err });
  });
  const body = parseJson(text);
  if (res.statusCode !== 200) throw statusError(path, body, res.statusCode);
  if (body === undefined) throw new WatchError('the response is not JSON', path, res.statusCode);
  return body;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
