// `quark new service NAME`: a working service from the template, ready to
// list in a manifest.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const NAME = /^[a-z][a-z0-9-]{0,31}$/;

export function serviceTemplate(name: string, libImport: string): string {
  return `// ${name}: a quark service. It answers TAG_ECHO calls with the words it was
// sent and logs once at start. See docs/writing-a-service.md.
import { arg, reply, log, OK, E_ARG, TAG_ECHO } from "${libImport}";

let calls = 0;

// Runs once when init starts the service (and again after each restart).
export function quark_start(pid: i32, restarts: i32): i32 {
  log("${name} is up (restart " + restarts.toString() + ")");
  return OK;
}

// Every call and queued message: \`badge\` names the caller, \`tag\` the operation;
// the return value is the caller's status (OK or a negative error code).
export function quark_handle(badge: i32, tag: i32): i32 {
  calls++;
  if (tag == TAG_ECHO) {
    reply(arg(0), arg(1), arg(2), arg(3), arg(4), arg(5));
    return OK;
  }
  return E_ARG;
}
`;
}

/** Writes DIR/index.ts (default userland/NAME); returns DIR. */
export function newService(name: string, opts: { root: string; dir?: string }): string {
  if (!NAME.test(name)) throw new Error(`"${name}" is not a service name: use lowercase letters, digits and dashes, starting with a letter (at most 32)`);
  const dir = opts.dir ?? join(opts.root, "userland", name);
  const file = join(dir, "index.ts");
  if (existsSync(file)) throw new Error(`${file} already exists; choose another name or --dir`);
  mkdirSync(dir, { recursive: true });
  let lib = relative(dir, join(opts.root, "userland", "lib")).split("\\").join("/");
  if (!lib.startsWith(".")) lib = "./" + lib;
  writeFileSync(file, serviceTemplate(name, lib));
  return dir;
}
