// Where the calibration comes from: the image's [qpu] table, which init hands
// the QPU's driver (TAG_INIT_QPU: the qubits it allows and the encoded
// calibration, docs/manifest.md). A QPU plugged by hand in an image without
// [qpu] is ideal, with the qubits its register allows.
import { sys, capByName, log, OK, E_BUSY, E_DEAD, LEASE_WRITE, TAG_INIT_QPU, QPU_QUBITS } from "../lib";
import * as cal from "./calibration";

/** Read the image's QPU into the calibration; false when init cannot answer now (try again). */
export function loadCalibration(cap: i32, allow: i32): bool {
  const init = capByName("init");
  let qubits = 0, bytes = 0;
  if (init >= 0) {
    sys.lease(0, changetype<usize>(cal.table), cal.table.length, LEASE_WRITE);
    const r = sys.call(init, TAG_INIT_QPU, 0, 0, 0, 0, 0, 0);
    if (r == E_BUSY || r == E_DEAD) return false;
    if (r == OK) { qubits = <i32>sys.reply_word(0); bytes = <i32>sys.reply_word(1); }
    else log("the image's QPU could not be read: " + r.toString() + " (needs \"init:call\" and driver = \"qpu\")");
  }
  if (qubits > 0) {
    sys.dev_write(cap, QPU_QUBITS, qubits);
    allow = qubits;
  }
  if (bytes > 0 && cal.load_(bytes, allow)) {
    log("QPU: " + cal.devQubits.toString() + " calibrated qubits, " + cal.pairCount.toString() + " coupled pairs");
  } else {
    if (bytes > 0) log("QPU: the image's calibration does not hold together; running ideal");
    cal.setIdeal(allow);
    log("QPU: ideal, " + cal.devQubits.toString() + " qubits");
  }
  return true;
}
