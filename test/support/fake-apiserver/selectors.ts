import type { KubeObject } from './objects.js';
import { StatusError } from './status.js';

/** A compiled label or field selector: true when the object matches. */
export type Selector = (obj: KubeObject) => boolean;

const MATCH_ALL: Selector = () => true;

/** Splits on commas that are not inside `in (a,b)` parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  terms.push(current.trim());
  return terms.filter((t) => t !== '');
}

type LabelTest = (labels: Readonly<Record<string, string>>) => boolean;

function parseLabelTerm(term: string): LabelTest {
  const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in'
      ? (labels) => labels[key] !== undefined && values.has(labels[key])
      : (labels) => labels[key] === undefined || !values.has(labels[key]);
  }
  const cmp = /^([^\s!=]+)\s*(==|!=|=)\s*([^\s!=]*)$/.exec(term);
  if (cmp) {
    const [, key = '', op, value = ''] = cmp;
    return op === '!=' ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
  }
  const exists = /^(!?)([^\s!=(),]+)$/.exec(term);
  if (exists) {
    const [, not, key = ''] = exists;
    return not === '!' ? (labels) => !Object.hasOwn(labels, key) : (labels) => Object.hasOwn(labels, key);
  }
  throw new StatusError(400, `unable to parse requirement: ${JSON.stringify(term)}`);
}

/** `key`, `!key`, `key=value`, `key==value`, `key!=value`, `key in (a,b)`, `key notin (a,b)`. */
export function parseLabelSelector(text: string | null): Selector {
  if (text === null || text.trim() === '') return MATCH_ALL;
  const tests = splitTerms(text).map(parseLabelTerm);
  return (obj) => {
    const labels = obj.metadata.labels ?? {};
    return tests.every((test) => test(labels));
  };
}

const FIELDS: Readonly<Record<string, (obj: KubeObject) => string>> = {
  'metadata.name': (obj) => obj.metadata.name ?? '',
  'metadata.namespace': (obj) => obj.metadata.namespace ?? '',
};

/** `metadata.name=X`, `metadata.namespace!=Y` (also `==`), comma-separated. */
export function parseFieldSelector(text: string | null): Selector {
  if (text === null || text.trim() === '') return MATCH_ALL;
  const tests = splitTerms(text).map((term): Selector => {
    const m = /^([\w.]+)\s*(==|!=|=)\s*(.*)$/.exec(term);
    const field = m?.[1] === undefined ? undefined : FIELDS[m[1]];
    if (!m || !field) throw new StatusError(400, `field label not supported: ${JSON.stringify(term)}`);
    const value = m[3] ?? '';
    return m[2] === '!=' ? (obj) => field(obj) !== value : (obj) => field(obj) === value;
  });
  return (obj) => tests.every((test) => test(obj));
}
