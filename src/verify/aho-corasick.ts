/**
 * One pass over a string finds every occurrence of any of many needles (ASCII case-insensitive), so
 * checking a payload against thousands of identifying values costs about as much as reading it once.
 */

export interface Hit {
  start: number;
  end: number;
  needle: number;
}

const fold = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);

export class AhoCorasick {
  private readonly next: Array<Map<number, number>> = [new Map()];
  private readonly fail: number[] = [0];
  /** needle ids ending at a state, own and inherited through failure links */
  private readonly out: number[][] = [[]];
  private readonly lengths: number[] = [];
  /** transitions of the start state for every UTF-16 unit: most characters of a text are read there */
  private rootNext = new Int32Array(0);

  constructor(needles: readonly string[]) {
    needles.forEach((needle, id) => {
      this.lengths.push(needle.length);
      if (needle.length === 0) return;
      let state = 0;
      for (let i = 0; i < needle.length; i++) {
        const c = fold(needle.charCodeAt(i));
        let to = this.next[state]!.get(c);
        if (to === undefined) {
          to = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.out.push([]);
          this.next[state]!.set(c, to);
        }
        state = to;
      }
      this.out[state]!.push(id);
    });
    this.link();
    this.rootNext = new Int32Array(65536);
    for (const [c, to] of this.next[0]!) this.rootNext[c] = to;
  }

  private link(): void {
    const queue: number[] = [];
    for (const to of this.next[0]!.values()) queue.push(to);
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      for (const [c, to] of this.next[state]!) {
        let f = this.fail[state]!;
        while (f !== 0 && !this.next[f]!.has(c)) f = this.fail[f]!;
        const target = this.next[f]!.get(c);
        this.fail[to] = target !== undefined && target !== to ? target : 0;
        const inherited = this.out[this.fail[to]!]!;
        if (inherited.length) this.out[to] = [...this.out[to]!, ...inherited];
        queue.push(to);
      }
    }
  }

  get size(): number {
    return this.lengths.length;
  }

  findAll(text: string): Hit[] {
    const hits: Hit[] = [];
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const c = fold(text.charCodeAt(i));
      let to: number | undefined;
      while (state !== 0 && (to = this.next[state]!.get(c)) === undefined) state = this.fail[state]!;
      state = state === 0 ? this.rootNext[c]! : to!;
      const out = this.out[state]!;
      for (let k = 0; k < out.length; k++) hits.push({ start: i + 1 - this.lengths[out[k]!]!, end: i + 1, needle: out[k]! });
    }
    return hits;
  }
}
