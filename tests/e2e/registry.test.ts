// Registry names belong to their owners (tests/fixtures/registry): a hostile
// service cannot register another's name, instance name or tag; it fills only
// its own quota while others still register; a free name it held can be taken
// once it gives it back or dies; lookups never return an impostor.
import { describe, expect, it, beforeAll } from "vitest";
import { join } from "node:path";
import { quark, root } from "./helpers";
import * as abi from "../../kernel/abi";

const manifest = join(root, "tests", "fixtures", "registry", "image.toml");

describe("registry ownership", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  it.each(["node", "wasmtime"])("names and tags are their owners', quotas are per service (%s)", (runtime) => {
    const input = "sleep 100\nsvc lookup echo --all\nsvc lookup demo --tag --all\nsvc stop echo\nsleep 100\nsvc lookup echo\nsvc registry\n";
    const r = quark(["boot", manifest.replace(/\.toml$/, ".wasm"), "--runtime", runtime], { input });
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toContain(`tenant: squatter as echo: ${abi.E_PERM}, as echo#2: ${abi.E_PERM}, with echo's tag: ${abi.E_PERM}\n`);
    expect(out).toMatch(/init: audit: pid \d+ \(squatter\), through its registry capability: register echo demo: E_PERM \(the name echo belongs to service echo\)\n/);
    expect(out).toMatch(/register squat demo: E_PERM \(the tag demo belongs to service echo\)\n/);
    expect(out).toContain("tenant: squatter takes spot: ok\n");
    expect(out).toContain(`tenant: squatter filled: ${abi.DEFAULT_REGISTRATIONS - 1} more, then ${abi.E_NOSPACE}\n`);
    expect(out).toContain("tenant: tenant registers tenant-a: ok\n");
    expect(out).toContain(`tenant: tenant registers spot while squatter holds it: ${abi.E_PERM}\n`);
    expect(out).toContain("tenant: squatter unregisters spot: 0\n");
    expect(out).toContain("tenant: tenant registers spot: ok\n");
    expect(out).toContain(`tenant: tenant registers den while squatter holds it: ${abi.E_PERM}\n`);
    expect(out).toContain(`tenant: squatter dies: ${abi.E_CRASHED}\n`);
    expect(out).toContain("tenant: tenant registers den after squatter died: ok\n");
    // Lookups find echo alone, by name and by tag; once echo is stopped, nothing.
    const shell = out.split("\n").filter((l) => !l.startsWith("["));
    expect(shell.filter((l) => /^echo \(pid \d+, entry 1,/.test(l))).toHaveLength(2);
    expect(out).toContain("no healthy service matches echo\n");
    expect(out).not.toMatch(/^(echo|squat|spot|den) .*squatter/m);
    const table = shell.filter((l) => /^\d+ /.test(l)).map((l) => l.split(/\s+/).slice(1, 3));
    expect(table).toContainEqual(["spot", "tenant"]);
    expect(table).toContainEqual(["den", "tenant"]);
    expect(table.filter(([, svc]) => svc === "squatter").map(([n]) => n)).toEqual(["squatter"]); // its manifest entry only
  });
});
