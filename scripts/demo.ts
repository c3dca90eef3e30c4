/**
 * `npm run demo`: builds and packs this package, then scaffolds a demo operator from the packed
 * tarball into demo/hello_operator with `projen new --from`, exactly as a user would.
 */
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../test/support/pack';
import { scaffoldOperator } from '../test/support/scaffold';

const parent = path.join(REPO_ROOT, 'demo');
fs.rmSync(parent, { recursive: true, force: true });
fs.mkdirSync(parent, { recursive: true });
const { dir } = scaffoldOperator(parent, 'hello_operator', process.argv.slice(2));
const files = ['.projenrc.ts', 'Cargo.toml', 'Dockerfile', '.github/workflows/ci.yml', 'src/main.rs', 'operator.json', 'docs/OPERATOR.md'];
process.stdout.write(`\nScaffolded ${path.relative(process.cwd(), dir)}:\n${files.map((file) => `  ${file}`).join('\n')}\n\n`);
process.stdout.write(`Next: cd ${path.relative(process.cwd(), dir)} && cargo build && npx projen drift\n`);
