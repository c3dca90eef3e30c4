/**
 * Our own versions of zizmor's key audits, over a parsed workflow. Each returns a list of
 * problems (empty: the audit passed), so tests can show both that generated workflows pass and
 * that each audit catches a planted defect.
 */
import { actionOf, ParsedStep, ParsedWorkflow } from './parsed-workflow';
import { PinnedAction } from '../../../src/github/pinned-actions';

export type Pins = { readonly [key: string]: PinnedAction };
export type Permissions = { [scope: string]: 'read' | 'write' };
/** What a `run:` step that uses the job token does with it, by `job/step-id`. */
export type RunStepRules = { readonly [jobAndStep: string]: Permissions };

function allSteps(workflow: ParsedWorkflow): ParsedStep[] {
  return workflow.jobs.flatMap((job) => job.steps);
}

const where = (step: ParsedStep) => `${step.job}/${step.id ?? `steps[${step.index}]`}`;

/** Every `uses:` is `<action>@<40-hex sha>` of an entry of `pins`, with `# <version>` of that entry. */
export function auditPins(workflow: ParsedWorkflow, pins: Pins): string[] {
  const problems: string[] = [];
  for (const job of workflow.jobs) {
    if (job.json.uses !== undefined) problems.push(`${job.id}: calls a reusable workflow (${job.json.uses}) outside the pin table`);
  }
  for (const step of allSteps(workflow).filter((s) => s.uses !== undefined)) {
    const [action, ref] = step.uses!.split('@');
    if (!/^[0-9a-f]{40}$/.test(ref ?? '')) {
      problems.push(`${where(step)}: ${step.uses} is not pinned to a full commit SHA`);
      continue;
    }
    const pin = Object.values(pins).find((p) => p.action === action && p.sha === ref);
    if (!pin) {
      problems.push(`${where(step)}: ${step.uses} is not in the pin table`);
    } else if (step.usesComment !== pin.version) {
      problems.push(`${where(step)}: comment "${step.usesComment ?? ''}" is not the pinned version "${pin.version}"`);
    }
  }
  return problems;
}

/** Every checkout sets `persist-credentials: false`. */
export function auditCheckoutCredentials(workflow: ParsedWorkflow, pins: Pins): string[] {
  return allSteps(workflow)
    .filter((step) => actionOf(step.uses) === pins.checkout.action)
    .filter((step) => step.with['persist-credentials'] !== false)
    .map((step) => `${where(step)}: checkout without persist-credentials: false`);
}

/** No `${{ }}` inside a `run:` script, trusted or not: values reach scripts through `env:`. */
export function auditRunExpressions(workflow: ParsedWorkflow): string[] {
  return allSteps(workflow)
    .filter((step) => step.run !== undefined && step.run.includes('${{'))
    .map((step) => `${where(step)}: expression inside run:`);
}

/**
 * zizmor's `undocumented-permissions`: every permission a job holds carries a comment saying what
 * needs it; `read-all`/`write-all` cannot be documented per scope.
 */
export function auditUndocumentedPermissions(workflow: ParsedWorkflow): string[] {
  const problems: string[] = [];
  for (const job of workflow.jobs) {
    const permissions = job.json.permissions;
    if (permissions === undefined) continue;
    if (typeof permissions !== 'object' || permissions === null) {
      problems.push(`${job.id}: permissions ${JSON.stringify(permissions)} cannot say what needs each scope`);
      continue;
    }
    for (const scope of Object.keys(permissions)) {
      if (!job.permissionComments[scope]) problems.push(`${job.id}: ${scope}: ${permissions[scope]} has no comment saying what needs it`);
    }
  }
  return problems;
}

/** A build-push step that pushes: `push: true`, or an `outputs` image exporter with `push=true`. */
export function buildPushes(step: ParsedStep): boolean {
  return step.with.push === true || /(^|,)push=true(,|$)/.test(String(step.with.outputs ?? ''));
}

/** A `run:` step that pushes tags to the registry (`docker buildx imagetools create`). */
export function tagsImages(step: ParsedStep): boolean {
  return step.run !== undefined && /docker buildx imagetools create/.test(step.run);
}

/** `permissions: {}` at workflow level (nothing granted by default). */
export function auditWorkflowPermissions(workflow: ParsedWorkflow): string[] {
  const permissions = workflow.json.permissions;
  const empty = permissions !== null && typeof permissions === 'object' && !Array.isArray(permissions) && Object.keys(permissions).length === 0;
  return empty ? [] : [`workflow-level permissions are ${JSON.stringify(permissions)}, not {}`];
}

const RANK = { read: 1, write: 2 } as const;

function grant(into: Permissions, scope: string, level: 'read' | 'write'): void {
  if (!into[scope] || RANK[level] > RANK[into[scope]]) into[scope] = level;
}

/**
 * The permissions a job's steps need, step by step, from what each action documents
 * (reference/actions.md); throws for an action without a rule.
 */
export function neededPermissions(steps: ParsedStep[], pins: Pins, runRules: RunStepRules = {}): Permissions {
  const needed: Permissions = {};
  const keyOf = (step: ParsedStep) => Object.keys(pins).find((key) => pins[key].action === actionOf(step.uses));
  const pushes = steps.some((s) => (keyOf(s) === 'build-push' && buildPushes(s)) || (keyOf(s) === 'attest' && s.with['push-to-registry'] === true) || tagsImages(s));
  for (const step of steps) {
    if (tagsImages(step)) grant(needed, 'packages', 'write'); // pushes the index and its tags
    if (step.run !== undefined) {
      // A script that uses the job token (or OIDC) needs a rule of its own (`runRules`, by job/step id).
      const rule = runRules[`${step.job}/${step.id}`];
      if (rule) {
        for (const [scope, level] of Object.entries(rule)) grant(needed, scope, level);
      } else if (/GITHUB_TOKEN|github\.token/.test(step.run + JSON.stringify(step.env))) {
        throw new Error(`${where(step)}: run step uses the job token and has no rule`);
      }
      continue;
    }
    switch (keyOf(step)) {
      case 'checkout':
        grant(needed, 'contents', 'read');
        break;
      case 'login':
        grant(needed, 'packages', pushes ? 'write' : 'read');
        break;
      case 'build-push':
        if (buildPushes(step)) grant(needed, 'packages', 'write');
        break;
      case 'attest':
        grant(needed, 'id-token', 'write');
        grant(needed, 'attestations', 'write');
        if (step.with['push-to-registry'] === true) grant(needed, 'packages', 'write');
        if (step.with['create-storage-record'] !== false) grant(needed, 'artifact-metadata', 'write');
        break;
      case 'upload-sarif':
        grant(needed, 'security-events', 'write');
        grant(needed, 'actions', 'read'); // private repositories
        grant(needed, 'contents', 'read'); // private repositories
        break;
      case 'trivy':
        grant(needed, 'packages', 'read'); // pulls the pushed image, private on GHCR until made public
        break;
      case 'setup-node':
      case 'upload-artifact': // the artifact service uses the runner's own token
      case 'download-artifact': // same run: no actions: read needed
      case 'rust-cache': // the cache service uses the runner's own cache token, not GITHUB_TOKEN scopes
      case 'setup-buildx':
      case 'metadata': // reads the repository through the API: `metadata: read`, which every token has
        break;
      default:
        throw new Error(`${where(step)}: no permission rule for ${step.uses}`);
    }
  }
  return needed;
}

/** Each job's `permissions:` equals the table, and the table equals what its steps need. */
export function auditJobPermissions(
  workflow: ParsedWorkflow, pins: Pins, table: { [job: string]: Permissions }, runRules: RunStepRules = {},
): string[] {
  const problems: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
  for (const job of workflow.jobs) {
    const expected = table[job.id];
    if (expected === undefined) {
      problems.push(`${job.id}: not in the permission table`);
      continue;
    }
    if (!same(job.json.permissions, expected)) {
      problems.push(`${job.id}: holds ${JSON.stringify(job.json.permissions)}, the table says ${JSON.stringify(expected)}`);
    }
    const needed = neededPermissions(job.steps, pins, runRules);
    if (!same(needed, expected)) {
      problems.push(`${job.id}: its steps need ${JSON.stringify(needed)}, the table says ${JSON.stringify(expected)}`);
    }
  }
  return problems;
}

function sorted(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, (value as any)[k]]));
}

/** Every step has an id, unique in its job, and the job's ids are the documented ones, in order. */
export function auditStepIds(workflow: ParsedWorkflow, documented: (jobId: string) => string[]): string[] {
  const problems: string[] = [];
  for (const job of workflow.jobs) {
    const ids = job.steps.map((step) => step.id);
    job.steps.filter((step) => typeof step.id !== 'string' || step.id === '').forEach((step) => problems.push(`${where(step)}: no id`));
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (duplicates.length > 0) problems.push(`${job.id}: duplicate step ids ${duplicates.join(', ')}`);
    const expected = documented(job.id);
    if (JSON.stringify(ids) !== JSON.stringify(expected)) problems.push(`${job.id}: step ids ${JSON.stringify(ids)}, documented ${JSON.stringify(expected)}`);
  }
  return problems;
}

/** A job publishes when it pushes an image or an attestation to a registry. */
export function publishes(steps: ParsedStep[], pins: Pins): boolean {
  return steps.some((s) => (actionOf(s.uses) === pins['build-push'].action && buildPushes(s))
    || (actionOf(s.uses) === pins.attest.action && s.with['push-to-registry'] === true) || tagsImages(s));
}

/** The cache actions of a job (actions/cache, rust-cache). */
export function cacheSteps(steps: ParsedStep[], pins: Pins): ParsedStep[] {
  return steps.filter((s) => ['actions/cache', pins['rust-cache'].action].includes(actionOf(s.uses) ?? ''));
}

/**
 * The cache-aware actions of zizmor's `cache-poisoning` audit that a generated workflow could
 * use, with zizmor's rule for whether the step's inputs leave caching on:
 * `default` (on unless turned off), `opt-in` (turned on), `conditional` (an expression decides).
 */
export type CacheUsage = 'default' | 'opt-in' | 'conditional';

function booleanControl(value: unknown, optOut: boolean, byDefault: boolean): CacheUsage | undefined {
  if (value === undefined) return byDefault ? 'default' : undefined;
  const text = String(value);
  if (/^\$\{\{.*\}\}$/s.test(text.trim())) return 'conditional';
  // zizmor: anything but "false" counts as true.
  const on = text !== 'false';
  return optOut ? (on ? undefined : 'opt-in') : (on ? 'opt-in' : undefined);
}

/** Whether (and how) a step caches, by zizmor's table of cache-aware actions. */
export function cacheUsage(step: ParsedStep): CacheUsage | undefined {
  switch (actionOf(step.uses)?.toLowerCase()) {
    case 'actions/cache':
    case 'swatinem/rust-cache':
      return booleanControl(step.with['lookup-only'], true, true);
    case 'actions/setup-node':
      return step.with.cache === undefined || step.with.cache === '' ? undefined : 'opt-in';
    case 'docker/setup-buildx-action': {
      // Caches its binary only when a version is asked for (and cache-binary is not off).
      const binary = booleanControl(step.with['cache-binary'], false, true);
      return binary && step.with.version !== undefined && step.with.version !== '' ? binary : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * zizmor's publishing triggers: a `release` event, or a push of tags (or to a branch whose
 * name contains "release"). Such a workflow is treated as publishing in every job.
 */
export function publishingTrigger(workflow: ParsedWorkflow): boolean {
  const on = workflow.json.on;
  const events = typeof on === 'string' ? [on] : Array.isArray(on) ? on : Object.keys(on ?? {});
  if (events.includes('release')) return true;
  const push = on && typeof on === 'object' && !Array.isArray(on) ? on.push : undefined;
  if (!push || typeof push !== 'object') return false;
  return push.tags !== undefined || push['tags-ignore'] !== undefined
    || (push.branches ?? []).some((branch: string) => branch.toLowerCase().includes('release'));
}

/**
 * zizmor's `cache-poisoning`: in a workflow that publishes on tags (every job), or in a job that
 * publishes (pushes an image) in any other workflow, no step may restore a cache. zizmor reads
 * only the inputs; this audit also asks GitHub's evaluation (`restoresOnRelease`) whether the
 * step restores on a release ref at all (its `if:`, its job's `if:`, an expression-valued
 * `lookup-only`), and counts it only if it does.
 */
export function auditCachePoisoning(
  workflow: ParsedWorkflow, pins: Pins, restoresOnRelease: (step: ParsedStep) => boolean,
): string[] {
  const everyJob = publishingTrigger(workflow);
  const problems: string[] = [];
  for (const job of workflow.jobs.filter((j) => everyJob || publishes(j.steps, pins))) {
    for (const step of job.steps) {
      const usage = cacheUsage(step);
      if (usage === undefined) continue;
      if (everyJob && !restoresOnRelease(step)) continue;
      problems.push(`${where(step)}: ${actionOf(step.uses)} restores a cache (${usage}) in a ${everyJob ? 'workflow that publishes on tags' : 'job that publishes'}`);
    }
  }
  return problems;
}

/**
 * zizmor's `dependabot-cooldown`: every update waits at least `minimumDays` (zizmor's default 7)
 * before proposing a new release (`cooldown.default-days`; Dependabot's implicit default, 3, is
 * too short).
 */
export function auditDependabotCooldown(dependabot: any, minimumDays: number = 7): string[] {
  return (dependabot?.updates ?? []).flatMap((update: any, i: number) => {
    const days = update?.cooldown?.['default-days'];
    const name = `updates[${i}] (${update?.['package-ecosystem']})`;
    if (update?.cooldown === undefined) return [`${name}: no cooldown`];
    if (days === undefined) return [`${name}: cooldown without default-days`];
    return typeof days === 'number' && days >= minimumDays ? [] : [`${name}: cooldown default-days ${days} is less than ${minimumDays}`];
  });
}
