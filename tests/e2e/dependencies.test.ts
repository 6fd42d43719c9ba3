// Dependencies at run time (tests/fixtures/deps): stopping a required
// dependency stops what requires it, starting it again brings them back, and
// restarting it restarts the services that bind to it.
import { describe, expect, it, beforeAll } from "vitest";
import { join } from "node:path";
import { quark, root, lifecycle } from "./helpers";

const manifest = join(root, "tests", "fixtures", "deps", "image.toml");
const SCRIPT = "svc stop base\nsleep 30\nsvc list --json\nsvc start base\nsleep 30\nsvc list --json\nsvc restart base\nsvc list --json\nsvc events plain --json\n";

type Row = { name: string; state: string; restarts: number };
const states = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r.name, `${r.state}/${r.restarts}`]));

describe("dependencies", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  it.each(["node", "wasmtime"])("stop what requires a stopped service, start it again when it is back, restart what binds to it (%s)", (runtime) => {
    const r = quark(["boot", manifest.replace(/\.toml$/, ".wasm"), "--runtime", runtime], { input: SCRIPT });
    expect(r.code, r.stderr).toBe(0);
    const lists = r.stdout.split("\n").filter((l) => l.startsWith('[{"name"')).map((l) => states(JSON.parse(l)));
    expect(lists).toHaveLength(3);
    expect(lists[0]).toMatchObject({ base: "stopped/0", plain: "stopped/0", bound: "stopped/0", log: "running/0" });
    expect(lists[1]).toMatchObject({ base: "running/0", plain: "running/0", bound: "running/0" });
    expect(lists[2]).toMatchObject({ base: "running/1", plain: "running/0", bound: "running/1" });
    expect(r.stdout).toContain("init: stopping plain: it requires base, which is down");
    expect(r.stdout).toContain("init: started plain again: base is back");
    expect(r.stdout).toContain("init: restarted bound with base (binds_to)");
    const events: { event: string }[] = JSON.parse(r.stdout.split("\n").find((l) => l.startsWith('[{"event"'))!);
    expect(lifecycle(events)).toEqual(["started", "held", "stopping", "exited", "started"]);
  });
});
