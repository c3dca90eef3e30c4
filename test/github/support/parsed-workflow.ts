/** The generated workflow as parsed YAML (`yaml` package), with the comments of `uses:` lines. */
import { isMap, isScalar, isSeq, parseDocument, YAMLMap } from 'yaml';

export interface ParsedStep {
  readonly job: string;
  readonly index: number;
  readonly id?: string;
  readonly name?: string;
  readonly uses?: string;
  /** The comment after the `uses:` value (`# v1.2.3` gives `v1.2.3`). */
  readonly usesComment?: string;
  readonly run?: string;
  readonly with: { readonly [input: string]: unknown };
  readonly env: { readonly [name: string]: unknown };
  readonly if?: string;
  /** The whole step as plain JSON. */
  readonly json: { readonly [key: string]: unknown };
}

export interface ParsedJob {
  readonly id: string;
  readonly json: { readonly [key: string]: any };
  readonly steps: ParsedStep[];
  /** The comment after each `permissions:` entry (`contents: read # checkout` gives `checkout`), by scope. */
  readonly permissionComments: { readonly [scope: string]: string | undefined };
}

export interface ParsedWorkflow {
  readonly json: { readonly [key: string]: any };
  readonly jobs: ParsedJob[];
  job(id: string): ParsedJob;
  /** The steps of a job that use an action (`owner/repo[/path]`, without `@ref`). */
  stepsUsing(jobId: string, action: string): ParsedStep[];
}

/** `owner/repo[/path]` of a `uses:` value. */
export function actionOf(uses: string | undefined): string | undefined {
  return uses?.split('@')[0];
}

export function parseWorkflowText(text: string): ParsedWorkflow {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`not YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
  const json = doc.toJSON();
  const jobsNode = doc.get('jobs', true);
  const jobs: ParsedJob[] = [];
  if (isMap(jobsNode)) {
    for (const pair of (jobsNode as YAMLMap).items) {
      const id = String(isScalar(pair.key) ? pair.key.value : pair.key);
      const stepsNode = isMap(pair.value) ? pair.value.get('steps', true) : undefined;
      const permissionsNode = isMap(pair.value) ? pair.value.get('permissions', true) : undefined;
      const permissionComments: { [scope: string]: string | undefined } = {};
      if (isMap(permissionsNode)) {
        for (const entry of (permissionsNode as YAMLMap).items) {
          const scope = String(isScalar(entry.key) ? entry.key.value : entry.key);
          permissionComments[scope] = isScalar(entry.value) ? entry.value.comment?.trim() : undefined;
        }
      }
      const steps: ParsedStep[] = [];
      if (isSeq(stepsNode)) {
        stepsNode.items.forEach((item, index) => {
          if (!isMap(item)) throw new Error(`${id}: step ${index} is not a mapping`);
          const usesNode = item.get('uses', true);
          const stepJson = item.toJSON();
          steps.push({
            job: id,
            index,
            id: stepJson.id,
            name: stepJson.name,
            uses: stepJson.uses,
            usesComment: isScalar(usesNode) ? usesNode.comment?.trim() : undefined,
            run: stepJson.run,
            with: stepJson.with ?? {},
            env: stepJson.env ?? {},
            if: stepJson.if,
            json: stepJson,
          });
        });
      }
      jobs.push({ id, json: json.jobs[id], steps, permissionComments });
    }
  }
  return {
    json,
    jobs,
    job: (id) => {
      const job = jobs.find((j) => j.id === id);
      if (!job) throw new Error(`no job ${id}`);
      return job;
    },
    stepsUsing: (jobId, action) => jobs.find((j) => j.id === jobId)?.steps.filter((s) => actionOf(s.uses) === action) ?? [],
  };
}
