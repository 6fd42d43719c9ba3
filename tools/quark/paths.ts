// The CLI's checks of the paths people give it, before any library or host
// sees them: each refusal names the path, what is wrong with it and what to
// do, on one line (never Node's ENOENT/EISDIR/ECONNREFUSED text).
import { closeSync, openSync, readSync, statSync, type Stats } from "node:fs";
import { basename, dirname } from "node:path";

/** A path the command cannot use: exit 1, one line. */
export class PathError extends Error {}

const WASM_MAGIC = "\0asm";

function stat(path: string): Stats | null {
  try { return statSync(path); } catch { return null; }
}

/** The first bytes of a file, "" when it cannot be read. */
function head(path: string, n: number): string {
  let fd = -1;
  try {
    fd = openSync(path, "r");
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0)).toString("latin1");
  } catch {
    return "";
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

export function isImageFile(path: string): boolean {
  return head(path, 4) === WASM_MAGIC;
}

/** A manifest to build: it exists, is a file, and is not an image. */
export function checkManifest(shown: string, path: string): void {
  const s = stat(path);
  if (!s) throw new PathError(`${shown}: no such file; give a manifest (.toml), e.g. images/default.toml`);
  if (s.isDirectory()) throw new PathError(`${shown}: is a directory; give a manifest file (.toml) in it, e.g. ${shown.replace(/\/$/, "")}/default.toml`);
  if (isImageFile(path)) {
    throw new PathError(`${shown}: is a built image, not a manifest; boot or inspect it as it is (quark boot ${shown}), or build the manifest it came from (.toml)`);
  }
}

/**
 * An image to inspect: a manifest (.toml) given instead gets the command that
 * builds it. Any other file is the image check's to judge, as a boot's is.
 */
export function checkImageNotManifest(shown: string, path: string): void {
  const s = stat(path);
  if (!s || !s.isFile() || isImageFile(path)) return;
  if (path.endsWith(".toml")) {
    const image = shown.replace(/\.toml$/, "") + ".wasm";
    throw new PathError(`${shown}: is a manifest, not an image; build it first (quark build ${shown} writes ${image}), then quark inspect ${image}`);
  }
}

/** A report's --out: refused before the suite runs, rather than after. */
export function checkReportFile(shown: string, path: string): void {
  if (stat(path)?.isDirectory()) throw new PathError(`${shown}: is a directory; give --out a file name, e.g. ${shown.replace(/\/$/, "")}/report.xml`);
  if (!stat(dirname(path))?.isDirectory()) throw new PathError(`${shown}: its directory ${dirname(shown)} does not exist; create it, or give --out a file in one that does`);
}

/** A control socket of a running system (quark boot --control SOCKET). */
export function checkControlSocket(shown: string, path: string): void {
  const s = stat(path);
  const start = `start the system with quark boot IMAGE --control ${shown}`;
  // A system removes its socket when it halts, and quark boot refuses --control for an image without a shell.
  if (!s) throw new PathError(`${shown}: no control socket there; ${start} (its image needs a shell; the socket goes when the system halts)`);
  if (!s.isSocket()) {
    throw new PathError(`${shown}: is a ${s.isDirectory() ? "directory" : "file"}, not a control socket; ${start}`);
  }
}

/** The line for a connection refused on a socket that exists: a system that stopped left it behind. */
export function refusedLine(shown: string): string {
  return `${shown}: no system listens on this control socket (it has stopped); start the system with quark boot IMAGE --control ${shown}`;
}

export function manifestName(path: string): string {
  return basename(path).replace(/\.toml$/, "");
}
