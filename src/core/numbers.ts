/** Python's number rules where Pillow's results depend on them. */

/** Python's round(): halves go to the even integer (round(2.5) == 2, round(3.5) == 4). */
export function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
