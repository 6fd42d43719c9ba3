// The test driver: runs the registered tests in order and reports each on the
// console in the #qc line protocol. A test is a function that returns true
// once it has reported, or false to be called again in a later pass of the
// run loop, at the phase it set with later() or poll(): what it waits for --
// delivery of queued messages, a restart by init -- happens only after qc
// returns to the kernel. Every wait is bounded.
import { sys } from "../../lib";
import { emit, oneLine, code, rightsName } from "./out";

const POLL_NS: i64 = 1000000; // 1 ms between polls
const WAIT_NS: i64 = 2000000000; // give up a wait after 2 s

type Run = () => bool;

class Test {
  constructor(public suite: string, public name: string, public run: Run) {}
}

const tests = new Array<Test>();
let index = 0;
let started = false;
let finished = false;
let planned = false;
let suite = "";
let phaseNo = 0;
let wakeAt: i64 = 0;
let waitUntil: i64 = 0;
let problem = "";
let reported = false;
let blocked = ""; // why no test can run at all, if so
// Capabilities a test made for itself, deleted when it ends.
const made = new Array<i32>();

/** A test; `name` reads as the rule it checks. */
export function test(suiteName: string, name: string, run: Run): void { tests.push(new Test(suiteName, name, run)); }

/** A step between tests that reports nothing (waiting for a service to come back). */
export function step(suiteName: string, run: Run): void { tests.push(new Test(suiteName, "", run)); }

export function block(why: string): void { blocked = why; }

// ---------------------------------------------------------------- phases and waits

export function phase(): i32 { return phaseNo; }

/** Continue at phase `next` in a later pass of the run loop, `delayNs` from now. */
export function later(next: i32, delayNs: i64 = 0): bool {
  phaseNo = next;
  wakeAt = sys.time() + delayNs;
  return false;
}

/** A step: let one pass of the run loop go by (queued messages get delivered). */
export function nextPass(): bool { return phaseNo == 0 ? later(1) : true; }

/** Try phase `next` again in about a millisecond. */
export function poll(next: i32): bool { return later(next, POLL_NS); }

/** Has the current wait (started by the first call) lasted its limit? */
export function waitOver(): bool {
  const now = sys.time();
  if (waitUntil == 0) waitUntil = now + WAIT_NS;
  return now >= waitUntil;
}

// ---------------------------------------------------------------- expectations
// Each records the first thing that went wrong in the running test; a test
// goes on checking (later checks may explain the first) and ends with finish().

export function check(ok: bool, message: string): bool {
  if (!ok && problem.length == 0) problem = message;
  return ok;
}

/** `what` gave `got`; the rule says `want`. */
export function expect(what: string, got: i64, want: i64): bool {
  return check(got == want, what + ": expected " + code(want) + ", got " + code(got));
}

export function expectRights(what: string, got: i32, want: i32): bool {
  return check(got == want, what + ": expected " + rightsName(want) + ", got " + rightsName(got));
}

/** A syscall that should have made a capability; `slot` is tracked for deletion. */
export function expectSlot(what: string, slot: i32): bool {
  if (slot >= 0) made.push(slot);
  return check(slot >= 0, what + ": expected a new slot, got " + code(slot));
}

/** Delete `slot` when the test ends. */
export function track(slot: i32): i32 {
  if (slot >= 0) made.push(slot);
  return slot;
}

export function failed(): bool { return problem.length > 0; }

// ---------------------------------------------------------------- results

function report(kind: string, message: string): void {
  if (reported || tests[index].name.length == 0) return;
  reported = true;
  const t = tests[index];
  emit("#qc " + kind + " " + t.suite + "." + t.name + (message.length > 0 ? " -- " + oneLine(message) : ""));
}

/** Pass, or fail with the first problem found. */
export function finish(note: string = ""): bool {
  if (problem.length > 0) report("fail", problem);
  else report("pass", note);
  return true;
}

export function fail(message: string): bool {
  check(false, message);
  return finish();
}

export function unsupported(why: string): bool {
  report("unsupported", why);
  return true;
}

export function unresolved(why: string): bool {
  report("unresolved", why);
  return true;
}

// ---------------------------------------------------------------- the loop

function begin(t: Test): void {
  started = true;
  phaseNo = 0;
  waitUntil = 0;
  problem = "";
  reported = false;
  if (t.name.length > 0 && t.suite != suite) {
    suite = t.suite;
    emit("#qc begin " + suite);
  }
}

function end(t: Test): void {
  if (t.name.length > 0 && !reported) report("unresolved", "the test ended without a result");
  for (let i = made.length - 1; i >= 0; i--) sys.cap_delete(made[i]);
  made.length = 0;
  started = false;
  index++;
}

/** Run tests until one must wait for the run loop, or all are done. */
export function drive(): void {
  if (finished) return;
  if (!planned) {
    let n = 0;
    for (let i = 0; i < tests.length; i++) if (tests[i].name.length > 0) n++;
    emit("#qc plan " + n.toString());
    planned = true;
  }
  while (index < tests.length) {
    const t = tests[index];
    if (!started) begin(t);
    if (blocked.length > 0) {
      unresolved(blocked);
    } else {
      const run = t.run;
      if (!run()) {
        sys.timer_set(max<i64>(wakeAt, 1));
        return;
      }
    }
    end(t);
  }
  finished = true;
  emit("#qc done");
}
