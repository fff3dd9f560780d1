import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { InputError } from '../errors.js';
import { flattenLists } from './flatten.js';

/**
 * Reads API objects from files and directories, as `kubectl apply -f PATH -R` would find them.
 * Pure I/O and parsing: the objects come back as plain JSON-like values, unvalidated; k8s/convert.ts
 * turns them into the model.
 */

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (message.split('\n')[0] ?? message).replace(/:$/, '');
}

/**
 * Files under `dir`, recursively, with a YAML or JSON extension. Entries whose name starts with '.'
 * are skipped (this also keeps a mounted ConfigMap's `..data` links from being read twice); symlinked
 * directories are followed once.
 */
async function listFiles(dir: string, seen: Set<string>): Promise<string[]> {
  const real = await realpath(dir);
  if (seen.has(real)) return [];
  seen.add(real);
  const out: string[] = [];
  for (const name of await readdir(dir)) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    const info = await stat(path);
    if (info.isDirectory()) out.push(...(await listFiles(path, seen)));
    else if (info.isFile() && EXTENSIONS.has(extname(name).toLowerCase())) out.push(path);
  }
  return out;
}

async function expandPath(path: string): Promise<string[]> {
  try {
    const info = await stat(path);
    if (!info.isDirectory()) return [path];
    const files = await listFiles(path, new Set());
    return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch (err) {
    throw new InputError(`cannot read: ${reasonOf(err)}`, path, { cause: err });
  }
}

function parseJson(text: string, file: string): unknown[] {
  try {
    return [JSON.parse(text) as unknown];
  } catch (err) {
    throw new InputError(`invalid JSON: ${reasonOf(err)}`, file, { cause: err });
  }
}

function parseYaml(text: string, file: string): unknown[] {
  const docs = parseAllDocuments(text);
  return Array.from(docs, (doc, i) => {
    const [error] = doc.errors;
    if (error !== undefined)
      throw new InputError(`document ${i + 1}: ${reasonOf(error)}`, file, { cause: error });
    try {
      return doc.toJS({ maxAliasCount: 100 }) as unknown;
    } catch (err) {
      throw new InputError(`document ${i + 1}: ${reasonOf(err)}`, file, { cause: err });
    }
  });
}

/** The objects in one file: every document, lists flattened, empty documents dropped. */
export function parseObjects(text: string, file: string): unknown[] {
  const docs = extname(file).toLowerCase() === '.json' ? parseJson(text, file) : parseYaml(text, file);
  return docs.flatMap((doc, i) => {
    try {
      return flattenLists(doc);
    } catch (err) {
      throw new InputError(`document ${i + 1}: ${reasonOf(err)}`, file, { cause: err });
    }
  });
}

/**
 * Loads every API object from `paths`: each a file (read whatever its extension) or a directory
 * (read recursively, `.yaml`/`.yml`/`.json` files in path order). Objects come back in path order,
 * then document order. Throws an InputError naming the file on the first problem.
 */
export async function loadObjects(paths: readonly string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const path of paths) {
    for (const file of await expandPath(path)) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new InputError(`cannot read: ${reasonOf(err)}`, file, { cause: err });
      }
      out.push(...parseObjects(text, file));
    }
  }
  return out;
}
