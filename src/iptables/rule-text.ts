/**
 * Small readers of rule text in iptables-save form. Pure.
 */

/** Splits rule text into arguments the way iptables-restore does: double quotes group, `\"` escapes. */
export function splitRuleArgs(rule: string): string[] {
  const args: string[] = [];
  let current = '';
  let inToken = false;
  let quoted = false;
  for (let i = 0; i < rule.length; i++) {
    const c = rule[i] as string;
    if (c === '\\' && quoted && rule[i + 1] === '"') {
      current += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      inToken = true;
    } else if (c === ' ' && !quoted) {
      if (inToken) args.push(current);
      current = '';
      inToken = false;
    } else {
      current += c;
      inToken = true;
    }
  }
  if (inToken) args.push(current);
  return args;
}

/** The chain or target a rule jumps or goes to (`-j X` / `-g X`), if any. */
export function ruleTarget(rule: string): string | undefined {
  if (!rule.includes('-j ') && !rule.includes('-g ')) return undefined;
  const args = splitRuleArgs(rule);
  for (let i = 0; i < args.length - 1; i++) {
    const a = args[i];
    if (a === '-j' || a === '-g' || a === '--jump' || a === '--goto') return args[i + 1];
  }
  return undefined;
}
