// Hot reload's source (host.spawn with SPAWN_STAGE, docs/machine-abi.md): the
// image file read again (the user may have rebuilt it since boot) through the
// same check as at boot, and module `index` taken from it if it is still the
// module the booted image had there. The same for every engine, and so are
// its refusals (`quark: reload of pid N: ...` on stderr).
import * as abi from "../../kernel/abi";
import { checkImage, compileError, ImageCheckError, readBytes } from "../lib/image-check";
import { engineRefusal } from "./image";

/** Module `index`'s raw bytes as the file holds it now, or E_NOMODULE (said through `say`). */
export function rereadModule(file: string, bootedName: string, pid: number, index: number, say: (line: string) => void): Uint8Array | number {
  try {
    const fresh = checkImage(readBytes(file), file);
    const m = fresh.modules[index];
    if (m?.name !== bootedName) {
      say(`quark: reload of pid ${pid}: module ${index} of ${file} is ${m === undefined ? "missing" : `"${m.name}"`}, not "${bootedName}" (was the image rebuilt from another manifest?)`);
      return abi.E_NOMODULE;
    }
    const why = engineRefusal(m.bytes);
    if (why !== undefined) {
      say(`quark: reload of pid ${pid}: ${compileError(file, m.name, why).message}`);
      return abi.E_NOMODULE;
    }
    return m.bytes;
  } catch (e) {
    say(`quark: reload of pid ${pid}: ${e instanceof ImageCheckError ? e.message : `cannot use ${file}: ${(e as Error).message}`}`);
    return abi.E_NOMODULE;
  }
}
