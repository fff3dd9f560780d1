/** Runs the CLI from source (`node --import tsx src/cli/entry.ts ...`), as bin/kproxy.js runs dist/. */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
