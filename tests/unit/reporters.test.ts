import { describe, expect, it } from "vitest";
import { parseConsole } from "../../tools/lib/results.js";
import {
  EXIT_BROKEN, EXIT_FAILED, EXIT_OK, exitCodeFor, toJUnit, toPretty, toTap, xmlEscape, type ReportMeta,
} from "../../tools/lib/reporters.js";

const META: ReportMeta = { image: "images/default.wasm", host: "node", durationMs: 1234 };

const FINISHED = parseConsole([
  "#qc plan 4",
  "#qc begin caps",
  "#qc pass caps.revoke-removes-every-derived-capability",
  "#qc fail caps.grant-requires-the-grant-right -- expected <-EPERM> & got \"0\" #1",
  "#qc begin ipc",
  "#qc unsupported ipc.leases-cross-memories -- no multi-memory",
  "#qc unresolved ipc.call-to-crashed-server-fails -- server never started",
  "#qc done",
].join("\n"));

const STOPPED = parseConsole("#qc plan 2\n#qc begin caps\n#qc pass caps.a\n");

// A small well-formedness check: one root, tags nest and close, attribute
// values are quoted, every '&' starts a known reference, no raw '<' in text,
// and no character XML 1.0 forbids.
function expectWellFormedXml(xml: string): void {
  expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
  const body = xml.replace(/^<\?xml [^?]*\?>\s*/, "");
  const refs = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  const tag = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>/y;
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  while (i < body.length) {
    const lt = body.indexOf("<", i);
    const text = body.slice(i, lt < 0 ? body.length : lt);
    expect(text, `text at ${i}`).not.toMatch(refs);
    if (stack.length === 0) expect(text.trim(), "text outside the root").toBe("");
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(body);
    expect(m, `tag at ${lt}: ${body.slice(lt, lt + 40)}`).not.toBeNull();
    const [whole, close, name, attrs, selfClose] = m!;
    expect(attrs).not.toMatch(refs);
    if (close) expect(stack.pop()).toBe(name);
    else {
      if (stack.length === 0) roots++;
      if (!selfClose) stack.push(name);
    }
    i = lt + whole.length;
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

describe("toTap", () => {
  it("writes TAP 13 with SKIP for unsupported and YAML diagnostics for fail and unresolved", () => {
    expect(toTap(FINISHED, META)).toBe(`TAP version 13
# image: images/default.wasm
# host: node
1..4
ok 1 - caps.revoke-removes-every-derived-capability
not ok 2 - caps.grant-requires-the-grant-right
  ---
  message: "expected <-EPERM> & got \\"0\\" #1"
  severity: fail
  suite: "caps"
  at:
    console_line: 4
  ...
ok 3 - ipc.leases-cross-memories # SKIP unsupported: no multi-memory
not ok 4 - ipc.call-to-crashed-server-fails # unresolved
  ---
  message: "server never started"
  severity: unresolved
  suite: "ipc"
  at:
    console_line: 7
  ...
# pass 1, fail 1, unsupported 1, unresolved 1
# duration 1234 ms
`);
  });

  it("says the service did not finish, and counts missing tests as unresolved", () => {
    expect(toTap(STOPPED, META)).toBe(`TAP version 13
# image: images/default.wasm
# host: node
1..3
ok 1 - caps.a
not ok 2 - unreported.test-2-of-2 # unresolved
  ---
  message: "not reported (the test service stopped early)"
  severity: unresolved
  suite: "unreported"
  ...
not ok 3 - run.test-service-finished # unresolved
  ---
  message: "the test service did not finish (no '#qc done' line on the console)"
  severity: unresolved
  suite: "run"
  ...
# pass 1, fail 0, unsupported 0, unresolved 2
# the test service did not finish
# duration 1234 ms
`);
  });

  it("escapes '#' in test names so it is not read as a directive", () => {
    const run = parseConsole("#qc pass a.b#c\n#qc done");
    expect(toTap(run, META)).toContain("ok 1 - a.b\\#c\n");
  });

  it("writes an empty plan with a reason when nothing was reported", () => {
    const run = parseConsole("#qc done");
    expect(toTap(run, META)).toContain("\n1..0 # SKIP no tests reported\n");
  });
});

describe("toJUnit", () => {
  it("writes one testsuite per suite, with failure, skipped and error elements", () => {
    expect(toJUnit(FINISHED, META)).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="quark conformance: images/default.wasm (node)" tests="4" failures="1" errors="1" skipped="1" time="1.234">
  <testsuite name="caps" tests="2" failures="1" errors="0" skipped="0">
    <properties>
      <property name="image" value="images/default.wasm"/>
      <property name="host" value="node"/>
    </properties>
    <testcase classname="caps" name="revoke-removes-every-derived-capability"/>
    <testcase classname="caps" name="grant-requires-the-grant-right">
      <failure message="expected &lt;-EPERM&gt; &amp; got &quot;0&quot; #1" type="fail">expected &lt;-EPERM&gt; &amp; got "0" #1
console line 4</failure>
    </testcase>
  </testsuite>
  <testsuite name="ipc" tests="2" failures="0" errors="1" skipped="1">
    <properties>
      <property name="image" value="images/default.wasm"/>
      <property name="host" value="node"/>
    </properties>
    <testcase classname="ipc" name="leases-cross-memories">
      <skipped message="unsupported: no multi-memory"/>
    </testcase>
    <testcase classname="ipc" name="call-to-crashed-server-fails">
      <error message="server never started" type="unresolved">server never started
console line 7</error>
    </testcase>
  </testsuite>
</testsuites>
`);
  });

  it("is well-formed XML, also for an unfinished run", () => {
    expectWellFormedXml(toJUnit(FINISHED, META));
    const xml = toJUnit(STOPPED, META);
    expectWellFormedXml(xml);
    expect(xml).toContain('<testsuite name="run" tests="1" failures="0" errors="1" skipped="0">');
    expect(xml).toContain("the test service did not finish");
  });

  it("stays well-formed whatever a message contains", () => {
    const nasty = "a]]>b <c> & 'd' \"e\" \x07\x1b[31m \ud800 end";
    const run = parseConsole(`#qc fail a.b -- ${nasty}\n#qc unsupported a.c -- ${nasty}\n#qc done`);
    const xml = toJUnit(run, { ...META, image: "img<&>.wasm" });
    expectWellFormedXml(xml);
    expect(xml).toContain("\\x07\\x1b[31m \ufffd end");
  });

  it("the well-formedness check rejects broken XML", () => {
    expect(() => expectWellFormedXml("<a><b></a></b>")).toThrow();
    expect(() => expectWellFormedXml('<a x="1 & 2"/>')).toThrow();
    expect(() => expectWellFormedXml("<a/><b/>")).toThrow();
  });
});

describe("xmlEscape", () => {
  it("keeps line breaks in attributes as references and in text as they are", () => {
    expect(xmlEscape("a\nb\tc")).toBe("a&#10;b&#9;c");
    expect(xmlEscape("a\nb\tc", false)).toBe("a\nb\tc");
  });
});

describe("toPretty", () => {
  it("lists each suite's tests with marks, messages and totals", () => {
    expect(toPretty(FINISHED, META, { color: false })).toBe(`quark conformance — images/default.wasm on node

caps  1/2 passed
  ✓ revoke-removes-every-derived-capability
  ✗ grant-requires-the-grant-right (console line 4)
      expected <-EPERM> & got "0" #1

ipc  0/2 passed
  – leases-cross-memories  (unsupported: no multi-memory)
  ? call-to-crashed-server-fails (console line 7)
      server never started

FAILED in 1.234 s: 4 tests, 1 passed, 1 failed, 1 unsupported, 1 unresolved
`);
  });

  it("says when the service did not finish", () => {
    const text = toPretty(STOPPED, META, { color: false });
    expect(text).toContain("Problems with the run itself:\n  ! the test service did not finish");
    expect(text).toContain("? test-2-of-2\n      not reported (the test service stopped early)");
    expect(text).toMatch(/FAILED .*; the test service did not finish\n$/);
  });

  it("colours only when asked", () => {
    expect(toPretty(FINISHED, META, { color: false })).not.toContain("\x1b[");
    expect(toPretty(FINISHED, META, { color: true })).toContain("\x1b[32m✓\x1b[0m");
  });

  it("shows a suite that began but reported nothing", () => {
    const text = toPretty(parseConsole("#qc begin faults\n#qc done"), META, { color: false });
    expect(text).toContain("faults  0/0 passed\n  (no tests reported)");
    expect(text).toContain("OK in 1.234 s: 0 tests");
  });
});

describe("exitCodeFor", () => {
  it("is zero when every test passed or is unsupported", () => {
    expect(exitCodeFor(parseConsole("#qc pass a.b\n#qc unsupported a.c\n#qc done"))).toBe(EXIT_OK);
  });

  it("is non-zero on a failure or an unresolved test", () => {
    expect(exitCodeFor(parseConsole("#qc pass a.b\n#qc fail a.c\n#qc done"))).toBe(EXIT_FAILED);
    expect(exitCodeFor(parseConsole("#qc unresolved a.c\n#qc done"))).toBe(EXIT_FAILED);
  });

  it("is non-zero when the service did not finish, even if all reported tests passed", () => {
    expect(exitCodeFor(parseConsole("#qc pass a.b"))).toBe(EXIT_BROKEN);
  });

  it("is non-zero when the console broke the protocol", () => {
    expect(exitCodeFor(parseConsole("#qc pass a.b\n#qc xfail a.c\n#qc done"))).toBe(EXIT_BROKEN);
  });
});
