/**
 * The foreign part of save output: user-chain declarations and rules that do not mention KUBE-,
 * each prefixed with its table, tables in name order (backends print tables in different orders,
 * and an apply may add a table, e.g. mangle).
 */
export function foreignLines(save: string): string[] {
  const byTable = new Map<string, string[]>();
  let table = '';
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1);
    const userChain = /^:\S+ - /.test(line);
    if ((line.startsWith('-A ') || userChain) && !line.includes('KUBE-')) {
      byTable.set(table, [...(byTable.get(table) ?? []), `${table} ${line}`]);
    }
  }
  return [...byTable.keys()].sort().flatMap((t) => byTable.get(t) ?? []);
}
