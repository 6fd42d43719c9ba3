// Numeric arguments of shell commands. Every number the shell takes goes
// through argNumber, so none can overflow, wrap or be read as 0 by mistake:
// a word that is not a plain decimal number within the command's range is
// refused with a message saying what was expected.

/** Why the last argNumber refused its word; empty when it accepted it. */
export let refusal = "";

/**
 * The decimal number `word` (digits only: no sign, spaces, fraction or
 * exponent) if it lies in [lo, hi] (0 <= lo <= hi); otherwise -1, with
 * `refusal` naming `what` the number is and its range.
 */
export function argNumber(cmd: string, what: string, word: string, lo: i64, hi: i64): i64 {
  refusal = "";
  const n = word.length;
  let v: i64 = 0;
  let ok = n > 0;
  for (let i = 0; i < n && ok; i++) {
    const d = <i64>(word.charCodeAt(i) - 48);
    // Stop before v * 10 + d passes hi: no intermediate value can overflow.
    if (d < 0 || d > 9 || v > (hi - d) / 10) ok = false;
    else v = v * 10 + d;
  }
  if (ok && v >= lo) return v;
  refusal = cmd + ": " + what + " must be a whole number from " + lo.toString() + " to " + hi.toString() +
    (n == 0 ? "" : ", not " + shown(word));
  return -1;
}

/** A word as a message quotes it: at most 40 characters of it. */
function shown(word: string): string {
  return word.length <= 40 ? '"' + word + '"' : '"' + word.substring(0, 40) + '..." (' + word.length.toString() + " characters)";
}
