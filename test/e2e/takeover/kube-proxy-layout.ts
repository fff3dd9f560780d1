/**
 * kube-proxy's own layout of a node, built from a rendering in iptables-save form: the same chains
 * and rules, but written the way kube-proxy writes them, so that installing it leaves the node as
 * kube-proxy's first sync would.
 *
 * - Its iptables-restore input (used with --noflush) declares only KUBE-* chains; the jumps from
 *   built-in chains are separate `iptables -t TABLE -I CHAIN ...` calls (EnsureRule with Prepend).
 * - Rules are written in kube-proxy's input syntax, which the kernel normalises to the save form:
 *   `-m comment --comment "..." -m tcp -p tcp -d 10.96.0.10 --dport 80 ! -s 10.244.0.0/16 -j X`
 *   (header options after the protocol module, no /32), `--probability 0.5000000000` (ten
 *   decimals, not save's eleven) and `-j MARK --or-mark 0x4000` (save: `--set-xmark 0x4000/0x4000`).
 */

export interface Hook {
  readonly table: string;
  readonly chain: string;
  /** argv after `-I CHAIN`, quotes removed. */
  readonly args: readonly string[];
}

export interface KubeProxyLayout {
  /** For `iptables-restore --noflush`. */
  readonly restore: string;
  /** In the order to run `iptables -I CHAIN 1 ...`, so the result reads as rendered. */
  readonly hooks: readonly Hook[];
}

const BUILT_IN = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);
/** IP header options: position-independent for iptables, so kube-proxy's order is free. */
const HEADER = new Set(['-s', '-d', '-p', '-i', '-o', '--source', '--destination', '--protocol']);

/** Splits a rule like a shell would for iptables: double-quoted words stay one word (quotes kept). */
export function tokenize(rule: string): string[] {
  const tokens = rule.match(/"(?:[^"\\]|\\.)*"|\S+/g);
  return tokens ?? [];
}

const unquote = (token: string): string =>
  token.startsWith('"') && token.endsWith('"') ? token.slice(1, -1).replace(/\\(.)/g, '$1') : token;

/** One save-form rule body (after `-A CHAIN`) rewritten in kube-proxy's input syntax. */
export function toKubeProxyRule(body: string): string {
  const tokens = tokenize(body);
  const jump = tokens.findIndex((t) => t === '-j' || t === '-g');
  const matchPart = jump === -1 ? tokens : tokens.slice(0, jump);
  const target = jump === -1 ? [] : tokens.slice(jump);

  const header: string[][] = [];
  const modules: string[][] = [];
  for (let i = 0; i < matchPart.length;) {
    const negated = matchPart[i] === '!' && HEADER.has(matchPart[i + 1] ?? '');
    const option = matchPart[negated ? i + 1 : i]!;
    if (HEADER.has(option)) {
      const value = (matchPart[negated ? i + 2 : i + 1] ?? '').replace(/\/32$/, '');
      header.push(negated ? ['!', option, value] : [option, value]);
      i += negated ? 3 : 2;
    } else if (option === '-m') {
      modules.push(['-m', matchPart[i + 1]!]);
      i += 2;
    } else {
      if (modules.length === 0) throw new Error(`cannot place ${option} in ${body}`);
      modules[modules.length - 1]!.push(matchPart[i]!);
      i += 1;
    }
  }

  const proto = header.findIndex((h) => h[0] === '-p');
  const protoModule = modules.findIndex((m) => m[1] === 'tcp' || m[1] === 'udp' || m[1] === 'sctp');
  const out: string[] = [];
  let headerPlaced = false;
  for (const [index, module] of modules.entries()) {
    let words = module;
    if (module[1] === 'statistic') {
      // kube-proxy: fmt.Sprintf("%0.10f", 1.0/float64(n-i)).
      words = module.map((w, j) => (module[j - 1] === '--probability' ? Number(w).toFixed(10) : w));
    }
    if (index === protoModule && proto !== -1) {
      out.push(...words.slice(0, 2), ...header[proto]!, ...header.filter((_, j) => j !== proto).flat());
      out.push(...words.slice(2));
      headerPlaced = true;
    } else {
      out.push(...words);
    }
  }
  if (!headerPlaced) out.push(...header.flat());

  const mark = /^-j MARK --set-xmark (0x[0-9a-f]+)\/\1$/.exec(target.join(' '));
  out.push(...(mark ? ['-j', 'MARK', '--or-mark', mark[1]!] : target));
  return out.join(' ');
}

/** kube-proxy's layout of a rendered ruleset (iptables-save form, every table). */
export function kubeProxyLayout(rendered: string): KubeProxyLayout {
  const restore: string[] = [];
  const hooks: Hook[] = [];
  let table = '';
  for (const line of rendered.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    if (line.startsWith('*')) table = line.slice(1);
    const declaration = /^:(\S+) /.exec(line);
    if (declaration && BUILT_IN.has(declaration[1]!)) continue;
    const rule = /^-A (\S+) (.*)$/.exec(line);
    if (rule && BUILT_IN.has(rule[1]!)) {
      hooks.push({ table, chain: rule[1]!, args: tokenize(toKubeProxyRule(rule[2]!)).map(unquote) });
      continue;
    }
    restore.push(rule ? `-A ${rule[1]!} ${toKubeProxyRule(rule[2]!)}` : line);
  }
  // Each hook is prepended (inserted at 1): insert the last first to end up in rendered order.
  return { restore: restore.join('\n') + '\n', hooks: hooks.reverse() };
}
