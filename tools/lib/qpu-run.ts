// `quark qpu run FILE.qasm`: boot an image with a QPU (the default image has
// one), run the program through its shell's `qpu run` (which submits it to
// the quantum scheduler and waits for the job), and give back the counts.
// The program goes to the shell as one line: a line break is written `\n`
// and a backslash `\\`, which the shell turns back, so the parser's
// line:column are the file's own. `--calibration FILE` / `--ideal` build the
// image from its manifest with another [qpu] (the modules come from the
// build cache; only the link is new) into a temporary directory.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { buildImage } from "./build";
import { ctl, type Runtime } from "./ctl";
import { CalibrationError, encodeCalibration, readCalibration } from "./qpu-calibration";
import type { Manifest } from "./manifest";
import { repoRoot } from "./root";
import { QPU_MAX_SHOTS, QPU_DEFAULT_QUBITS } from "../../hal/qpu/job-format";

/** The shell's longest line (userland/shell/console.ts's LINE_MAX). */
export const SHELL_LINE_MAX = 4096;
/** Seeds stay exact in JSON: a JSON number is a double. */
export const SEED_MAX = Number.MAX_SAFE_INTEGER;
export const SHOTS_DEFAULT = 1024;

export interface QpuRunOptions {
  file: string;
  shots?: number;
  /** Absent: a random one, given back in the result. */
  seed?: number;
  /** A calibration (our .toml or a Qiskit props_*.json) for the image's [qpu] instead of its own. */
  calibration?: string;
  /** With a props_*.json: its conf_*.json (the coupling map). */
  conf?: string;
  /** An ideal QPU (no noise, every pair coupled) instead of the image's. */
  ideal?: boolean;
  runtime: Runtime;
  /** The manifest to boot (default: images/default.toml). */
  image?: string;
  log?: (s: string) => void;
}

export interface QpuRunResult {
  counts: Record<string, number>;
  shots: number;
  qubits: number;
  seed: number;
  duration_us: number;
}

/** The program does not parse: where in the file, and what the parser said. */
export class QpuProgramError extends Error {
  constructor(readonly file: string, readonly line: number, readonly col: number, readonly text: string) {
    super(`${file}:${line}:${col}: ${text}`);
    this.name = "QpuProgramError";
  }
}

/** The system refused the run (a program it cannot place, a calibration it cannot read, ...). */
export class QpuRunError extends Error {
  override name = "QpuRunError";
}

/** The program as one shell line: `\` as `\\`, each line break as `\n` (CR LF as one). */
export function programLine(text: string): string {
  return text.replace(/\r\n/g, "\n").replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/(\\n)+$/, "");
}

export async function qpuRun(o: QpuRunOptions): Promise<QpuRunResult> {
  let source: string;
  try {
    source = readFileSync(o.file, "utf8");
  } catch (e) {
    throw new QpuRunError(`${o.file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const shots = o.shots ?? SHOTS_DEFAULT;
  const seed = o.seed ?? Number(randomBytes(8).readBigUInt64LE() % BigInt(SEED_MAX + 1));
  const command = `qpu run --json --shots ${shots} --seed ${seed} ${programLine(source)}`;
  if (Buffer.byteLength(command) > SHELL_LINE_MAX) {
    throw new QpuRunError(`${o.file}: ${Buffer.byteLength(source)} bytes of OpenQASM make a shell line of ${Buffer.byteLength(command)} bytes; ` +
      `the shell takes ${SHELL_LINE_MAX}: shorten the program (comments count too)`);
  }
  const image = await imageFor(o);
  try {
    const r = await ctl(image.path, [command], o.runtime);
    return answer(r.output, o.file);
  } finally {
    image.dispose();
  }
}

/** The shell's answer: the --json line, or why it refused (a parse error with the file's line and column). */
function answer(output: string, file: string): QpuRunResult {
  const lines = output.split("\n").filter((l) => l.length > 0);
  const json = lines.find((l) => l.startsWith('{"counts"'));
  if (json) {
    const j = JSON.parse(json) as QpuRunResult & { job?: number };
    const counts = Object.fromEntries(Object.keys(j.counts).sort().map((k) => [k, j.counts[k]]));
    return { counts, shots: j.shots, qubits: j.qubits, seed: j.seed, duration_us: j.duration_us };
  }
  const said = lines.find((l) => l.startsWith("qpu")) ?? lines[0] ?? "no answer from the shell";
  const parse = /^qpu run: (\d+):(\d+): (.*)$/.exec(said);
  if (parse) throw new QpuProgramError(file, Number(parse[1]), Number(parse[2]), parse[3]);
  throw new QpuRunError(said);
}

/** The image to boot: the manifest's, or one built from it with another [qpu]. */
async function imageFor(o: QpuRunOptions): Promise<{ path: string; dispose: () => void }> {
  const root = repoRoot();
  const manifest = resolve(o.image ?? join(root, "images", "default.toml"));
  if (!o.calibration && !o.ideal) {
    const r = await buildImage(manifest, { root, log: o.log });
    return { path: r.out, dispose: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), "quark-qpu-"));
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  try {
    const r = await buildImage(manifest, { root, log: o.log, out: join(dir, "image.wasm"), edit: (m) => withQpu(m, o, manifest) });
    return { path: r.out, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}

/** The manifest with its [qpu] given another calibration: as many qubits as before, at most the calibration's. */
function withQpu(m: Manifest, o: QpuRunOptions, manifest: string): Manifest {
  if (!m.qpu) throw new QpuRunError(`${manifest} has no [qpu]: --calibration and --ideal replace an image's QPU; give --image a manifest with one (images/default.toml has)`);
  const qubits = m.qpu.qubits ?? QPU_DEFAULT_QUBITS;
  if (o.ideal) return { ...m, qpu: { ...m.qpu, calibration: "ideal", conf: undefined, source: "ideal", deviceQubits: 0, table: new Uint8Array(0) } };
  let cal;
  try {
    cal = readCalibration(resolve(o.calibration!), o.conf ? resolve(o.conf) : undefined);
  } catch (e) {
    if (e instanceof CalibrationError) throw new QpuRunError(`--calibration: ${e.message}`);
    throw e;
  }
  return {
    ...m,
    qpu: {
      ...m.qpu, qubits: Math.min(qubits, cal.qubits.length), calibration: relative(m.dir, resolve(o.calibration!)),
      conf: o.conf && relative(m.dir, resolve(o.conf)), source: cal.source, deviceQubits: cal.qubits.length, table: encodeCalibration(cal),
    },
  };
}

/** Text output: one `bitstring count` per line, sorted by bitstring. */
export function countsText(r: QpuRunResult): string {
  return Object.keys(r.counts).sort().map((k) => `${k} ${r.counts[k]}\n`).join("");
}

export { QPU_MAX_SHOTS };
