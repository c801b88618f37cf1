/** Order statistics on typed arrays, for top-k without sorting the whole row. */
import { InternalError } from '../../api/index.js';

/**
 * The value of rank `rank` (0-based, ascending) among `values[0 .. n)`, which it reorders in place:
 * Hoare's quickselect with a median-of-three pivot, expected O(n). Equal values stop both scans, so a row
 * full of ties still splits in the middle. The values must not be NaN.
 */
export function kthSmallest(values: Float32Array, n: number, rank: number): number {
  if (!(n <= values.length && rank >= 0 && rank < n)) {
    throw new InternalError(`kthSmallest: rank ${rank} of ${n} values (array of ${values.length})`);
  }
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    // Median of three: the pivot is the middle of values[lo], values[mid], values[hi].
    const mid = lo + ((hi - lo) >> 1);
    const a = values[lo]!;
    const b = values[mid]!;
    const c = values[hi]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    // Now values[lo..j] <= pivot <= values[i..hi], and anything between i and j equals the pivot.
    if (rank <= j) hi = j;
    else if (rank >= i) lo = i;
    else return values[rank]!;
  }
  return values[lo]!;
}
