import { describe, expect, it } from "vitest";
import { FINISHED_WITHOUT, STOPPED_EARLY, fullName, parseConsole } from "../../tools/lib/results.js";

const CONSOLE = [
  "[kernel] booting",
  "#qc plan 4",
  "#qc begin caps",
  "#qc pass caps.revoke-removes-every-derived-capability",
  "[log] a service logs in between",
  "#qc fail caps.grant-requires-the-grant-right -- expected -EPERM, got 0",
  "#qc begin ipc",
  "#qc unsupported ipc.leases-cross-memories -- no multi-memory",
  "#qc unresolved ipc.call-to-crashed-server-fails -- server never started",
  "#qc done",
].join("\n");

describe("parseConsole", () => {
  it("reads plan, suites, results with messages and line numbers, and done", () => {
    const run = parseConsole(CONSOLE);
    expect(run.plan).toBe(4);
    expect(run.done).toBe(true);
    expect(run.suites).toEqual(["caps", "ipc"]);
    expect(run.problems).toEqual([]);
    expect(run.tests).toEqual([
      { suite: "caps", name: "revoke-removes-every-derived-capability", kind: "pass", line: 4 },
      { suite: "caps", name: "grant-requires-the-grant-right", kind: "fail", message: "expected -EPERM, got 0", line: 6 },
      { suite: "ipc", name: "leases-cross-memories", kind: "unsupported", message: "no multi-memory", line: 8 },
      { suite: "ipc", name: "call-to-crashed-server-fails", kind: "unresolved", message: "server never started", line: 9 },
    ]);
  });

  it("passes ordinary log lines through untouched", () => {
    const run = parseConsole(CONSOLE);
    expect(run.other).toEqual(["[kernel] booting", "[log] a service logs in between"]);
  });

  it("accepts CRLF line ends and leading blanks before a protocol line", () => {
    const run = parseConsole("#qc begin a\r\n   #qc pass a.x\r\n#qc done\r\n");
    expect(run.tests).toEqual([{ suite: "a", name: "x", kind: "pass", line: 2 }]);
    expect(run.done).toBe(true);
    expect(run.other).toEqual([]);
  });

  it("does not read a log line that merely mentions #qc as a result", () => {
    const run = parseConsole("log: saw '#qc pass a.b'\n#qcx pass a.b\n#qc done");
    expect(run.tests).toEqual([]);
    expect(run.other).toEqual(["log: saw '#qc pass a.b'", "#qcx pass a.b"]);
  });

  it("keeps a message's inner spacing and dashes", () => {
    const run = parseConsole("#qc fail a.b -- got  -- twice: x=1\n#qc done");
    expect(run.tests[0].message).toBe("got  -- twice: x=1");
  });

  it("names a test by its suite prefix, even when another suite began", () => {
    const run = parseConsole("#qc begin caps\n#qc pass ipc.reply-ends-the-lease\n#qc done");
    expect(fullName(run.tests[0])).toBe("ipc.reply-ends-the-lease");
  });

  it("makes planned-but-missing tests unresolved when the service stopped early", () => {
    const run = parseConsole("#qc plan 3\n#qc begin caps\n#qc pass caps.a\n");
    expect(run.done).toBe(false);
    expect(run.tests.slice(1)).toEqual([
      { suite: "unreported", name: "test-2-of-3", kind: "unresolved", message: STOPPED_EARLY, line: 0 },
      { suite: "unreported", name: "test-3-of-3", kind: "unresolved", message: STOPPED_EARLY, line: 0 },
    ]);
    expect(STOPPED_EARLY).toBe("not reported (the test service stopped early)");
  });

  it("makes planned-but-missing tests unresolved when the service finished without them", () => {
    const run = parseConsole("#qc plan 2\n#qc pass caps.a\n#qc done");
    expect(run.tests[1]).toMatchObject({ kind: "unresolved", message: FINISHED_WITHOUT });
  });

  it("reports more results than planned as a problem of the run", () => {
    const run = parseConsole("#qc plan 1\n#qc pass a.x\n#qc pass a.y\n#qc done");
    expect(run.problems).toEqual([{ line: 1, text: "#qc plan 1", reason: "2 tests reported but 1 planned" }]);
  });

  it("records unreadable protocol lines as problems, keeping any result it can", () => {
    const run = parseConsole([
      "#qc plan many",
      "#qc xfail a.b",
      "#qc fail no-suite-prefix -- boom",
      "#qc pass a.c trailing words",
      "#qc",
      "#qc done",
    ].join("\n"));
    expect(run.problems.map((p) => p.line)).toEqual([1, 2, 3, 4, 5]);
    expect(run.plan).toBeUndefined();
    expect(run.tests).toEqual([
      { suite: "unnamed", name: "no-suite-prefix", kind: "fail", message: "boom", line: 3 },
      { suite: "a", name: "c", kind: "pass", message: "trailing words", line: 4 },
    ]);
  });

  it("keeps the first plan when a second one is announced", () => {
    const run = parseConsole("#qc plan 1\n#qc plan 5\n#qc pass a.b\n#qc done");
    expect(run.plan).toBe(1);
    expect(run.problems).toHaveLength(1);
  });
});

describe("parseConsole: benchmarks", () => {
  it("reads bench series with unit, batch, samples and extra attributes", () => {
    const run = parseConsole("#bench ipc.call.roundtrip unit=ns batch=1000 samples=5.5,6,7.25 engine=v8");
    expect(run.bench).toEqual([{
      name: "ipc.call.roundtrip", unit: "ns", batch: 1000, samples: [5.5, 6, 7.25], line: 1, attrs: { engine: "v8" },
    }]);
    expect(run.problems).toEqual([]);
  });

  it("joins a series continued over several lines", () => {
    const run = parseConsole([
      "#bench x unit=ns batch=10 samples=1,2",
      "log",
      "#bench x unit=ns batch=10 samples=3",
    ].join("\n"));
    expect(run.bench).toHaveLength(1);
    expect(run.bench[0].samples).toEqual([1, 2, 3]);
  });

  it("refuses to join lines of one name with different units", () => {
    const run = parseConsole("#bench x unit=ns batch=10 samples=1\n#bench x unit=msg/s batch=10 samples=3");
    expect(run.bench[0].samples).toEqual([1]);
    expect(run.problems[0].line).toBe(2);
  });

  it("reports bench lines with missing fields or bad numbers", () => {
    const run = parseConsole([
      "#bench x unit=ns samples=1,2",
      "#bench x unit=ns batch=0 samples=1",
      "#bench x unit=ns batch=5 samples=1,,2",
      "#bench x unit=ns batch=5 samples=1,fast",
      "#bench unit=ns batch=5 samples=1",
    ].join("\n"));
    expect(run.bench).toEqual([]);
    expect(run.problems.map((p) => p.line)).toEqual([1, 2, 3, 4, 5]);
  });

  it("collects bench-info key/values", () => {
    const run = parseConsole("#bench-info echo_pid=7 image=images/bench.wasm\n#bench-info host=node");
    expect(run.benchInfo).toEqual({ echo_pid: "7", image: "images/bench.wasm", host: "node" });
    expect(run.other).toEqual([]);
  });
});
