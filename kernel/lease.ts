// Leases: a caller lends regions of its own memory to one call. The lender
// describes them with `lease` before the call; the server reaches them only
// through lease_read / lease_write, checked here against the lease's length
// and rights, and the host's copy checks both memories' bounds. Leases end
// with the reply: they live in the call's frame.
import { MAX_PROCS, MAX_LEASES, LEASE_READ, LEASE_WRITE, E_ARG, E_NOTCALL, E_NOLEASE, E_RIGHTS, E_FAULT, OK, MSG_LEASE_SHIFT } from "./abi";
import { current } from "./proc";
import { ownCallFrame, fFlags, fCaller, fLeasePtr, fLeaseLen, fLeaseRights } from "./frame";
import { host_copy } from "./host";
import { table } from "./table";

// Leases a process has described for its next call.
const lPtr = table<i32>(MAX_PROCS * MAX_LEASES);
const lLen = table<i32>(MAX_PROCS * MAX_LEASES);
const lRights = table<i32>(MAX_PROCS * MAX_LEASES);
export const lCount = table<i32>(MAX_PROCS); // 1 + highest lease index set

export function setLease(i: i32, ptr: i32, len: i32, rights: i32): i32 {
  if (<u32>i >= <u32>MAX_LEASES) return E_ARG;
  if (len < 0 || (rights & ~(LEASE_READ | LEASE_WRITE)) != 0) return E_ARG;
  if (<u64><u32>ptr + <u64><u32>len > 0x100000000) return E_ARG;
  const pid = current();
  const k = pid * MAX_LEASES + i;
  unchecked(lPtr[k] = ptr); unchecked(lLen[k] = len); unchecked(lRights[k] = rights);
  if (i + 1 > unchecked(lCount[pid])) unchecked(lCount[pid] = i + 1);
  return OK;
}

/** Move `pid`'s described leases into frame `d`; returns the lease count. */
export function attachLeases(pid: i32, d: i32): i32 {
  const n = unchecked(lCount[pid]);
  for (let i = 0; i < n; i++) {
    const src = pid * MAX_LEASES + i, dst = d * MAX_LEASES + i;
    unchecked(fLeasePtr[dst] = unchecked(lPtr[src]));
    unchecked(fLeaseLen[dst] = unchecked(lLen[src]));
    unchecked(fLeaseRights[dst] = unchecked(lRights[src]));
    unchecked(lRights[src] = 0); unchecked(lLen[src] = 0);
  }
  unchecked(lCount[pid] = 0);
  return n;
}

export function dropLeases(pid: i32): void {
  for (let i = 0; i < MAX_LEASES; i++) { unchecked(lRights[pid * MAX_LEASES + i] = 0); unchecked(lLen[pid * MAX_LEASES + i] = 0); }
  unchecked(lCount[pid] = 0);
}

/** Frame-wide index of lease `i` of the running call, or an error. */
function leaseIndex(i: i32): i32 {
  const d = ownCallFrame();
  if (d < 0) return E_NOTCALL;
  if (<u32>i >= <u32>(unchecked(fFlags[d]) >>> MSG_LEASE_SHIFT)) return E_NOLEASE;
  return d * MAX_LEASES + i;
}

export function leaseLen(i: i32): i32 {
  const k = leaseIndex(i);
  return k < 0 ? k : unchecked(fLeaseLen[k]);
}

function transfer(i: i32, off: i32, local: i32, len: i32, right: i32): i32 {
  const k = leaseIndex(i);
  if (k < 0) return k;
  if ((unchecked(fLeaseRights[k]) & right) == 0) return E_RIGHTS;
  if (off < 0 || len < 0) return E_ARG;
  if (<i64>off + <i64>len > <i64>unchecked(fLeaseLen[k])) return E_FAULT;
  const lender = unchecked(fCaller[k / MAX_LEASES]);
  const remote = unchecked(fLeasePtr[k]) + off;
  const r = right == LEASE_READ
    ? host_copy(lender, remote, current(), local, len)
    : host_copy(current(), local, lender, remote, len);
  return r < 0 ? r : len;
}

export function leaseRead(i: i32, off: i32, dst: i32, len: i32): i32 { return transfer(i, off, dst, len, LEASE_READ); }
export function leaseWrite(i: i32, off: i32, src: i32, len: i32): i32 { return transfer(i, off, src, len, LEASE_WRITE); }
