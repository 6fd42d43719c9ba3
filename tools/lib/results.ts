// Parses what a booted image printed on its console into test results and
// benchmark series. The test service and the benchmarks speak a line
// protocol; every other line is ordinary log output and is kept as it was.
//
//   #qc plan <N>
//   #qc begin <suite>
//   #qc pass|fail|unsupported|unresolved <suite>.<name> [-- <message>]
//   #qc done
//   #bench <name> unit=<unit> batch=<n> samples=<v1>,<v2>,... [key=value ...]
//   #bench-info <key>=<value> ...
//
// A protocol line must start its console line (leading blanks allowed), so a
// log line that merely quotes "#qc" is never read as a result. A line that
// starts like a protocol line but cannot be read is a problem of the run, not
// a log line: it may be a result the runner would otherwise lose.

export type TestKind = "pass" | "fail" | "unsupported" | "unresolved";

export interface TestResult {
  suite: string;
  /** The rule the test checks, without the suite prefix. */
  name: string;
  kind: TestKind;
  message?: string;
  /** 1-based console line; 0 for a planned test the service never reported. */
  line: number;
}

export interface BenchSeries {
  name: string;
  unit: string;
  /** Operations per sample: each sample is one batch's per-operation value. */
  batch: number;
  samples: number[];
  /** Console line of the first `#bench` line of this series. */
  line: number;
  /** Any other key=value pairs on the `#bench` line. */
  attrs: Record<string, string>;
}

export interface ProtocolProblem {
  line: number;
  text: string;
  reason: string;
}

export interface ConsoleRun {
  plan?: number;
  tests: TestResult[];
  done: boolean;
  bench: BenchSeries[];
  other: string[];
  /** Suites in the order their `#qc begin` lines appeared. */
  suites: string[];
  benchInfo: Record<string, string>;
  problems: ProtocolProblem[];
}

export const TEST_KINDS: readonly TestKind[] = ["pass", "fail", "unsupported", "unresolved"];

export const STOPPED_EARLY = "not reported (the test service stopped early)";
export const FINISHED_WITHOUT = "not reported (the test service finished without reporting it)";
/** Suite of the placeholders for planned tests that never reported. */
export const UNREPORTED_SUITE = "unreported";

export function fullName(t: Pick<TestResult, "suite" | "name">): string {
  return `${t.suite}.${t.name}`;
}

export function parseConsole(text: string): ConsoleRun {
  const run: ConsoleRun = {
    tests: [], done: false, bench: [], other: [], suites: [], benchInfo: {}, problems: [],
  };
  const state: ParseState = { run, suite: undefined, planLine: 0 };
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  lines.forEach((raw, i) => parseLine(state, raw, i + 1));
  addUnreported(state);
  return run;
}

interface ParseState {
  run: ConsoleRun;
  /** The suite named by the latest `#qc begin`, for names without a prefix. */
  suite: string | undefined;
  planLine: number;
}

function parseLine(state: ParseState, raw: string, line: number): void {
  const text = raw.trim();
  const words = text.split(/\s+/);
  const problem = (reason: string) => state.run.problems.push({ line, text, reason });
  switch (words[0]) {
    case "#qc": return parseQc(state, text, words, line, problem);
    case "#bench": return parseBench(state.run, words, line, problem);
    case "#bench-info": return parseBenchInfo(state.run, words, problem);
    default: state.run.other.push(raw);
  }
}

type Report = (reason: string) => void;

function parseQc(state: ParseState, text: string, words: string[], line: number, problem: Report): void {
  const verb = words[1];
  if (verb === "plan") return parsePlan(state, words, line, problem);
  if (verb === "begin") return parseBegin(state, words, problem);
  if (verb === "done") return parseDone(state.run, words, problem);
  if ((TEST_KINDS as readonly string[]).includes(verb)) {
    return parseResult(state, verb as TestKind, text, line, problem);
  }
  problem(`unknown #qc line kind "${verb ?? ""}" (expected plan, begin, done, ${TEST_KINDS.join(", ")})`);
}

function parsePlan(state: ParseState, words: string[], line: number, problem: Report): void {
  const n = words.length === 3 ? parseCount(words[2]) : undefined;
  if (n === undefined) return problem("expected '#qc plan <N>' with N a whole number");
  if (state.run.plan !== undefined) return problem("the plan was already announced; keeping the first");
  state.run.plan = n;
  state.planLine = line;
}

function parseBegin(state: ParseState, words: string[], problem: Report): void {
  if (words.length !== 3 || !isSuiteName(words[2])) {
    return problem("expected '#qc begin <suite>' with a suite name of letters, digits, '-' and '_'");
  }
  state.suite = words[2];
  if (!state.run.suites.includes(words[2])) state.run.suites.push(words[2]);
}

function parseDone(run: ConsoleRun, words: string[], problem: Report): void {
  if (words.length !== 2) problem("expected '#qc done' alone on its line");
  run.done = true;
}

// `#qc <kind> <suite>.<name> [-- <message>]`. A result whose line is slightly
// off is still recorded (losing a failure is worse than a noisy report), and
// the deviation is a problem of the run.
function parseResult(state: ParseState, kind: TestKind, text: string, line: number, problem: Report): void {
  const match = /^#qc\s+\S+\s+(\S+)\s*(.*)$/.exec(text);
  if (!match) return problem(`expected '#qc ${kind} <suite>.<name> [-- <message>]'`);
  const [, dotted, rest] = match;
  const { suite, name } = splitName(dotted, state.suite, problem);
  const message = parseMessage(rest, problem);
  state.run.tests.push(message === undefined ? { suite, name, kind, line } : { suite, name, kind, message, line });
}

function splitName(dotted: string, current: string | undefined, problem: Report): { suite: string; name: string } {
  const dot = dotted.indexOf(".");
  if (dot > 0 && dot < dotted.length - 1 && isSuiteName(dotted.slice(0, dot))) {
    return { suite: dotted.slice(0, dot), name: dotted.slice(dot + 1) };
  }
  problem(`test name "${dotted}" is not <suite>.<name>`);
  return { suite: current ?? "unnamed", name: dotted };
}

function parseMessage(rest: string, problem: Report): string | undefined {
  if (rest === "") return undefined;
  const match = /^--(?:\s+|$)(.*)$/.exec(rest);
  if (!match) problem("text after the test name must follow ' -- '");
  const message = (match ? match[1] : rest).trim();
  return message === "" ? undefined : message;
}

function parseBench(run: ConsoleRun, words: string[], line: number, problem: Report): void {
  const name = words[1];
  const pairs = parsePairs(words.slice(2), problem);
  const batch = parseCount(pairs.batch ?? "");
  const samples = parseSamples(pairs.samples ?? "");
  if (!name || name.includes("=") || !pairs.unit || !batch || !samples) {
    return problem("expected '#bench <name> unit=<unit> batch=<n> samples=<v1>,<v2>,...' with n > 0 and numeric samples");
  }
  const { unit, batch: _batch, samples: _samples, ...attrs } = pairs;
  addSeries(run, { name, unit, batch, samples, line, attrs }, problem);
}

// Long runs may split one figure over several `#bench` lines (a console line
// has a bounded length); lines with the same name extend the same series.
function addSeries(run: ConsoleRun, series: BenchSeries, problem: Report): void {
  const prior = run.bench.find((s) => s.name === series.name);
  if (!prior) return void run.bench.push(series);
  if (prior.unit !== series.unit || prior.batch !== series.batch) {
    return problem(`bench "${series.name}" continues with a different unit or batch than on line ${prior.line}`);
  }
  prior.samples.push(...series.samples);
  Object.assign(prior.attrs, series.attrs);
}

function parseBenchInfo(run: ConsoleRun, words: string[], problem: Report): void {
  Object.assign(run.benchInfo, parsePairs(words.slice(1), problem));
}

function parsePairs(words: string[], problem: Report): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const word of words) {
    const eq = word.indexOf("=");
    if (eq <= 0) problem(`"${word}" is not key=value`);
    else pairs[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return pairs;
}

function parseSamples(list: string): number[] | undefined {
  if (list === "") return undefined;
  const values = list.split(",").map((v) => (v.trim() === "" ? NaN : Number(v)));
  return values.every(Number.isFinite) ? values : undefined;
}

function parseCount(word: string): number | undefined {
  return /^\d+$/.test(word) ? Number(word) : undefined;
}

function isSuiteName(word: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(word);
}

// Each planned test the service never reported is unresolved: the runner
// cannot know its name, only that it is missing.
function addUnreported(state: ParseState): void {
  const { run } = state;
  if (run.plan === undefined) return;
  const reported = run.tests.length;
  if (reported > run.plan) {
    const text = `#qc plan ${run.plan}`;
    run.problems.push({ line: state.planLine, text, reason: `${reported} tests reported but ${run.plan} planned` });
    return;
  }
  const message = run.done ? FINISHED_WITHOUT : STOPPED_EARLY;
  for (let k = reported + 1; k <= run.plan; k++) {
    run.tests.push({ suite: UNREPORTED_SUITE, name: `test-${k}-of-${run.plan}`, kind: "unresolved", message, line: 0 });
  }
}
