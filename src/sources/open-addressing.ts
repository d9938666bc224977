/**
 * The growth steps of the hand-made hash tables of the metrics readers (series sets, label values, label
 * sets): entries live in parallel typed arrays, and a table of entry number + 1 (0: free) finds them.
 */

/** a typed array twice as long, starting with `a` */
export function grown<T extends Uint32Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T {
  const b = make(a.length * 2);
  b.set(a);
  return b;
}

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
