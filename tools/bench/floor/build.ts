// Builds ipc.floor's three modules (kernel.wat, client.wat, server.wat beside
// this file) with every {{NAME}} filled from kernel/abi.ts, so the floor and
// quark agree on every number without writing one twice.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as abi from "../../../kernel/abi";
import * as proto from "../../../userland/lib/proto/index";
import { repoRoot } from "../../lib/root";
import { importPackage } from "../../lib/import-package";

// The floor kernel's own memory layout (not part of the ABI): its slot table
// for pids 0..2 lies below FLOOR_SAMPLES_AT; the samples above it.
const LAYOUT: Record<string, number> = { FLOOR_SAMPLES_AT: 16384, FLOOR_MAX_SAMPLES: 4096 };

export const FLOOR_MODULES = ["kernel", "client", "server"] as const;
export type FloorModules = Record<(typeof FLOOR_MODULES)[number], Uint8Array<ArrayBuffer>>;
export const FLOOR_MAX_SAMPLES = LAYOUT.FLOOR_MAX_SAMPLES;
export const FLOOR_SAMPLES_AT = LAYOUT.FLOOR_SAMPLES_AT;

function fill(name: string, wat: string): string {
  return wat.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_, key: string) => {
    const v = key in LAYOUT ? LAYOUT[key] : ({ ...abi, ...proto } as Record<string, unknown>)[key];
    if (typeof v !== "number") throw new Error(`tools/bench/floor/${name}.wat: {{${key}}} is not a constant of kernel/abi.ts`);
    return String(v);
  });
}

/** The floor's modules as Wasm bytes, also written to build/bench-floor/NAME.wasm (for the wasmtime host). */
export async function buildFloor(): Promise<{ modules: FloorModules; dir: string }> {
  const { default: binaryen } = await importPackage<typeof import("binaryen")>("binaryen");
  const root = repoRoot();
  const dir = join(root, "build", "bench-floor");
  mkdirSync(dir, { recursive: true });
  const modules = {} as FloorModules;
  for (const name of FLOOR_MODULES) {
    const wat = fill(name, readFileSync(join(root, "tools", "bench", "floor", `${name}.wat`), "utf8"));
    const mod = binaryen.parseText(wat);
    mod.setFeatures(binaryen.Features.MVP | binaryen.Features.NontrappingFPToInt);
    if (!mod.validate()) throw new Error(`tools/bench/floor/${name}.wat does not validate`);
    modules[name] = new Uint8Array(mod.emitBinary());
    mod.dispose();
    writeFileSync(join(dir, `${name}.wasm`), modules[name]);
  }
  return { modules, dir };
}
