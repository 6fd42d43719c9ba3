// The service loader (tools/loader/, build/loader.wasm) as the hosts run it:
// every service of the shipped images comes out valid and deterministic; a
// hand-made module cannot import what only the loader links; the inserted
// charges stop a loop at its fuel, a recursion at its stack budget (frame by
// frame, as the weights say) and report a refused memory.grow; hostile bytes
// never trap the loader; and the renumbered module still computes what it did.
// Both engines run the loader in the board (tools/board/services.ts), so one
// run of it here covers both.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import binaryen from "binaryen";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { buildLoader } from "../../tools/build-tools.mjs";
import { buildImage } from "../../tools/lib/build";
import { readImage } from "../../tools/lib/image";
import { instrumentDetailed, instrumentService, LoadError } from "../../tools/host-node/loader";
import * as abi from "../../kernel/abi";
import * as texts from "../../tools/lib/abi-texts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const out = join(root, "build/test/loader");
const services = new Map<string, Uint8Array<ArrayBuffer>>();

beforeAll(async () => {
  await buildLoader(); // the tests drive the loader built from this checkout's sources
  mkdirSync(out, { recursive: true });
  for (const image of ["default", "bench"]) {
    const built = await buildImage(join(root, `images/${image}.toml`), { out: join(out, `${image}.wasm`) });
    for (const m of readImage(readFileSync(built.out)).modules) {
      // A copy: readImage's bytes are views of one Buffer, whose slice() would not copy either.
      if (m.kind === "service") services.set(`${image}/${m.name}`, new Uint8Array(m.bytes));
    }
  }
});

// ---------------------------------------------------------------- hand-made modules

type Build = (m: binaryen.Module) => void;

/** A module built with binaryen (names kept, so the name section is exercised too). */
function handMade(build: Build, features = 0): Uint8Array<ArrayBuffer> {
  const m = new binaryen.Module();
  try {
    m.setFeatures(binaryen.Features.MVP | binaryen.Features.MutableGlobals | binaryen.Features.BulkMemory | binaryen.Features.SignExt | features);
    build(m);
    binaryen.setDebugInfo(true);
    if (!m.validate()) throw new Error("the hand-made module does not validate");
    return m.emitBinary() as Uint8Array<ArrayBuffer>;
  } finally {
    binaryen.setDebugInfo(false);
    m.dispose();
  }
}

interface Stubs {
  fuel: WebAssembly.Global;
  stack: WebAssembly.Global;
  calls: { fuel_out: number; stack_out: number; mem_limit: number };
  imports: WebAssembly.Imports;
}

/** What the kernel exports to a loaded module, as counters. */
function stubs(fuel: bigint, stack: number, env: Record<string, unknown> = {}): Stubs {
  const calls = { fuel_out: 0, stack_out: 0, mem_limit: 0 };
  const g = {
    fuel: new WebAssembly.Global({ value: "i64", mutable: true }, fuel),
    stack: new WebAssembly.Global({ value: "i32", mutable: true }, stack),
  };
  const quark = {
    ...g,
    fuel_out: () => { calls.fuel_out++; },
    stack_out: () => { calls.stack_out++; },
    mem_limit: () => { calls.mem_limit++; },
  };
  return { ...g, calls, imports: { quark, env } as WebAssembly.Imports };
}

/** Instantiated as a host does it: a module the reset pass rewrote has no start function, but quark_init. */
function load(bytes: Uint8Array, s: Stubs, flags = 0): Record<string, any> {
  const wasm = instrumentService(bytes, "test", flags);
  expect(WebAssembly.validate(wasm)).toBe(true);
  const ex = new WebAssembly.Instance(new WebAssembly.Module(wasm), s.imports).exports as Record<string, any>;
  ex.quark_init?.();
  return ex;
}

/** The number of segments in a module's data section (0 without one). */
function dataSegmentCount(wasm: Uint8Array): number {
  let p = 8;
  const u = () => { let r = 0, shift = 0; for (;;) { const b = wasm[p++]; r += (b & 0x7f) * 2 ** shift; shift += 7; if ((b & 0x80) === 0) return r; } };
  while (p < wasm.length) {
    const id = wasm[p++];
    const size = u();
    if (id === 11) return u();
    p += size;
  }
  return 0;
}

function refusal(bytes: Uint8Array): string {
  try {
    instrumentService(bytes, "hostile");
  } catch (e) {
    expect(e).toBeInstanceOf(LoadError);
    return (e as Error).message;
  }
  throw new Error("the loader accepted the module");
}

const none = binaryen.none, i32 = binaryen.i32, i64 = binaryen.i64;

// ---------------------------------------------------------------- tests

describe("the service loader on the shipped images", () => {
  it("instruments every service of images/default.toml and images/bench.toml: valid, deterministic, importing what the loader adds", () => {
    expect(services.size).toBeGreaterThan(5);
    for (const [name, bytes] of services) {
      const t0 = performance.now();
      const first = instrumentDetailed(bytes, name);
      const ms = performance.now() - t0;
      const again = instrumentService(bytes, name);
      expect(WebAssembly.validate(first.wasm), name).toBe(true);
      expect(Buffer.from(again).equals(Buffer.from(first.wasm)), name).toBe(true);
      const imports = WebAssembly.Module.imports(new WebAssembly.Module(first.wasm)).map((i) => `${i.module}.${i.name}:${i.kind}`);
      expect(imports).toEqual(expect.arrayContaining(["quark.fuel:global", "quark.stack:global", "quark.fuel_out:function", "quark.stack_out:function"]));
      console.log(`${name}: ${bytes.length} -> ${first.wasm.length} bytes in ${ms.toFixed(2)} ms; largest entry weight ${first.entryWeight} slots`);
    }
  });
});

describe("the service loader refuses what only it may link", () => {
  const reserved: [string, Build][] = [
    ["quark.fuel", (m) => m.addGlobalImport("fuel", "quark", "fuel", i64, true)],
    ["quark.stack", (m) => m.addGlobalImport("stack", "quark", "stack", i32, true)],
    ["quark.fuel_out", (m) => m.addFunctionImport("fo", "quark", "fuel_out", none, none)],
    ["quark.stack_out", (m) => m.addFunctionImport("so", "quark", "stack_out", none, none)],
    ["quark.mem_limit", (m) => m.addFunctionImport("ml", "quark", "mem_limit", none, none)],
  ];
  it.each(reserved)("an import of %s", (name, build) => {
    const message = refusal(handMade((m) => {
      build(m);
      m.addFunction("f", none, none, [], m.nop());
      m.addFunctionExport("f", "quark_start");
    }));
    expect(message).toContain("service hostile refused by the loader");
    expect(message).toContain(`import ${name}: only the loader links ${name}`);
  });

  const kinds: [string, Build, string][] = [
    ["a memory", (m) => m.addMemoryImport("0", "env", "memory"), "import env.memory is a memory"],
    ["a table", (m) => { m.addTableImport("t", "env", "table"); }, "import env.table is a table"],
    ["a global", (m) => m.addGlobalImport("g", "env", "counter", i32, false), "import env.counter is a global"],
    ["another module's function", (m) => m.addFunctionImport("h", "host", "spawn", none, none), "import host.spawn: services import only from modules quark and env"],
  ];
  it.each(kinds)("an import of %s", (_what, build, expected) => {
    const message = refusal(handMade((m) => {
      if (!expected.includes("memory")) m.setMemory(1, 1);
      build(m);
    }));
    expect(message).toContain(expected);
  });

  it("tail calls, naming the function, the byte and the opcode", () => {
    // (func $loop (return_call $loop)): binaryen needs the tail-call feature to write it.
    const m = new binaryen.Module();
    m.setFeatures(binaryen.Features.MVP | binaryen.Features.TailCall);
    m.addFunction("loop", none, none, [], m.return_call("loop", [], none));
    binaryen.setDebugInfo(true);
    const bytes = m.emitBinary();
    binaryen.setDebugInfo(false);
    m.dispose();
    expect(refusal(bytes)).toMatch(/function 0 \(loop\), byte \d+: opcode 0x12 \(tail call\) is not allowed/);
  });

  it("an entry point whose own frame is heavier than the kernel's entry reserve (STACK_ENTRY_MAX)", () => {
    // No call site charges an entry's frame: 200 i64 locals would sit on the stack uncounted.
    const heavy = (locals: number) => handMade((m) => {
      const body = m.block(null, Array.from({ length: locals }, (_, k) => m.local.set(k + 2, m.local.get(k + 2, i64))));
      m.addFunction("quark_handle", binaryen.createType([i32, i32]), i32, Array(locals).fill(i64), m.block(null, [body, m.i32.const(0)], i32));
      m.addFunctionExport("quark_handle", "quark_handle");
    });
    expect(refusal(heavy(200))).toMatch(/exported or start function 0 weighs \d+ stack slots; an entry may weigh at most 128: move its work into a function it calls/);
    expect(() => instrumentService(heavy(20), "light")).not.toThrow();
  });

  it("a function with more locals than the engine's limit less the two the loader adds to every body", () => {
    const locals = (n: number) => handMade((m) => { m.addFunction("many", none, none, Array(n).fill(i32), m.nop()); });
    const fits = instrumentService(locals(50_000 - 2), "fits");
    expect(WebAssembly.validate(fits)).toBe(true); // V8 allows 50 000 locals, the loader's two included
    expect(refusal(locals(50_000 - 1))).toMatch(/function 0 \(many\), byte \d+: more than 49998 locals/);
  });

  it("more than one memory, and opcodes it does not know", () => {
    const two = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 5, 2, 0, 1, 0, 1]);
    expect(refusal(two)).toContain("more than one memory (2)");
    // (func) whose body is the unassigned opcode 0xd7, then end.
    const body = [0, 0xd7, 0x0b];
    const unknown = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 5, 1, body.length, ...body]);
    expect(refusal(unknown)).toContain("function 0, byte 23: unknown opcode 0xd7");
  });
});

describe("the inserted charges", () => {
  it("stop an infinite loop after its fuel, through fuel_out", () => {
    // (func (export "spin") (loop (global.set $n (i32.add (global.get $n) (i32.const 1))) (br 0)))
    const bytes = handMade((m) => {
      m.addGlobal("n", i32, true, m.i32.const(0));
      m.addGlobalExport("n", "n");
      m.addFunction("spin", none, none, [], m.loop("top", m.block(null, [
        m.global.set("n", m.i32.add(m.global.get("n", i32), m.i32.const(1))),
        m.br("top"),
      ])));
      m.addFunctionExport("spin", "spin");
    });
    const s = stubs(1000n, 1 << 20);
    const ex = load(bytes, s);
    expect(() => ex.spin()).toThrow(WebAssembly.RuntimeError);
    // One unit at the function's entry, one per loop header: the 1000th header finds the fuel spent.
    expect(s.calls.fuel_out).toBe(1);
    expect(s.fuel.value).toBe(-1n);
    expect(ex.n.value).toBe(999);
  });

  it("stop a recursion when the stack budget runs out, after as many frames as the weight allows", () => {
    // (func $down (global.set $depth (i32.add (global.get $depth) (i32.const 1))) (call $down))
    const bytes = handMade((m) => {
      m.addGlobal("depth", i32, true, m.i32.const(0));
      m.addGlobalExport("depth", "depth");
      m.addFunction("down", none, none, [], m.block(null, [
        m.global.set("depth", m.i32.add(m.global.get("depth", i32), m.i32.const(1))),
        m.call("down", [], none),
      ]));
      m.addFunction("go", none, none, [], m.call("down", [], none));
      m.addFunctionExport("go", "go");
    });
    // $down's weight: no params or locals, two operands at most, 4 frame slots, 2 for the charges, 2 for their locals.
    const weight = 0 + 0 + 2 + 4 + 2 + 2;
    const budget = 1000;
    const s = stubs(1n << 40n, budget);
    const ex = load(bytes, s);
    expect(() => ex.go()).toThrow(WebAssembly.RuntimeError);
    expect(s.calls.stack_out).toBe(1);
    expect(ex.depth.value).toBe(Math.floor(budget / weight));
    expect(s.stack.value).toBe(budget - (Math.floor(budget / weight) + 1) * weight);
    expect(s.calls.fuel_out).toBe(0);
  });

  it("are left out of calls only when LOADER_NO_STACK_GUARD asks (the bench's comparison), fuel charges staying", () => {
    const bytes = handMade((m) => {
      m.addFunction("one", none, i32, [], m.i32.const(1)); // a leaf: its calls go unguarded (add1's weight covers it)
      m.addFunction("add1", i32, i32, [], m.i32.add(m.local.get(0, i32), m.call("one", [], i32)));
      m.addFunction("twice", i32, i32, [], m.call("add1", [m.call("add1", [m.local.get(0, i32)], i32)], i32));
      m.addFunctionExport("twice", "twice");
    });
    const guarded = stubs(1000n, 0), bare = stubs(1000n, 0);
    expect(() => load(bytes, guarded).twice(1)).toThrow(WebAssembly.RuntimeError); // a budget of 0 slots: the first call trips
    expect(guarded.calls.stack_out).toBe(1);
    expect(load(bytes, bare, abi.LOADER_NO_STACK_GUARD).twice(1)).toBe(3);
    expect(bare.calls).toEqual({ fuel_out: 0, stack_out: 0, mem_limit: 0 });
    expect(bare.fuel.value).toBe(1000n - 5n); // twice's entry, add1's two and one's two
    expect(() => instrumentService(bytes, "test", 2)).toThrow(/unknown flags/);
  });

  it("leave a leaf's calls unguarded when the caller's weight covers it, so the caller's call site is the one that traps", () => {
    // $probe is a leaf (it calls only an import); $f calls it; both report the stack left as they run.
    const module = (probeLocals: number) => handMade((m) => {
      m.addFunctionImport("peek", "env", "peek", none, none);
      const touch = Array.from({ length: probeLocals }, (_, k) => m.local.set(k + 1, m.local.get(k + 1, i64)));
      m.addFunction("probe", i32, i32, Array(probeLocals).fill(i64), m.block(null, [...touch, m.call("peek", [], none), m.local.get(0, i32)], i32));
      m.addFunction("f", i32, i32, [], m.block(null, [m.call("peek", [], none), m.call("probe", [m.local.get(0, i32)], i32)], i32));
      m.addFunction("go", i32, i32, [], m.call("f", [m.local.get(0, i32)], i32));
      m.addFunctionExport("go", "go");
    });
    const run = (bytes: Uint8Array, budget: number) => {
      const seen: number[] = [];
      const s = stubs(1n << 40n, budget, { peek: () => { seen.push(s.stack.value); } });
      const ex = load(bytes, s);
      let trapped = false;
      try { ex.go(7); } catch { trapped = true; }
      return { seen, trapped, stackOut: s.calls.stack_out, left: s.stack.value };
    };
    const light = module(2);
    const { seen: [inF, inProbe] } = run(light, 1000);
    expect(inProbe).toBe(inF); // the call of the leaf took nothing: $f's charge reserved its frame
    const charged = 1000 - inF; // $f's weight, the leaf's frame included
    expect(charged).toBeGreaterThanOrEqual(2 * (4 + 2 + 2)); // at least two frames' fixed slots
    expect(run(light, charged)).toEqual({ seen: [inF - 1000 + charged, inF - 1000 + charged], trapped: false, stackOut: 0, left: charged });
    // One slot short: the call of $f traps, in $go's frame, before $f or the leaf runs.
    expect(run(light, charged - 1)).toMatchObject({ seen: [], trapped: true, stackOut: 1 });
    // A leaf too heavy to fold into an entry's reserve (STACK_ENTRY_MAX) keeps its own guard.
    const { seen: [f2, probe2] } = run(module(130), 100000);
    expect(f2 - probe2).toBeGreaterThan(130);
  });

  it("give the stack back after each call, and leave a module within its budget alone", () => {
    // (func $add1 (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))), called 100 times in a loop
    const bytes = handMade((m) => {
      m.addFunction("add1", i32, i32, [], m.i32.add(m.local.get(0, i32), m.i32.const(1)));
      m.addFunction("count", none, i32, [i32], m.block(null, [
        m.loop("again", m.block(null, [
          m.local.set(0, m.call("add1", [m.local.get(0, i32)], i32)),
          m.br("again", m.i32.lt_u(m.local.get(0, i32), m.i32.const(100))),
        ])),
        m.local.get(0, i32),
      ], i32));
      m.addFunctionExport("count", "count");
    });
    const s = stubs(1000n, 50);
    expect(load(bytes, s).count()).toBe(100);
    expect(s.stack.value).toBe(50);
    expect(s.fuel.value).toBe(1000n - 1n - 100n - 100n); // count's entry, 100 loop headers, 100 entries of add1
    expect(s.calls).toEqual({ fuel_out: 0, stack_out: 0, mem_limit: 0 });
  });

  it("report a refused memory.grow through mem_limit, and only a refused one", () => {
    const bytes = handMade((m) => {
      m.setMemory(1, 2);
      m.addFunction("grow", i32, i32, [], m.memory.grow(m.local.get(0, i32)));
      m.addFunctionExport("grow", "grow");
    });
    const s = stubs(1000n, 1000);
    const ex = load(bytes, s);
    expect(ex.grow(1)).toBe(1);
    expect(s.calls.mem_limit).toBe(0);
    expect(ex.grow(1)).toBe(-1);
    expect(s.calls.mem_limit).toBe(1);
  });
});

describe("renumbering", () => {
  it("keeps calls, call_indirect through an element segment, the start function, exports and names right", () => {
    const bytes = handMade((m) => {
      m.addFunctionImport("add1", "env", "add1", i32, i32);
      m.addGlobal("g", i32, true, m.i32.const(5));
      m.addGlobal("k", i32, false, m.i32.const(7));
      m.addGlobalExport("g", "g");
      const x = () => m.local.get(0, i32);
      m.addFunction("double", i32, i32, [], m.i32.mul(x(), m.i32.const(2)));
      m.addFunction("triple", i32, i32, [], m.i32.mul(x(), m.i32.const(3)));
      m.addTable("t", 2, 2);
      m.addActiveElementSegment("t", "e", ["double", "triple"], m.i32.const(0));
      const pair = binaryen.createType([i32, i32]);
      m.addFunction("apply", pair, i32, [], m.call_indirect("t", m.local.get(0, i32), [m.local.get(1, i32)], i32, i32));
      m.addFunction("main", i32, i32, [], m.i32.add(
        m.call("apply", [m.i32.const(0), m.call("add1", [x()], i32)], i32),
        m.global.get("k", i32)));
      m.addFunction("init", none, none, [], m.global.set("g", m.i32.const(42)));
      m.setStart(m.getFunction("init"));
      m.addFunction("inner", none, none, [], m.unreachable());
      m.addFunction("boom", none, none, [], m.call("inner", [], none));
      m.addFunctionExport("main", "main");
      m.addFunctionExport("apply", "apply");
      m.addFunctionExport("boom", "boom");
    });
    const s = stubs(1n << 40n, 1 << 20, { add1: (v: number) => v + 1 });
    const ex = load(bytes, s);
    expect(ex.g.value).toBe(42); // the start function ran, and set the exported global
    expect(ex.main(3)).toBe((3 + 1) * 2 + 7);
    expect(ex.apply(1, 5)).toBe(15);
    expect(ex.apply(0, 5)).toBe(10);
    expect(s.stack.value).toBe(1 << 20); // every weight taken was given back, also across call_indirect
    // The name section still names the right function: V8 prints it in the trace.
    let stack = "";
    try { ex.boom(); } catch (e) { stack = (e as Error).stack ?? ""; }
    expect(stack).toMatch(/at inner \(wasm:/);
    expect(stack).toMatch(/at boom \(wasm:/);
  });
});

describe("the reset pass (tools/loader/reset.ts)", () => {
  // Data at two offsets, a mutable global of each number type, an immutable
  // one, a start function that writes memory and a global, and a table.
  const resettable = (extra?: (m: binaryen.Module) => void) => handMade((m) => {
    m.setMemory(2, 5, "memory", [
      { offset: m.i32.const(16), data: new TextEncoder().encode("hello") },
      { offset: m.i32.const(70000), data: new Uint8Array([1, 2, 3]) },
      { passive: true, offset: 0, data: new Uint8Array([9, 9]) }, // a passive segment has no offset (binaryen ignores it)
    ], false);
    m.addGlobal("a", i32, true, m.i32.const(7));
    m.addGlobal("b", i64, true, m.i64.const(-5n));
    m.addGlobal("c", binaryen.f64, true, m.f64.const(2.5));
    m.addGlobal("k", i32, false, m.i32.const(11));
    m.addGlobal("starts", i32, true, m.i32.const(0));
    m.addFunction("init", none, none, [], m.block(null, [
      m.i32.store8(0, 1, m.i32.const(100), m.i32.const(42)),
      m.global.set("starts", m.i32.add(m.global.get("starts", i32), m.i32.const(1))),
    ]));
    m.setStart(m.getFunction("init"));
    m.addFunction("seven", none, i32, [], m.i32.const(7));
    m.addTable("t", 1, 1);
    m.addActiveElementSegment("t", "e", ["seven"], m.i32.const(0));
    m.addFunction("viaTable", none, i32, [], m.call_indirect("t", m.i32.const(0), [], none, i32));
    // What a service does to its instance over a life: writes everywhere, grows, changes every mutable global.
    m.addFunction("scribble", none, none, [], m.block(null, [
      m.drop(m.memory.grow(m.i32.const(1))),
      m.memory.fill(m.i32.const(0), m.i32.const(0xab), m.i32.mul(m.memory.size(), m.i32.const(65536))),
      m.global.set("a", m.i32.const(-1)),
      m.global.set("b", m.i64.const(123n)),
      m.global.set("c", m.f64.const(-0.5)),
    ]));
    m.addFunction("globals", none, binaryen.f64, [], m.f64.add(
      m.f64.add(m.f64.convert_s.i32(m.global.get("a", i32)), m.f64.convert_s.i64(m.global.get("b", i64))),
      m.f64.add(m.global.get("c", binaryen.f64), m.f64.convert_s.i32(m.i32.add(m.global.get("k", i32), m.i32.mul(m.global.get("starts", i32), m.i32.const(1000)))))));
    for (const f of ["scribble", "globals", "viaTable"]) m.addFunctionExport(f, f);
    extra?.(m);
  }, binaryen.Features.BulkMemoryOpt | binaryen.Features.ReferenceTypes);

  it("gives back, after any scribbling, the memory and globals of a fresh instance; memory.size stays what it grew to", () => {
    const bytes = resettable();
    const s = stubs(1n << 40n, 1 << 20);
    const fresh = load(bytes, s);
    const used = load(bytes, s);
    expect(typeof used.quark_reset).toBe("function");
    expect(WebAssembly.Module.imports(new WebAssembly.Module(instrumentService(bytes, "test"))).length).toBe(5); // nothing but the loader's
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(instrumentService(resettable((m) => {
      m.addFunction("trap", none, none, [], m.unreachable());
      m.setStart(m.getFunction("trap"));
    }), "test")), s.imports)).not.toThrow(); // no start function: instantiating runs none of the module's code
    const pristine = new Uint8Array(fresh.memory.buffer).slice();
    expect(pristine[100]).toBe(42); // the start function ran after the segments were copied
    expect(new TextDecoder().decode(pristine.subarray(16, 21))).toBe("hello");
    expect([...pristine.subarray(70000, 70003)]).toEqual([1, 2, 3]);
    const before = fresh.globals();
    expect(before).toBe(7 - 5 + 2.5 + 11 + 1000);
    for (let round = 0; round < 3; round++) {
      used.scribble();
      expect(used.globals()).not.toBe(before);
      used.quark_reset();
      const now = new Uint8Array(used.memory.buffer);
      expect(now.length).toBe((3 + round) * 65536); // grown pages stay, within the module's maximum
      expect(now.subarray(0, pristine.length)).toEqual(pristine);
      expect(now.subarray(pristine.length).every((b) => b === 0)).toBe(true);
      expect(used.globals()).toBe(before); // the start function ran once more, on a global set back to 0
      expect(used.viaTable()).toBe(7);
    }
    expect(s.stack.value).toBe(1 << 20);
  });

  it("copies a compiler's many segments with one memory.init per run: a gap of zeros up to 256 bytes joins a run, a longer one or an overlap starts another", () => {
    const at = (m: binaryen.Module, offset: number, bytes: number[]) => ({ offset: m.i32.const(offset), data: new Uint8Array(bytes) });
    const bytes = handMade((m) => {
      m.setMemory(1, 2, "memory", [
        at(m, 16, [0x61, 0x62, 0x63]), // "abc"
        at(m, 21, [1, 2]), // 2 zeros after "abc": the same run
        at(m, 21 + 2 + 257, [7]), // 257 zeros after: a run of its own
        at(m, 17, [5, 5]), // before the last run's end, over "bc": a run of its own, applied after them
        { passive: true, offset: 0, data: new Uint8Array([9]) },
      ], false);
      m.addFunction("f", none, none, [], m.nop());
      m.addFunctionExport("f", "f");
    });
    const s = stubs(1n << 40n, 1 << 20);
    const reset = load(bytes, s);
    const plain = new WebAssembly.Instance(new WebAssembly.Module(bytes), s.imports).exports as Record<string, any>;
    const want = new Uint8Array(plain.memory.buffer);
    expect([...want.subarray(16, 23)]).toEqual([0x61, 5, 5, 0, 0, 1, 2]);
    expect(new Uint8Array(reset.memory.buffer)).toEqual(want);
    const wasm = instrumentService(bytes, "test");
    expect(dataSegmentCount(wasm)).toBe(3 + 1); // three runs, then the passive segment
    reset.quark_reset();
    expect(new Uint8Array(reset.memory.buffer)).toEqual(want);
  });

  it("gives every shipped service at most a few runs however many segments its compiler wrote", () => {
    for (const [name, bytes] of services) {
      expect(dataSegmentCount(instrumentService(bytes, name)), name).toBeLessThanOrEqual(4);
    }
  });

  it("leaves out modules whose code changes segments or tables, and refuses a module exporting quark_reset itself", () => {
    const dropping = resettable((m) => m.addFunction("drop", none, none, [], m.data.drop("2")));
    const s = stubs(1n << 40n, 1 << 20);
    expect(load(dropping, s).quark_reset).toBeUndefined();
    const copying = resettable((m) => m.addFunction("mi", none, none, [], m.memory.init("2", m.i32.const(0), m.i32.const(0), m.i32.const(1))));
    expect(load(copying, s).quark_reset).toBeUndefined();
    const noMemory = handMade((m) => { m.addFunction("f", none, none, [], m.nop()); m.addFunctionExport("f", "f"); });
    expect(load(noMemory, s).quark_reset).toBeUndefined();
    for (const name of ["quark_reset", "quark_init"]) {
      const claiming = handMade((m) => { m.setMemory(1, 1, "memory"); m.addFunction("r", none, none, [], m.nop()); m.addFunctionExport("r", name); });
      expect(refusal(claiming)).toMatch(new RegExp(`byte \\d+: the export name ${name} belongs to the loader`));
    }
  });

  it("is made for every service of the shipped images, under the ABI's names", () => {
    for (const [name, bytes] of services) {
      const ex = WebAssembly.Module.exports(new WebAssembly.Module(instrumentService(bytes, name))).map((e) => e.name);
      expect(ex, name).toContain(texts.RESET_EXPORT);
      expect(ex, name).toContain(texts.INIT_EXPORT);
    }
  });
});

describe("hostile bytes", () => {
  const sample = () => services.get("default/echo")!;

  function check(bytes: Uint8Array<ArrayBuffer>): void {
    let output: Uint8Array<ArrayBuffer>;
    try {
      output = instrumentService(bytes, "fuzz");
    } catch (e) {
      // A refusal, never a trap of the loader (a RuntimeError) or anything else.
      expect(e).toBeInstanceOf(LoadError);
      return;
    }
    if (WebAssembly.validate(bytes)) expect(WebAssembly.validate(output)).toBe(true);
  }

  it("truncations of a real module", () => {
    fc.assert(fc.property(fc.nat(), (n) => check(sample().subarray(0, n % (sample().length + 1)))), { numRuns: 400 });
  });

  it("bit flips in a real module", () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 4 }), (flips) => {
      const bytes = sample().slice();
      for (const [at, bit] of flips) bytes[at % bytes.length] ^= 1 << bit;
      check(bytes);
    }), { numRuns: 1500 });
  });

  it("random bytes, with and without a valid header", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (tail, header) => {
      check(header ? Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...tail]) : tail);
    }), { numRuns: 1500 });
  });
});
