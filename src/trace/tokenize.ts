/**
 * Splits a rule as iptables-save prints it into arguments: whitespace separates, a double-quoted
 * span belongs to the current argument and a backslash escapes the next character (iptables-save
 * writes `"` and `\` inside comments as `\"` and `\\`).
 */
export type TokenizeResult =
  | { readonly kind: 'tokens'; readonly tokens: readonly string[] }
  | { readonly kind: 'invalid'; readonly reason: string };

export function tokenize(text: string): TokenizeResult {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === undefined) return { kind: 'invalid', reason: 'dangling backslash at end of rule' };
      current += next;
      inToken = true;
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
      inToken = true;
    } else if (!quoted && /\s/.test(ch)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (quoted) return { kind: 'invalid', reason: 'unterminated double quote' };
  if (inToken) tokens.push(current);
  return { kind: 'tokens', tokens };
}
