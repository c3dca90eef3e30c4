/**
 * `npm run demo`: builds and packs this package, then scaffolds a demo operator from the packed
 * tarball into demo/hello_operator with `projen new --from`, exactly as a user would.
 *
 * The operator's repository is given explicitly (`--repository-url`): demo/ sits inside this
 * checkout, and without it `projen new` would take this checkout's own git remote (whatever host
 * or path it is) as the operator's. Extra arguments go to `projen new` and may override it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../test/support/pack';
import { scaffoldOperator } from '../test/support/scaffold';

const DEMO_REPOSITORY = 'https://github.com/example/hello_operator';

const extraArgs = process.argv.slice(2);
const args = extraArgs.some((arg) => /^--repository-url(=|$)/.test(arg)) ? extraArgs : ['--repository-url', DEMO_REPOSITORY, ...extraArgs];
const parent = path.join(REPO_ROOT, 'demo');
fs.rmSync(parent, { recursive: true, force: true });
fs.mkdirSync(parent, { recursive: true });
const { dir } = scaffoldOperator(parent, 'hello_operator', args);
const files = ['.projenrc.ts', 'Cargo.toml', 'Dockerfile', '.github/workflows/ci.yml', 'src/main.rs', 'operator.json', 'docs/OPERATOR.md'];
process.stdout.write(`\nScaffolded the demo operator in ${dir} (projen new ${args.join(' ')}):\n${files.map((file) => `  ${file}`).join('\n')}\n\n`);
process.stdout.write(`Next: cd ${path.relative(process.cwd(), dir) || '.'} && cargo build && npx projen drift\n`);
