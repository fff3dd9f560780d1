import type { IpFamily } from '../model/family.js';
import type { Hook } from '../model/ruleset.js';
import { ruleText } from './rule-text.js';

/** The masquerade mark, as iptables-save prints it (`0x4000` for bit 14). */
export function masqueradeMark(bit: number): string {
  return `0x${(2 ** bit).toString(16)}`;
}

export function postroutingRules(mark: string, randomFully: boolean): string[] {
  return [
    ruleText({ matches: [`-m mark ! --mark ${mark}/${mark}`], target: 'RETURN' }),
    // Clear the bit before masquerading, so a packet that loops through the stack is not masqueraded twice.
    ruleText({ target: `MARK --set-xmark ${mark}/0x0` }),
    ruleText({
      comment: 'kubernetes service traffic requiring SNAT',
      target: randomFully ? 'MASQUERADE --random-fully' : 'MASQUERADE',
    }),
  ];
}

export function markMasqRules(mark: string): string[] {
  return [ruleText({ target: `MARK --set-xmark ${mark}/${mark}` })];
}

export function forwardRules(mark: string, tcpBeLiberal: boolean): string[] {
  const rules: string[] = [];
  if (!tcpBeLiberal) rules.push(ruleText({ matches: ['-m conntrack --ctstate INVALID'], target: 'DROP' }));
  rules.push(
    ruleText({
      comment: 'kubernetes forwarding rules',
      matches: [`-m mark --mark ${mark}/${mark}`],
      target: 'ACCEPT',
    }),
    ruleText({
      comment: 'kubernetes forwarding conntrack rule',
      matches: ['-m conntrack --ctstate RELATED,ESTABLISHED'],
      target: 'ACCEPT',
    }),
  );
  return rules;
}

/** kube-proxy's copy of kubelet's localnet guard, needed when localhost NodePorts are on. */
export function localnetGuardRules(): string[] {
  return [
    ruleText({
      src: { cidr: '127.0.0.0/8', negate: true },
      dst: { cidr: '127.0.0.0/8' },
      comment: 'block incoming localnet connections',
      matches: ['-m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT'],
      target: 'DROP',
    }),
  ];
}

const hook = (chain: Hook['chain'], comment: string | undefined, target: string): Hook => ({
  chain,
  rule: ruleText({ comment, target }),
});

/** kube-proxy puts the conntrack match before the comment in these jumps. */
const newConnectionHook = (chain: Hook['chain'], comment: string, target: string): Hook => ({
  chain,
  rule: `-m conntrack --ctstate NEW ${ruleText({ comment, target })}`,
});

/**
 * Jumps from the built-in chains, in the order kube-proxy leaves them at the top of each chain on a
 * fresh node (it inserts each at position 1, so the last inserted comes first).
 */
export function filterHooks(localnetGuard: boolean): Hook[] {
  const hooks: Hook[] = [];
  if (localnetGuard) hooks.push(hook('INPUT', undefined, 'KUBE-FIREWALL'));
  hooks.push(
    newConnectionHook('INPUT', 'kubernetes load balancer firewall', 'KUBE-PROXY-FIREWALL'),
    hook('INPUT', 'kubernetes health check service ports', 'KUBE-NODEPORTS'),
    newConnectionHook('INPUT', 'kubernetes externally-visible service portals', 'KUBE-EXTERNAL-SERVICES'),
    newConnectionHook('FORWARD', 'kubernetes load balancer firewall', 'KUBE-PROXY-FIREWALL'),
    hook('FORWARD', 'kubernetes forwarding rules', 'KUBE-FORWARD'),
    newConnectionHook('FORWARD', 'kubernetes service portals', 'KUBE-SERVICES'),
    newConnectionHook('FORWARD', 'kubernetes externally-visible service portals', 'KUBE-EXTERNAL-SERVICES'),
  );
  if (localnetGuard) hooks.push(hook('OUTPUT', undefined, 'KUBE-FIREWALL'));
  hooks.push(
    newConnectionHook('OUTPUT', 'kubernetes load balancer firewall', 'KUBE-PROXY-FIREWALL'),
    newConnectionHook('OUTPUT', 'kubernetes service portals', 'KUBE-SERVICES'),
  );
  return hooks;
}

export function natHooks(): Hook[] {
  return [
    hook('PREROUTING', 'kubernetes service portals', 'KUBE-SERVICES'),
    hook('OUTPUT', 'kubernetes service portals', 'KUBE-SERVICES'),
    hook('POSTROUTING', 'kubernetes postrouting rules', 'KUBE-POSTROUTING'),
  ];
}

export const CANARY_CHAIN = 'KUBE-PROXY-CANARY';

export function familyLabel(family: IpFamily): string {
  return family === 'ipv4' ? 'IPv4' : 'IPv6';
}
