// dev: the shell's device commands, each a request to the device manager
// (userland/devmgr, docs/devices.md). An image without one gets one line
// saying so, refused (exit 1 under ctl).
import {
  sys, capByName, OK, E_ARG, BUS_SLOT_COUNT, BUS_STATIC_SLOTS, DEVST_PRESENT,
  DEVPOL_AUTO, DEVPOL_ON, DEVPOL_OFF, DEVEV_PLUG, DEVMGR_IDLE_MAX_MS, TAG_DEV_COUNT, TAG_DEV_INFO, TAG_DEV_TIMES, TAG_DEV_FIND,
  TAG_DEV_POWER, TAG_DEV_EVENTS, TAG_DEV_PLUG, TAG_DEV_UNPLUG, TAG_DEV_IDLE, TAG_DEV_OPEN, TAG_DEV_CLOSE, TAG_DEV_READ,
  TAG_DEV_WRITE, TAG_DEV_IOCTL, DEVIO_INFO, DEVMGR_IO_MAX, LEASE_READ, LEASE_WRITE, callForCap, recvCap,
} from "../lib";
import { openInit, nameOf } from "./services";
import { errorName } from "../lib/names";
import { devTypeName, devTypeOf, DEV_TYPE_LIST } from "../lib/devtypes";
import { println } from "./console";
import { refused, misused } from "./outcome";
import { argNumber, refusal } from "./number";
import { didYouMean } from "./suggest";

export const DEV_COMMANDS = ["list", "info", "power", "events", "plug", "unplug", "idle", "read", "write"];

const POWER_NAMES = ["empty", "on", "suspended", "off"];
const POLICY_NAMES = ["auto", "on", "off"];

function powerName(p: i64): string { return p >= 0 && p < POWER_NAMES.length ? POWER_NAMES[<i32>p] : "?"; }

/** A device's name: a static device's type (entropy, bus, ...), a plugged one's type and id (block-256). */
function devName(slot: i32, type: i64, id: i64): string {
  return slot < BUS_STATIC_SLOTS ? devTypeName(type) : devTypeName(type) + "-" + id.toString();
}

let dm = -1;

export function devCommand(args: string[], json: bool): void {
  dm = capByName("devmgr");
  if (dm < 0) { refused("dev: no device manager in this image (a devmgr service granted to the shell: see images/devices.toml)"); return; }
  if (args.length < 2) { misused("dev needs a command: " + DEV_COMMANDS.join(", ") + " (try help)"); return; }
  const sub = args[1];
  if (!DEV_COMMANDS.includes(sub)) { misused("unknown dev command: " + sub + didYouMean(sub, DEV_COMMANDS)); return; }
  if (sub == "list") { list(json); return; }
  if (sub == "events") { events(json); return; }
  if (sub == "idle") { idle(args); return; }
  if (args.length < 3) {
    misused("dev " + sub + " needs " + (sub == "plug" ? "a type: " + DEV_TYPE_LIST : "a device name or id (try dev list)"));
    return;
  }
  if (sub == "plug") { plug(args[2]); return; }
  const slot = resolve(args[2]);
  if (slot < 0) return;
  if (sub == "info") { info(slot, json); return; }
  if (sub == "unplug") { unplug(slot); return; }
  if (sub == "read" || sub == "write") { io(sub, slot, args); return; }
  power(slot, args.length > 3 ? args[3] : "");
}

class Row { slot: i32 = 0; type: i64 = 0; id: i64 = 0; power: i64 = 0; refs: i64 = 0; policy: i64 = 0;
  on: i64 = 0; suspend: i64 = 0; off: i64 = 0; driver: i64 = -1; opens: i64 = 0; }

/** The device in `slot`, or null if the slot is empty. */
function row(slot: i32): Row | null {
  if (sys.call(dm, TAG_DEV_INFO, slot, 0, 0, 0, 0, 0) != OK || <i32>sys.reply_word(0) != DEVST_PRESENT) return null;
  const r = new Row();
  r.slot = slot; r.type = sys.reply_word(1); r.id = sys.reply_word(2); r.power = sys.reply_word(3);
  r.refs = sys.reply_word(4); r.policy = sys.reply_word(5);
  if (sys.call(dm, TAG_DEV_TIMES, slot, 0, 0, 0, 0, 0) == OK) {
    r.on = sys.reply_word(0); r.suspend = sys.reply_word(1); r.off = sys.reply_word(2);
    r.driver = sys.reply_word(3); r.opens = sys.reply_word(4);
  }
  return r;
}

/** NAME (entropy, block-256) or ID to a slot; says why not and returns -1. */
function resolve(word: string): i32 {
  for (let s = 0; s < BUS_SLOT_COUNT; s++) {
    const r = row(s);
    if (r != null && (devName(s, r.type, r.id) == word || (r.id > 0 && r.id.toString() == word))) return s;
  }
  const gone = unpluggedSeq(word);
  refused(gone > 0 ? "dev: " + word + " was unplugged (event " + gone.toString() + ")" : "dev: no device " + word + " (try dev list)");
  return -1;
}

/** The seq of the event that unplugged device NAME or ID, if the devmgr still keeps it; 0 otherwise. */
function unpluggedSeq(word: string): i64 {
  let after: i64 = 0, found: i64 = 0;
  while (sys.call(dm, TAG_DEV_EVENTS, after, 0, 0, 0, 0, 0) == OK) {
    const seq = sys.reply_word(0);
    if (seq == 0) break;
    const id = sys.reply_word(4), type = sys.reply_word(3), slot = <i32>sys.reply_word(2);
    if (sys.reply_word(1) != DEVEV_PLUG && (id.toString() == word || devName(slot, type, id) == word)) found = seq;
    after = seq;
  }
  return found;
}

/** The driver's service name, "-" for none. */
function driverName(d: i64): string {
  if (d < 0) return "-";
  return openInit() < 0 ? d.toString() : nameOf(<i32>d);
}

function pad(s: string, n: i32): string { return s.length >= n ? s + " " : s + " ".repeat(n - s.length); }
function ms(ns: i64): string { return (ns / 1000000).toString(); }

function json(r: Row): string {
  return '{"slot":' + r.slot.toString() + ',"name":"' + devName(r.slot, r.type, r.id) + '","type":"' + devTypeName(r.type) +
    '","id":' + r.id.toString() + ',"state":"present","power":"' + powerName(r.power) + '","policy":"' +
    POLICY_NAMES[<i32>r.policy] + '","references":' + r.refs.toString() + ',"handles":' + r.opens.toString() +
    ',"driver":' + (r.driver < 0 ? "null" : '"' + driverName(r.driver) + '"') + ',"ns_on":' + r.on.toString() + ',"ns_suspended":' +
    r.suspend.toString() + ',"ns_off":' + r.off.toString() + "}";
}

function list(asJson: bool): void {
  if (sys.call(dm, TAG_DEV_COUNT, 0, 0, 0, 0, 0, 0) != OK) { refused("dev: the device manager does not answer"); return; }
  const slots = <i32>sys.reply_word(0);
  let out = asJson ? "[" : "";
  if (!asJson) println(pad("SLOT", 5) + pad("NAME", 12) + pad("ID", 5) + pad("TYPE", 8) + pad("STATE", 8) + pad("POWER", 10) +
    pad("POLICY", 7) + pad("REFS", 5) + pad("DRIVER", 7) + pad("ON_MS", 8) + pad("SUSP_MS", 8) + "OFF_MS");
  let n = 0;
  for (let s = 0; s < slots && s < BUS_SLOT_COUNT; s++) {
    const r = row(s);
    if (r == null) continue;
    if (asJson) { out += (n > 0 ? "," : "") + json(r); n++; continue; }
    println(pad(s.toString(), 5) + pad(devName(s, r.type, r.id), 12) + pad(r.id.toString(), 5) + pad(devTypeName(r.type), 8) +
      pad("present", 8) + pad(powerName(r.power), 10) + pad(POLICY_NAMES[<i32>r.policy], 7) + pad(r.refs.toString(), 5) +
      pad(driverName(r.driver), 7) + pad(ms(r.on), 8) + pad(ms(r.suspend), 8) + ms(r.off));
  }
  if (asJson) println(out + "]");
}

function info(slot: i32, asJson: bool): void {
  const r = row(slot);
  if (r == null) { refused("dev: slot " + slot.toString() + " is empty"); return; }
  if (asJson) { println(json(r)); return; }
  println(devName(slot, r.type, r.id) + ": " + devTypeName(r.type) + ", id " + r.id.toString() + ", slot " + slot.toString() +
    ", present, " + powerName(r.power) + " (policy " + POLICY_NAMES[<i32>r.policy] + "), " + r.refs.toString() +
    " references, " + r.opens.toString() + " handles, driver " + (r.driver < 0 ? "none" : driverName(r.driver)));
  println("  time on " + ms(r.on) + " ms, suspended " + ms(r.suspend) + " ms, off " + ms(r.off) + " ms");
}

function power(slot: i32, word: string): void {
  const r = row(slot);
  if (r == null) { refused("dev: slot " + slot.toString() + " is empty"); return; }
  const name = devName(slot, r.type, r.id);
  if (word.length == 0) { println(name + ": " + powerName(r.power) + " (policy " + POLICY_NAMES[<i32>r.policy] + ")"); return; }
  const policy = word == "on" ? DEVPOL_ON : word == "off" ? DEVPOL_OFF : word == "auto" ? DEVPOL_AUTO : -1;
  if (policy < 0) { misused("dev power: on, off or auto, not " + word); return; }
  const res = sys.call(dm, TAG_DEV_POWER, r.id, policy, 0, 0, 0, 0);
  if (res != OK) { refused("dev power: " + name + " refused: " + errorName(res) + (r.id == 0 ? " (the kernel's own device)" : "")); return; }
  println(name + ": " + powerName(sys.reply_word(0)) + " (policy " + word + ")");
}

function events(asJson: bool): void {
  let after: i64 = 0;
  let out = asJson ? "[" : "";
  let n = 0;
  while (sys.call(dm, TAG_DEV_EVENTS, after, 0, 0, 0, 0, 0) == OK) {
    const seq = sys.reply_word(0);
    if (seq == 0) break;
    const kind = sys.reply_word(1) == DEVEV_PLUG ? "plug" : "unplug";
    const slot = <i32>sys.reply_word(2), type = sys.reply_word(3), id = sys.reply_word(4), missed = sys.reply_word(5);
    if (asJson) {
      out += (n > 0 ? "," : "") + '{"seq":' + seq.toString() + ',"event":"' + kind + '","slot":' + slot.toString() +
        ',"type":"' + devTypeName(type) + '","id":' + id.toString() + ',"missed":' + missed.toString() + "}";
    } else {
      if (missed > 0) println("(" + missed.toString() + " earlier events no longer kept)");
      println(seq.toString() + " " + kind + " " + devName(slot, type, id) + " (slot " + slot.toString() + ")");
    }
    after = seq;
    n++;
  }
  if (asJson) println(out + "]");
  else if (n == 0) println("no device events yet");
}

function plug(word: string): void {
  const type = devTypeOf(word);
  if (type < 0) { misused("dev plug: no device type " + word + " (" + DEV_TYPE_LIST + ")"); return; }
  const r = sys.call(dm, TAG_DEV_PLUG, type, 0, 0, 0, 0, 0);
  if (r != OK) { refused("dev plug " + word + " refused: " + errorName(r) + (r == E_ARG ? "" : plugWhy(r))); return; }
  const slot = <i32>sys.reply_word(0), id = sys.reply_word(1), seq = sys.reply_word(2);
  println("plugged " + devName(slot, type, id) + " in slot " + slot.toString() + " (event " + seq.toString() + ")");
}

function plugWhy(r: i32): string {
  return errorName(r) == "E_NOSPACE" ? " (no free slot)" : errorName(r) == "E_UNSUPPORTED" ? " (only pluggable models can be plugged)" : "";
}

function unplug(slot: i32): void {
  const r = row(slot);
  if (r == null) { refused("dev: slot " + slot.toString() + " is empty"); return; }
  const name = devName(slot, r.type, r.id);
  const res = r.id > 0 ? sys.call(dm, TAG_DEV_UNPLUG, r.id, 0, 0, 0, 0, 0) : E_ARG;
  if (res != OK) { refused("dev unplug " + name + " refused: " + errorName(res) + (slot < BUS_STATIC_SLOTS ? " (a static device)" : "")); return; }
  println("unplugged " + name + " (event " + sys.reply_word(0).toString() + ")");
}

function idle(args: string[]): void {
  let v: i64 = -1;
  if (args.length > 2) {
    v = argNumber("dev idle", "MS", args[2], 0, DEVMGR_IDLE_MAX_MS);
    if (v < 0) { misused(refusal); return; }
  }
  const r = sys.call(dm, TAG_DEV_IDLE, v, 0, 0, 0, 0, 0);
  if (r != OK) { refused("dev idle refused: " + errorName(r)); return; }
  println("idle delay " + sys.reply_word(0).toString() + " ms");
}

/**
 * dev read ID OFFSET LEN (a hex dump) and dev write ID OFFSET HEX, through a
 * handle opened for the command: the whole blocks around the bytes are read
 * (and written back with the bytes changed), since the device moves blocks.
 */
function io(sub: string, slot: i32, args: string[]): void {
  const r = row(slot);
  if (r == null) { refused("dev: slot " + slot.toString() + " is empty"); return; }
  const name = devName(slot, r.type, r.id);
  if (args.length < 5) { misused("dev " + sub + " needs " + (sub == "read" ? "OFFSET LEN" : "OFFSET HEX")); return; }
  const off = argNumber("dev " + sub, "OFFSET", args[3], 0, 0x7fffffff);
  if (off < 0) { misused(refusal); return; }
  const data = sub == "write" ? hexBytes(args[4]) : null;
  if (sub == "write" && data == null) { misused("dev write: HEX must be pairs of hex digits (0-9, a-f), e.g. 48656c6c6f"); return; }
  const len = data != null ? <i64>data.length : argNumber("dev read", "LEN", args[4], 1, DEVMGR_IO_MAX);
  if (len < 0) { misused(refusal); return; }
  if (callForCap(dm, TAG_DEV_OPEN, r.id, 0, 0, 0, 0, 0) != OK) { refused("dev " + sub + ": " + name + " cannot be opened"); return; }
  const h = recvCap();
  const res = blocks(h, name, off, len, data);
  sys.call(h, TAG_DEV_CLOSE, 0, 0, 0, 0, 0, 0);
  if (res != OK) refused("dev " + sub + " " + name + " refused: " + errorName(res));
}

function blocks(h: i32, name: string, off: i64, len: i64, data: Uint8Array | null): i32 {
  let r = sys.call(h, TAG_DEV_IOCTL, DEVIO_INFO, 0, 0, 0, 0, 0);
  if (r != OK) return r;
  const size = sys.reply_word(0), block = max<i64>(1, sys.reply_word(1));
  if (off + len > size) return E_ARG;
  const first = off - off % block, end = ((off + len + block - 1) / block) * block;
  if (end - first > DEVMGR_IO_MAX) return E_ARG;
  const buf = new StaticArray<u8>(<i32>(end - first));
  sys.lease(0, changetype<usize>(buf), buf.length, LEASE_WRITE);
  r = sys.call(h, TAG_DEV_READ, first, buf.length, 0, 0, 0, 0);
  if (r != OK) return r;
  const at = <i32>(off - first);
  if (data == null) { dump(buf, at, <i32>len, off); return OK; }
  for (let i = 0; i < data.length; i++) buf[at + i] = data[i];
  sys.lease(0, changetype<usize>(buf), buf.length, LEASE_READ);
  r = sys.call(h, TAG_DEV_WRITE, first, buf.length, 0, 0, 0, 0);
  if (r != OK) return r;
  println("wrote " + len.toString() + " bytes to " + name + " at " + off.toString());
  return OK;
}

const HEX = "0123456789abcdef";

function dump(buf: StaticArray<u8>, at: i32, len: i32, off: i64): void {
  for (let i = 0; i < len; i += 16) {
    let line = hex(off + i, 8) + " ";
    for (let k = i; k < i + 16 && k < len; k++) line += " " + hex(buf[at + k], 2);
    println(line);
  }
}

function hex(v: i64, digits: i32): string {
  let s = "";
  for (let d = digits - 1; d >= 0; d--) s += HEX.charAt(<i32>((v >> (d * 4)) & 15));
  return s;
}

function hexBytes(word: string): Uint8Array | null {
  if (word.length == 0 || word.length % 2 != 0 || word.length > 2 * DEVMGR_IO_MAX) return null;
  const out = new Uint8Array(word.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = HEX.indexOf(word.charAt(2 * i).toLowerCase()), lo = HEX.indexOf(word.charAt(2 * i + 1).toLowerCase());
    if (hi < 0 || lo < 0) return null;
    out[i] = <u8>(hi * 16 + lo);
  }
  return out;
}
