// Child process that evaluates a generated workflow the way GitHub does, with GitHub's own code:
//
// - `@actions/workflow-parser` parses and converts the workflow: the events with their branch and
//   tag filters, each job's `needs` and its `if:` (already wrapped in `success() && (...)` when it
//   holds no status function, as the runner does);
// - `@actions/expressions` evaluates each job's `if:` and any `${{ }}` template for a scenario
//   (a `github` context), with `success()`/`failure()`/`always()`/`cancelled()` answered from the
//   results of the job's dependencies.
//
// Both packages are ESM-only and the parser imports JSON without an import attribute, so jest
// (CommonJS) cannot load them: the JSON hook below is the one of test/support/validate-workflow-parser.mjs.
//
// Protocol: one JSON request on stdin, one JSON response on stdout.
//   request:  {"name": ".github/workflows/ci.yml", "content": "<yaml>",
//              "scenarios": [{"id": "main", "github": {"event_name": "push", "ref": "refs/heads/main", ...}, "failing": ["test"]}],
//              "templates": [{"scenario": "main", "text": "${{ github.ref_type == 'branch' && 'x' || '' }}", "matrix": {...}}]}
//   response: {"errors": [...], "events": {...}, "jobs": [{"id", "needs", "if"}],
//              "results": {"main": {"test": "success", "image": "skipped"}}, "templates": ["x"]}
// Filter matching (branches/tags) is NOT done here: the test does it, from `events`.

import '../../support/register-json-imports.mjs';

const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import('@actions/workflow-parser');
const { Lexer, Parser, Evaluator, data } = await import('@actions/expressions');
const { truthy } = await import('@actions/expressions/result');

const CONTEXTS = ['github', 'needs', 'vars', 'inputs', 'env', 'steps', 'secrets', 'matrix', 'strategy', 'runner', 'job'];
const STATUS_FUNCTIONS = ['success', 'failure', 'cancelled', 'always'];

/** Evaluates one expression (without `${{ }}`) against a plain-JSON context. */
function evaluate(expression, context, status) {
  const { tokens } = new Lexer(expression).lex();
  const tree = new Parser(tokens, CONTEXTS, STATUS_FUNCTIONS.map((name) => ({ name, minArgs: 0, maxArgs: 0 }))).parse();
  const functions = new Map(
    STATUS_FUNCTIONS.map((name) => [name, { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(status[name]) }]),
  );
  return new Evaluator(tree, JSON.parse(JSON.stringify(context), data.reviver), functions).evaluate();
}

/** Replaces every `${{ expr }}` of a template string with the evaluated value, as a string. */
function interpolate(text, context) {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression) =>
    evaluate(expression.trim(), context, { success: true, failure: false, cancelled: false, always: true }).coerceString());
}

/** Job results for one scenario: every job that runs succeeds, except those listed as failing. */
function jobResults(jobs, github, failing = []) {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const results = {};
  const ancestors = (id, seen = new Set()) => {
    for (const need of byId.get(id)?.needs ?? []) {
      if (!seen.has(need)) {
        seen.add(need);
        ancestors(need, seen);
      }
    }
    return [...seen];
  };
  const decide = (id) => {
    if (results[id] !== undefined) return results[id];
    const job = byId.get(id);
    for (const need of job.needs ?? []) decide(need);
    const chain = ancestors(id).map((a) => results[a]);
    const status = {
      // GitHub's job-level status functions look at the whole dependency chain.
      success: chain.every((r) => r === 'success'),
      failure: chain.some((r) => r === 'failure'),
      cancelled: false,
      always: true,
    };
    const needs = Object.fromEntries((job.needs ?? []).map((n) => [n, { result: results[n], outputs: {} }]));
    const runs = truthy(evaluate(job.if, { github, needs, vars: {}, inputs: {} }, status));
    results[id] = runs ? (failing.includes(id) ? 'failure' : 'success') : 'skipped';
    return results[id];
  };
  for (const job of jobs) decide(job.id);
  return results;
}

async function handle(request) {
  const parsed = parseWorkflow({ name: request.name, content: request.content }, new NoOperationTraceWriter());
  const template = parsed.value === undefined ? undefined : await convertWorkflowTemplate(parsed.context, parsed.value);
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (!template || errors.length > 0) {
    return { errors };
  }
  // Ids and needs as plain strings (the converted template holds string tokens).
  const jobs = template.jobs.map((job) => ({ id: String(job.id.value ?? job.id), needs: (job.needs ?? []).map((n) => String(n.value ?? n)), if: job.if.expression }));
  const github = Object.fromEntries((request.scenarios ?? []).map((s) => [s.id, s.github]));
  const results = Object.fromEntries((request.scenarios ?? []).map((s) => [s.id, jobResults(jobs, s.github, s.failing)]));
  const templates = (request.templates ?? []).map((t) =>
    interpolate(t.text, { github: github[t.scenario], needs: {}, steps: {}, env: {}, vars: {}, inputs: {}, secrets: {}, runner: {}, job: {}, matrix: t.matrix ?? {} }));
  return { errors, events: template.events, jobs, results, templates };
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
try {
  process.stdout.write(JSON.stringify(await handle(JSON.parse(input))));
} catch (err) {
  process.stdout.write(JSON.stringify({ crash: String(err && err.stack ? err.stack : err) }));
}
