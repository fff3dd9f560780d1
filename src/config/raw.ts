import { fieldError } from './fields.js';

/**
 * Typed reads from a parsed (untrusted) YAML mapping. A missing or null field reads as undefined;
 * a field of the wrong type throws a FieldError naming its dotted path.
 */

export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

export class RawReader {
  constructor(
    private readonly obj: Mapping,
    /** The dotted path of `obj` itself ('' for the root). */
    readonly prefix: string,
  ) {}

  path(key: string): string {
    return join(this.prefix, key);
  }

  private get(key: string): unknown {
    return Object.hasOwn(this.obj, key) ? this.obj[key] : undefined;
  }

  section(key: string): RawReader {
    const value = this.get(key);
    if (value === undefined || value === null) return new RawReader({}, this.path(key));
    if (!isMapping(value)) throw fieldError(this.path(key), value, 'is not a mapping');
    return new RawReader(value, this.path(key));
  }

  string(key: string): string | undefined {
    const value = this.get(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw fieldError(this.path(key), value, 'is not a string');
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.get(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean')
      throw fieldError(this.path(key), value, 'is not a boolean (true or false)');
    return value;
  }

  integer(key: string): number | undefined {
    const value = this.get(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value))
      throw fieldError(this.path(key), value, 'is not an integer');
    return value;
  }

  stringList(key: string): string[] | undefined {
    const value = this.get(key);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw fieldError(this.path(key), value, 'is not a list of strings');
    return value.map((item: unknown, i) => {
      if (typeof item !== 'string') throw fieldError(`${this.path(key)}[${i}]`, item, 'is not a string');
      return item;
    });
  }

  booleanMap(key: string): Record<string, boolean> | undefined {
    const value = this.get(key);
    if (value === undefined || value === null) return undefined;
    if (!isMapping(value)) throw fieldError(this.path(key), value, 'is not a mapping of names to booleans');
    const out: Record<string, boolean> = {};
    for (const [name, flag] of Object.entries(value)) {
      if (typeof flag !== 'boolean')
        throw fieldError(join(this.path(key), name), flag, 'is not a boolean (true or false)');
      out[name] = flag;
    }
    return out;
  }
}
