/**
 * This process's own profiles while it builds a payload, in the places Coroot puts its own: a CPU profile
 * and a heap profile, gzipped pprof, recorded with Node's built-in inspector (no native add-on, no extra
 * thread). Coroot profiles itself with runtime/pprof and godeltaprof; a Node process cannot, so the CPU
 * profile follows pprof's CPU conventions (samples/count, cpu/nanoseconds) and the heap profile the
 * Datadog Node profiler's (objects/count, space/bytes), which `go tool pprof` and every pprof viewer read.
 */
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  Function as PprofFunction,
  Line as PprofLine,
  Location as PprofLocation,
  Profile as PprofProfile,
  Sample as PprofSample,
  StringTable,
  ValueType as PprofValueType,
} from 'pprof-format';

/** µs between CPU samples: 1 ms, so that a build of a few hundred ms still yields a readable profile */
const CPU_INTERVAL_US = 1000;
/** average bytes between heap samples (V8's default is 512 KiB; usage builds allocate far less) */
const HEAP_INTERVAL_BYTES = 32 * 1024;

export interface SelfProfileResult {
  /** gzipped pprof CPU profile */
  cpu: Buffer;
  /** gzipped pprof heap profile (live sampled allocations at stop) */
  memory: Buffer;
  /** unix seconds, truncated as Go's Time.Unix() does */
  from: number;
  to: number;
}

export interface SelfProfile {
  stop(): Promise<SelfProfileResult>;
}

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface CpuNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: CpuNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

interface HeapNode {
  id: number;
  callFrame: CallFrame;
  children: HeapNode[];
}

interface HeapProfile {
  head: HeapNode;
  samples: Array<{ size: number; nodeId: number }>;
}

/** Functions and locations of one pprof profile, de-duplicated as they are added. */
class Builder {
  readonly strings = new StringTable();
  readonly functions: PprofFunction[] = [];
  readonly locations: PprofLocation[] = [];
  private readonly byFrame = new Map<string, number>();

  /** The location id of a JavaScript frame (one location per function and line). */
  location(frame: CallFrame): number {
    const name = frame.functionName || '(anonymous)';
    let file = frame.url;
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        // keep the URL
      }
    }
    const line = frame.lineNumber + 1;
    const key = `${name}\u0000${file}\u0000${line}`;
    let id = this.byFrame.get(key);
    if (id === undefined) {
      id = this.locations.length + 1;
      const fn = new PprofFunction({
        id,
        name: this.strings.dedup(name),
        systemName: this.strings.dedup(name),
        filename: this.strings.dedup(file),
        startLine: line,
      });
      this.functions.push(fn);
      this.locations.push(new PprofLocation({ id, line: [new PprofLine({ functionId: id, line })] }));
      this.byFrame.set(key, id);
    }
    return id;
  }

  valueType(type: string, unit: string): PprofValueType {
    return new PprofValueType({ type: this.strings.dedup(type), unit: this.strings.dedup(unit) });
  }
}

/** V8 marks these pseudo-frames; they are not JavaScript functions. */
const ROOT = '(root)';
const IDLE = '(idle)';

function encodeCpu(profile: CpuProfile, startMs: number): Buffer {
  const b = new Builder();
  const parent = new Map<number, number>();
  const byId = new Map<number, CpuNode>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const stacks = new Map<number, number[] | null>();
  const stackOf = (id: number): number[] | null => {
    let s = stacks.get(id);
    if (s !== undefined) return s;
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === IDLE) s = null;
    else {
      s = [];
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const n = byId.get(cur)!;
        if (n.callFrame.functionName === ROOT) continue;
        s.push(b.location(n.callFrame));
      }
    }
    stacks.set(id, s);
    return s;
  };
  // one pprof sample per distinct stack: sample count and the time until the next sample
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const perNode = new Map<number, [number, number]>();
  for (let i = 0; i < samples.length; i++) {
    const next = i + 1 < deltas.length ? deltas[i + 1]! : CPU_INTERVAL_US;
    const v = perNode.get(samples[i]!) ?? [0, 0];
    v[0] += 1;
    v[1] += Math.max(0, Math.round(next * 1000));
    perNode.set(samples[i]!, v);
  }
  const pprofSamples: PprofSample[] = [];
  for (const [id, [count, nanos]] of perNode) {
    const stack = stackOf(id);
    if (!stack || stack.length === 0) continue;
    pprofSamples.push(new PprofSample({ locationId: stack, value: [count, nanos] }));
  }
  const out = new PprofProfile({
    sampleType: [b.valueType('samples', 'count'), b.valueType('cpu', 'nanoseconds')],
    sample: pprofSamples,
    location: b.locations,
    function: b.functions,
    stringTable: b.strings,
    timeNanos: BigInt(Math.round(startMs)) * 1_000_000n,
    durationNanos: BigInt(Math.max(0, Math.round((profile.endTime - profile.startTime) * 1000))),
    periodType: b.valueType('cpu', 'nanoseconds'),
    period: CPU_INTERVAL_US * 1000,
  });
  return gzipSync(out.encode());
}

function encodeHeap(profile: HeapProfile, startMs: number, endMs: number): Buffer {
  const b = new Builder();
  const stacks = new Map<number, number[]>();
  const walk = (node: HeapNode, above: number[]) => {
    const stack = node.callFrame.functionName === ROOT ? above : [b.location(node.callFrame), ...above];
    stacks.set(node.id, stack);
    for (const c of node.children) walk(c, stack);
  };
  walk(profile.head, []);
  // as the Datadog profiler does: one sample per (stack, allocation size) with [count, count × size]
  const perKey = new Map<string, { node: number; size: number; count: number }>();
  for (const s of profile.samples) {
    const key = `${s.nodeId}:${s.size}`;
    const e = perKey.get(key);
    if (e) e.count++;
    else perKey.set(key, { node: s.nodeId, size: s.size, count: 1 });
  }
  const samples: PprofSample[] = [];
  for (const e of perKey.values()) {
    const stack = stacks.get(e.node);
    if (!stack || stack.length === 0) continue;
    samples.push(new PprofSample({ locationId: stack, value: [e.count, e.count * e.size] }));
  }
  const out = new PprofProfile({
    sampleType: [b.valueType('objects', 'count'), b.valueType('space', 'bytes')],
    sample: samples,
    location: b.locations,
    function: b.functions,
    stringTable: b.strings,
    timeNanos: BigInt(Math.round(startMs)) * 1_000_000n,
    durationNanos: BigInt(Math.max(0, Math.round((endMs - startMs) * 1e6))),
    periodType: b.valueType('space', 'bytes'),
    period: HEAP_INTERVAL_BYTES,
  });
  return gzipSync(out.encode());
}

/**
 * Starts recording this process's CPU and heap profiles. Only one self-profile can run at a time (the
 * inspector has one profiler per isolate); a second start fails.
 */
export async function startSelfProfile(): Promise<SelfProfile> {
  const session = new Session();
  session.connect();
  const startMs = Date.now();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: CPU_INTERVAL_US });
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: HEAP_INTERVAL_BYTES });
    await session.post('Profiler.start');
  } catch (err) {
    session.disconnect();
    throw err;
  }
  let stopped = false;
  return {
    async stop() {
      if (stopped) throw new Error('self profile already stopped');
      stopped = true;
      try {
        const { profile: cpu } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
        const { profile: heap } = (await session.post('HeapProfiler.getSamplingProfile')) as unknown as { profile: HeapProfile };
        const endMs = Date.now();
        await session.post('HeapProfiler.stopSampling');
        await session.post('Profiler.disable');
        await session.post('HeapProfiler.disable');
        return {
          cpu: encodeCpu(cpu, startMs),
          memory: encodeHeap(heap, startMs, endMs),
          from: Math.floor(startMs / 1000),
          to: Math.floor(endMs / 1000),
        };
      } finally {
        session.disconnect();
      }
    },
  };
}
