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

/**
 * The trie lives in typed arrays indexed by state, its edges as child/sibling lists: 100,000 needles make
 * about two million states, and a Map or array per state made building it cost a second of allocation
 * and garbage collection.
 */
export class AhoCorasick {
  private readonly lengths: Int32Array;
  /** transitions of the start state for every UTF-16 unit: most characters of a text are read there */
  private readonly rootNext = new Int32Array(65536);
  private readonly firstChild: Int32Array;
  private readonly nextSibling: Int32Array;
  /** the (folded) character on the edge into a state */
  private readonly edge: Uint16Array;
  private readonly fail: Int32Array;
  /** first needle ending at a state, or -1; more of them follow in sameEnd, in needle order */
  private readonly firstNeedle: Int32Array;
  private readonly sameEnd: Int32Array;
  /** the nearest state on the failure chain where a needle ends, or 0 */
  private readonly outLink: Int32Array;
  private states = 1;

  constructor(needles: readonly string[]) {
    let total = 1;
    for (const needle of needles) total += needle.length;
    this.lengths = new Int32Array(needles.length);
    this.firstChild = new Int32Array(total);
    this.nextSibling = new Int32Array(total);
    this.edge = new Uint16Array(total);
    this.fail = new Int32Array(total);
    this.firstNeedle = new Int32Array(total).fill(-1);
    this.sameEnd = new Int32Array(needles.length).fill(-1);
    this.outLink = new Int32Array(total);
    needles.forEach((needle, id) => this.insert(needle, id));
    this.link();
  }

  private child(state: number, c: number): number {
    if (state === 0) return this.rootNext[c]!;
    for (let t = this.firstChild[state]!; t !== 0; t = this.nextSibling[t]!) if (this.edge[t] === c) return t;
    return 0;
  }

  private insert(needle: string, id: number): void {
    this.lengths[id] = needle.length;
    if (needle.length === 0) return;
    let state = 0;
    for (let i = 0; i < needle.length; i++) {
      const c = fold(needle.charCodeAt(i));
      let to = this.child(state, c);
      if (to === 0) {
        to = this.states++;
        this.edge[to] = c;
        if (state === 0) this.rootNext[c] = to;
        else {
          this.nextSibling[to] = this.firstChild[state]!;
          this.firstChild[state] = to;
        }
      }
      state = to;
    }
    if (this.firstNeedle[state] === -1) this.firstNeedle[state] = id;
    else {
      let last = this.firstNeedle[state]!;
      while (this.sameEnd[last] !== -1) last = this.sameEnd[last]!;
      this.sameEnd[last] = id;
    }
  }

  /** Failure and output links, breadth first. */
  private link(): void {
    const queue = new Int32Array(this.states);
    let tail = 0;
    for (let c = 0; c < 65536; c++) if (this.rootNext[c] !== 0) queue[tail++] = this.rootNext[c]!;
    for (let head = 0; head < tail; head++) {
      const state = queue[head]!;
      for (let to = this.firstChild[state]!; to !== 0; to = this.nextSibling[to]!) {
        const c = this.edge[to]!;
        let f = this.fail[state]!;
        while (f !== 0 && this.child(f, c) === 0) f = this.fail[f]!;
        const target = this.child(f, c);
        const fail = target !== to ? target : 0;
        this.fail[to] = fail;
        this.outLink[to] = this.firstNeedle[fail] !== -1 ? fail : this.outLink[fail]!;
        queue[tail++] = to;
      }
    }
  }

  get size(): number {
    return this.lengths.length;
  }

  /** The state after reading character c in `state` (0: the start state), for a caller's own loop. */
  step(state: number, c: number): number {
    c = fold(c);
    let to = 0;
    while (state !== 0 && (to = this.child(state, c)) === 0) state = this.fail[state]!;
    return state === 0 ? this.rootNext[c]! : to;
  }

  /** Whether a needle ends at `state`. */
  endsAt(state: number): boolean {
    return this.firstNeedle[state] !== -1 || this.outLink[state] !== 0;
  }

  findAll(text: string): Hit[] {
    const hits: Hit[] = [];
    const { fail, firstNeedle, outLink, rootNext } = this;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const c = fold(text.charCodeAt(i));
      let to = 0;
      while (state !== 0 && (to = this.child(state, c)) === 0) state = fail[state]!;
      state = state === 0 ? rootNext[c]! : to;
      if (state === 0) continue;
      // the needles ending here, then those ending at shorter suffixes
      for (let s = firstNeedle[state] !== -1 ? state : outLink[state]!; s !== 0; s = outLink[s]!) {
        for (let id = firstNeedle[s]!; id !== -1; id = this.sameEnd[id]!) hits.push({ start: i + 1 - this.lengths[id]!, end: i + 1, needle: id });
      }
    }
    return hits;
  }
}
