#!/usr/bin/env node
import * as fs from 'fs';
import * as path from 'path';
import { adopt, parseAdoptArgs, processIo } from './adopt/adopt';
import { isUserError } from './core/error-reporter';
import { checkDrift, formatDriftReport } from './drift/drift-check';
import { releaseOperator } from './release/operator-version';
import { changelogExcerpt } from './upgrade/changelog-excerpt';

const USAGE = 'usage: projen-rust-operator adopt [--yes] [--force] [--repository-url <url>] [--package-spec <spec>]\n       projen-rust-operator drift [--only <path>]...\n       projen-rust-operator release <X.Y.Z>\n       projen-rust-operator changelog <from> <to>\n';

/**
 * `projen-rust-operator drift [--only <path>...]`: exits 0 when every owned file matches
 * `.projenrc.ts`, 1 with a diff and a fix per file otherwise, 2 when synthesis itself fails.
 *
 * `projen-rust-operator adopt`: takes an existing repository over (a plan first; writes only with
 * `--yes` or a confirmation; never commits).
 *
 * `projen-rust-operator release X.Y.Z`: sets the version in Cargo.toml, Cargo.lock and
 * operator.json's container tag, commits and tags.
 */
function main(argv: string[]): number {
  const [command, ...rest] = argv;
  if (command === 'release') {
    if (rest.length !== 1) {
      process.stderr.write(USAGE);
      return 2;
    }
    try {
      process.stdout.write(releaseOperator(process.cwd(), rest[0]).join('\n') + '\n');
      return 0;
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n`);
      return 1;
    }
  }
  if (command === 'changelog') {
    // The upgrade workflow runs the NEW version's CLI: its own CHANGELOG.md holds the entries.
    if (rest.length !== 2) {
      process.stderr.write(USAGE);
      return 2;
    }
    const file = path.join(__dirname, '..', 'CHANGELOG.md');
    const sections = fs.existsSync(file) ? changelogExcerpt(fs.readFileSync(file, 'utf-8'), rest[0], rest[1]) : [];
    process.stdout.write(sections.length > 0
      ? sections.map((s) => s.text).join('\n\n') + '\n'
      : `(The package's CHANGELOG.md has no entries between ${rest[0]} and ${rest[1]}.)\n`);
    return 0;
  }
  if (command !== 'drift') {
    process.stderr.write(USAGE);
    return 2;
  }
  const only: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--only' && rest[i + 1]) {
      only.push(rest[++i]);
    } else {
      process.stderr.write(`unknown argument: ${rest[i]}\n`);
      return 2;
    }
  }
  try {
    const report = checkDrift(process.cwd(), { only });
    process.stdout.write(formatDriftReport(report));
    return report.entries.length === 0 ? 0 : 1;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
}

async function run(argv: string[]): Promise<number> {
  if (argv[0] !== 'adopt') return main(argv);
  try {
    return await adopt(parseAdoptArgs(argv.slice(1), process.cwd()), processIo());
  } catch (error) {
    process.stderr.write(`${isUserError(error) ? (error as Error).message : (error as Error).stack}\n`);
    return isUserError(error) ? 1 : 2;
  }
}

void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
