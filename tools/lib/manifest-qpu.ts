// The manifest's [qpu] table (docs/manifest.md, The QPU): how many qubits the
// image's QPU allows and the device it emulates. The calibration file is read,
// checked and encoded here, so every problem with it is reported as the
// manifest's own, at the line of `calibration`, and the build carries the
// table in the boot table (tools/lib/boot-table.ts) with nothing to read at
// boot. The checks that need the whole image (a device manager and a QPU
// driver among the services) are checkQpuServices.
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import * as keys from "./manifest-keys";
import { amplitudeBytes } from "./qpu-job";
import { CalibrationError, encodeCalibration, readCalibration, type Calibration } from "./qpu-calibration";
import { describeKind, type Position, type TomlEntry, type TomlString, type TomlTable } from "./toml";

/** The image's QPU as the manifest gives it. */
export interface QpuSpec {
  qubits: number;
  /** As written: "ideal", or the path relative to the manifest. */
  calibration: string;
  /** The conf_*.json as written, with a props_*.json. */
  conf?: string;
  /** Where the figures come from (the calibration file's own words), or "ideal". */
  source: string;
  /** The calibrated device's qubits (0 for an ideal QPU). */
  deviceQubits: number;
  /** The encoded calibration table (empty for an ideal QPU): what the driver hands the QPU. */
  table: Uint8Array;
  line: number;
}

export interface QpuReport {
  error(at: Position, message: string, hint: string): void;
}

/** A service as far as the [qpu] checks look at it. */
export interface QpuServiceView {
  name: string;
  caps: { kind: string; name: string }[];
  driver?: { type: number };
}

const IDEAL = "ideal";
const Q = keys.QPU;
export const QPU_KEYS = keys.QPU_KEYS;

/** [qpu], or undefined when the manifest has none (or it is unusable: the errors say why). */
export function qpuSection(entry: TomlEntry | undefined, dir: string, report: QpuReport,
  checkKeys: (t: TomlTable) => void): QpuSpec | undefined {
  if (!entry) return undefined;
  if (entry.value.kind !== "table") {
    report.error(entry.value, `[qpu] must be a table, found ${describeKind(entry.value)}`, 'write [qpu] with qubits = 20 and calibration = "ideal"');
    return undefined;
  }
  const t = entry.value;
  checkKeys(t);
  const qubits = qubitCount(t, report);
  const cal = stringKey(t, "calibration", report);
  const conf = stringKey(t, "conf", report);
  const written = cal?.value ?? Q.calibration.default;
  if (conf && written === IDEAL) {
    report.error(conf, "conf in [qpu] without a props_*.json calibration", 'remove conf, or set calibration = "props_NAME.json" beside it');
    return undefined;
  }
  if (qubits === undefined) return undefined;
  const spec: QpuSpec = { qubits, calibration: written, source: IDEAL, deviceQubits: 0, table: new Uint8Array(0), line: entry.line };
  if (written === IDEAL) return spec;
  const device = calibrationOf(cal!, conf, dir, report);
  if (!device) return undefined;
  if (device.qubits.length < qubits) {
    report.error(t.entries.get("qubits") ?? cal!, `[qpu] allows ${qubits} qubits but the calibration ${cal!.value} describes ${device.qubits.length}`,
      `set qubits = ${device.qubits.length} or fewer in [qpu] (a job cannot use a qubit the device lacks), or use a calibration with more qubits`);
    return undefined;
  }
  return { ...spec, conf: conf?.value, source: device.source, deviceQubits: device.qubits.length, table: encodeCalibration(device) };
}

// qubits: within 1 .. QPU_MAX_QUBITS; past the cap the error says what the amplitudes would take.
function qubitCount(t: TomlTable, report: QpuReport): number | undefined {
  const e = t.entries.get("qubits");
  if (!e) return Q.qubits.default;
  const v = e.value;
  if (v.kind !== "integer") {
    report.error(v, `qubits in [qpu] must be a whole number from ${Q.qubits.min} to ${Q.qubits.max}, found ${describeKind(v)}`, `e.g. qubits = ${Q.qubits.default}`);
    return undefined;
  }
  if (v.value > Q.qubits.max) {
    report.error(v, `qubits in [qpu] is ${v.value}: ${v.value} qubits need ${amplitudeBytes(v.value)} of amplitudes; a QPU allows at most ${Q.qubits.max} (${amplitudeBytes(Q.qubits.max)})`,
      `set qubits = ${Q.qubits.max} or fewer`);
    return undefined;
  }
  if (v.value < Q.qubits.min) {
    report.error(v, `qubits in [qpu] must be from ${Q.qubits.min} to ${Q.qubits.max}, found ${v.value}`, `e.g. qubits = ${Q.qubits.default}`);
    return undefined;
  }
  return v.value;
}

function stringKey(t: TomlTable, key: string, report: QpuReport): TomlString | undefined {
  const e = t.entries.get(key);
  if (!e) return undefined;
  if (e.value.kind === "string") return e.value;
  report.error(e.value, `${key} in [qpu] must be a string, found ${describeKind(e.value)}`,
    key === "conf" ? 'e.g. conf = "conf_kolkata.json"' : 'e.g. calibration = "ideal" or calibration = "../hal/qpu/calibrations/kolkata.toml"');
  return undefined;
}

/** The calibration file, read and checked; its problems are reported at the key that names it. */
function calibrationOf(cal: TomlString, conf: TomlString | undefined, dir: string, report: QpuReport): Calibration | undefined {
  const path = resolve(dir, cal.value);
  const confPath = conf && resolve(dir, conf.value);
  for (const [node, p] of [[cal, path], [conf, confPath]] as const) {
    if (!node || !p) continue;
    if (!existsSync(p) || !statSync(p).isFile()) {
      report.error(node, `[qpu] ${node === cal ? "calibration" : "conf"} "${node.value}" does not exist (${p})`,
        `give a path relative to the manifest's directory${node === cal ? ', or calibration = "ideal"' : ""}`);
      return undefined;
    }
  }
  if (!path.endsWith(".toml") && !path.endsWith(".json")) {
    report.error(cal, `[qpu] calibration "${cal.value}" is neither our calibration file (.toml) nor a Qiskit props_*.json`,
      'give a .toml calibration (docs/qpu.md) or a props_*.json, or calibration = "ideal"');
    return undefined;
  }
  try {
    return readCalibration(path, confPath);
  } catch (e) {
    if (!(e instanceof CalibrationError)) throw e;
    report.error(conf && e.message.startsWith(conf.value.split("/").pop()!) ? conf : cal, `[qpu] calibration: ${e.message}`,
      "fix the file (docs/qpu.md describes both formats), or set calibration = \"ideal\"");
    return undefined;
  }
}

/**
 * An image with a QPU needs the device manager that plugs it (a service with
 * the bus in its caps) and a driver for it (driver = "qpu"); without either
 * the QPU would sit unplugged or undriven, so the build refuses it.
 */
export function checkQpuServices(qpu: QpuSpec, services: QpuServiceView[], qpuType: number, report: QpuReport): void {
  const at = { line: qpu.line, col: 1 };
  if (!services.some((s) => s.caps.some((c) => c.kind === "device" && c.name === "bus"))) {
    report.error(at, "[qpu] without a device manager: nothing would plug the QPU on the bus",
      'add the device manager: [service.devmgr] with module = "../userland/devmgr", caps = ["bus", "log", "init:call"] and interrupts = ["bus", "slots"] (images/devices.toml)');
  }
  if (!services.some((s) => s.driver?.type === qpuType)) {
    report.error(at, "[qpu] without a driver: no service says driver = \"qpu\"",
      'add the QPU\'s driver, e.g. the quantum scheduler: [service.qsched] with module = "../userland/qsched", driver = "qpu" and caps = ["devmgr:call+grant", "init:call"]');
  }
}

