import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './kproxy-help.js';

/** One Dockerfile instruction: `COPY --from=build /app/dist ./dist` -> COPY, flags, args. */
export interface Instruction {
  readonly keyword: string;
  readonly flags: ReadonlyMap<string, string>;
  readonly args: readonly string[];
  /** The text after the keyword, continuation lines joined. */
  readonly raw: string;
}

export interface Stage {
  readonly name: string;
  readonly base: string;
  readonly instructions: readonly Instruction[];
}

export interface Dockerfile {
  readonly args: ReadonlyMap<string, string>;
  readonly stages: readonly Stage[];
}

function words(text: string): string[] {
  if (text.startsWith('[')) return JSON.parse(text) as string[];
  return text.split(/\s+/).filter((w) => w !== '');
}

function instruction(line: string): Instruction {
  const [keyword = ''] = line.split(/\s+/, 1);
  const raw = line.slice(keyword.length).trim();
  const flags = new Map<string, string>();
  let body = raw;
  for (let m = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(body); m; m = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(body)) {
    flags.set(m[1]!, m[2] ?? '');
    body = body.slice(m[0].length);
  }
  return { keyword: keyword.toUpperCase(), flags, args: words(body), raw };
}

/** Parses the repository's Dockerfile: `ARG`s before the first FROM, and each stage. */
export function readDockerfile(path = join(REPO_ROOT, 'Dockerfile')): Dockerfile {
  const lines = readFileSync(path, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const args = new Map<string, string>();
  const stages: { name: string; base: string; instructions: Instruction[] }[] = [];
  for (const line of lines) {
    const ins = instruction(line);
    if (ins.keyword === 'FROM') {
      const [image = '', as, name] = ins.args;
      const base = image.replace(
        /\$\{(\w+)\}|\$(\w+)/g,
        (_, a?: string, b?: string) => args.get(a ?? b ?? '') ?? '',
      );
      stages.push({
        name: as?.toUpperCase() === 'AS' && name ? name : String(stages.length),
        base,
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (ins.keyword === 'ARG') {
        const [key = '', value = ''] = ins.raw.split('=', 2);
        args.set(key, value);
      }
    } else {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return { args, stages };
}

export function stage(file: Dockerfile, name: string): Stage {
  const found = file.stages.find((s) => s.name === name);
  if (!found)
    throw new Error(`Dockerfile has no stage ${name} (has ${file.stages.map((s) => s.name).join(', ')})`);
  return found;
}

/** COPY/ADD sources and destination. */
export function copyParts(ins: Instruction): { sources: string[]; dest: string } {
  return { sources: ins.args.slice(0, -1), dest: ins.args.at(-1)! };
}

/** The WORKDIR in force at each instruction of a stage (absolute; '/' before any). */
export function workdirs(s: Stage): string[] {
  let dir = '/';
  return s.instructions.map((ins) => {
    if (ins.keyword === 'WORKDIR')
      dir = ins.args[0]!.startsWith('/') ? ins.args[0]! : join(dir, ins.args[0]!);
    return dir;
  });
}

function globRegExp(pattern: string): RegExp {
  const body = pattern
    .split(/(\*\*|\*|\?)/)
    .map((part) => {
      if (part === '**') return '.*';
      if (part === '*') return '[^/]*';
      if (part === '?') return '[^/]';
      return part.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${body}$`);
}

/**
 * Whether .dockerignore lets `path` (relative to the context) into the build context: the last
 * pattern matching it or one of its parents decides, `!` re-including (Docker's rule).
 */
export function inBuildContext(path: string, dockerignore = join(REPO_ROOT, '.dockerignore')): boolean {
  const patterns = readFileSync(dockerignore, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const candidates = path
    .replace(/^\.\//, '')
    .replace(/\/$/, '')
    .split('/')
    .map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  let included = true;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const re = globRegExp(pattern.slice(negated ? 1 : 0).replace(/^\/|\/$/g, ''));
    if (candidates.some((c) => re.test(c))) included = negated;
  }
  return included;
}
