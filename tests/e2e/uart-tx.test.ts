// The UART's transmit by DMA through the kernel, under both hosts
// (tests/fixtures/uart-tx, hal/uart.ts, docs/devices.md: The console
// driver). txdrv drives the UART in place of the console driver: a transfer
// before any binding is refused by the kernel, every bad length by the
// device, a range unmapped, unreadable or past 4 GiB whole, and none of them
// sends a byte; a first line, a full UART_TX_MAX transfer of 64 lines and
// partial lines (joined to the next transfer, or sent by FLUSH) come out
// byte for byte; unbound again, the UART reaches no memory.
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { quark, root } from "./helpers";

const manifest = join(root, "tests", "fixtures", "uart-tx", "image.toml");
const image = manifest.replace(/\.toml$/, ".wasm");

const full = Array.from({ length: 64 }, (_, l) => {
  const t = `txdrv: line ${String(l).padStart(2, "0")} `;
  return t + ".".repeat(63 - t.length);
});

describe("the UART's transmit by DMA", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  it.each(["node", "wasmtime"])("sends what it is given, byte for byte, and refuses every bad value with its status (%s)", (runtime) => {
    const r = quark(["boot", image, "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("never");
    expect(r.stdout.split("\n").filter((l) => l.startsWith("txdrv: "))).toEqual([
      "txdrv: before binding: status idle; a transfer E_STATE",
      "txdrv: bind: OK; again: OK",
      "txdrv: the first line by DMA",
      "txdrv: its status: 29",
      "txdrv: lengths: 0 E_ARG, -1 E_ARG, 4097 E_ARG, 2147483647 E_ARG, -2147483648 E_ARG",
      "txdrv: unmapped E_UNMAPPED, running off the mapping E_UNMAPPED, past 4 GiB E_ARG, unreadable E_PROT, running into it E_PROT",
      ...full,
      "txdrv: a full transfer: 4096",
      "txdrv: a partial line, joined to the next transfer",
      "txdrv: a partial line, sent by FLUSH",
      "txdrv: unbind: OK; a transfer then E_STATE",
    ]);
  });
});
