/** Public types of the network-namespace test harness. */

export type NodeName = 'node' | 'node2';
export type PodRole = 'local' | 'remote' | 'client';
export type Protocol = 'tcp' | 'udp';

export interface TopologyOptions {
  /** Backend pods on `node` running servers (named local1..N). Default 2. */
  readonly localPods?: number;
  /** Backend pods on `node2` (remote1..M). Default 1. */
  readonly remotePods?: number;
  /** Pods on `node` that run no server (client1..K). Default 1. */
  readonly clientPods?: number;
  /** Give every element an IPv6 address too. Default false. */
  readonly ipv6?: boolean;
  /** Set net.ipv4.conf.all.route_localnet=1 in the node namespace. Default false. */
  readonly routeLocalnet?: boolean;
  /** Ports the backend servers listen on. Default [8080] each. */
  readonly tcpPorts?: readonly number[];
  readonly udpPorts?: readonly number[];
}

export interface NodeFacts {
  readonly name: NodeName;
  readonly ns: string;
  /** The node's InternalIP, on its link between the two nodes. */
  readonly ip: string;
  readonly ipv6: string | undefined;
  readonly podCidr: string;
  readonly podCidrV6: string;
  /** Address of every node-side pod veth (/32, /128): pods' gateway and the masquerade source towards them. */
  readonly podGateway: string;
  readonly podGatewayV6: string;
}

export interface MainNodeFacts extends NodeFacts {
  readonly name: 'node';
  /** The node's address on the link to `ext`. */
  readonly extSideIp: string;
  readonly extSideIpv6: string | undefined;
  /** Interface towards node2 (`eth0`) and towards ext (`eth1`). */
  readonly node2Iface: string;
  readonly extIface: string;
}

export interface ExtFacts {
  readonly name: 'ext';
  readonly ns: string;
  readonly ip: string;
  readonly ipv6: string | undefined;
  readonly cidr: string;
}

export interface PodFacts {
  readonly name: string;
  readonly role: PodRole;
  readonly ns: string;
  readonly node: NodeName;
  readonly ip: string;
  readonly ipv6: string | undefined;
  /** The pod's veth on its node's side (starts with POD_INTERFACE_PREFIX). */
  readonly hostVeth: string;
  /** True for backends (local and remote), which run a pod-server. */
  readonly serving: boolean;
}

export interface TopologyFacts {
  /** `kpt-<4 hex>`: every namespace name starts with `<id>-`. */
  readonly id: string;
  /** Every namespace this topology created. */
  readonly namespaces: readonly string[];
  readonly ipv6: boolean;
  readonly node: MainNodeFacts;
  readonly node2: NodeFacts;
  readonly ext: ExtFacts;
  readonly pods: Readonly<Record<string, PodFacts>>;
  readonly localPods: readonly PodFacts[];
  readonly remotePods: readonly PodFacts[];
  readonly clientPods: readonly PodFacts[];
  readonly clusterCidr: string;
  readonly clusterCidrV6: string;
  readonly podInterfacePrefix: string;
  readonly tcpPorts: readonly number[];
  readonly udpPorts: readonly number[];
}

export interface ExecOptions {
  readonly input?: string;
  /** Throw on a non-zero exit (default true). */
  readonly reject?: boolean;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export interface RequestSpec {
  /** Logical name ('node', 'node2', 'ext', a pod name) or one of this topology's namespace names. */
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** Per request. Default 1000. */
  readonly timeoutMs?: number;
  /** Bind the client socket to this source address. */
  readonly localAddress?: string;
}

export type RequestResult =
  | {
      readonly kind: 'reply';
      readonly pod: string;
      /** The client as the server saw it: "ip:port" ("[ip]:port" for IPv6). */
      readonly peer: string;
      readonly peerIp: string;
      readonly peerPort: number;
      /** The address the server was reached on ("*" for UDP via the wildcard socket). */
      readonly local: string;
      /** The client's own source port. */
      readonly clientPort: number;
    }
  | { readonly kind: 'refused' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'error'; readonly message: string; readonly code: string | undefined };

export type RequestKind = RequestResult['kind'];

export interface RequestSummary {
  readonly results: readonly RequestResult[];
  /** Replies per pod name. */
  readonly byPod: Readonly<Record<string, number>>;
  readonly byKind: Readonly<Record<RequestKind, number>>;
}

export interface RequestManyOptions {
  /** Requests in flight at once (default 1; raise it when many are expected to time out). */
  readonly concurrency?: number;
}

export interface Topology extends TopologyFacts {
  /** Namespace name for a logical name (or a namespace name of this topology); throws otherwise. */
  nsName(nameOrNs: string): string;
  /** Runs argv (no shell) inside a namespace of this topology. */
  exec(ns: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  request(spec: RequestSpec): Promise<RequestResult>;
  /** `count` requests from ONE child process; each is a new connection from a new source port. */
  requestMany(spec: RequestSpec, count: number, options?: RequestManyOptions): Promise<RequestSummary>;
  /** `conntrack -F` in a namespace (default 'node'). */
  flushConntrack(ns?: string): Promise<void>;
  /** Kills every child process and deletes every namespace. Idempotent. */
  destroy(): Promise<void>;
}
