// `quark new service NAME`: a working service from the template, in this
// checkout or anywhere else, and the manifest lines that list it.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { capKind } from "./manifest";
import { parseToml, TomlError } from "./toml";
import { SUITE_PREFIX } from "./conformance";

// The manifest's rule for a service name (tools/lib/manifest.ts checks it at build).
const NAME = /^[a-z][a-z0-9-]{0,31}$/;
const NAME_RULE = "a service name is 1 to 32 characters: a lowercase letter, then lowercase letters, digits or -";
// The image whose services are the system's: their names are reserved.
const DEFAULT_MANIFEST = ["images", "default.toml"];

export class ScaffoldError extends Error {
  override name = "ScaffoldError";
}

export interface NewServiceOptions {
  /** The checkout: where userland/ and the default image are. */
  root: string;
  /** Where index.ts goes (absolute); default <root>/userland/NAME. */
  dir?: string;
  /** The manifest the service is to be listed in (absolute); default <root>/images/default.toml. */
  manifest?: string;
}

export interface NewService {
  root: string;
  dir: string;
  file: string;
  manifest: string;
  manifestExists: boolean;
  /** TOML to append to the manifest; the whole manifest when it does not exist yet. */
  toml: string;
}

export function serviceTemplate(name: string): string {
  return `// ${name}: a quark service. It answers TAG_ECHO calls with the words it was
// sent and logs once at start. See docs/writing-a-service.md.
// "quark/..." paths work wherever this file sits: quark build maps them to
// the checkout's userland/lib. A protocol of your own takes its tags from
// TAG_THIRD_PARTY_FIRST up, which no system protocol uses.
import { arg, reply, log, OK, E_ARG } from "quark/service";
import { TAG_ECHO } from "quark/proto/echo";

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

/** Writes DIR/index.ts and returns what to add to the manifest. */
export function newService(name: string, opts: NewServiceOptions): NewService {
  if (!NAME.test(name)) throw new ScaffoldError(`"${name}" is not a service name: ${NAME_RULE}`);
  const why = reservedBy(name, opts.root);
  if (why) throw new ScaffoldError(`"${name}" is reserved: ${why}; choose another name`);
  const manifest = opts.manifest ?? join(opts.root, ...DEFAULT_MANIFEST);
  const manifestExists = existsSync(manifest);
  if (manifestExists && servicesOf(manifest).includes(name)) {
    throw new ScaffoldError(`${manifest} already has a service named "${name}"; choose another name or --manifest`);
  }
  const dir = opts.dir ?? join(opts.root, "userland", name);
  const file = join(dir, "index.ts");
  if (existsSync(file)) throw new ScaffoldError(`${file} already exists; choose another name or --dir`);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ScaffoldError(`${dir} is a file, not a directory; choose another --dir`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, serviceTemplate(name));
  const section = serviceSection(name, modulePath(manifest, dir));
  const toml = manifestExists ? section : newManifest(name, manifest, opts.root) + section;
  return { root: opts.root, dir, file, manifest, manifestExists, toml };
}

/** Why NAME cannot be a service's, or undefined when it can. */
export function reservedBy(name: string, root: string): string | undefined {
  const kind = capKind(name);
  if (kind === "init") return "init, the service manager, is part of every image (its module is set by [init] in the manifest)";
  if (kind === "console") return `in caps, "${name}" names the console`;
  if (kind === "device") return `in caps, "${name}" names the ${name} device`;
  if (name.startsWith(SUITE_PREFIX)) return `names starting with "${SUITE_PREFIX}" belong to the conformance suite's services, which quark conformance adds to an image`;
  const system = join(root, ...DEFAULT_MANIFEST);
  if (servicesOf(system).includes(name)) return `it is a system service of the default image (${DEFAULT_MANIFEST.join("/")})`;
  return undefined;
}

/** The service names a manifest lists ([service.NAME] tables). */
function servicesOf(manifest: string): string[] {
  if (statSync(manifest).isDirectory()) throw new ScaffoldError(`${manifest} is a directory; --manifest names a manifest file (.toml)`);
  let doc;
  try {
    doc = parseToml(readFileSync(manifest, "utf8"));
  } catch (e) {
    const where = e instanceof TomlError ? `${manifest}:${e.line}:${e.column}` : manifest;
    throw new ScaffoldError(`${where}: ${(e as Error).message}; fix the manifest first, or name another with --manifest`);
  }
  const services = doc.entries.get("service")?.value;
  return services?.kind === "table" ? [...services.entries.keys()] : [];
}

/** The manifest's `module` value: DIR relative to the manifest's directory, with / separators. */
export function modulePath(manifest: string, dir: string): string {
  const rel = relative(dirname(resolve(manifest)), resolve(dir));
  if (rel === "") return ".";
  return rel.split(sep).join("/");
}

// A path into the checkout: relative from the manifest while they share a
// folder below the filesystem's root, absolute otherwise (../../../ up to /
// and down again would break when either moves).
export function checkoutPath(manifest: string, target: string): string {
  const rel = modulePath(manifest, target);
  const climbs = rel.split("/").filter((part) => part === "..").length;
  return climbs >= resolve(manifest).split(sep).length - 2 ? target.split(sep).join("/") : rel;
}

function serviceSection(name: string, module: string): string {
  return `[service.${name}]\nmodule = ${JSON.stringify(module)}\nrequires = ["log"]\ncaps = ["log"]\n`;
}

// A manifest that does not exist yet gets the [image] table, the log
// service the template logs through and the console driver the log writes
// through, so it builds as printed.
function newManifest(name: string, manifest: string, root: string): string {
  const file = basename(manifest).replace(/\.toml$/, "");
  const image = /^[a-z][a-z0-9-]*$/.test(file) ? file : name;
  const log = checkoutPath(manifest, join(root, "userland", "log"));
  const condrv = checkoutPath(manifest, join(root, "userland", "drivers", "console"));
  return `[image]\nname = "${image}"\n\n[service.log]\nmodule = ${JSON.stringify(log)}\nrequires = ["condrv"]\ncaps = ["condrv"]\n\n` +
    `[service.condrv]\nmodule = ${JSON.stringify(condrv)}\ncaps = ["uart"]\ninterrupts = ["uart"]\n\n`;
}

/** What `quark new service` prints: the file written, the TOML to add and where, and the next command. */
export function newServiceReport(r: NewService): string {
  const manifest = shown(r.manifest);
  const where = r.manifestExists ? `add it to ${manifest}:` : `${manifest} does not exist yet; write it with:`;
  const image = shown(r.manifest.replace(/\.toml$/, "") + ".wasm");
  const quark = below(process.cwd(), r.root) ? "npx quark" : `node ${join(r.root, "bin", "quark.mjs")}`;
  return `created ${shown(r.file)}\n${where}\n\n${r.toml}\nthen: ${quark} build ${manifest} && ${quark} boot ${image} --until-ready\n`;
}

// npx finds this checkout's quark only from inside it; elsewhere it would ask the registry.
function below(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return !rel.startsWith("..") && !rel.startsWith(sep);
}

// A path as the user would type it from here: relative when below the current directory.
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") && !rel.startsWith(sep) ? rel : path;
}
