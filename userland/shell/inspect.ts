// Shell commands that look at the registry and at capabilities:
// svc registry, svc lookup, caps.
import {
  sys, OK, fmtVersion, CSPACE_SLOTS, TAG_INIT_CAPS, GRANT_SERVICE, GRANT_CONSOLE, GRANT_DEVICE, GRANT_INIT, GRANT_IRQ, GRANT_DRIVER, GRANT_MATCH, GRANT_PLUG,
  DEVP_ID, DEVP_SLOT, DEVP_SECTORS, BIND_EQ, BIND_NE, BIND_LT, BIND_GE, K_ENDPOINT, K_NOTIFY,
  K_PROCESS, K_CONSOLE, K_BOOT, K_MEMORY, K_DEVICE, R_CALL, R_SEND, R_GRANT, R_SIGNAL, R_READ, R_WRITE, R_CONTROL, R_SPAWN,
} from "../lib";
import { kindName, rightsName } from "../lib/names";
import { devTypeName } from "../lib/devtypes";
import { println } from "./console";
import { nameOf, request2 } from "./services";
import { entries, lookupAt, healthName, Entry } from "./registry";

function pad(s: string, n: i32): string { return s.length >= n ? s + " " : s + " ".repeat(n - s.length); }

function entryJson(e: Entry): string {
  const words = e.text.split(" ");
  let tags = "[";
  for (let k = 1; k < words.length; k++) tags += (k > 1 ? "," : "") + '"' + words[k] + '"';
  return '{"id":' + e.id.toString() + ',"name":"' + words[0] + '","service":"' + nameOf(e.service) + '","pid":' + e.pid.toString() +
    ',"version":"' + fmtVersion(<u32>e.version) + '","interface":' + (<u32>e.iface).toString() + ',"health":"' + healthName(e.health) +
    '","tags":' + tags + "]}";
}

function entryLine(e: Entry, name: string, tags: string): string {
  return pad(e.id.toString(), 4) + pad(name, 14) + pad(nameOf(e.service), 12) + pad(fmtVersion(<u32>e.version), 9) +
    pad(healthName(e.health), 10) + tags;
}

/** svc registry: every entry. */
export function registryList(json: bool): void {
  const all = entries();
  if (json) {
    let out = "[";
    for (let k = 0; k < all.length; k++) out += (k > 0 ? "," : "") + entryJson(all[k]);
    println(out + "]");
    return;
  }
  println(pad("ID", 4) + pad("NAME", 14) + pad("SERVICE", 12) + pad("VERSION", 9) + pad("HEALTH", 10) + "TAGS");
  for (let k = 0; k < all.length; k++) {
    const words = all[k].text.split(" ");
    println(entryLine(all[k], words[0], words.slice(1).join(" ")));
  }
}

/** svc lookup QUERY [--tag] [--all]: what a client asking the registry would get. */
export function lookup(query: string, byTag: bool, all: bool, json: bool): void {
  let out = json ? "[" : "";
  let n = 0;
  for (let e = lookupAt(query, byTag, all, 0); e != null; e = lookupAt(query, byTag, all, ++n)) {
    if (json) out += (n > 0 ? "," : "") + '{"id":' + e.id.toString() + ',"service":"' + nameOf(e.service) + '","pid":' +
      e.pid.toString() + ',"version":"' + fmtVersion(<u32>e.version) + '","health":"' + healthName(e.health) + '"}';
    else println(nameOf(e.service) + " (pid " + e.pid.toString() + ", entry " + e.id.toString() + ", version " + fmtVersion(<u32>e.version) + ", " + healthName(e.health) + ")");
  }
  if (json) println(out + "]");
  else if (n == 0) println("no " + (all ? "" : "healthy ") + "service matches " + (byTag ? "tag " : "") + query);
}

/** caps: the shell's own capability slots, as the kernel sees them. */
export function ownCaps(json: bool): void {
  let out = json ? "[" : pad("SLOT", 6) + pad("KIND", 10) + "RIGHTS";
  if (!json) println(out);
  let n = 0;
  for (let slot = 0; slot < CSPACE_SLOTS; slot++) {
    const info = sys.cap_info(slot);
    if (info < 0) continue;
    const kind = kindName(info & 0xff), rights = rightsName(info >> 8);
    if (json) out += (n++ > 0 ? "," : "") + '{"slot":' + slot.toString() + ',"kind":"' + kind + '","rights":"' + rights + '"}';
    else println(pad(slot.toString(), 6) + pad(kind, 10) + rights);
  }
  if (json) println(out + "]");
}

/** One grant record as `caps NAME` says it; a driver rule and its conditions (docs/devices.md) are records too. */
function grantText(kind: i32, target: i32, rights: i32, value: i32): string {
  if (kind == GRANT_SERVICE) return nameOf(target);
  if (kind == GRANT_CONSOLE) return "console";
  if (kind == GRANT_INIT) return "init";
  if (kind == GRANT_DEVICE) return "device " + target.toString();
  if (kind == GRANT_IRQ) return "interrupt line " + target.toString();
  if (kind == GRANT_DRIVER) return "the driver rule for " + devTypeName(target) + " devices";
  if (kind == GRANT_MATCH) return "the rule's condition " + propName(target) + " " + opName(rights) + " " + value.toString();
  if (kind == GRANT_PLUG) return "the image's " + devTypeName(target) + " device, to plug at boot";
  return "grant kind " + kind.toString();
}
function propName(p: i32): string { return p == DEVP_ID ? "id" : p == DEVP_SLOT ? "slot" : p == DEVP_SECTORS ? "sectors" : "property " + p.toString(); }
function opName(o: i32): string { return o == BIND_EQ ? "==" : o == BIND_NE ? "!=" : o == BIND_LT ? "<" : o == BIND_GE ? ">=" : "op " + o.toString(); }

/** caps NAME: what the manifest grants service i, and the registry capability every service has. */
export function grantsOf(i: i32, name: string, json: bool): void {
  let out = json ? "[" : "";
  let k = 0;
  for (; request2(TAG_INIT_CAPS, i, k) == OK; k++) {
    const kind = <i32>sys.reply_word(0), target = <i32>sys.reply_word(1), rights = <i32>sys.reply_word(2);
    const what = grantText(kind, target, rights, <i32>sys.reply_word(3));
    // A driver rule and its conditions grant nothing: they have no rights to show.
    const rule = kind == GRANT_DRIVER || kind == GRANT_MATCH || kind == GRANT_PLUG;
    if (json) out += (k > 0 ? "," : "") + '{"grant":"' + what + '"' + (rule ? "" : ',"rights":"' + rightsName(rights) + '"') + "}";
    else println(name + " holds " + what + (rule ? "" : " (" + rightsName(rights) + ")"));
  }
  if (json) println(out + (k > 0 ? "," : "") + '{"grant":"registry","rights":"call"}]');
  else println(name + " holds registry (call), as every service does");
}
