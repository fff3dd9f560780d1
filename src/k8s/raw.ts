/**
 * Typed reads from an untrusted API object (parsed YAML/JSON, or a client-node model). A missing
 * or null field reads as undefined; a field of the wrong type throws `Invalid`, whose message names
 * the field path. Converters catch `Invalid` once, at their entry point.
 */

export type Mapping = Record<string, unknown>;

export class Invalid extends Error {
  override readonly name = 'Invalid';
}

export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A value as it appears in a message: strings quoted and escaped, so a message stays one line. */
export function show(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined) return 'undefined';
  const json = JSON.stringify(value) ?? typeof value;
  return json.length > 200 ? `${json.slice(0, 200)}...` : json;
}

export function invalid(path: string, value: unknown, problem: string): Invalid {
  return new Invalid(`${path}: ${show(value)} ${problem}`);
}

export class Raw {
  constructor(
    private readonly fields: Mapping,
    /** The dotted path of this object ('' for the root). */
    readonly at: string,
  ) {}

  static root(value: unknown): Raw {
    if (!isMapping(value)) throw new Invalid(`expected an object, got ${show(value)}`);
    return new Raw(value, '');
  }

  path(key: string): string {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) return `${this.at}[${JSON.stringify(key)}]`;
    return this.at === '' ? key : `${this.at}.${key}`;
  }

  has(key: string): boolean {
    const value = this.get(key);
    return value !== undefined && value !== null;
  }

  get(key: string): unknown {
    return Object.hasOwn(this.fields, key) ? this.fields[key] : undefined;
  }

  str(key: string): string | undefined {
    const value = this.get(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw invalid(this.path(key), value, 'is not a string');
    return value;
  }

  bool(key: string): boolean | undefined {
    const value = this.get(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw invalid(this.path(key), value, 'is not a boolean');
    return value;
  }

  int(key: string): number | undefined {
    const value = this.get(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value))
      throw invalid(this.path(key), value, 'is not an integer');
    return value;
  }

  /** A nested object; an empty one when absent. */
  obj(key: string): Raw {
    return this.optObj(key) ?? new Raw({}, this.path(key));
  }

  optObj(key: string): Raw | undefined {
    const value = this.get(key);
    if (value === undefined || value === null) return undefined;
    if (!isMapping(value)) throw invalid(this.path(key), value, 'is not an object');
    return new Raw(value, this.path(key));
  }

  /** A list of objects; empty when absent. */
  list(key: string): Raw[] {
    const value = this.get(key);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw invalid(this.path(key), value, 'is not a list');
    return value.map((item: unknown, i) => {
      const at = `${this.path(key)}[${i}]`;
      if (!isMapping(item)) throw invalid(at, item, 'is not an object');
      return new Raw(item, at);
    });
  }

  /** A list of strings; empty when absent. */
  strList(key: string): string[] {
    const value = this.get(key);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw invalid(this.path(key), value, 'is not a list');
    return value.map((item: unknown, i) => {
      if (typeof item !== 'string') throw invalid(`${this.path(key)}[${i}]`, item, 'is not a string');
      return item;
    });
  }

  /** A string map (labels, annotations); empty when absent. */
  strMap(key: string): Record<string, string> {
    const value = this.get(key);
    if (value === undefined || value === null) return {};
    if (!isMapping(value)) throw invalid(this.path(key), value, 'is not a map');
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v !== 'string')
        throw invalid(`${this.path(key)}[${JSON.stringify(k)}]`, v, 'is not a string');
      out[k] = v;
    }
    return out;
  }
}
