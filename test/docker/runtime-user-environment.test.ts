/** The runtime user left to the platform, and extra runtime environment, in the generated files. */
import { synthOperator } from '../support/synth';
import { stages } from '../support/validate-dockerfile';

test('platformUser: no USER, no useradd, and the docs say who chooses the user', () => {
  const result = synthOperator({ platformUser: true });
  const [, runtime] = stages(result.read('Dockerfile'));
  expect(runtime.instructions.map((i) => i.keyword)).not.toContain('USER');
  expect(result.read('Dockerfile')).not.toContain('useradd');
  expect(result.read('docs/OPERATOR.md')).toContain('runs as the user the platform chooses');
});

test('the default still runs as uid 1000', () => {
  const [, runtime] = stages(synthOperator().read('Dockerfile'));
  expect(runtime.instructions.find((i) => i.keyword === 'USER')?.args).toBe('1000:1000');
});

test('runtimeEnvironment lands in the ENV and in the docs\' table with its reader', () => {
  const result = synthOperator({ runtimeEnvironment: { RUST_BACKTRACE: '1' } });
  expect(result.read('Dockerfile')).toMatch(/RUST_BACKTRACE=1/);
  expect(result.read('docs/OPERATOR.md')).toContain('| `RUST_BACKTRACE` | `1` | the operator (runtimeEnvironment) |');
});

test.each([
  [{ 'RUST BACKTRACE': '1' }, /is not an environment variable name/],
  [{ MALLOC_CONF: 'narenas:1' }, /is an allocator variable/],
  [{ RUST_LOG: 'a\nb' }, /is not a single-line string/],
])('a bad runtimeEnvironment %j is refused', (environment, message) => {
  expect(() => synthOperator({ runtimeEnvironment: environment })).toThrow(message);
});
