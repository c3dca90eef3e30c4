/**
 * Shared result type of the test-only validators in `test/support/validate-*.ts`.
 *
 * Every validator returns `Finding[]`; an empty array means "the real tool found nothing", so a test
 * can simply write `expect(await validateWorkflow(yaml)).toEqual([])` and get a readable diff of the
 * findings when it fails.
 */
export type FindingTool = 'actionlint' | 'workflow-parser' | 'shellcheck' | 'dockerfile-utils';

export interface Finding {
  readonly tool: FindingTool;
  readonly message: string;
  /** 1-based line in the validated file (workflow YAML or Dockerfile). */
  readonly line?: number;
  /** 1-based column in the validated file. */
  readonly column?: number;
  /**
   * Tool-specific rule id: actionlint's rule kind (`job-needs`, `expression`, `permissions`, ...),
   * shellcheck's `SC2086`, dockerfile-utils' `ValidationCode` name (`UNKNOWN_INSTRUCTION`).
   * The workflow parser has no codes.
   */
  readonly code?: string;
  /** shellcheck: severity as reported (`error`, `warning`, `info`, `style`); dockerfile-utils: `error` / `warning`. */
  readonly severity?: string;
  /** shellcheck only: the job id that holds the `run:` step. */
  readonly job?: string;
  /** shellcheck only: the step's `id`, else its `name`, else `steps[<index>]`. */
  readonly step?: string;
}

/** One line per finding, for error messages and console output. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings
    .map((f) => {
      const where = [f.line !== undefined ? `${f.line}:${f.column ?? 0}` : undefined, f.job, f.step]
        .filter((x) => x !== undefined)
        .join(' ');
      return `[${f.tool}${f.code ? ` ${f.code}` : ''}] ${where ? `${where}: ` : ''}${f.message}`;
    })
    .join('\n');
}
