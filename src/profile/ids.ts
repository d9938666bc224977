/**
 * Lookup from profile ids (arbitrary uint64 below 2^53) to array positions. Ids are usually 1..n, so a
 * typed array is used when they are dense enough; a Map otherwise. Hot loops over millions of frames
 * call this, hence no closures over Map for the common case.
 */
export interface IdIndex {
  /** position of the id, or -1 */
  get(id: number): number;
  /** when ids are dense: table[id] is the position or -1 (ids beyond its length are absent) */
  table?: Int32Array;
}

export function idIndex(ids: ArrayLike<number>): IdIndex {
  let max = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i]! > max) max = ids[i]!;
  if (max <= ids.length * 4 + 1024) {
    const table = new Int32Array(max + 1).fill(-1);
    for (let i = 0; i < ids.length; i++) table[ids[i]!] = i;
    return { get: (id) => (id <= max ? table[id]! : -1), table };
  }
  const map = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) map.set(ids[i]!, i);
  return { get: (id) => map.get(id) ?? -1 };
}
