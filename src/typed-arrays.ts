/** a typed array twice as long, starting with `a`: the growth step of the append-only columns kept in typed arrays */
export function grown<T extends Uint32Array | Int32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T {
  const b = make(a.length * 2);
  b.set(a);
  return b;
}
