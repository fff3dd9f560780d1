import { expect } from 'chai';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../src/errors.js';
import { flattenLists } from '../../../src/input/flatten.js';
import { loadObjects, parseObjects } from '../../../src/input/load-objects.js';

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
spec:
  clusterIP: 10.96.0.10
  ports:
  - port: 80
`;

async function rejection(promise: Promise<unknown>): Promise<InputError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(InputError);
  return err as InputError;
}

function parseError(text: string, file = 'objects.yaml'): InputError {
  try {
    parseObjects(text, file);
  } catch (err) {
    expect(err).to.be.instanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

describe('input/load-objects', () => {
  describe('parseObjects', () => {
    it('reads every document of a multi-document file, skipping empty ones', () => {
      const objects = parseObjects(
        `---\n${SERVICE}---\n---\n# only a comment\n---\nkind: Node\nmetadata: {name: n1}\n...\n`,
        'f.yaml',
      );
      expect(objects.map((o) => (o as { kind: string }).kind)).to.deep.equal(['Service', 'Node']);
    });

    it('returns nothing for an empty file', () => {
      expect(parseObjects('', 'f.yaml')).to.deep.equal([]);
      expect(parseObjects('\n# nothing\n', 'f.yaml')).to.deep.equal([]);
    });

    it('parses JSON files with JSON.parse (tabs and all)', () => {
      const json =
        '{\n\t"apiVersion": "v1",\n\t"kind": "List",\n\t"items": [{"kind": "Node", "metadata": {"name": "n1"}}]\n}';
      expect(parseObjects(json, 'f.json')).to.deep.equal([{ kind: 'Node', metadata: { name: 'n1' } }]);
    });

    it('reports a YAML error with the document number and line, on one line', () => {
      const err = parseError(`${SERVICE}---\nkind: Service\nmetadata: {name: x\n`);
      expect(err.file).to.equal('objects.yaml');
      expect(err.message).to.match(/^objects\.yaml: document 2: .* at line \d+, column \d+$/);
      expect(err.message).not.to.include('\n');
    });

    it('reports invalid JSON', () => {
      const err = parseError('{"kind": ', 'f.json');
      expect(err.message).to.match(/^f\.json: invalid JSON: /);
      expect(err.message).not.to.include('\n');
    });

    it('rejects a scalar document', () => {
      expect(parseError('just a string\n').message).to.equal(
        'objects.yaml: document 1: the document is not an object (got string)',
      );
      expect(parseError(`${SERVICE}---\nkind: List\nitems: [1]\n`).message).to.equal(
        'objects.yaml: document 2: items[0] is not an object (got number)',
      );
    });

    it('rejects alias bombs', () => {
      const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
      for (let i = 1; i < 8; i++) {
        const prev = String.fromCharCode(96 + i);
        const cur = String.fromCharCode(97 + i);
        bomb.push(`${cur}: &${cur} [${new Array(10).fill(`*${prev}`).join(',')}]`);
      }
      expect(parseError(bomb.join('\n')).message).to.match(/^objects\.yaml: document 1: .*alias/i);
    });
  });

  describe('flattenLists', () => {
    it('flattens kind: List, typed lists and nested lists', () => {
      const doc = {
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' } },
          null,
          {
            apiVersion: 'v1',
            kind: 'List',
            items: [{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }],
          },
          {
            apiVersion: 'discovery.k8s.io/v1',
            kind: 'EndpointSliceList',
            metadata: { resourceVersion: '42' },
            items: [{ metadata: { name: 'a-x' } }, { kind: 'EndpointSlice', metadata: { name: 'a-y' } }],
          },
        ],
      };
      expect(flattenLists(doc)).to.deep.equal([
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' } },
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } },
        { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'a-x' } },
        { kind: 'EndpointSlice', metadata: { name: 'a-y' } },
      ]);
    });

    it('treats a list with null items as empty, and a top-level array as a list', () => {
      expect(flattenLists({ kind: 'ServiceList', items: null })).to.deep.equal([]);
      expect(flattenLists([{ kind: 'Node' }, null, [{ kind: 'Service' }]])).to.deep.equal([
        { kind: 'Node' },
        { kind: 'Service' },
      ]);
    });

    it('leaves a *List kind without items alone', () => {
      const allowList = { apiVersion: 'example.com/v1', kind: 'AllowList', spec: {} };
      expect(flattenLists(allowList)).to.deep.equal([allowList]);
    });

    it('refuses absurd nesting', () => {
      let doc: unknown = { kind: 'Node' };
      for (let i = 0; i < 40; i++) doc = { kind: 'List', items: [doc] };
      expect(() => flattenLists(doc)).to.throw(/nested more than/);
    });
  });

  describe('loadObjects', () => {
    let dir = '';
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'kproxy-objects-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const obj = (kind: string, name: string): string =>
      `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n`;
    const names = (objects: unknown[]): string[] =>
      objects.map((o) => (o as { metadata: { name: string } }).metadata.name);

    it('reads directories recursively in path order, YAML and JSON only, skipping dot entries', async () => {
      await mkdir(join(dir, 'b', 'deep'), { recursive: true });
      await mkdir(join(dir, '.hidden'));
      await mkdir(join(dir, '..2024_01_01'));
      await writeFile(join(dir, 'b', 'deep', 'x.yml'), obj('Node', 'b-deep-x'));
      await writeFile(join(dir, 'b', 'a.json'), JSON.stringify({ kind: 'Node', metadata: { name: 'b-a' } }));
      await writeFile(join(dir, 'a.yaml'), `${obj('Node', 'a-1')}---\n${obj('Node', 'a-2')}`);
      await writeFile(join(dir, 'c.YAML'), obj('Node', 'c'));
      await writeFile(join(dir, 'notes.txt'), 'not: [yaml');
      await writeFile(join(dir, '.hidden', 'h.yaml'), obj('Node', 'hidden'));
      await writeFile(join(dir, '..2024_01_01', 'h.yaml'), obj('Node', 'configmap-data'));
      expect(names(await loadObjects([dir]))).to.deep.equal(['a-1', 'a-2', 'b-a', 'b-deep-x', 'c']);
    });

    it('reads an explicitly named file whatever its extension, paths in the order given', async () => {
      await writeFile(join(dir, 'objects.txt'), obj('Node', 'txt'));
      await writeFile(join(dir, 'a.yaml'), obj('Node', 'a'));
      expect(names(await loadObjects([join(dir, 'objects.txt'), join(dir, 'a.yaml')]))).to.deep.equal([
        'txt',
        'a',
      ]);
    });

    it('follows a symlinked directory once', async () => {
      await mkdir(join(dir, 'real'));
      await writeFile(join(dir, 'real', 'a.yaml'), obj('Node', 'a'));
      await symlink(join(dir, 'real'), join(dir, 'real', 'loop'));
      expect(names(await loadObjects([dir]))).to.deep.equal(['a']);
    });

    it('names a missing path', async () => {
      const missing = join(dir, 'missing.yaml');
      const err = await rejection(loadObjects([missing]));
      expect(err.file).to.equal(missing);
      expect(err.message).to.match(new RegExp(`^${missing}: cannot read: ENOENT`));
    });

    it('names the file with a bad document', async () => {
      await writeFile(join(dir, 'a.yaml'), obj('Node', 'a'));
      await writeFile(join(dir, 'b.yaml'), `${obj('Node', 'b')}---\n\tbad: tab\n`);
      const err = await rejection(loadObjects([dir]));
      expect(err.file).to.equal(join(dir, 'b.yaml'));
      expect(err.message).to.match(/: document 2: /);
    });

    it('flattens lists from files', async () => {
      const list = {
        apiVersion: 'v1',
        kind: 'ServiceList',
        items: [{ metadata: { name: 's1' } }, { metadata: { name: 's2' } }],
      };
      await writeFile(join(dir, 'list.json'), JSON.stringify(list));
      const objects = await loadObjects([dir]);
      expect(objects).to.deep.equal([
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 's1' } },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 's2' } },
      ]);
    });
  });
});
