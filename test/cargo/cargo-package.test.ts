// CargoPackage facts not covered by the issue cases: Cargo.lock format, workspace roles, the
// copy list and stubs of a root package with members, path-dependency members, cargoPackage.
import * as fs from 'fs';
import * as path from 'path';
import { OfflineRegistry } from './offline-registry';
import { removeTempDirs, scratchCrate } from './support';
import { CargoPackage, CargoWorkspaceRole } from '../../src/cargo/cargo-package';
import { CargoTargetKind } from '../../src/cargo/cargo-target';
import { OptionError } from '../../src/core/errors';

afterAll(removeTempDirs);

test('a root package with [workspace], a listed member and a path-dependency member', () => {
  const root = scratchCrate('[package]\nname = "op"\nversion = "0.3.0"\nedition = "2021"\n\n[dependencies]\nhelper = { path = "libs/helper" }\n\n'
    + '[[example]]\nname = "demo"\n\n[workspace]\nmembers = ["tools/*"]\n', { 'build.rs': 'fn main() {}\n', 'examples/demo.rs': 'fn main() {}\n' });
  scratchCrate('[package]\nname = "helper"\nversion = "0.1.0"\nedition = "2021"\n', { 'src/lib.rs': '' }, path.join(root, 'libs', 'helper'));
  fs.rmSync(path.join(root, 'libs', 'helper', 'src', 'main.rs'));
  scratchCrate('[package]\nname = "gen"\nversion = "0.1.0"\nedition = "2021"\n', {}, path.join(root, 'tools', 'gen'));
  const before = new CargoPackage({ directory: root });
  expect(before.lockfileVersion).toBeUndefined();
  expect(before.hasLockfile).toBe(false);
  expect(new OfflineRegistry().metadata(root).status).toBe(0); // writes Cargo.lock
  const pkg = new CargoPackage({ directory: root });
  expect(pkg.lockfileVersion).toBe(4);
  expect(pkg.workspaceRole).toBe(CargoWorkspaceRole.ROOT_PACKAGE);
  expect(pkg.memberDirectories).toEqual(['.', 'libs/helper', 'tools/gen']);
  expect(pkg.manifestFilesToCopy).toEqual(['Cargo.toml', 'Cargo.lock', 'libs/helper/Cargo.toml', 'tools/gen/Cargo.toml']);
  expect(pkg.buildPackageArgument).toBe('op');
  expect(pkg.dependencyStubs).toEqual([
    { path: 'build.rs', kind: CargoTargetKind.BUILD_SCRIPT },
    { path: 'examples/demo.rs', kind: CargoTargetKind.EXAMPLE }, // declared: cargo refuses the manifest without it
    { path: 'libs/helper/src/lib.rs', kind: CargoTargetKind.LIB },
    { path: 'src/main.rs', kind: CargoTargetKind.BIN },
    { path: 'tools/gen/src/main.rs', kind: CargoTargetKind.BIN },
  ]);
  expect(pkg.chooseBinary()).toBe('op');
  // Another member by name; a name that is none of them is an error listing them.
  const gen = new CargoPackage({ directory: root, cargoPackage: 'gen' });
  expect([gen.name, gen.packageDirectory, gen.manifestFile, gen.profileManifestFile]).toEqual(['gen', 'tools/gen', 'tools/gen/Cargo.toml', 'Cargo.toml']);
  let error: unknown;
  try {
    new CargoPackage({ directory: root, cargoPackage: 'nope' });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(OptionError);
  expect((error as OptionError).message).toMatch(/"nope" is not a package of the workspace .*members: op, helper, gen/);
});

test('a standalone crate: no -p, its own manifest, discovered targets in cargo\'s order', () => {
  const dir = scratchCrate('[package]\nname = "solo"\nversion = "1.0.0"\nedition = "2021"\n', { 'src/lib.rs': '', 'src/bin/extra/main.rs': 'fn main() {}\n', 'tests/it.rs': '' });
  const pkg = new CargoPackage({ directory: dir });
  expect(pkg.workspaceRole).toBe(CargoWorkspaceRole.STANDALONE);
  expect(pkg.buildPackageArgument).toBeUndefined();
  expect(pkg.manifestFilesToCopy).toEqual(['Cargo.toml']);
  expect(pkg.targets.map(t => `${t.kind}:${t.name}:${t.path}`)).toEqual([
    'lib:solo:src/lib.rs', 'bin:solo:src/main.rs', 'bin:extra:src/bin/extra/main.rs', 'test:it:tests/it.rs',
  ]);
  const cargoTargets = new OfflineRegistry().metadata(dir).json.packages[0].targets.map((t: any) => `${t.kind[0]}:${t.name}:${path.relative(dir, t.src_path)}`);
  expect(cargoTargets.sort()).toEqual(pkg.targets.map(t => `${t.kind}:${t.name}:${t.path}`).sort());
  // Undeclared tests are not stubbed: cargo only looks for the files it finds.
  expect(pkg.dependencyStubs.map(s => s.path)).toEqual(['src/bin/extra/main.rs', 'src/lib.rs', 'src/main.rs']);
});
