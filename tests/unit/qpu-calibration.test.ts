// QPU calibrations: Qiskit's props_*.json (alone or with a conf_*.json), our
// TOML file, the shipped devices, errors that name the file and what is
// wrong, and the engine refusing hostile calibration tables.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { newQpu, type Qpu } from "../harness/qpu";
import { calibrationFile, shipped } from "../harness/qpu-calibrations";
import { encodeCalibration, parseCalibrationToml, readCalibration, type Calibration } from "../../tools/lib/qpu-calibration";
import { formatCalibrationToml } from "../../tools/lib/qpu-calibration-toml";
import * as c from "../../hal/qpu/calibration-format";
import * as abi from "../../kernel/abi";

const dir = mkdtempSync(join(tmpdir(), "quark-qpu-cal-"));
function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
}

/** A calibration as Qiskit's BackendProperties JSON says it (T1/T2 in µs, lengths in ns). */
function asProps(cal: Calibration, name: string): unknown {
  const nduv = (n: string, unit: string, value: number) => ({ date: "2024-05-27T04:30:14-03:00", name: n, unit, value });
  return {
    backend_name: name, backend_version: "1.0", last_update_date: "2024-05-27T15:27:23-03:00",
    qubits: cal.qubits.map((q) => [
      nduv("T1", "us", q.t1Ns / 1e3), nduv("T2", "us", q.t2Ns / 1e3), nduv("frequency", "GHz", 5),
      nduv("readout_error", "", (q.prob1Given0 + q.prob0Given1) / 2), nduv("prob_meas0_prep1", "", q.prob0Given1),
      nduv("prob_meas1_prep0", "", q.prob1Given0), nduv("readout_length", "ns", q.readoutNs),
    ]),
    gates: [
      ...cal.gates.map((g) => ({ qubits: g.qubits, gate: g.gate, parameters: [nduv("gate_error", "", g.error), nduv("gate_length", "ns", g.lengthNs)], name: `${g.gate}${g.qubits.join("_")}` })),
      { qubits: [0], gate: "measure", parameters: [], name: "measure0" },
    ],
    general: [],
  };
}

function close(a: Calibration, b: Calibration): void {
  expect(a.qubits.length).toBe(b.qubits.length);
  a.qubits.forEach((q, i) => {
    for (const k of ["t1Ns", "t2Ns", "prob1Given0", "prob0Given1", "readoutNs"] as const) expect(q[k]).toBeCloseTo(b.qubits[i][k], 6);
  });
  const key = (g: Calibration["gates"][number]) => `${g.gate} ${g.qubits}`;
  expect(a.gates.map(key).sort()).toEqual(b.gates.map(key).sort());
  for (const g of a.gates) {
    const h = b.gates.find((x) => key(x) === key(g))!;
    expect(g.error).toBeCloseTo(h.error, 12);
    expect(g.lengthNs).toBeCloseTo(h.lengthNs, 9);
  }
}

describe("the shipped calibrations", () => {
  it("are published 5- and 27-qubit devices, with their coupling maps as cx gates", () => {
    const manila = shipped("manila"), kolkata = shipped("kolkata");
    expect(manila.qubits.length).toBe(5);
    expect(kolkata.qubits.length).toBe(27);
    expect(manila.source).toMatch(/ibmq_manila/);
    expect(kolkata.source).toMatch(/ibmq_kolkata/);
    expect(manila.gates.filter((g) => g.gate === "cx").length).toBe(8);
    expect(kolkata.gates.filter((g) => g.gate === "cx").length).toBe(56);
  });
  it("read back as written", () => {
    for (const name of ["manila", "kolkata"]) {
      const cal = shipped(name);
      close(parseCalibrationToml(formatCalibrationToml(cal), "again.toml"), cal);
    }
  });
  it("load into the engine", async () => {
    const qpu = await newQpu();
    for (const name of ["manila", "kolkata"]) expect(qpu.calibrate(encodeCalibration(shipped(name)))).toBe(abi.OK);
  });
});

describe("Qiskit's BackendProperties", () => {
  const manila = shipped("manila");
  it("alone: the figures, and the coupled pairs from the cx gates it lists", () => {
    const cal = readCalibration(file("props_manila.json", asProps(manila, "ibmq_manila")));
    close(cal, manila);
    expect(cal.source).toBe("ibmq_manila, calibrated 2024-05-27T15:27:23-03:00 (props_manila.json)");
  });
  it("with a conf_*.json: its coupling_map decides the pairs (one without figures is coupled without noise)", () => {
    const props = file("props_m2.json", asProps(manila, "ibmq_manila"));
    const cal = readCalibration(props, file("conf_m2.json", { backend_name: "x", coupling_map: [[0, 1], [1, 0], [0, 4]] }));
    const cx = cal.gates.filter((g) => g.gate === "cx");
    expect(cx.map((g) => g.qubits.join("-"))).toEqual(["0-1", "1-0", "0-4"]);
    expect(cx[2]).toEqual({ gate: "cx", qubits: [0, 4], error: 0, lengthNs: 0 });
    expect(cx[0].error).toBe(manila.gates.find((g) => g.gate === "cx" && g.qubits.join() === "0,1")!.error);
  });
  it("takes readout_error for both probabilities when the two are not given, and T1/T2 in any time unit", () => {
    const props = {
      qubits: [[{ name: "T1", unit: "ms", value: 0.1 }, { name: "T2", unit: "ns", value: 50_000 }, { name: "readout_error", unit: "", value: 0.04 }]],
      gates: [{ gate: "sx", qubits: [0], parameters: [{ name: "gate_error", value: 1e-4 }, { name: "gate_length", unit: "us", value: 0.035 }] }],
    };
    const cal = readCalibration(file("props_one.json", props));
    expect(cal.qubits[0]).toEqual({ t1Ns: 100_000, t2Ns: 50_000, prob1Given0: 0.04, prob0Given1: 0.04, readoutNs: 0 });
    expect(cal.gates[0].lengthNs).toBeCloseTo(35, 9);
  });
  it("refuse what does not fit, naming the file and the entry", () => {
    const bad = (name: string, content: unknown, text: string, conf?: string): void => {
      expect(() => readCalibration(file(name, content), conf)).toThrow(text);
    };
    bad("props_a.json", "{ not json", "props_a.json: not JSON");
    bad("props_b.json", { qubits: [] }, "props_b.json: not a BackendProperties file");
    bad("props_c.json", { qubits: [[{ name: "T1", unit: "us", value: -3 }]], gates: [] }, "props_c.json: qubit 0: T1 is -3 µs; it must be > 0");
    bad("props_d.json", { qubits: [[{ name: "T1", unit: "fortnights", value: 3 }]], gates: [] }, 'props_d.json: qubits[0]: T1 is in "fortnights"');
    bad("props_e.json", { qubits: [[]], gates: [{ gate: "cx", qubits: [0, 3], parameters: [] }] }, "props_e.json: gate 0 (cx 0,3): qubit 3 is not below the file's 1 qubits");
    bad("props_f.json", { qubits: [[], []], gates: [{ gate: "ecr", qubits: [0, 1], parameters: [] }] }, "props_f.json: the device's two-qubit gate is not cx");
    bad("props_g.json", { qubits: [[{ name: "prob_meas1_prep0", value: 1.5 }, { name: "prob_meas0_prep1", value: 0 }]], gates: [] }, "props_g.json: qubit 0: prob_meas1_prep0 is 1.5");
    bad("props_h.json", { qubits: [[]], gates: [] }, "conf_h.json: no coupling_map list", file("conf_h.json", {}));
    expect(() => readCalibration(join(dir, "props_missing.json"))).toThrow("props_missing.json: cannot read it (ENOENT)");
  });
});

describe("our calibration file", () => {
  const ok = 'source = "a test"\n[[qubit]]\nt1_us = 100.0\nt2_us = 80.0\nreadout_error = 0.02\n[[gate]]\ngate = "sx"\nqubits = [0]\ngate_error = 0.0002\ngate_length_ns = 35.5\n';
  it("reads figures, readout_error standing for both probabilities", () => {
    const cal = parseCalibrationToml(ok, "a.toml");
    expect(cal.qubits[0]).toEqual({ t1Ns: 100_000, t2Ns: 80_000, prob1Given0: 0.02, prob0Given1: 0.02, readoutNs: 0 });
  });
  it("refuses mistakes, naming the file, the table and the key", () => {
    expect(() => parseCalibrationToml("source = \n", "b.toml")).toThrow(/^b\.toml:1:/);
    expect(() => parseCalibrationToml(ok.replace("t1_us", "t1"), "c.toml")).toThrow("c.toml: qubit 0: unknown key t1");
    expect(() => parseCalibrationToml(ok.replace('"sx"', '"cz"'), "d.toml")).toThrow("d.toml: gate 0: gate must be one of id, rz, sx, x, cx, reset");
    expect(() => parseCalibrationToml(ok.replace("qubits = [0]", "qubits = [0, 1]"), "e.toml")).toThrow("e.toml: gate 0 (sx 0,1): sx takes 1 qubit");
    expect(() => parseCalibrationToml(ok + '[[gate]]\ngate = "sx"\nqubits = [0]\n', "f.toml")).toThrow("f.toml: gate 1 (sx 0): listed twice");
    expect(() => parseCalibrationToml(ok.replace('source = "a test"\n', ""), "g.toml")).toThrow('g.toml: source = "..." must say where the figures come from');
    expect(() => readCalibration(calibrationFile("manila"), "conf.json")).toThrow("manila.toml: a coupling map comes with a props_*.json");
  });
});

describe("the engine", () => {
  let qpu: Qpu;
  beforeAll(async () => { qpu = await newQpu(); }, 120_000);
  const good = encodeCalibration(parseCalibrationToml('source = "t"\n[[qubit]]\n[[qubit]]\n[[gate]]\ngate = "cx"\nqubits = [0, 1]\n', "t.toml"));
  function poked(offset: number, set: (v: DataView) => void): Uint8Array {
    const b = good.slice();
    set(new DataView(b.buffer, offset));
    return b;
  }
  const Q = c.QCAL_HEADER_BYTES, G = c.QCAL_HEADER_BYTES + 2 * c.QCAL_QUBIT_BYTES;
  it("refuses hostile tables with a reason, leaving the QPU ideal", () => {
    const cases: Array<[Uint8Array, string]> = [
      [good.slice(0, 20), "calibration table of 20 bytes"],
      [poked(c.QCAL_HDR_MAGIC, (v) => v.setUint32(0, 1, true)), "its header is wrong"],
      [poked(c.QCAL_HDR_GATES, (v) => v.setUint32(0, 2, true)), "its records do not fill it"],
      [poked(c.QCAL_HDR_QUBITS, (v) => v.setUint32(0, 0xffffffff, true)), "calibration table of"],
      [poked(Q + c.QCAL_Q_T1, (v) => v.setFloat64(0, NaN, true)), "qubit record 0 has a figure out of range"],
      [poked(Q + c.QCAL_QUBIT_BYTES + c.QCAL_Q_P01, (v) => v.setFloat64(0, -0.1, true)), "qubit record 1"],
      [poked(G + c.QCAL_G_Q1, (v) => v.setUint32(0, 0, true)), "gate record 0 is malformed"],
      [poked(G + c.QCAL_G_Q1, (v) => v.setUint32(0, 9, true)), "gate record 0"],
      [poked(G + c.QCAL_G_KIND, (v) => v.setUint32(0, 99, true)), "gate record 0"],
      [poked(G + c.QCAL_G_ERROR, (v) => v.setFloat64(0, Infinity, true)), "gate record 0"],
    ];
    for (const [table, text] of cases) {
      expect(qpu.calibrate(table)).toBe(abi.E_ARG);
      expect(qpu.reason()).toContain(text);
      // Refused: the QPU is ideal again (an uncoupled cx runs).
      expect(qpu.run({ qubits: 3, clbits: 0, instructions: [{ op: "cx", c: 0, t: 2 }] }, 1).code).toBe(1);
    }
    expect(qpu.ex.qpuCalibrationBuffer(1 << 30)).toBe(0);
    expect(qpu.ex.qpuCalibrate(-1)).toBe(abi.E_ARG);
    expect(qpu.calibrate(good)).toBe(abi.OK);
  });
});
