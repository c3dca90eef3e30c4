import { YamlFile } from 'projen';
import { workflows } from 'projen/lib/github';
import { ActionPins } from './pinned-actions';

/** A permission a generated job holds, with the reason rendered beside it as a comment. */
export interface PermissionGrant {
  /** `read` or `write`. */
  readonly level: workflows.JobPermission;
  /** One line: which step needs it, for what. */
  readonly reason: string;
}

/** A job's permissions with their reasons, by projen's scope name (`contents`, `idToken`, ...). */
export type PermissionGrants = { readonly [scope in keyof workflows.JobPermissions]?: PermissionGrant };

/**
 * A generated job whose permissions come with their reasons (internal: not part of the jsii
 * API, whose type system has no mapped types).
 */
export interface GeneratedJob {
  /** The job, without `permissions`. */
  readonly job: Omit<workflows.Job, 'permissions'>;
  /** Its permissions, each with the reason rendered beside it. */
  readonly grants: PermissionGrants;
}

/**
 * Reasons by job id, then by the permission as written in YAML (`id-token: write`): a level
 * changed from `.projenrc.ts` loses the comment rather than keep one that no longer applies.
 */
export type PermissionReasons = { readonly [jobId: string]: { readonly [scope: string]: string } };

/** The `permissions:` of a job, and the reasons by YAML permission (`id-token: write`). */
export function grantsToPermissions(grants: PermissionGrants): { permissions: workflows.JobPermissions; reasons: { [scope: string]: string } } {
  const permissions: { [scope: string]: workflows.JobPermission } = {};
  const reasons: { [scope: string]: string } = {};
  for (const [scope, grant] of Object.entries(grants) as [string, PermissionGrant][]) {
    if (/[\r\n]/.test(grant.reason) || grant.reason.trim() === '') {
      throw new Error(`permission ${scope}: the reason must be one non-empty line`);
    }
    permissions[scope] = grant.level;
    reasons[`${scope.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${grant.level}`] = grant.reason;
  }
  return { permissions: permissions as workflows.JobPermissions, reasons };
}

/** The annotation of each workflow file: one wrapper per file, however often it is asked for. */
const ANNOTATIONS = new WeakMap<YamlFile, { readonly pins: ActionPins; reasons?: () => PermissionReasons }>();

/**
 * Annotates the rendered workflow text, since YAML objects cannot carry comments: the release of
 * each pinned SHA (`uses: owner/repo@<sha> # v1.2.3`) and, when `reasons` is given, why each
 * permission of a job is held (`contents: read # checkout`). A file already annotated is
 * wrapped once only (the project annotates every workflow again at synth, hand-added ones too);
 * a later call can still add the reasons.
 * @param reasons called at synth time: the reasons of the jobs as rendered then
 */
export function annotateWorkflow(file: YamlFile, pins: ActionPins, reasons?: () => PermissionReasons): void {
  const known = ANNOTATIONS.get(file);
  if (known) {
    known.reasons = reasons ?? known.reasons;
    return;
  }
  const annotation: { readonly pins: ActionPins; reasons?: () => PermissionReasons } = { pins, reasons };
  ANNOTATIONS.set(file, annotation);
  const render = (file as any).synthesizeContent.bind(file);
  (file as any).synthesizeContent = (resolver: unknown) => {
    const text: string | undefined = render(resolver);
    if (text === undefined) {
      return text;
    }
    let annotated = text;
    for (const pin of annotation.pins.all()) {
      annotated = annotated.split(`uses: ${pin.action}@${pin.sha}\n`).join(`uses: ${pin.action}@${pin.sha} # ${pin.version}\n`);
    }
    return annotation.reasons ? commentPermissions(annotated, annotation.reasons()) : annotated;
  };
}

/** `annotateWorkflow` without permission reasons. */
export function annotatePins(file: YamlFile, pins: ActionPins): void {
  annotateWorkflow(file, pins);
}

/**
 * Appends `# <reason>` to each `<scope>: read|write` line of a job's `permissions:` block, as
 * projen writes them (jobs at two spaces, their keys at four, permission scopes at six).
 */
function commentPermissions(text: string, reasons: PermissionReasons): string {
  let inJobs = false;
  let job: string | undefined;
  let inPermissions = false;
  return text.split('\n').map((line) => {
    if (/^\S/.test(line)) {
      inJobs = line === 'jobs:';
      job = undefined;
      inPermissions = false;
      return line;
    }
    if (!inJobs) return line;
    const jobMatch = /^ {2}([A-Za-z_][A-Za-z0-9_-]*):$/.exec(line);
    if (jobMatch) {
      job = jobMatch[1];
      inPermissions = false;
      return line;
    }
    if (/^ {4}\S/.test(line)) {
      inPermissions = line === '    permissions:';
      return line;
    }
    const permission = inPermissions && job !== undefined ? /^ {6}([a-z-]+: (?:read|write))$/.exec(line) : null;
    const reason = permission ? reasons[job!]?.[permission[1]] : undefined;
    return reason ? `${line} # ${reason}` : line;
  }).join('\n');
}
