// Cargo's rules for profiles, and how a profile is written. Internal (not exported publicly).
import { CargoDebugInfo, CargoLto, CargoOptLevel, CargoPanicStrategy, CargoProfileOptions, CargoStrip } from './cargo-profile';
import type { ManagedKey } from './managed-toml';
import { OptionError } from '../core/errors';

/** Profiles cargo defines itself; they need (and `dev`/`release` accept) no `inherits`. */
export const BUILT_IN_PROFILES = ['dev', 'release', 'test', 'bench'];

/** Names cargo refuses for a profile (cargo's `validate_profile_name`), besides `cargo*`. */
const CARGO_RESERVED = ['build', 'check', 'clean', 'config', 'fetch', 'fix', 'install', 'metadata', 'package',
  'publish', 'report', 'root', 'run', 'rust', 'rustc', 'rustdoc', 'target', 'tmp', 'uninstall', 'build-override'];

/**
 * Checks a profile name and its settings. `option` is the option path used in errors
 * (e.g. `cargo.profiles.maxperf`).
 */
export function validateProfile(name: string, profile: CargoProfileOptions, option: string): void {
  validateProfileName(name, option);
  if (name === 'test') {
    throw new OptionError(option, 'the profile name "test" is reserved: cargo uses it for `cargo test` and builds it into target/debug, beside `dev`.',
      'Configure `dev` instead, or give the profile another name (with inherits = "release" or "dev").');
  }
  if (profile.inherits === undefined && !BUILT_IN_PROFILES.includes(name)) {
    throw new OptionError(`${option}.inherits`, `custom profile "${name}" has no inherits; cargo requires it for every profile except dev and release.`,
      'Set inherits, e.g. inherits: "release".');
  }
  if (profile.inherits !== undefined) {
    if (name === 'dev' || name === 'release' || name === 'bench') {
      throw new OptionError(`${option}.inherits`, `the built-in profile "${name}" cannot inherit from another profile.`, 'Remove inherits.');
    }
    validateProfileName(profile.inherits, `${option}.inherits`);
    if (profile.inherits === name) {
      throw new OptionError(`${option}.inherits`, `profile "${name}" cannot inherit from itself.`, 'Use inherits: "release" or "dev".');
    }
  }
  checkEnum(profile.optLevel, CargoOptLevel, `${option}.optLevel`);
  checkEnum(profile.lto, CargoLto, `${option}.lto`);
  checkEnum(profile.strip, CargoStrip, `${option}.strip`);
  checkEnum(profile.debug, CargoDebugInfo, `${option}.debug`);
  checkEnum(profile.panicStrategy, CargoPanicStrategy, `${option}.panicStrategy`);
  const units = profile.codegenUnits;
  if (units !== undefined && !(Number.isInteger(units) && units >= 1 && units <= 0xffffffff)) {
    throw new OptionError(`${option}.codegenUnits`, `${profile.codegenUnits} is not a positive whole number.`, 'Use 1 (best code) to 256; 16 builds fast.');
  }
  if (profile.incremental !== undefined && typeof profile.incremental !== 'boolean') {
    throw new OptionError(`${option}.incremental`, `${JSON.stringify(profile.incremental)} is not a boolean.`, 'Use true or false.');
  }
}

/** Checks a profile name against cargo's rules. */
/**
 * Cargo's output directory under `target/` for a profile: `debug` for dev and test, `release`
 * for release and bench, otherwise the profile's name.
 */
export function profileDirectory(name: string): string {
  if (name === 'dev' || name === 'test') {
    return 'debug';
  }
  if (name === 'release' || name === 'bench') {
    return 'release';
  }
  return name;
}

export function validateProfileName(name: string, option: string): void {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new OptionError(option, `${JSON.stringify(name)} is not a valid profile name.`,
      'Use letters, digits, "-" and "_" only (e.g. "maxperf", "dev-release").');
  }
  if (name === 'debug') {
    throw new OptionError(option, 'the profile name "debug" is reserved by cargo.',
      'Use "dev" to configure the development profile, or name a custom profile (with inherits).');
  }
  if (CARGO_RESERVED.includes(name) || name.toLowerCase().startsWith('cargo')) {
    throw new OptionError(option, `the profile name "${name}" is reserved by cargo.`, 'Choose another name.');
  }
}

/** The keys of a `[profile.<name>]` table, `inherits` first, in cargo's documentation order. */
export function renderProfile(profile: CargoProfileOptions): ManagedKey[] {
  const keys: ManagedKey[] = [];
  const add = (key: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) {
      keys.push({ key, value });
    }
  };
  add('inherits', profile.inherits);
  add('opt-level', profile.optLevel === undefined ? undefined : /^\d$/.test(profile.optLevel) ? Number(profile.optLevel) : profile.optLevel);
  add('lto', booleanOrString(profile.lto));
  add('codegen-units', profile.codegenUnits);
  add('strip', booleanOrString(profile.strip));
  add('debug', profile.debug);
  add('panic', profile.panicStrategy);
  add('incremental', profile.incremental);
  return keys;
}

function booleanOrString(value: string | undefined): string | boolean | undefined {
  return value === 'true' ? true : value === 'false' ? false : value;
}

function checkEnum(value: string | undefined, values: { [key: string]: string }, option: string): void {
  if (value !== undefined && !Object.values(values).includes(value)) {
    throw new OptionError(option, `${JSON.stringify(value)} is not a valid value.`, `Use one of: ${Object.values(values).join(', ')}.`);
  }
}
