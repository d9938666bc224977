/**
 * The growth step of the hand-made hash tables of the metrics readers (label values, label sets): entries
 * live in parallel typed arrays, and a table of entry number + 1 (0: free) finds them.
 */

/** a table of `size` slots (a power of two) holding entries 0 … count-1, each probed linearly from its hash */
export function rebuiltTable(size: number, count: number, hashOf: (entry: number) => number): Int32Array<ArrayBuffer> {
  const table = new Int32Array(size);
  const mask = size - 1;
  for (let e = 0; e < count; e++) {
    let i = hashOf(e) & mask;
    while (table[i] !== 0) i = (i + 1) & mask;
    table[i] = e + 1;
  }
  return table;
}
