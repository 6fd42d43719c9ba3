// Whose a registry name or tag is. A manifest service owns its name and every
// NAME#... instance name: only its own processes may register them. A tag that
// one or more manifest services declare may be attached only by their
// processes. Any other name is free: the first service to register it holds
// it until its last entry under that name goes (registry.ts checks that, as
// it needs the table). Instances of one service count as one owner.
import { INSTANCE_SEPARATOR } from "../lib";
import { services } from "./service";

let bases: string[] = []; // per process: its manifest service's name
let declared: string[][] = []; // per process: the tags its manifest declares

export function rulesInit(): void {
  bases = [];
  declared = [];
  for (let i = 0; i < services.length; i++) {
    bases.push(baseName(services[i].spec.name));
    declared.push(services[i].spec.tags.split(" ").filter((w: string) => w.length > 0));
  }
}

/** Instances of a service share its name: "web#2" is registered as "web". */
export function baseName(name: string): string {
  const k = name.indexOf(String.fromCharCode(INSTANCE_SEPARATOR));
  return k < 0 ? name : name.substring(0, k);
}

/** Whether processes a and b run the same manifest service. */
export function sameService(a: i32, b: i32): bool { return bases[a] == bases[b]; }

/** "" if process `me` may register `name` as far as the manifest goes; else why not. */
export function nameRefusal(me: i32, name: string): string {
  const base = baseName(name);
  if (base == bases[me]) return "";
  for (let i = 0; i < bases.length; i++) if (bases[i] == base) return "the name " + name + " belongs to service " + base;
  return "";
}

/** "" if process `me` may attach `tag`; else why not. */
export function tagRefusal(me: i32, tag: string): string {
  if (declared[me].includes(tag)) return "";
  for (let i = 0; i < declared.length; i++) {
    if (declared[i].includes(tag)) return "the tag " + tag + " belongs to service " + bases[i];
  }
  return "";
}
