// The QPU in an image (docs/manifest.md, The QPU; docs/qpu.md): the
// manifest's [qpu] table, checked by the build with errors naming the line
// and the fix; the calibration carried in the boot table; the devmgr
// plugging the QPU at its first start and not again after a restart; init's
// TAG_INIT_QPU answering the QPU's driver only and refusing a lease too short
// for the table. Booted under both hosts (tests/fixtures/qpu-image).
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as abi from "../../kernel/abi";
import { decodeBootTable } from "../../tools/lib/boot-table";
import { readImage } from "../../tools/lib/image";
import { readFileSync } from "node:fs";
import { ManifestError, parseManifestText, type Diagnostic } from "../../tools/lib/manifest";
import { encodeCalibration, readCalibration } from "../../tools/lib/qpu-calibration";
import { quark, root } from "./helpers";

const dir = join(root, "tests", "fixtures", "qpu-image");
const manifest = join(dir, "image.toml");
const image = manifest.replace(/\.toml$/, ".wasm");
const manila = join(root, "hal", "qpu", "calibrations", "manila.toml");

/** The lines services logged, without their time stamps. */
function serviceLines(stdout: string, who: string[]): string[] {
  return stdout.split("\n").map((l) => l.replace(/^\s*\[\s*[\d.]+\] /, "")).filter((l) => who.some((w) => l.startsWith(`${w}: `)));
}

function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

// ---------------------------------------------------------------- the manifest

const SERVICES = [
  "[service.log]", 'module = "../../../userland/log"', 'caps = ["console"]',
  "[service.devmgr]", 'module = "../../../userland/devmgr"', 'caps = ["bus", "log", "init:call"]', 'interrupts = ["bus", "slots"]',
  "[service.qdrv]", 'module = "qdrv"', 'driver = "qpu"', 'caps = ["devmgr:call+grant", "log", "init:call"]',
];

/** A manifest in the fixture's directory: [image], then `qpu` lines, then `services`. */
function parse(qpu: string[], services = SERVICES) {
  const text = ['[image]', 'name = "t"', ...qpu, ...services].join("\n") + "\n";
  return parseManifestText(text, join(dir, "t.toml"), { root });
}

function errors(qpu: string[], services = SERVICES): Diagnostic[] {
  try {
    parse(qpu, services);
  } catch (e) {
    if (e instanceof ManifestError) return e.diagnostics;
    throw e;
  }
  throw new Error("the manifest was accepted");
}

describe("the manifest's [qpu]", () => {
  it("takes qubits and a calibration (ours, a Qiskit props JSON, or ideal), and defaults to 20 ideal qubits", () => {
    expect(parse(["[qpu]"]).qpu).toMatchObject({ qubits: 20, calibration: "ideal", source: "ideal", table: new Uint8Array(0) });
    expect(parse([]).qpu).toBeUndefined();
    const toml = parse(["[qpu]", "qubits = 5", 'calibration = "../../../hal/qpu/calibrations/manila.toml"']).qpu!;
    expect(toml.qubits).toBe(5);
    expect(toml.source).toMatch(/^ibmq_manila/);
    expect(toml.table).toEqual(encodeCalibration(readCalibration(manila)));
    const props = parse(["[qpu]", "qubits = 3", 'calibration = "props_manila.json"']).qpu!;
    expect(props.source).toBe("ibmq_manila, calibrated 2021-11-18T14:52:32-05:00 (props_manila.json)");
    expect(props.deviceQubits).toBe(5);
  });

  it("refuses more qubits than a QPU allows, naming the memory they would need", () => {
    const [e] = errors(["[qpu]", "qubits = 27"]);
    expect(e).toMatchObject({ line: 4, col: 10 });
    expect(e.message).toBe("qubits in [qpu] is 27: 27 qubits need 2 GiB of amplitudes; a QPU allows at most 26 (1 GiB)");
    expect(e.hint).toBe("set qubits = 26 or fewer");
    expect(errors(["[qpu]", "qubits = 0"])[0].message).toBe("qubits in [qpu] must be from 1 to 26, found 0");
    expect(errors(["[qpu]", 'qubits = "20"'])[0].message).toBe("qubits in [qpu] must be a whole number from 1 to 26, found a string");
  });

  it("refuses a calibration that is missing, malformed, of another kind, or smaller than the QPU", () => {
    const missing = errors(["[qpu]", 'calibration = "nosuch.toml"']);
    expect(missing[0]).toMatchObject({ line: 4, col: 15 });
    expect(missing[0].message).toMatch(/^\[qpu\] calibration "nosuch.toml" does not exist/);
    expect(missing[0].hint).toBe('give a path relative to the manifest\'s directory, or calibration = "ideal"');
    const bad = join(mkdtempSync(join(tmpdir(), "quark-qpu-image-")), "bad.toml");
    writeFileSync(bad, "source = 3\n[[qubit]]\nt1_us = -1\n");
    const malformed = errors(["[qpu]", `calibration = ${JSON.stringify(bad)}`]);
    expect(malformed[0].line).toBe(4);
    expect(malformed[0].message).toMatch(/^\[qpu\] calibration: bad.toml: /);
    expect(malformed[0].hint).toMatch(/docs\/qpu.md/);
    expect(errors(["[qpu]", 'calibration = "image.toml.txt"'])[0].message).toMatch(/does not exist/);
    expect(errors(["[qpu]", 'calibration = "qdrv/index.ts"'])[0].message).toBe(
      '[qpu] calibration "qdrv/index.ts" is neither our calibration file (.toml) nor a Qiskit props_*.json');
    const small = errors(["[qpu]", 'calibration = "../../../hal/qpu/calibrations/manila.toml"']);
    expect(small[0].message).toBe("[qpu] allows 20 qubits but the calibration ../../../hal/qpu/calibrations/manila.toml describes 5");
    expect(small[0].hint).toMatch(/^set qubits = 5 or fewer in \[qpu\]/);
    expect(errors(["[qpu]", 'conf = "conf.json"'])[0].message).toBe("conf in [qpu] without a props_*.json calibration");
    expect(errors(["[qpu]", "qbits = 3"])[0].hint).toMatch(/^did you mean "qubits"\?/);
  });

  it("refuses a QPU without a device manager or without a driver, saying what to add", () => {
    // A service named devmgr that does not hold the bus plugs nothing.
    const noDevmgr = errors(["[qpu]"], [...SERVICES.slice(0, 5), 'caps = ["log"]', ...SERVICES.slice(7)]);
    expect(noDevmgr.map((d) => d.message)).toEqual(["[qpu] without a device manager: nothing would plug the QPU on the bus"]);
    expect(noDevmgr[0]).toMatchObject({ line: 3, col: 1 });
    expect(noDevmgr[0].hint).toMatch(/^add the device manager: \[service.devmgr\]/);
    const noDriver = errors(["[qpu]"], SERVICES.slice(0, 7));
    expect(noDriver.map((d) => d.message)).toEqual(['[qpu] without a driver: no service says driver = "qpu"']);
    expect(noDriver[0].hint).toMatch(/driver = "qpu"/);
  });

  it("says the same through quark build, with the file and line", () => {
    const d = mkdtempSync(join(tmpdir(), "quark-qpu-image-"));
    const m = join(d, "big.toml");
    writeFileSync(m, ['[image]', 'name = "big"', "[qpu]", "qubits = 30", ...SERVICES.map((l) => l.replace("../../../", `${root}/`).replace('"qdrv"', JSON.stringify(join(dir, "qdrv"))))].join("\n") + "\n");
    const r = quark(["build", m]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${m}:4:10: error: qubits in [qpu] is 30: 30 qubits need 16 GiB of amplitudes; a QPU allows at most 26 (1 GiB)`);
  });
});

// ---------------------------------------------------------------- booted

describe("the QPU of an image, booted", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  it("carries the qubits and the encoded calibration in the boot table, and a GRANT_PLUG record for the devmgr", () => {
    const img = readImage(new Uint8Array(readFileSync(image)), image);
    const table = decodeBootTable(img.bootTable);
    expect(table.qpu?.qubits).toBe(5);
    expect(table.qpu?.calibration).toEqual(encodeCalibration(readCalibration(manila)));
    const devmgr = table.services.find((s) => s.name === "devmgr")!;
    expect(devmgr.grants).toContainEqual({ kind: abi.GRANT_PLUG, target: abi.DEV_TYPE_QPU, rights: 0, label: 0 });
    expect(table.services.filter((s) => s.grants.some((g) => g.kind === abi.GRANT_PLUG)).map((s) => s.name)).toEqual(["devmgr"]);
  });

  it("shows the QPU in quark inspect: qubits, calibration source, each qubit's T1/T2/readout error, the coupled pairs with their errors", () => {
    const cal = readCalibration(manila);
    const j = quark(["inspect", image, "--json"]);
    expect(j.code, j.stderr).toBe(0);
    const q = JSON.parse(j.stdout).qpu;
    expect(q).toMatchObject({ qubits: 5, calibration: "../../../hal/qpu/calibrations/manila.toml", source: cal.source, tableBytes: encodeCalibration(cal).length });
    expect(q.qubitFigures).toHaveLength(5);
    expect(q.qubitFigures[2].t1Us).toBeCloseTo(cal.qubits[2].t1Ns / 1000, 9);
    expect(q.qubitFigures[2].t2Us).toBeCloseTo(cal.qubits[2].t2Ns / 1000, 9);
    expect(q.qubitFigures[2].prob0Given1).toBe(cal.qubits[2].prob0Given1);
    const cx = cal.gates.filter((g) => g.gate === "cx");
    expect(q.pairs.map((p: { control: number; target: number }) => `${p.control}-${p.target}`)).toEqual(cx.map((g) => g.qubits.join("-")));
    expect(q.pairs[0].error).toBe(cx[0].error);
    const t = quark(["inspect", image]);
    expect(t.stdout).toContain("qpu: 5 qubits of a 5-qubit device, calibration ../../../hal/qpu/calibrations/manila.toml");
    expect(t.stdout).toMatch(/\n +2 +158\.6 +25\.2 +0\.0964 /);
    expect(t.stdout).toContain(`  coupled pairs (cx): ${cx.length}\n`);
    expect(t.stdout).toMatch(/\n {2}3-4 +5\.696e-3 +334\n/);
  });

  const logs: Record<string, string[]> = {};

  it.each(["node", "wasmtime"])("plugs the QPU at boot, binds its driver, gives it the calibration, refuses others, and plugs no second one after a devmgr restart (%s)", (runtime) => {
    const hash = fnv1a(encodeCalibration(readCalibration(manila))).toString(16);
    const qpu = `qpu-${abi.BUS_FIRST_ID}`;
    const r = quark(["ctl", image, "--runtime", runtime, "dev list --json", "svc restart devmgr", "sleep 50", "dev list --json",
      `dev unplug ${qpu}`, "svc restart devmgr", "sleep 50", "dev list --json", "caps devmgr", "log 60"]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const lists = r.stdout.split("\n").filter((l) => l.startsWith("[")).map((l) => JSON.parse(l) as { type: string; name: string; driver: string }[]);
    const qpus = lists.map((list) => list.filter((d) => d.type === "qpu").map((d) => `${d.name} ${d.driver}`));
    // Plugged at boot and bound; the same one after a restart; none after an unplug and a restart.
    expect(qpus).toEqual([[`${qpu} qdrv`], [`${qpu} qdrv`], []]);
    expect(r.stdout).toContain("devmgr holds the image's qpu device, to plug at boot\n");
    const lines = serviceLines(r.stdout, ["qdrv", "nosy"]);
    expect(lines).toEqual(expect.arrayContaining([
      "nosy: TAG_INIT_QPU: E_PERM",
      `qdrv: attached qpu-${abi.BUS_FIRST_ID} in slot ${abi.BUS_STATIC_SLOTS}`,
      `qdrv: no lease: OK, qubits 5, calibration ${encodeCalibration(readCalibration(manila)).length} bytes`,
      `qdrv: a lease 1 byte short: E_NOSPACE; read-only: E_RIGHTS; room for it: OK, hash ${hash}`,
      "qdrv: QPU_QUBITS 5",
    ]));
    logs[runtime] = lines.filter((l) => !l.includes("attached"));
  });

  it("answers the same under both hosts", () => {
    // Each service's lines in its own order; nosy's and qdrv's interleave as real time has it (nosy asks after a 1 ms timer).
    const byService = (lines: string[]) => ["qdrv", "nosy"].map((w) => lines.filter((l) => l.startsWith(`${w}: `)));
    expect(byService(logs.wasmtime)).toEqual(byService(logs.node));
  });
});
