// The gates a program may call: the built-ins, the included library's and
// the program's own definitions. A definition is kept as the place of its
// body in the text; a call reads the body again with the call's parameters
// and qubits bound (frames.ts), so nothing is compiled or allocated.
import { E_NOSPACE } from "../../../kernel/abi";
import { fail } from "./errors";

export const MAX_GATES = 512;
export const MAX_NAMES = 8192; // parameter and qubit names of every definition
export const MAX_GATE_PARAMS = 32;
export const MAX_GATE_QUBITS = 32;

// Built-in gates have no body.
export const GATE_U = -2;
export const GATE_CX = -3;
export const GATE_GPHASE = -4;

const TABLE = 1024; // hash slots, a power of two, twice MAX_GATES

export let count = 0;
export const name = new StaticArray<usize>(MAX_GATES);
export const nameLen = new StaticArray<i32>(MAX_GATES);
export const hash = new StaticArray<u32>(MAX_GATES);
export const params = new StaticArray<i32>(MAX_GATES);
export const qubits = new StaticArray<i32>(MAX_GATES);
export const names = new StaticArray<i32>(MAX_GATES); // first of its names in argName: params, then qubits
export const bodyStart = new StaticArray<usize>(MAX_GATES);
export const bodyEnd = new StaticArray<usize>(MAX_GATES);

export let nameCount = 0;
export const argName = new StaticArray<usize>(MAX_NAMES);
export const argLen = new StaticArray<i32>(MAX_NAMES);
export const argHash = new StaticArray<u32>(MAX_NAMES);

const slots = new StaticArray<i32>(TABLE); // gate + 1; 0: empty

export function reset(): void {
  count = 0;
  nameCount = 0;
  memory.fill(changetype<usize>(slots), 0, <usize>TABLE * 4);
}

/** The gate named by these bytes, or -1. */
export function find(h: u32, at: usize, n: i32): i32 {
  let s = <i32>(h & (TABLE - 1));
  while (true) {
    const g = unchecked(slots[s]) - 1;
    if (g < 0) return -1;
    if (unchecked(hash[g]) == h && unchecked(nameLen[g]) == n && memory.compare(unchecked(name[g]), at, <usize>n) == 0) return g;
    s = (s + 1) & (TABLE - 1);
  }
}

/** A new definition, not yet callable (its body is checked first); its index or -1. */
export function open(h: u32, at: usize, n: i32): i32 {
  if (count >= MAX_GATES) { fail(at, E_NOSPACE, "more than " + MAX_GATES.toString() + " gate definitions"); return -1; }
  const g = count++;
  unchecked(name[g] = at);
  unchecked(nameLen[g] = n);
  unchecked(hash[g] = h);
  unchecked(params[g] = 0);
  unchecked(qubits[g] = 0);
  unchecked(names[g] = nameCount);
  unchecked(bodyStart[g] = 0);
  unchecked(bodyEnd[g] = 0);
  return g;
}

/** Adds a parameter or qubit name to the definition being opened. */
export function addName(h: u32, at: usize, n: i32): bool {
  if (nameCount >= MAX_NAMES) { fail(at, E_NOSPACE, "more than " + MAX_NAMES.toString() + " parameter and qubit names in gate definitions"); return false; }
  unchecked(argName[nameCount] = at);
  unchecked(argLen[nameCount] = n);
  unchecked(argHash[nameCount] = h);
  nameCount++;
  return true;
}

/** Makes the definition callable. */
export function publish(g: i32): void {
  let s = <i32>(unchecked(hash[g]) & (TABLE - 1));
  while (unchecked(slots[s]) != 0) s = (s + 1) & (TABLE - 1);
  unchecked(slots[s] = g + 1);
}

/** Forgets the last definition opened (its body was refused). */
export function drop(g: i32): void {
  if (g == count - 1) { count--; nameCount = unchecked(names[g]); }
}

/** The index among gate g's names (parameters, then qubits) in [from, from+n) of these bytes, or -1. */
export function nameIndex(g: i32, from: i32, n: i32, h: u32, at: usize, len: i32): i32 {
  const base = unchecked(names[g]) + from;
  for (let i = 0; i < n; i++) {
    const k = base + i;
    if (unchecked(argHash[k]) == h && unchecked(argLen[k]) == len && memory.compare(unchecked(argName[k]), at, <usize>len) == 0) return i;
  }
  return -1;
}

export function label(g: i32): string {
  return String.UTF8.decodeUnsafe(unchecked(name[g]), <usize>unchecked(nameLen[g]));
}

// --- a library's definitions, kept --------------------------------------------

// Every per-gate table, and every per-name one, for save() and restore().
const GATE_TABLES: i32 = 8;
const NAME_TABLES: i32 = 3;

function gateTable(i: i32): usize {
  switch (i) {
    case 0: return changetype<usize>(name);
    case 1: return changetype<usize>(nameLen);
    case 2: return changetype<usize>(hash);
    case 3: return changetype<usize>(params);
    case 4: return changetype<usize>(qubits);
    case 5: return changetype<usize>(names);
    case 6: return changetype<usize>(bodyStart);
  }
  return changetype<usize>(bodyEnd);
}

function nameTable(i: i32): usize {
  if (i == 0) return changetype<usize>(argName);
  return i == 1 ? changetype<usize>(argLen) : changetype<usize>(argHash);
}

/**
 * The definitions made so far (a library included first), as bytes: the next
 * program that includes the library first gets them back by restore(), a
 * copy of a few KiB, instead of reading and checking the library's text again.
 */
export function save(): StaticArray<u8> {
  const gateBytes = <usize>count * 4, nameBytes = <usize>nameCount * 4;
  const out = new StaticArray<u8>(<i32>(8 + gateBytes * <usize>GATE_TABLES + nameBytes * <usize>NAME_TABLES + <usize>TABLE * 4));
  let p = changetype<usize>(out);
  store<i32>(p, count);
  store<i32>(p, nameCount, 4);
  p += 8;
  for (let i = 0; i < GATE_TABLES; i++) { memory.copy(p, gateTable(i), gateBytes); p += gateBytes; }
  for (let i = 0; i < NAME_TABLES; i++) { memory.copy(p, nameTable(i), nameBytes); p += nameBytes; }
  memory.copy(p, changetype<usize>(slots), <usize>TABLE * 4);
  return out;
}

/** The definitions save() kept, in place of whatever the tables hold. */
export function restore(saved: StaticArray<u8>): void {
  let p = changetype<usize>(saved);
  count = load<i32>(p);
  nameCount = load<i32>(p, 4);
  p += 8;
  const gateBytes = <usize>count * 4, nameBytes = <usize>nameCount * 4;
  for (let i = 0; i < GATE_TABLES; i++) { memory.copy(gateTable(i), p, gateBytes); p += gateBytes; }
  for (let i = 0; i < NAME_TABLES; i++) { memory.copy(nameTable(i), p, nameBytes); p += nameBytes; }
  memory.copy(changetype<usize>(slots), p, <usize>TABLE * 4);
}
