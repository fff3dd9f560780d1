import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { expect } from 'chai';
import {
  copyParts,
  inBuildContext,
  readDockerfile,
  stage,
  workdirs,
  type Dockerfile,
  type Instruction,
  type Stage,
} from './dockerfile.js';
import { REPO_ROOT } from './kproxy-help.js';

// Docker cannot run here, so the image is checked from its recipe: what it copies, what each
// stage runs, and what the entrypoint ends up executing.

const WRAPPER = 'docker/iptables-wrapper';

interface PackageJson {
  readonly bin: { readonly kproxy: string };
  readonly scripts: Record<string, string>;
}
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;

function runs(s: Stage): string[] {
  return s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.raw);
}

function copies(s: Stage): Instruction[] {
  return s.instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD');
}

/** The final stage's absolute path for each COPY source: path -> (stage copied from, source). */
function runtimeFiles(file: Dockerfile): Map<string, { from: string | undefined; source: string }> {
  const runtime = file.stages.at(-1)!;
  const dirs = workdirs(runtime);
  const out = new Map<string, { from: string | undefined; source: string }>();
  runtime.instructions.forEach((ins, i) => {
    if (ins.keyword !== 'COPY') return;
    const { sources, dest } = copyParts(ins);
    const abs = posix.resolve(dirs[i]!, dest);
    const intoDir = dest.endsWith('/') || dest === '.' || sources.length > 1;
    for (const source of sources) {
      out.set(intoDir ? posix.join(abs, posix.basename(source)) : abs, {
        from: ins.flags.get('from'),
        source,
      });
    }
  });
  return out;
}

function lastUserBefore(s: Stage, index: number): string {
  let user = 'root';
  s.instructions.slice(0, index).forEach((ins) => {
    if (ins.keyword === 'USER') user = ins.args[0]!;
  });
  return user;
}

describe('deploy: Dockerfile', () => {
  const file = readDockerfile();
  const runtime = file.stages.at(-1)!;

  it('builds on Node 22 LTS slim in every stage', () => {
    expect(file.stages.length).to.be.greaterThan(1);
    for (const s of file.stages) expect(s.base, `stage ${s.name}`).to.match(/^node:22-[a-z]+-slim$/);
  });

  it('copies from the build context only paths that exist and that .dockerignore lets in', () => {
    const sources = file.stages.flatMap((s) =>
      copies(s)
        .filter((c) => !c.flags.has('from'))
        .flatMap((c) => copyParts(c).sources),
    );
    expect(sources).to.not.be.empty;
    for (const source of sources) {
      expect(existsSync(join(REPO_ROOT, source)), `${source} exists`).to.equal(true);
      expect(inBuildContext(source), `${source} is in the build context (.dockerignore)`).to.equal(true);
    }
  });

  it('the build stage compiles dist/ with `npm run build`, as a non-root user', () => {
    const build = stage(file, 'build');
    const buildIndex = build.instructions.findIndex(
      (i) => i.keyword === 'RUN' && /\bnpm run build\b/.test(i.raw),
    );
    expect(buildIndex, 'RUN npm run build').to.be.greaterThan(-1);
    expect(pkg.scripts['build']).to.match(/tsc -p tsconfig\.build\.json/);
    const tsconfig = JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.build.json'), 'utf8')) as {
      extends?: string;
      compilerOptions: { outDir: string };
      include: string[];
    };
    expect(tsconfig.compilerOptions.outDir).to.equal('dist');
    // Everything the compiler reads was copied before the build ran.
    const copied = copies(build)
      .slice(0, buildIndex)
      .flatMap((c) => copyParts(c).sources);
    const needed = [
      'tsconfig.build.json',
      ...tsconfig.include,
      ...(tsconfig.extends ? [tsconfig.extends] : []),
    ];
    for (const path of needed)
      expect(copied.map((c) => posix.normalize(c))).to.include(posix.normalize(path));

    build.instructions.forEach((ins, i) => {
      if (ins.keyword !== 'RUN' || !/\bnpm\b/.test(ins.raw)) return;
      expect(lastUserBefore(build, i), `user for RUN ${ins.raw}`).to.not.match(/^(root|0)(:|$)/);
    });
    // dist/ in the runtime image comes from the build stage's WORKDIR.
    const dist = runtimeFiles(file).get('/app/dist');
    expect(dist?.from).to.equal('build');
    expect(dist?.source).to.equal(posix.join(workdirs(build)[buildIndex]!, 'dist'));
  });

  it('the runtime image gets production dependencies only', () => {
    const nodeModules = [...runtimeFiles(file)].filter(([dest]) => dest.endsWith('/node_modules'));
    expect(nodeModules, 'node_modules copied once').to.have.length(1);
    const { from, source } = nodeModules[0]![1];
    expect(from, 'node_modules comes from another stage').to.be.a('string');
    const deps = stage(file, from!);
    const installs = runs(deps).filter((r) => /\bnpm (ci|install|i|prune)\b/.test(r));
    expect(installs, `npm in stage ${from}`).to.not.be.empty;
    const last = installs.at(-1)!;
    expect(last, 'the last npm step leaves no dev dependencies').to.match(/--omit=dev|--production\b/);
    expect(source).to.equal(posix.join(workdirs(deps).at(-1)!, 'node_modules'));
    // Nothing installs packages in the runtime stage itself.
    expect(runs(runtime).filter((r) => /\bnpm (ci|install|i)\b/.test(r))).to.deep.equal([]);
  });

  it('installs iptables (both backends) and conntrack in the runtime image', () => {
    const apt = runs(runtime).find((r) => /apt-get install/.test(r));
    expect(apt).to.match(/--no-install-recommends/);
    expect(apt)
      .to.match(/\biptables\b/)
      .and.to.match(/\bconntrack\b/);
  });

  it('the entrypoint is the kproxy binary, through the iptables backend wrapper', () => {
    const entrypoints = runtime.instructions.filter((i) => i.keyword === 'ENTRYPOINT');
    expect(entrypoints).to.have.length(1);
    const entry = entrypoints[0]!;
    expect(entry.raw.startsWith('['), 'exec form, so signals reach kproxy').to.equal(true);
    const [wrapperPath] = entry.args;
    const files = runtimeFiles(file);
    expect(files.get(wrapperPath!), `${wrapperPath} is copied in`).to.deep.equal({
      from: undefined,
      source: WRAPPER,
    });

    // The wrapper ends by exec'ing `kproxy` with the container's arguments ...
    const wrapper = readFileSync(join(REPO_ROOT, WRAPPER), 'utf8').trimEnd().split('\n');
    expect(wrapper[0]).to.equal('#!/bin/sh');
    expect(wrapper.at(-1)).to.equal('exec kproxy "$@"');

    // ... which the image links to the package's bin entry, copied with dist/ beside it.
    const link = runs(runtime)
      .map((r) => /\bln -s(?:f)? (\S+) (\S+)/.exec(r))
      .find((m) => m?.[2] === '/usr/local/bin/kproxy');
    expect(link, 'ln -s ... /usr/local/bin/kproxy').to.not.equal(undefined);
    expect(pkg.bin.kproxy).to.equal('bin/kproxy.js');
    const target = link![1]!;
    const appDir = posix.dirname(posix.dirname(target));
    expect(posix.relative(appDir, target)).to.equal(pkg.bin.kproxy);
    expect(files.get(posix.join(appDir, 'bin'))?.source).to.equal('bin');
    expect(files.get(posix.join(appDir, 'package.json'))?.source, 'package.json ("type": "module")').to.equal(
      'package.json',
    );
    const bin = readFileSync(join(REPO_ROOT, pkg.bin.kproxy), 'utf8');
    expect(bin.split('\n')[0]).to.equal('#!/usr/bin/env node');
    const imported = /from '(\.\.\/dist\/[^']+)'/.exec(bin)?.[1];
    expect(imported, 'bin/kproxy.js imports from ../dist').to.be.a('string');
    expect(files.has(posix.join(appDir, 'dist'))).to.equal(true);
    const sourceOfImport = imported!.replace('../dist/', 'src/').replace(/\.js$/, '.ts');
    expect(existsSync(join(REPO_ROOT, sourceOfImport)), `${sourceOfImport} compiles to ${imported}`).to.equal(
      true,
    );
  });
});

describe('deploy: docker/iptables-wrapper', () => {
  let dir: string;
  let log: string;

  /** A stub on PATH that appends its name and arguments to the log and prints `output`. */
  function stub(name: string, output = ''): void {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\necho "${name} $*" >> "${log}"\nprintf '%s' '${output}'\n`);
    chmodSync(path, 0o755);
  }

  function run(env: Record<string, string> = {}): { status: number | null; calls: string[]; stderr: string } {
    const result = spawnSync('sh', [join(REPO_ROOT, WRAPPER), 'run', '--v=2'], {
      encoding: 'utf8',
      // The stubs first; /usr/bin and /bin for sh, grep and timeout, but not /usr/sbin, where a
      // real iptables may live.
      env: { PATH: `${dir}:/usr/bin:/bin`, ...env },
    });
    const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
    return { status: result.status, calls, stderr: result.stderr };
  }

  const selected = (calls: string[]): string[] =>
    calls.filter((c) => /^(update-alternatives|kproxy) /.test(c));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kproxy-wrapper-'));
    log = join(dir, 'calls.log');
    for (const name of [
      'iptables-nft-save',
      'ip6tables-nft-save',
      'iptables-legacy-save',
      'ip6tables-legacy-save',
    ]) {
      stub(name);
    }
    stub('update-alternatives');
    stub('kproxy');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const picks = (mode: string): string[] => [
    `update-alternatives --set iptables /usr/sbin/iptables-${mode}`,
    `update-alternatives --set ip6tables /usr/sbin/ip6tables-${mode}`,
    'kproxy run --v=2',
  ];

  it("picks nft when the kubelet's hint chain is in nft's mangle table", () => {
    stub('iptables-nft-save', '*mangle\n:KUBE-IPTABLES-HINT - [0:0]\nCOMMIT\n');
    stub('iptables-legacy-save', '*nat\n-A FOO -j ACCEPT\n'.repeat(20));
    const { status, calls } = run();
    expect(status).to.equal(0);
    expect(selected(calls)).to.deep.equal(picks('nft'));
  });

  it("picks legacy when the kubelet's canary chain is in the legacy ruleset", () => {
    stub('ip6tables-legacy-save', '*mangle\n:KUBE-KUBELET-CANARY - [0:0]\nCOMMIT\n');
    expect(selected(run().calls)).to.deep.equal(picks('legacy'));
  });

  it('without a hint, picks the backend holding more rules; nft on a tie', () => {
    stub('iptables-legacy-save', '*filter\n-A INPUT -j ACCEPT\n-A INPUT -j DROP\n');
    stub('iptables-nft-save', '*filter\n-A INPUT -j ACCEPT\n');
    expect(selected(run().calls)).to.deep.equal(picks('legacy'));
    rmSync(log);
    stub('iptables-legacy-save');
    stub('iptables-nft-save');
    expect(selected(run().calls)).to.deep.equal(picks('nft'));
  });

  it('KPROXY_IPTABLES_MODE overrides the detection; a bad value stops before kproxy', () => {
    stub('iptables-nft-save', '*mangle\n:KUBE-IPTABLES-HINT - [0:0]\nCOMMIT\n');
    const forced = run({ KPROXY_IPTABLES_MODE: 'legacy' });
    expect(selected(forced.calls)).to.deep.equal(picks('legacy'));
    expect(forced.calls.filter((c) => c.includes('-save'))).to.deep.equal([]);
    rmSync(log);
    const bad = run({ KPROXY_IPTABLES_MODE: 'ipvs' });
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/must be nft or legacy/);
    expect(selected(bad.calls)).to.deep.equal([]);
  });
});
