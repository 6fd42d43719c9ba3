// Message tags of the conformance suite: qc drives qc-peer, qc-fuzz and
// qc-hostile with them. The tags live in abi/protocols/qc-*.ts (generated into
// userland/lib/proto/); what is not a number of the protocol stays here.
export * from "../../lib/proto/qc-peer";
export * from "../../lib/proto/qc-fuzz";
export * from "../../lib/proto/qc-hostile";

/** The byte qc-peer writes for QC_PROBE's write probe. */
export const QC_PROBE_BYTE: u8 = 0xa5;

/** The peer's running checksum after handling QC_SEQ `seq`; qc folds the same way. */
@inline export function foldSeq(sum: i64, seq: i64): i64 { return sum * 31 + seq + 1; }
