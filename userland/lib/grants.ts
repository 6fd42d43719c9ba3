// What init's records say of a caller: its service index by pid, and the
// rights of its manifest grant of another service. A server that decides by
// a right its endpoint's capability does not carry (the quantum scheduler's
// admin right, the memory manager's feed right) reads the grant here, from
// init, the one place no service can change (TAG_INIT_CAPS).
import * as sys from "./sys";
import { OK, GRANT_SERVICE } from "../../kernel/abi";
import { TAG_INIT_COUNT, TAG_INIT_STATUS, TAG_INIT_CAPS } from "./proto/init";

/** Grants read per service at most: more than any manifest gives one. */
const MAX_GRANTS = 64;

/** Index of the service whose pid is `pid` at init, -1 if none, -2 if init cannot answer now. */
export function serviceIndexOf(init: i32, pid: i32): i32 {
  if (sys.call(init, TAG_INIT_COUNT, 0, 0, 0, 0, 0, 0) != OK) return -2;
  const n = <i32>sys.reply_word(0);
  for (let i = 0; i < n; i++) {
    if (sys.call(init, TAG_INIT_STATUS, i, 0, 0, 0, 0, 0) == OK && <i32>sys.reply_word(1) == pid) return i;
  }
  return -1;
}

/** The rights (R_* and a protocol's own bits) of service `index`'s grants of service `target`, or-ed; -1 if it has none. */
export function grantRights(init: i32, index: i32, target: i32): i32 {
  let rights = -1;
  for (let k = 0; k < MAX_GRANTS; k++) {
    if (sys.call(init, TAG_INIT_CAPS, index, k, 0, 0, 0, 0) != OK) break;
    if (<i32>sys.reply_word(0) != GRANT_SERVICE || <i32>sys.reply_word(1) != target) continue;
    rights = (rights < 0 ? 0 : rights) | <i32>sys.reply_word(2);
  }
  return rights;
}
