// "did you mean": the known word nearest a mistyped one, if it is near enough
// to be a typo rather than another word.

export function didYouMean(word: string, known: readonly string[]): string {
  let best = "";
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(word, k);
    if (d < bestDistance) { best = k; bestDistance = d; }
  }
  // A third of the word may differ: "biuld" -> build, "frob" -> nothing.
  return best && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? ` (did you mean ${best}?)` : "";
}

/** Edit distance (insertions, deletions, substitutions, and two neighbours swapped: "biuld"). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
