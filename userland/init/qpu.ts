// The image's QPU ([qpu] in the manifest): the qubits it allows and its
// calibration table, which the build carried in the boot table. Only the
// service the manifest names as the QPU's driver (driver = "qpu", a
// GRANT_DRIVER record of type DEV_TYPE_QPU) may read them (TAG_INIT_QPU): the
// driver writes them into the QPU, and no other service has a say in how the
// device behaves.
import { sys, reply, OK, E_PERM, E_NOSPACE, GRANT_DRIVER, DEV_TYPE_QPU } from "../lib";
import { services, byPid } from "./service";

let qubits = 0;
let calibration = new StaticArray<u8>(0);

/** What bootinfo.ts found in the table's header: the qubits (0: no QPU) and the table's bytes. */
export function setQpu(n: i32, table: StaticArray<u8>): void {
  qubits = n;
  calibration = table;
}

/**
 * TAG_INIT_QPU from pid `badge`: reply the qubits and the table's length;
 * with a lease, copy the table into it (a lease too short for it is refused
 * whole, E_NOSPACE, so a driver never calibrates with part of a table).
 */
export function qpuInfo(badge: i32): i32 {
  if (!isQpuDriver(badge)) return E_PERM;
  const len = calibration.length;
  const room = sys.lease_len(0);
  if (room >= 0 && len > 0) {
    if (room < len) return E_NOSPACE;
    const n = sys.lease_write(0, 0, changetype<usize>(calibration), len);
    if (n < 0) return n;
  }
  reply(qubits, len);
  return OK;
}

/** Whether the caller is a service whose manifest makes it the QPU's driver. */
function isQpuDriver(pid: i32): bool {
  const i = byPid(pid);
  if (i < 0) return false;
  const grants = services[i].spec.grants;
  for (let k = 0; k < grants.length; k++) {
    if (grants[k].kind == GRANT_DRIVER && grants[k].target == DEV_TYPE_QPU) return true;
  }
  return false;
}
