// Renders a parsed console run as TAP 13, JUnit XML or a summary for people,
// and decides the runner's exit code.
//
// Besides the tests themselves, a run can be broken: the test service never
// printed `#qc done`, or printed protocol lines the runner could not read.
// Each such finding is reported as one more unresolved entry in a suite named
// "run", so every format (and every CI tool reading it) sees that the run
// itself is not trustworthy, not only that some tests are missing.

import { EXIT_CONFORMANCE_BROKEN } from "../../kernel/abi";
import { fullName, type ConsoleRun, type TestKind, type TestResult } from "./results.js";

export interface ReportMeta {
  image: string;
  host: "node" | "wasmtime";
  durationMs: number;
}

export const EXIT_OK = 0;
/** A test failed or was unresolved. */
export const EXIT_FAILED = 1;
/** The run itself is broken: it did not finish, or broke the protocol (its own status, not usage's 2). */
export const EXIT_BROKEN = EXIT_CONFORMANCE_BROKEN;

export function exitCodeFor(run: ConsoleRun): number {
  if (runFindings(run).length > 0) return EXIT_BROKEN;
  const bad = run.tests.some((t) => t.kind === "fail" || t.kind === "unresolved");
  return bad ? EXIT_FAILED : EXIT_OK;
}

export const RUN_SUITE = "run";

/** The run's own defects, as unresolved pseudo-tests of the suite "run". */
export function runFindings(run: ConsoleRun): TestResult[] {
  const findings: TestResult[] = run.problems.map((p) => ({
    suite: RUN_SUITE, name: `console-line-${p.line}`, kind: "unresolved", message: `${p.reason}: ${p.text}`, line: p.line,
  }));
  if (!run.done) {
    const message = "the test service did not finish (no '#qc done' line on the console)";
    findings.unshift({ suite: RUN_SUITE, name: "test-service-finished", kind: "unresolved", message, line: 0 });
  }
  return findings;
}

type Counts = Record<TestKind, number>;

export function countKinds(tests: readonly TestResult[]): Counts {
  const counts: Counts = { pass: 0, fail: 0, unsupported: 0, unresolved: 0 };
  for (const t of tests) counts[t.kind]++;
  return counts;
}

/** Tests grouped by suite, suites in order of first appearance. */
export function bySuite(run: ConsoleRun, tests: readonly TestResult[]): Map<string, TestResult[]> {
  const groups = new Map<string, TestResult[]>(run.suites.map((s) => [s, []]));
  for (const t of tests) {
    const group = groups.get(t.suite) ?? [];
    group.push(t);
    groups.set(t.suite, group);
  }
  return groups;
}

// ---------------------------------------------------------------- summary

export interface RunSummary {
  runtime: ReportMeta["host"];
  image: string;
  durationMs: number;
  /** Counts of the tests and of the run's own findings (unresolved, suite "run"). */
  counts: Counts;
  exit: number;
}

/** One runtime's outcome in numbers: what `quark conformance --json` prints. */
export function toSummary(run: ConsoleRun, meta: ReportMeta): RunSummary {
  return { runtime: meta.host, image: meta.image, durationMs: meta.durationMs, counts: countKinds([...run.tests, ...runFindings(run)]), exit: exitCodeFor(run) };
}

// ---------------------------------------------------------------- TAP 13

export function toTap(run: ConsoleRun, meta: ReportMeta): string {
  const entries = [...run.tests, ...runFindings(run)];
  const out = ["TAP version 13", `# image: ${meta.image}`, `# host: ${meta.host}`];
  out.push(entries.length === 0 ? "1..0 # SKIP no tests reported" : `1..${entries.length}`);
  entries.forEach((t, i) => out.push(...tapEntry(t, i + 1)));
  const c = countKinds(entries);
  out.push(`# pass ${c.pass}, fail ${c.fail}, unsupported ${c.unsupported}, unresolved ${c.unresolved}`);
  if (!run.done) out.push("# the test service did not finish");
  out.push(`# duration ${Math.round(meta.durationMs)} ms`);
  return out.join("\n") + "\n";
}

function tapEntry(t: TestResult, n: number): string[] {
  const title = `${n} - ${tapEscape(fullName(t))}`;
  switch (t.kind) {
    case "pass": return [`ok ${title}`];
    case "unsupported": return [`ok ${title} # SKIP ${tapEscape(unsupportedText(t))}`];
    case "fail": return [`not ok ${title}`, ...tapYaml(t)];
    case "unresolved": return [`not ok ${title} # unresolved`, ...tapYaml(t)];
  }
}

// TAP gives '#' on a test line the meaning "directive follows".
function tapEscape(text: string): string {
  return oneLine(text).replace(/\\/g, "\\\\").replace(/#/g, "\\#");
}

// JSON strings are valid YAML double-quoted scalars, so every message,
// however odd, survives the diagnostic block intact.
function tapYaml(t: TestResult): string[] {
  const lines = ["  ---", `  message: ${JSON.stringify(t.message ?? "")}`, `  severity: ${t.kind}`];
  lines.push(`  suite: ${JSON.stringify(t.suite)}`);
  if (t.line > 0) lines.push("  at:", `    console_line: ${t.line}`);
  lines.push("  ...");
  return lines;
}

// ---------------------------------------------------------------- JUnit XML

export function toJUnit(run: ConsoleRun, meta: ReportMeta): string {
  const groups = bySuite(run, run.tests);
  const findings = runFindings(run);
  if (findings.length > 0) groups.set(RUN_SUITE, [...(groups.get(RUN_SUITE) ?? []), ...findings]);
  const all = [...groups.values()].flat();
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites ${junitCountAttrs(`quark conformance: ${meta.image} (${meta.host})`, all)} time="${seconds(meta.durationMs)}">`);
  for (const [suite, tests] of groups) out.push(...junitSuite(suite, tests, meta));
  out.push("</testsuites>");
  return out.join("\n") + "\n";
}

function junitCountAttrs(name: string, tests: readonly TestResult[]): string {
  const c = countKinds(tests);
  return `name="${xmlEscape(name)}" tests="${tests.length}" failures="${c.fail}" errors="${c.unresolved}" skipped="${c.unsupported}"`;
}

function junitSuite(suite: string, tests: readonly TestResult[], meta: ReportMeta): string[] {
  const out = [`  <testsuite ${junitCountAttrs(suite, tests)}>`, "    <properties>"];
  out.push(`      <property name="image" value="${xmlEscape(meta.image)}"/>`);
  out.push(`      <property name="host" value="${xmlEscape(meta.host)}"/>`, "    </properties>");
  for (const t of tests) out.push(...junitCase(t));
  out.push("  </testsuite>");
  return out;
}

function junitCase(t: TestResult): string[] {
  const open = `    <testcase classname="${xmlEscape(t.suite)}" name="${xmlEscape(t.name)}"`;
  const message = t.message ?? "";
  const at = t.line > 0 ? `console line ${t.line}` : "";
  switch (t.kind) {
    case "pass": return [`${open}/>`];
    case "unsupported": return [open + ">", `      <skipped message="${xmlEscape(unsupportedText(t))}"/>`, "    </testcase>"];
    case "fail": return junitProblem(open, "failure", "fail", message, at);
    case "unresolved": return junitProblem(open, "error", "unresolved", message, at);
  }
}

function junitProblem(open: string, tag: string, type: string, message: string, at: string): string[] {
  const body = xmlEscape([message, at].filter((s) => s !== "").join("\n"), false);
  return [open + ">", `      <${tag} message="${xmlEscape(message)}" type="${type}">${body}</${tag}>`, "    </testcase>"];
}

// XML 1.0 cannot carry most control characters even as character references,
// and a console is exactly where they turn up; they are shown as \xNN.
// Line breaks and tabs inside attributes are written as references so a
// parser's attribute normalisation does not turn them into spaces.
export function xmlEscape(text: string, attribute = true): string {
  let out = "";
  for (const ch of text) out += xmlChar(ch, attribute);
  return out;
}

function xmlChar(ch: string, attribute: boolean): string {
  switch (ch) {
    case "&": return "&amp;";
    case "<": return "&lt;";
    case ">": return "&gt;";
    case '"': return attribute ? "&quot;" : ch;
    case "'": return attribute ? "&apos;" : ch;
    case "\n": return attribute ? "&#10;" : ch;
    case "\r": return "&#13;";
    case "\t": return attribute ? "&#9;" : ch;
  }
  const code = ch.codePointAt(0)!;
  if (code < 0x20) return `\\x${code.toString(16).padStart(2, "0")}`;
  if ((code >= 0xd800 && code <= 0xdfff) || code === 0xfffe || code === 0xffff) return "\ufffd";
  return ch;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

// ---------------------------------------------------------------- summary

const MARKS: Record<TestKind, { mark: string; color: string }> = {
  pass: { mark: "✓", color: "32" },
  fail: { mark: "✗", color: "31" },
  unsupported: { mark: "–", color: "33" },
  unresolved: { mark: "?", color: "35" },
};

export function toPretty(run: ConsoleRun, meta: ReportMeta, opts: { color: boolean }): string {
  const paint = (code: string, text: string) => (opts.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const out = [paint("1", `quark conformance — ${meta.image} on ${meta.host}`), ""];
  for (const [suite, tests] of bySuite(run, run.tests)) out.push(...prettySuite(suite, tests, paint), "");
  const findings = runFindings(run);
  if (findings.length > 0) out.push(paint("31;1", "Problems with the run itself:"), ...findings.map(prettyFinding), "");
  out.push(prettyTotals(run, meta, paint));
  return out.join("\n") + "\n";
}

type Paint = (code: string, text: string) => string;

function prettySuite(suite: string, tests: readonly TestResult[], paint: Paint): string[] {
  const c = countKinds(tests);
  const out = [`${paint("1", suite)}  ${paint("2", `${c.pass}/${tests.length} passed`)}`];
  if (tests.length === 0) out.push(paint("2", "  (no tests reported)"));
  for (const t of tests) out.push(...prettyTest(t, paint));
  return out;
}

function prettyTest(t: TestResult, paint: Paint): string[] {
  const { mark, color } = MARKS[t.kind];
  const head = `  ${paint(color, mark)} ${t.name}`;
  if (t.kind === "pass") return [head];
  if (t.kind === "unsupported") return [`${head}  ${paint("2", `(${unsupportedText(t)})`)}`];
  const where = t.line > 0 ? paint("2", ` (console line ${t.line})`) : "";
  const lines = (t.message ?? "no message").split("\n").map((l) => `      ${paint(color, l)}`);
  return [head + where, ...lines];
}

function prettyFinding(f: TestResult): string {
  return `  ! ${f.line > 0 ? `console line ${f.line}: ` : ""}${f.message}`;
}

function prettyTotals(run: ConsoleRun, meta: ReportMeta, paint: Paint): string {
  const c = countKinds(run.tests);
  const parts = [paint("32", `${c.pass} passed`), paint("31", `${c.fail} failed`)];
  parts.push(paint("33", `${c.unsupported} unsupported`), paint("35", `${c.unresolved} unresolved`));
  const verdict = exitCodeFor(run) === EXIT_OK ? paint("32;1", "OK") : paint("31;1", "FAILED");
  const unfinished = run.done ? "" : "; the test service did not finish";
  return `${verdict} in ${seconds(meta.durationMs)} s: ${run.tests.length} tests, ${parts.join(", ")}${unfinished}`;
}

// ---------------------------------------------------------------- shared

function unsupportedText(t: TestResult): string {
  return t.message ? `unsupported: ${oneLine(t.message)}` : "unsupported";
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ");
}
