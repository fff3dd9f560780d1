import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A private directory of fake command-line tools (shell scripts) for a runner whose PATH is only
 * that directory. `create` in beforeEach, `remove` in afterEach.
 */
export class FakeBinaries {
  dir = '';

  constructor(private readonly prefix: string) {}

  async create(): Promise<void> {
    this.dir = await mkdtemp(path.join(tmpdir(), `${this.prefix}-`));
  }

  async remove(): Promise<void> {
    if (this.dir !== '') await rm(this.dir, { recursive: true, force: true });
    this.dir = '';
  }

  /** An executable `name` running `body` under /bin/sh (PATH holds only this directory). */
  async script(name: string, body: string): Promise<void> {
    const file = path.join(this.dir, name);
    await writeFile(file, `#!/bin/sh\n${body}\n`);
    await chmod(file, 0o755);
  }

  /** The path of a file in the directory. */
  file(name: string): string {
    return path.join(this.dir, name);
  }
}
