// The ABI tables as the emitters see them: every file of abi/ in one object,
// plus a way to read the checked-out files an emitter splices into (the docs).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as machine from "../../abi/machine";
import { syscalls, syscallConstants } from "../../abi/syscalls";
import { errors } from "../../abi/errors";
import { rights, leaseRights } from "../../abi/rights";
import { objects } from "../../abi/objects";
import { faults, faultReport } from "../../abi/faults";
import { serviceStates, processStates, healthStates } from "../../abi/states";
import { events } from "../../abi/events";
import { protocols, tagRanges } from "../../abi/protocols/index";

export interface Tables {
  machine: typeof machine;
  syscalls: typeof syscalls;
  syscallConstants: typeof syscallConstants;
  errors: typeof errors;
  rights: typeof rights;
  leaseRights: typeof leaseRights;
  objects: typeof objects;
  faults: typeof faults;
  faultReport: typeof faultReport;
  serviceStates: typeof serviceStates;
  processStates: typeof processStates;
  healthStates: typeof healthStates;
  events: typeof events;
  protocols: typeof protocols;
  tagRanges: typeof tagRanges;
  /** A checked-out file's text (repo-relative path), for emitters that splice into hand-written files. */
  read(path: string): string;
}

export function loadTables(root: string): Tables {
  return {
    machine, syscalls, syscallConstants, errors, rights, leaseRights, objects, faults, faultReport,
    serviceStates, processStates, healthStates, events, protocols, tagRanges,
    read: (path) => readFileSync(join(root, path), "utf8"),
  };
}
