// The OpenQASM parser as a service runs it: the module instrumented by the
// service loader (fuel, the stack guard), inside one entry's stack window
// (STACK_BUDGET slots), under both engines. The same programs give the same
// job bytes (and the same errors) under V8 and under wasmtime, configured as
// the wasmtime host configures it; and the stack the parser needs does not
// grow with how deep gates or expressions nest. The time of a 10 000-gate
// parse is printed beside a plain pass over the same bytes.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import * as abi from "../../kernel/abi";
import { instrumentService } from "../../tools/host-node/loader";
import { wasmtimePaths } from "../../tools/host-wasmtime/setup";
import { repoRoot } from "../../tools/lib/root";
import { qasmParser, qasmWasm, type QasmParser } from "../harness/qasm";
import { decodeJob } from "../../tools/lib/qpu-job";

const root = repoRoot();
const V2 = `OPENQASM 2.0;\ninclude "qelib1.inc";\n`;
const V3 = `OPENQASM 3.0;\ninclude "stdgates.inc";\n`;
const chain = (n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? "gate g0 a { x a; }" : `gate g${i} a { g${i - 1} a; }`)).join("\n");

const PROGRAMS: string[] = [
  `${V2}qreg q[2];\ncreg c[2];\nh q[0];\ncx q[0], q[1];\nmeasure q -> c;\n`,
  `${V2}qreg q[3];\ncreg c0[1];\ncreg c1[1];\ncreg c2[1];\ngate post q { }\nu3(0.3,0.2,0.1) q[0];\nh q[1];\ncx q[1],q[2];\nbarrier q;\ncx q[0],q[1];\nh q[0];\nmeasure q[0] -> c0[0];\nmeasure q[1] -> c1[0];\nif(c0==1) z q[2];\nif(c1==1) x q[2];\npost q[2];\nmeasure q[2] -> c2[0];\n`,
  `${V2}qreg q[5];\nc4x q[0],q[1],q[2],q[3],q[4];\nc3sqrtx q[4],q[3],q[2],q[1];\nrc3x q[0],q[1],q[2],q[3];\ncu(0.1,0.2,0.3,0.4) q[0],q[4];\nrxx(sin(pi/7)^2) q[1],q[2];\n`,
  `${V2}gate g(t, s) a, b { rx(t*2^2 - sin(s)) a; crz(-pi/(s+1)) a, b; }\nqreg a[4];\nqreg b[4];\ng(0.5, ln(2)) a, b;\nswap a, b;\n`,
  `${V3}qubit[4] q;\nqubit r;\nbit[4] c;\nbit d;\ngate g(θ) a, b { ctrl @ rx(θ) a, b; inv @ s b; gphase(θ/2); }\nctrl(2) @ x q[0], q[1], q[2];\nnegctrl @ inv @ g(π/3) q[3], r, q[0];\npow(-2) @ sx q;\nc = measure q;\nd[0] = measure r;\nif (c[2] == 1) { x q[1]; reset r; }\nif (c == 5) cu(1, 2, 3, 4) q[0], q[1];\nbarrier;\n`,
  `${V2}${chain(62)}\nqreg q[1];\ng61 q[0];\n`,
  `${V2}qreg q[1];\nrx(${"(".repeat(63)}1.5e-3${")".repeat(63)}) q[0];\n`,
  `${V2}qreg q[26];\ncreg c[38];\ncreg d[26];\nh q;\nmeasure q -> d;\n`,
  `${V2}qreg q[2];\nh q[0]\nx q[1];\n`,
  `${V2}${chain(70)}\nqreg q[1];\ng69 q[0];\n`,
  `${V3}qubit q;\npow(0.5) @ x q;\n`,
  `OPENQASM 4;\n`,
];

interface Exports {
  memory: WebAssembly.Memory;
  quark_init?: () => void;
  textAt(): number;
  jobAt(): number;
  parse(len: number, cap: number): number;
  errorBytes(): number;
  messageAt(): number;
}

/** One result line per program: the job in hex, or the error code and message. */
function nodeRun(mod: WebAssembly.Module, budget: number, text: string): string {
  const stack = new WebAssembly.Global({ value: "i32", mutable: true }, budget);
  const quark = {
    fuel: new WebAssembly.Global({ value: "i64", mutable: true }, 1n << 60n),
    stack,
    fuel_out: () => {},
    stack_out: () => {},
    mem_limit: () => 0,
  };
  const abort = () => { throw new Error("abort"); };
  const ex = new WebAssembly.Instance(mod, { quark, env: { abort } } as WebAssembly.Imports).exports as unknown as Exports;
  ex.quark_init?.();
  const bytes = new TextEncoder().encode(text);
  new Uint8Array(ex.memory.buffer, ex.textAt(), bytes.length).set(bytes);
  const n = ex.parse(bytes.length, 1 << 20);
  if (n >= 0) return Buffer.from(new Uint8Array(ex.memory.buffer, ex.jobAt(), n)).toString("hex");
  return `${n} ${Buffer.from(new Uint8Array(ex.memory.buffer, ex.messageAt(), ex.errorBytes())).toString("utf8")}`;
}

/** Whether the instrumented parser runs `text` within `budget` stack slots. */
function fits(mod: WebAssembly.Module, budget: number, text: string): boolean {
  try { nodeRun(mod, budget, text); return true; } catch { return false; }
}

/** The fewest stack slots the instrumented parser needs for `text`. */
function slotsNeeded(mod: WebAssembly.Module, text: string): number {
  let lo = 0, hi = abi.STACK_BUDGET;
  if (!fits(mod, hi, text)) return Infinity;
  while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (fits(mod, mid, text)) hi = mid; else lo = mid; }
  return hi;
}

const PY = `
import json, sys, wasmtime
sys.path.insert(0, sys.argv[1])
from machine import engine_config
engine = wasmtime.Engine(engine_config())
module = wasmtime.Module(engine, open(sys.argv[2], "rb").read())
programs = json.load(open(sys.argv[3]))
budget = int(sys.argv[4])
for text in programs:
    store = wasmtime.Store(engine)
    def glob(kind, value):
        t = wasmtime.ValType.i64() if kind == "i64" else wasmtime.ValType.i32()
        return wasmtime.Global(store, wasmtime.GlobalType(t, True), wasmtime.Val.i64(value) if kind == "i64" else wasmtime.Val.i32(value))
    def func(ty, name):
        def f(*args):
            if name == "abort":
                raise RuntimeError("abort")
            return 0 if len(ty.results) == 1 else None
        return wasmtime.Func(store, ty, f)
    given = {"fuel": glob("i64", 1 << 60), "stack": glob("i32", budget)}
    imports = [given[i.name] if i.name in given else func(i.type, i.name) for i in module.imports]
    inst = wasmtime.Instance(store, module, imports)
    ex = inst.exports(store)
    if "quark_init" in ex:
        ex["quark_init"](store)
    mem = ex["memory"]
    data = text.encode("utf-8")
    at = ex["textAt"](store)
    mem.write(store, data, at)
    n = ex["parse"](store, len(data), 1 << 20)
    if n >= 0:
        print(bytes(mem.read(store, ex["jobAt"](store), ex["jobAt"](store) + n)).hex())
    else:
        m = ex["errorBytes"](store)
        at = ex["messageAt"](store)
        print(str(n) + " " + bytes(mem.read(store, at, at + m)).decode("utf-8"))
`;

let qasm: QasmParser;
let mod: WebAssembly.Module;
let file: string;

beforeAll(async () => {
  qasm = await qasmParser();
  const wasm = instrumentService(await qasmWasm(), "qasm");
  mod = new WebAssembly.Module(wasm);
  const dir = join(root, "build", "test", "qasm");
  mkdirSync(dir, { recursive: true });
  file = join(dir, "qasm-service.wasm");
  writeFileSync(file, wasm);
  writeFileSync(join(dir, "programs.json"), JSON.stringify(PROGRAMS));
});

describe("the parser instrumented as a service", () => {
  it("gives the bytes the plain module gives, within one entry's stack window", () => {
    for (const text of PROGRAMS) {
      const r = qasm.parse(text);
      const plain = r.ok ? Buffer.from(r.job).toString("hex") : `${r.code} ${r.error}`;
      expect(nodeRun(mod, abi.STACK_BUDGET, text)).toBe(plain);
    }
  });

  it("needs the same stack for a program 64 gates deep, or with 64 nested parentheses, as for a flat one: well inside the window", () => {
    const flat = slotsNeeded(mod, PROGRAMS[0]);
    const deep = slotsNeeded(mod, PROGRAMS[5]);
    const nested = slotsNeeded(mod, PROGRAMS[6]);
    const modifiers = slotsNeeded(mod, `${V3}qubit[9] q;\n${"inv @ ".repeat(60)}ctrl(8) @ x q[0],q[1],q[2],q[3],q[4],q[5],q[6],q[7],q[8];\n`);
    console.log(`stack slots needed: flat ${flat}, 64 gates deep ${deep}, 64 parentheses ${nested}, 61 modifiers ${modifiers} (window ${abi.STACK_BUDGET})`);
    expect(Math.max(flat, deep, nested, modifiers)).toBeLessThanOrEqual(abi.STACK_BUDGET / 4);
    expect(Math.max(deep, nested) - flat).toBeLessThanOrEqual(32);
  });
});

describe("under wasmtime", () => {
  it("every program gives the same job bytes, or the same error, as under V8", () => {
    const dir = join(root, "build", "test", "qasm");
    const py = spawnSync(wasmtimePaths(root).python, ["-c", PY, join(root, "tools", "host-wasmtime"), file, join(dir, "programs.json"), String(abi.STACK_BUDGET)], { encoding: "utf8" });
    expect(py.status, py.stderr).toBe(0);
    const lines = py.stdout.trimEnd().split("\n");
    expect(lines).toEqual(PROGRAMS.map((text) => nodeRun(mod, abi.STACK_BUDGET, text)));
    expect(lines.filter((l) => !/^-\d+ /.test(l)).length).toBe(8);
  });
});

describe("speed", () => {
  it("parses 10 000 gates (printed beside a plain pass over the same bytes, not asserted)", () => {
    const lines = [`OPENQASM 2.0;`, `include "qelib1.inc";`, `qreg q[20];`, `creg c[20];`];
    for (let i = 0; i < 10_000; i++) {
      const a = i % 20, b = (a + 1 + (i % 19)) % 20;
      lines.push([`h q[${a}];`, `cx q[${a}], q[${b}];`, `rz(pi/4 + ${i}*0.001) q[${a}];`, `u3(0.1, -0.2, pi/3) q[${a}];`, `t q[${a}];`][i % 5]);
    }
    lines.push("measure q -> c;");
    const text = new TextEncoder().encode(lines.join("\n") + "\n");
    const r = qasm.parse(text);
    expect(r.ok && decodeJob(r.job).instructions.length).toBe(1 + 10_000 + 20);
    const ex = qasm.raw;
    new Uint8Array(ex.memory.buffer, ex.textAt(), text.length).set(text);
    const time = (f: () => void) => { f(); const s = performance.now(); for (let i = 0; i < 10; i++) f(); return (performance.now() - s) / 10; };
    const parse = time(() => ex.parse(text.length, 1 << 22));
    const scan = time(() => ex.scan(text.length));
    console.log(`qasm.parse: 10 000 gates (${text.length} bytes) in ${parse.toFixed(2)} ms, ${(parse / scan).toFixed(0)}x a plain pass over the bytes (${scan.toFixed(3)} ms)`);
  });
});
