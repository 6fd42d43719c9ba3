// console_write refuses a range that runs past the writer's memory before it
// prints anything: a refusal changes nothing, the console included.
import { describe, expect, it } from "vitest";
import * as abi from "../../kernel/abi";
import { asInit } from "../harness/kernel";

describe("console_write", () => {
  it("prints nothing when the range's end lies outside the writer's memory, and all of a good range", async () => {
    const r = await asInit((b) => {
      const end = b.mem.length;
      b.mem.fill(0x41, end - 600, end); // "AAAA…": the first 512-byte chunk would print
      const before = b.console.join("").length;
      const refused = b.k.console_write(abi.INIT_SLOT_CONSOLE, end - 600, 4096);
      const wrapped = b.k.console_write(abi.INIT_SLOT_CONSOLE, -16, 64); // 2^32 - 16 + 64 wraps past the top
      const printedAfterRefusals = b.console.join("").length - before;
      b.mem.set(new TextEncoder().encode("ok\n"), 0);
      const good = b.k.console_write(abi.INIT_SLOT_CONSOLE, 0, 3);
      return { refused, wrapped, printedAfterRefusals, good, tail: b.console.join("").slice(-3) };
    });
    expect(r).toEqual({ refused: abi.E_FAULT, wrapped: abi.E_FAULT, printedAfterRefusals: 0, good: 3, tail: "ok\n" });
  });
});
