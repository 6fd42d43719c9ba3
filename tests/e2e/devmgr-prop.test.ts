// The device manager against a model, under both hosts
// (tests/fixtures/devmgr-prop): prober runs OPS seeded random operations
// (open, get, put, close, revoke, release-all, and every CRASH_EVERY a real
// crash of victim, which holds a handle with references) through the real
// devmgr, checks each answer against its own books (violations), and folds
// every answer into a checksum. The model below replays the same seed with the
// rules of docs/devices.md (Power references) and must reach the same
// checksum: a reference count that ever went wrong would show in both. Then
// edge values, the limits of every table the devmgr keeps, an unplug with a
// handle open, events and waits, a plug heard through IRQ_BUS alone, and a
// restart of the devmgr with a handle open, each with the answer the docs promise.
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as abi from "../../kernel/abi";
import * as proto from "../../userland/lib/proto/index";
import { quark, root, withoutTimings } from "./helpers";

const dir = join(root, "tests", "fixtures", "devmgr-prop");
const manifest = join(dir, "image.toml");
const image = manifest.replace(/\.toml$/, ".wasm");

/** The fixture's parameters, read from the file its services compile. */
function param(name: string): number {
  const m = readFileSync(join(dir, "proto.ts"), "utf8").match(new RegExp(`export const ${name}(?::\\s*\\w+)? = (0x[0-9a-f]+|\\d+);`));
  if (!m) throw new Error(`no ${name} in proto.ts`);
  return Number(m[1]);
}

/** prober's run, replayed: the same generator, the same rules, the same fold. */
function model() {
  const SEED = param("SEED"), OPS = param("OPS"), LOCAL = param("LOCAL"), CRASH_EVERY = param("CRASH_EVERY");
  let rng = SEED >>> 0;
  const next = () => { rng ^= rng << 13; rng >>>= 0; rng ^= rng >>> 17; rng ^= rng << 5; rng >>>= 0; return rng; };
  let sum = 0;
  const fold = (op: number, status: number, a: number, b: number) => {
    const x = (Math.imul(op, 1000003) ^ (status >>> 0) ^ (a << 8) ^ (b << 20)) >>> 0;
    sum = (Math.imul(sum, 31) + x) >>> 0;
  };
  const open: boolean[] = new Array(LOCAL).fill(false);
  const dev: number[] = new Array(LOCAL).fill(0);
  const refs: number[] = new Array(LOCAL).fill(0);
  let opened = 0;
  // The devmgr's table has DEVMGR_HANDLES rows, victim holds one throughout prober's operations, and one client holds at most DEVMGR_CLIENT_HANDLES.
  const room = Math.min(proto.DEVMGR_HANDLES - 1, proto.DEVMGR_CLIENT_HANDLES);
  const devRefs = (d: number) => refs.reduce((n, r, i) => n + (open[i] && dev[i] === d ? r : 0), 0);
  for (let done = 0; done < OPS; done++) {
    const k = next() % 100;
    const i = next() % LOCAL;
    if (k < 20) {
      if (open[i]) { fold(0, 1, 0, 0); continue; }
      const d = next() % 2;
      const r = opened < room ? abi.OK : abi.E_NOSPACE;
      fold(1, r, 0, 0);
      if (r === abi.OK) { open[i] = true; dev[i] = d; refs[i] = 0; opened++; }
      continue;
    }
    if (!open[i]) { fold(0, 2, 0, 0); continue; }
    if (k < 75) {
      const get = k < 50;
      const r = !get && refs[i] === 0 ? abi.E_STATE : abi.OK;
      if (r === abi.OK) refs[i] += get ? 1 : -1;
      fold(get ? 2 : 3, r, r === abi.OK ? refs[i] : 0, r === abi.OK ? devRefs(dev[i]) : 0);
      if (refs[i] < 0) throw new Error("the model went below zero");
      continue;
    }
    if (k < 98) { fold(k < 87 ? 4 : 5, abi.OK, 0, 0); open[i] = false; refs[i] = 0; opened--; continue; }
    fold(6, abi.OK, opened, 0);
    open.fill(false); refs.fill(0); opened = 0;
  }
  return { ops: OPS, crashes: Math.floor((OPS - 1) / CRASH_EVERY), sum, opened, refs: devRefs(0) + devRefs(1) };
}

describe("the device manager against a model of its reference counts", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  }, 120_000);

  const want = model();
  const logs: Record<string, string> = {};

  it.each(["node", "wasmtime"])("%s: the seeded run matches the model, with no reference-count violation", (runtime) => {
    const r = quark(["boot", image, "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n").filter((l) => l.includes("] prober: ")).map((l) => l.replace(/^\[\s*[\d.]+\] prober: /, ""));
    const first = abi.BUS_FIRST_ID;
    expect(lines).toEqual([
      // open (-1, 0, an id no device has, 2^31-1, 2^40), info and times out of range, find, power (policy 3, -1, no
      // device), idle (-2, over the hour), wait (-1, 2^40), revoke (-1, 64, a row that is not the caller's), plug (0,
      // 99, -1), unplug (a static device, 0), handle tags through the devmgr capability, an unknown tag, subscribe with no
      // endpoint, and an open whose caller armed no slot for the handle: refused, and no row is left behind
      "edges: " + ["E_ARG", "E_ARG", "E_ARG", "E_ARG", "E_ARG", "E_ARG", "E_ARG", "E_ARG", "E_ARG", "E_ARG", "E_ARG", "E_ARG",
        "E_ARG", "E_ARG", "E_ARG", "E_ARG", "E_ARG", "E_ARG", "E_ARG", "E_BADSLOT", "E_ARG", "E_ARG", "E_ARG", "E_UNSUPPORTED",
        "E_ARG", "E_ARG", "E_ARG", "E_ARG", "E_ARG", "E_ARG", "E_NORECV"].join(" ") + "; handles open 0",
      `devices ${abi.DEV_ENTROPY}, ${first} (slot ${abi.BUS_STATIC_SLOTS}), ${first + 1} (slot ${abi.BUS_STATIC_SLOTS + 1})`,
      `ops ${want.ops}, victim crashed ${want.crashes} times, checksum ${want.sum}, handles open ${want.opened}, references ${want.refs}, violations 0`,
      `handles: ${proto.DEVMGR_CLIENT_HANDLES} opened (one client's share), then E_NOSPACE; ${proto.DEVMGR_HANDLES - proto.DEVMGR_CLIENT_HANDLES - 1} rows left for the others`,
      `subscribers: ${proto.DEVMGR_CLIENT_SUBSCRIBERS}, then E_NOSPACE`,
      `waits: ${proto.DEVMGR_CLIENT_WAITERS}, then E_NOSPACE`,
      `release-all: ${proto.DEVMGR_CLIENT_HANDLES} handles, ${proto.DEVMGR_CLIENT_SUBSCRIBERS + proto.DEVMGR_CLIENT_WAITERS} subscriptions and waits`,
      "handles open now: 1",
      `unplug ${first} with a handle open: OK (event 3); the handle then E_BADSLOT; open again E_ARG; handles open 1`,
      "subscribe: OK, seq now 3",
      `wait for ${first + 2}: OK, present now: 0`,
      `wait for ${first + 1}: present at once, slot ${abi.BUS_STATIC_SLOTS + 1}`,
      "events after 0: seq 1 kind 1 missed 0",
      `events after 2: seq 3 kind ${proto.DEVEV_UNPLUG} id ${first}`,
      `plugged on the bus directly: slot ${abi.BUS_STATIC_SLOTS + 2}`,
      // The sends are delivered once prober's handler has returned, in the order they were sent.
      `event (badge ${0x77}): seq 4 plug slot ${abi.BUS_STATIC_SLOTS} id ${first + 2} missed 0`,
      `present (badge ${0x78}): id ${first + 2} slot ${abi.BUS_STATIC_SLOTS} seq 4`,
      // Heard through IRQ_BUS alone: prober asked the devmgr nothing after its plug.
      `event (badge ${0x77}): seq 5 plug slot ${abi.BUS_STATIC_SLOTS + 2} id ${first + 3} missed 0`,
      "a handle with a reference open; devmgr restart asked: OK",
      // The new instance revoked every handle its predecessor minted (victim's too), and counts nothing.
      "after the devmgr's restart: the handle E_BADSLOT, entropy references 0, handles open 0",
      "done",
    ]);
    // Every crash of victim released its handle through the registry's event.
    expect(r.stdout.match(/devmgr: pid \d+ went away: 1 handles closed, their references released/g)?.length).toBe(want.crashes);
    logs[runtime] = withoutTimings(r.stdout);
  }, 120_000);

  it("prints the same log under both hosts", () => {
    expect(logs.wasmtime).toBe(logs.node);
  });
});
