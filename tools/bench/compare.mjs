#!/usr/bin/env node
// node tools/bench/compare.mjs REV: `npm run bench` of an older build beside
// this checkout's, on the same machine in the same minutes. Absolute times on
// a shared machine drift by 2x within hours, so the two builds run in turns
// (old new new old old new ...: a drift that is linear in time weighs on both
// alike) and each figure is the median of its p50 over the runs.
//
// REV is checked out into a temporary git worktree that borrows this
// checkout's node_modules and .venv (symlinks: the same pinned compiler,
// engine and wheel), and is removed at the end unless --keep.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, symlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { collect, compareRows, formatCompare } from "./compare-table.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

const USAGE = `usage: node tools/bench/compare.mjs REV [options]

Runs \`quark bench --json\` of REV (any git revision) and of this checkout in
turns on this machine, and prints each figure's p50 for both, per host, with
the ratio new/old; SLOWER marks a figure the new build loses by more than the
tolerance.

  --runtime node|wasmtime|both   hosts to measure (default both)
  --rounds N                     runs of each build (default 3; odd is best)
  --full                         the full bench (default: --quick, fewer samples)
  --tolerance PCT                a figure is SLOWER beyond this many percent (default 0)
  --new DIR|REV                  the new build: a checkout, or a revision put in a
                                 worktree too (default: this checkout, as it is)
  --json                         the rows as JSON instead of the table
  --keep                         leave the worktree of REV in place (its path is printed)
  --help                         this text`;

function parseArgs(argv) {
  const o = { runtime: "both", rounds: 3, quick: true, tolerance: 0, json: false, keep: false, newDir: ROOT, rev: undefined };
  const value = (i, flag) => {
    if (i + 1 >= argv.length) fail(`${flag} needs a value`);
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") { process.stdout.write(USAGE + "\n"); process.exit(0); }
    else if (a === "--runtime") { o.runtime = value(i++, a); if (!["node", "wasmtime", "both"].includes(o.runtime)) fail(`--runtime must be node, wasmtime or both, not "${o.runtime}"`); }
    else if (a === "--rounds") { o.rounds = wholeNumber(value(i++, a), a, 1, 99); }
    else if (a === "--tolerance") { o.tolerance = wholeNumber(value(i++, a), a, 0, 100) / 100; }
    else if (a === "--new") { const v = value(i++, a); o.newDir = existsSync(v) ? resolve(v) : v; }
    else if (a === "--full") o.quick = false;
    else if (a === "--json") o.json = true;
    else if (a === "--keep") o.keep = true;
    else if (a.startsWith("-")) fail(`unknown option ${a}`);
    else if (o.rev === undefined) o.rev = a;
    else fail(`one revision only (got "${o.rev}" and "${a}")`);
  }
  if (o.rev === undefined) fail("which revision? (REV)");
  return o;
}

function wholeNumber(s, flag, lo, hi) {
  if (!/^\d+$/.test(s) || Number(s) < lo || Number(s) > hi) fail(`${flag} must be a whole number from ${lo} to ${hi}, not "${s}"`);
  return Number(s);
}

function fail(msg) {
  process.stderr.write(`compare: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

function git(args, cwd = ROOT) {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout.trim();
}

/** A detached worktree of `rev` sharing this checkout's installed packages. */
function addWorktree(rev) {
  const commit = git(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
  const dir = mkdtempSync(join(tmpdir(), `quark-bench-${commit.slice(0, 7)}-`));
  git(["worktree", "add", "--detach", dir, commit]);
  for (const shared of ["node_modules", ".venv"]) {
    if (existsSync(join(ROOT, shared))) symlinkSync(join(ROOT, shared), join(dir, shared));
  }
  return { dir, commit };
}

/** The new side: a directory as it is, or a revision in a worktree of its own. */
function newSide(spec) {
  if (spec === ROOT || existsSync(join(spec, "bin", "quark.mjs"))) return { name: spec === ROOT ? "this checkout" : spec, dir: spec, worktree: false };
  const { dir, commit } = addWorktree(spec);
  return { name: commit.slice(0, 7), dir, worktree: true };
}

function removeWorktree(dir) {
  try { git(["worktree", "remove", "--force", dir]); } catch { rmSync(dir, { recursive: true, force: true }); git(["worktree", "prune"]); }
}

/** One `quark bench --json` in `dir`; its report, or an error with the tail of its output. */
function bench(dir, o) {
  const args = [join(dir, "bin", "quark.mjs"), "bench", "--json", "--runtime", o.runtime, ...(o.quick ? ["--quick"] : [])];
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`quark bench in ${dir} exited ${r.status}:\n${(r.stderr || "").split("\n").slice(-20).join("\n")}`);
  return JSON.parse(r.stdout);
}

/** Builds tools and images once before timing, so no run pays a first build or a cold loader cache. */
function warmUp(dir) {
  const r = spawnSync(process.execPath, [join(dir, "bin", "quark.mjs"), "boot", "images/default.toml", "--until-ready"], { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`cannot boot images/default.toml in ${dir}:\n${r.stderr}`);
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  const log = (s) => process.stderr.write(`compare: ${s}\n`);
  const { dir, commit } = addWorktree(o.rev);
  log(`${o.rev} (${commit.slice(0, 10)}) checked out in ${dir}`);
  const worktrees = [dir];
  try {
    const fresh = newSide(o.newDir);
    if (fresh.worktree) { worktrees.push(fresh.dir); log(`${o.newDir} checked out in ${fresh.dir}`); }
    const sides = [{ name: commit.slice(0, 7), dir, runs: new Map() }, { name: fresh.name, dir: fresh.dir, runs: new Map() }];
    for (const s of sides) { log(`warming up ${s.name}`); warmUp(s.dir); }
    for (let round = 0; round < o.rounds; round++) {
      // old new, new old, old new ...: each build runs first in every other round.
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const s of order) {
        log(`round ${round + 1}/${o.rounds}: ${s.name}`);
        collect(bench(s.dir, o), s.runs);
      }
    }
    const rows = compareRows(sides[0].runs, sides[1].runs, o.tolerance);
    process.stdout.write(o.json ? JSON.stringify({ old: commit, new: sides[1].name, rounds: o.rounds, quick: o.quick, rows }, null, 2) + "\n" : formatCompare(rows, sides[0].name, sides[1].name));
    return rows.some((r) => r.slower) ? 1 : 0;
  } finally {
    for (const w of worktrees) {
      if (o.keep) log(`kept ${w} (git worktree remove --force ${w} removes it)`);
      else removeWorktree(w);
    }
  }
}

try {
  process.exitCode = main();
} catch (e) {
  process.stderr.write(`compare: ${e instanceof Error ? e.message : e}\n`);
  process.exitCode = 2;
}
