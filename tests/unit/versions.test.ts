// Interface versions and dependency constraints (tools/lib/versions.ts), and
// the manifest keys that use them.
import { describe, expect, it } from "vitest";
import * as abi from "../../kernel/abi";
import { parseVersion, parseConstraint, formatVersion, packVersion, satisfies } from "../../tools/lib/versions";
import { parseManifestText, ManifestError } from "../../tools/lib/manifest";
import { join } from "node:path";
import { repoRoot } from "../../tools/lib/root";

const root = repoRoot();
const file = join(root, "images", "versions-test.toml");
const v = (s: string): number => parseVersion(s) as number;
const range = (s: string) => parseConstraint(s) as { min: number; max: number; text: string };

describe("versions", () => {
  it("packs MAJOR.MINOR.PATCH the way init compares them", () => {
    expect(v("1.2.3")).toBe((1 << abi.VERSION_MAJOR_SHIFT) | (2 << abi.VERSION_MINOR_SHIFT) | 3);
    expect(v("1")).toBe(packVersion(1, 0, 0));
    expect(formatVersion(v("4.5.6"))).toBe("4.5.6");
    expect(v("1.10.0")).toBeGreaterThan(v("1.9.9"));
  });

  it("refuses what is not a version, naming the problem", () => {
    expect(parseVersion("1.x")).toEqual({ problem: expect.stringContaining("not a version") });
    expect(parseVersion("1.2000.0")).toEqual({ problem: expect.stringContaining("over 1023") });
    expect(parseVersion("5000.0.0")).toEqual({ problem: expect.stringContaining("over 4095") });
  });

  it("reads caret, tilde, comparisons and exact constraints as half-open ranges", () => {
    expect(range("^1.2")).toMatchObject({ min: v("1.2.0"), max: v("2.0.0") });
    expect(range("^0.3.1")).toMatchObject({ min: v("0.3.1"), max: v("0.4.0") });
    expect(range("~1.2")).toMatchObject({ min: v("1.2.0"), max: v("1.3.0") });
    expect(range(">=1.2 <3")).toMatchObject({ min: v("1.2.0"), max: v("3.0.0") });
    expect(range("=1.2.3")).toMatchObject({ min: v("1.2.3"), max: v("1.2.3") + 1 });
    expect(range("1.2.3")).toMatchObject({ min: v("1.2.3"), max: v("1.2.3") + 1 });
    expect(range(">1.0.0")).toMatchObject({ min: v("1.0.0") + 1, max: abi.VERSION_ANY_MAX });
    expect(satisfies(v("1.9.0"), range("^1.2"))).toBe(true);
    expect(satisfies(v("2.0.0"), range("^1.2"))).toBe(false);
    expect(parseConstraint(">=2 <1")).toEqual({ problem: expect.stringContaining("allows no version") });
    expect(parseConstraint("^one")).toEqual({ problem: expect.stringContaining("not a version") });
  });
});

const HEAD = ['[image]', 'name = "versions-test"', ""];
const LOG = ['[service.log]', 'module = "../userland/log"', 'caps = ["console"]'];

function manifest(...lines: string[]) { return parseManifestText([...HEAD, ...lines].join("\n"), file, { root }); }
function errors(...lines: string[]): string[] {
  try { manifest(...lines); } catch (e) { return (e as ManifestError).diagnostics.map((d) => `${d.line}: ${d.message} | ${d.hint}`); }
  return [];
}

describe("manifest: versions, readiness, heartbeats, tags, instances", () => {
  it("keeps a dependency's constraint and the versions, tags and health settings", () => {
    const m = manifest(...LOG, 'version = "1.4.0"', 'tags = ["core", "logging"]', "",
      '[service.echo]', 'module = "../userland/echo"', 'requires = ["log ^1.2"]', 'heartbeat = "500ms"', 'ready = "notify"',
      'start_timeout = "3s"', 'instances = 3', 'interface = "quark.echo"');
    const [log, echo] = m.services;
    expect(log.version).toBe(v("1.4.0"));
    expect(log.tags).toEqual(["core", "logging"]);
    expect(echo.requires).toEqual(["log"]);
    expect(echo.ranges.log).toMatchObject({ min: v("1.2.0"), max: v("2.0.0"), text: "^1.2" });
    expect(echo).toMatchObject({ heartbeatMs: 500, ready: "notify", startTimeoutMs: 3000, instances: 3, interface: "quark.echo" });
    expect(m.healthMs).toBe(abi.DEFAULT_HEALTH_MS);
  });

  it("refuses a constraint its dependency's declared version does not meet, at the constraint", () => {
    expect(errors(...LOG, 'version = "2.1.0"', "", '[service.echo]', 'module = "../userland/echo"', 'requires = ["log ^1.0"]'))
      .toEqual(['11: service "echo" needs log ^1.0, but log is version 2.1.0 | change the constraint, or build log with an interface version in range']);
  });

  it("refuses a constraint on a dependency that declares no version, saying what to add", () => {
    expect(errors(...LOG, "", '[service.echo]', 'module = "../userland/echo"', 'wants = ["log >=1"]')[0])
      .toMatch(/^10: service "echo" needs log >=1, but log declares no version \| add version = "1.0.0"/);
  });

  it("names the problem in a malformed version, constraint, readiness, tag or instance count", () => {
    const e = errors(...LOG, 'version = "one"', 'ready = "soon"', 'tags = ["Bad Tag"]', 'instances = 0', "",
      '[service.echo]', 'module = "../userland/echo"', 'requires = ["log ^x"]');
    expect(e).toHaveLength(5);
    expect(e[0]).toMatch(/^7: version of service "log": "one" is not a version/);
    expect(e[1]).toMatch(/^8: invalid ready "soon" for service "log" \| "started": .*"notify"/);
    expect(e[2]).toMatch(/^9: invalid tag "Bad Tag"/);
    expect(e[3]).toMatch(/^10: instances of service "log" must be a whole number from 1 to 16/);
    expect(e[4]).toMatch(/^14: version constraint of requires "log" of service "echo": in "\^x"/);
  });

  it("counts every instance against the process table", () => {
    const many = Array.from({ length: 4 }, (_, i) => [`[service.s${i}]`, 'module = "../userland/echo"', "instances = 16", ""]).flat();
    expect(errors(...LOG, "", ...many).join("\n")).toMatch(/65 processes with every instance counted: more than the 62/);
  });

  it("warns about restart = \"always\" that would allow a restart storm, and not about a throttled one", () => {
    const storm = manifest(...LOG, 'restart = "always"', "max_restarts = 500", 'restart_window = "1s"');
    expect(storm.warnings.map((w) => `${w.line}: ${w.message} | ${w.hint}`)).toEqual([
      '8: service "log" may restart 500 times in 1000 ms with no delay: a crash loop would restart it about 500 times a second | ' +
      'set restart_delay (e.g. "50ms") with restart_backoff = "exponential", or lower max_restarts',
    ]);
    expect(manifest(...LOG, 'restart = "always"', "max_restarts = 500", 'restart_window = "1s"', 'restart_delay = "10ms"').warnings).toEqual([]);
  });

  it("takes the health interval from [image], 0 turning health checks off", () => {
    expect(parseManifestText(['[image]', 'name = "x"', 'health_interval = "0ms"', "", ...LOG].join("\n"), file, { root }).healthMs).toBe(0);
  });
});
