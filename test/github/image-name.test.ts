/**
 * One lowercase image name, computed once: whatever the case of the repository owner, the
 * registry owner or the crate name, every image reference of the workflow (metadata images,
 * attestation subject, Trivy image-ref) is the same lowercase, valid reference.
 */
import * as fs from 'fs';
import * as path from 'path';
import { WORKFLOW_FILE } from './support/cases';
import { actionOf, parseWorkflowText } from './support/parsed-workflow';
import { RustOperatorProjectOptions } from '../../src';
import { removeScratchDirs, scratchDir } from './support/scratch';
import { DEFAULT_ACTION_PINS } from '../../src/github/pinned-actions';
import { synthOperator } from '../support/synth';

afterAll(removeScratchDirs);

/**
 * github.com/distribution/reference, written out here (not the generator's ImageReference):
 * host, lowercase path components separated by `/`.
 */
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const VALID_NAME = new RegExp(`^ghcr\\.io/${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const DIGEST = `sha256:${'ab'.repeat(32)}`;

const OWNERS: Array<[string, Partial<RustOperatorProjectOptions>, string]> = [
  ['mixed-case owner in repositoryUrl', { repositoryUrl: 'https://github.com/AcmeCorp/MyOperator.git' }, 'ghcr.io/acmecorp/hello_operator'],
  ['mixed-case registryOwner', { registryOwner: 'AcmeCorp' }, 'ghcr.io/acmecorp/hello_operator'],
  ['mixed-case owner and crate name', { name: 'Hello_Operator', repositoryUrl: 'git@github.com:AcmeCorp/Hello_Operator.git' }, 'ghcr.io/acmecorp/hello_operator'],
  ['lowercase owner', {}, 'ghcr.io/acme/hello_operator'],
];

describe.each(OWNERS)('%s', (_name, options, expected) => {
  test('every image reference in the workflow is the same lowercase, valid name', () => {
    const result = synthOperator(options, {}, scratchDir());
    const workflow = parseWorkflowText(result.read(WORKFLOW_FILE));
    const steps = workflow.jobs.flatMap((job) => job.steps);
    const using = (key: string) => steps.filter((step) => actionOf(step.uses) === DEFAULT_ACTION_PINS[key].action);

    const tagging = steps.filter((step) => step.run?.includes('docker buildx imagetools create'));
    const references = [
      ...using('metadata').map((step) => String(step.with.images)),
      ...using('attest').map((step) => String(step.with['subject-name'])),
      // image-ref is `<name>@${{ needs.publish.outputs.digest }}`: the name part.
      ...using('trivy').map((step) => String(step.with['image-ref']).replace(/@\$\{\{ needs\.publish\.outputs\.digest \}\}$/, '')),
      // The build pushes by digest to `name=<image>`; the tag step names the digests `$IMAGE@...`.
      ...using('build-push').map((step) => /(?:^|,)name=([^,]+)/.exec(String(step.with.outputs))?.[1]),
      ...tagging.map((step) => step.env.IMAGE),
    ];
    expect(references).toHaveLength(using('metadata').length + using('attest').length + using('trivy').length + using('build-push').length + tagging.length);
    for (const key of ['metadata', 'attest', 'trivy', 'build-push']) expect(using(key).length).toBeGreaterThan(0);
    expect(tagging.length).toBeGreaterThan(0);
    expect(new Set(references)).toEqual(new Set([expected]));
    expect(result.project.imageName).toBe(expected);
    expect(expected).toMatch(VALID_NAME);
    // With a digest in place of the expression, the scanned reference is valid too.
    for (const step of using('trivy')) {
      const scanned = String(step.with['image-ref']).replace('${{ needs.publish.outputs.digest }}', DIGEST);
      expect(scanned).toBe(`${expected}@${DIGEST}`);
    }
    // Every login goes to the image's registry.
    for (const step of using('login')) expect(step.with.registry).toBe('ghcr.io');
    // No other spelling of the image (e.g. `ghcr.io/${{ github.repository }}`) anywhere in the file.
    const text = result.read(WORKFLOW_FILE);
    expect(text).not.toContain('github.repository');
    expect(text.match(/ghcr\.io\/[^\s@"',]+/g)!.every((ref) => ref === expected)).toBe(true);
  });

  test('the docs and operator.json name the same image', () => {
    const result = synthOperator(options, {}, scratchDir());
    const docs = fs.readFileSync(path.join(result.dir, 'docs/OPERATOR.md'), 'utf-8');
    expect(docs).toContain(expected);
    expect(docs.match(/ghcr\.io\/[A-Za-z0-9_.\/-]+/g)!.every((ref) => ref === expected)).toBe(true);
    expect(JSON.parse(result.read('operator.json')).container.startsWith(`${expected}:`)).toBe(true);
  });
});
