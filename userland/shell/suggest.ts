// "did you mean": the known word nearest a mistyped one, so `svc lis` names
// `list` instead of asking for a service name.

/** " (did you mean W?)" for the word of `known` within 2 edits of `word`, or " (try help)". */
export function didYouMean(word: string, known: string[]): string {
  let best = "", bestD = 3;
  for (let i = 0; i < known.length; i++) {
    const d = distance(word, known[i]);
    if (d < bestD) { bestD = d; best = known[i]; }
  }
  return best.length > 0 ? " (did you mean " + best + "?)" : " (try help)";
}

/** Levenshtein distance; the words are a command's length, so two rows suffice. */
function distance(a: string, b: string): i32 {
  let prev = new Array<i32>(b.length + 1), cur = new Array<i32>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1] + (a.charCodeAt(i - 1) == b.charCodeAt(j - 1) ? 0 : 1);
      cur[j] = min(sub, min(prev[j], cur[j - 1]) + 1);
    }
    const t = prev; prev = cur; cur = t;
  }
  return prev[b.length];
}
