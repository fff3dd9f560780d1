/**
 * Flattens `kind: List` and typed lists (`ServiceList`, ...) into their items, recursively. Items
 * of a typed list read straight from the API carry no kind/apiVersion; they get the list's
 * (`ServiceList` -> `Service`). Null items and documents are dropped; a scalar is an error.
 */

const MAX_DEPTH = 16;

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return Array.isArray(value) ? 'a list' : typeof value;
}

function withTypeMeta(item: unknown, list: Mapping, kind: string): unknown {
  if (!isMapping(item) || kind === 'List' || item['kind'] !== undefined) return item;
  const itemKind = kind.slice(0, -'List'.length);
  const apiVersion = list['apiVersion'];
  return typeof apiVersion === 'string'
    ? { apiVersion, kind: itemKind, ...item }
    : { kind: itemKind, ...item };
}

function flatten(value: unknown, depth: number, where: string): unknown[] {
  if (value === null || value === undefined) return [];
  if (depth > MAX_DEPTH) throw new Error(`lists are nested more than ${MAX_DEPTH} deep`);
  if (Array.isArray(value)) return value.flatMap((item, i) => flatten(item, depth + 1, `${where}[${i}]`));
  if (!isMapping(value))
    throw new Error(`${where === '' ? 'the document' : where} is not an object (got ${describe(value)})`);
  const kind = value['kind'];
  const items = value['items'];
  if (typeof kind === 'string' && kind.endsWith('List') && (Array.isArray(items) || items === null)) {
    return (items ?? []).flatMap((item, i) =>
      flatten(withTypeMeta(item, value, kind), depth + 1, `${where === '' ? '' : `${where}.`}items[${i}]`),
    );
  }
  return [value];
}

/** The objects in one parsed document. Throws a plain Error describing the problem. */
export function flattenLists(doc: unknown): unknown[] {
  return flatten(doc, 0, '');
}
