/**
 * Real Go profiles for the profile tests and benchmark: small Go programs that profile themselves with
 * runtime/pprof (CPU with inlined calls, heap with its four sample types, CPU with pprof.Do labels, a large
 * CPU profile of 400 functions, an empty CPU profile), and the reference `go tool pprof -top` output.
 * Profiles are cached in a temp directory keyed by the program source, so a test run builds each once.
 * Also: the CLI run in-process with captured streams, and a protobuf writer for hand-made broken profiles.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../src/cli.js';
import { buildGoProgram, goBinary, goEnv } from './services.js';

const PRELUDE = `package main

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"time"
)

var _ = context.Background
var _ = runtime.GC
var _ = strconv.Itoa
var sink uint64

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func duration() time.Duration {
	ms, err := strconv.Atoi(os.Getenv("PROFILE_MS"))
	if err != nil || ms <= 0 {
		ms = 1000
	}
	return time.Duration(ms) * time.Millisecond
}

func startCPU(path string, hz int) *os.File {
	f, err := os.Create(path)
	must(err)
	if env, err := strconv.Atoi(os.Getenv("PROFILE_HZ")); err == nil && env > 0 {
		hz = env
	}
	if hz > 0 {
		// set before StartCPUProfile, which then warns that it cannot change the rate and keeps ours
		runtime.SetCPUProfileRate(hz)
	}
	must(pprof.StartCPUProfile(f))
	return f
}

func stopCPU(f *os.File) {
	pprof.StopCPUProfile()
	must(f.Close())
}
`;

const CPU_INLINE = `${PRELUDE}
func add(a, b uint64) uint64 { return a*31 + b }

func mix(x uint64) uint64 { return add(x, x>>3) ^ 0x9e3779b97f4a7c15 }

//go:noinline
func hashLoop(n int) uint64 {
	var s uint64
	for i := 0; i < n; i++ {
		s = mix(s + uint64(i))
	}
	return s
}

//go:noinline
func allocLoop(n int) uint64 {
	var total uint64
	for i := 0; i < n; i++ {
		b := make([]byte, 64+i%512)
		total += uint64(len(b))
	}
	return total
}

//go:noinline
func mapLoop(n int) uint64 {
	m := map[int]int{}
	for i := 0; i < n; i++ {
		m[i%1000] += i
	}
	return uint64(len(m))
}

// called through a function value, mix is not inlined here: with hashLoop it is "(partial-inline)"
var mixFn = mix

//go:noinline
func indirectLoop(n int) uint64 {
	var s uint64
	for i := 0; i < n; i++ {
		s = mixFn(s + uint64(i))
	}
	return s
}

// generic names ("main.sumOf[...]", "main.(*ring[...]).push") go through pprof's C++-name heuristics
type number interface{ ~int | ~uint64 }

//go:noinline
func sumOf[T number](xs []T) T {
	var s T
	for i := 0; i < 2000; i++ {
		for _, x := range xs {
			s = s*3 + x
		}
	}
	return s
}

type ring[T any] struct {
	items []T
	next  int
}

//go:noinline
func (r *ring[T]) push(v T) {
	r.items[r.next%len(r.items)] = v
	r.next++
}

func genericLoop() uint64 {
	xs := make([]uint64, 512)
	for i := range xs {
		xs[i] = uint64(i)
	}
	r := &ring[uint64]{items: make([]uint64, 64)}
	for i := 0; i < 20000; i++ {
		r.push(uint64(i))
	}
	return sumOf(xs) + uint64(sumOf([]int{1, 2, 3})) + uint64(r.next)
}

func main() {
	f := startCPU(os.Args[1], 0)
	deadline := time.Now().Add(duration())
	for time.Now().Before(deadline) {
		sink += hashLoop(200000)
		sink += indirectLoop(200000)
		sink += genericLoop()
		sink += allocLoop(2000)
		sink += mapLoop(50000)
	}
	stopCPU(f)
}
`;

const CPU_LABELS = `${PRELUDE}
//go:noinline
func spin(n int) uint64 {
	var s uint64
	for i := 0; i < n; i++ {
		s = s*6364136223846793005 + uint64(i)
	}
	return s
}

func worker(name string, kind string, n int, done chan<- uint64) {
	pprof.Do(context.Background(), pprof.Labels("worker", name, "kind", kind), func(ctx context.Context) {
		var s uint64
		deadline := time.Now().Add(duration())
		for time.Now().Before(deadline) {
			s += spin(n)
		}
		done <- s
	})
}

func main() {
	f := startCPU(os.Args[1], 0)
	done := make(chan uint64)
	go worker("alpha", "batch", 100000, done)
	go worker("beta", "online", 300000, done)
	sink += <-done + <-done
	stopCPU(f)
}
`;

const HEAP = `${PRELUDE}
var keep [][]byte

func init() { runtime.MemProfileRate = 1 }

//go:noinline
func smallObjects(n int) {
	for i := 0; i < n; i++ {
		b := make([]byte, 16+i%32)
		if i%10 == 0 {
			keep = append(keep, b)
		}
	}
}

//go:noinline
func bigObjects(n int) {
	for i := 0; i < n; i++ {
		b := make([]byte, 64<<10)
		if i%3 == 0 {
			keep = append(keep, b)
		}
	}
}

//go:noinline
func stringsWork(n int) {
	var s string
	for i := 0; i < n; i++ {
		s = strconv.Itoa(i) + s[:len(s)%64]
	}
	sink += uint64(len(s))
}

func main() {
	smallObjects(20000)
	bigObjects(40)
	stringsWork(5000)
	runtime.GC()
	f, err := os.Create(os.Args[1])
	must(err)
	must(pprof.Lookup("heap").WriteTo(f, 0))
	must(f.Close())
}
`;

const CPU_EMPTY = `${PRELUDE}
func main() {
	f := startCPU(os.Args[1], 0)
	stopCPU(f)
}
`;

/** 400 functions calling each other along pseudo-random paths, so that stacks and locations are many. */
function largeSource(functions: number): string {
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const parts: string[] = [PRELUDE, 'func work(x uint64, n int) uint64 {\n\tfor i := 0; i < n; i++ {\n\t\tx = x*2862933555777941757 + 3037000493\n\t}\n\treturn x\n}\n'];
  for (let i = 0; i < functions; i++) {
    const a = rand(functions);
    const b = rand(functions);
    const c = rand(functions);
    parts.push(`//go:noinline
func f${i}(d int, x uint64) uint64 {
	x = work(x, ${50 + rand(400)})
	if d > 0 {
		switch x % 3 {
		case 0:
			x = f${a}(d-1, x)
		case 1:
			x = f${b}(d-1, x)
		default:
			x = f${c}(d-1, x)
		}
	}
	return x
}
`);
  }
  parts.push(`var roots = []func(int, uint64) uint64{${Array.from({ length: functions }, (_, i) => `f${i}`).join(', ')}}

func loop(seed uint64, done chan<- uint64) {
	depth, err := strconv.Atoi(os.Getenv("PROFILE_DEPTH"))
	if err != nil || depth <= 0 {
		depth = 6
	}
	x := seed
	deadline := time.Now().Add(duration())
	for time.Now().Before(deadline) {
		for i := 0; i < 200; i++ {
			x = roots[x%uint64(len(roots))](depth+int(x%10), x+1)
		}
	}
	done <- x
}

func main() {
	f := startCPU(os.Args[1], 500)
	done := make(chan uint64)
	go loop(1, done)
	go loop(7, done)
	sink += <-done + <-done
	stopCPU(f)
}
`);
  return parts.join('\n');
}

export const GO_PROFILES = {
  'cpu-inline': { source: CPU_INLINE, ms: 1500 },
  'cpu-labels': { source: CPU_LABELS, ms: 1000 },
  heap: { source: HEAP, ms: 0 },
  'cpu-empty': { source: CPU_EMPTY, ms: 0 },
  'cpu-large': { source: largeSource(400), ms: 4000 },
} as const;

export type GoProfileName = keyof typeof GO_PROFILES;

const CACHE = join(tmpdir(), 'coroot-usage-pprof-cache');

/**
 * Path of a generated profile (.pb.gz); built and run on first use. `ms` and `hz` override how long and
 * how often the program samples itself, `depth` how deep the large program's call paths go (the
 * benchmark uses them for a bigger profile).
 */
export function goProfile(name: GoProfileName, ms?: number, hz?: number, depth?: number): string {
  const spec = GO_PROFILES[name];
  const runMs = ms ?? spec.ms;
  const hash = createHash('sha256').update(spec.source).update(String(runMs)).update(hz ? `@${hz}` : '').update(depth ? `d${depth}` : '').digest('hex').slice(0, 12);
  mkdirSync(CACHE, { recursive: true });
  const path = join(CACHE, `${name}-${hash}.pb.gz`);
  if (existsSync(path)) return path;
  const binary = buildGoProgram(`pprof-${name}`, spec.source);
  const tmp = `${path}.${process.pid}.tmp`;
  execFileSync(binary, [tmp], { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, PROFILE_MS: String(runMs), PROFILE_HZ: hz ? String(hz) : '', PROFILE_DEPTH: depth ? String(depth) : '' } });
  renameSync(tmp, path);
  return path;
}

/** `go tool pprof` with the given flags on a file, as the tests compare against (TZ fixed to UTC). */
export function goToolPprof(args: string[], env: NodeJS.ProcessEnv = {}): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(goBinary(), ['tool', 'pprof', ...args], {
    encoding: 'utf8',
    env: { ...goEnv(), TZ: 'UTC', PPROF_BINARY_PATH: join(CACHE, 'no-binaries'), ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

// ---------------------------------------------------------------------------------------------- CLI and hand-made profiles

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}, stdin: Buffer = Buffer.alloc(0)): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    // never the test runner's own stdin, which may be a terminal that never ends
    stdin: Readable.from([stdin]),
    stdout: { write: (c: string | Uint8Array) => (stdout += typeof c === 'string' ? c : Buffer.from(c).toString('utf8')), isTTY: false },
    stderr: { write: (c: string | Uint8Array) => (stderr += typeof c === 'string' ? c : Buffer.from(c).toString('utf8')), isTTY: false },
    env: { ...process.env, NO_COLOR: '1', TZ: 'UTC', ...env },
  });
  return { code, stdout, stderr };
}

/** Minimal protobuf writer. */
export class Pb {
  private readonly parts: Buffer[] = [];

  static varint(v: bigint | number): Buffer {
    let x = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    while (x >= 0x80n) {
      out.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    out.push(Number(x));
    return Buffer.from(out);
  }

  int(field: number, v: bigint | number): this {
    this.parts.push(Pb.varint(field * 8), Pb.varint(v));
    return this;
  }

  bytes(field: number, data: Buffer | Pb | string): this {
    const b = data instanceof Pb ? data.done() : typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.parts.push(Pb.varint(field * 8 + 2), Pb.varint(b.length), b);
    return this;
  }

  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/**
 * A small valid CPU-like profile: strings, one function/location per name, samples as [stack, value].
 * `patch` may change any part before encoding, to make it invalid.
 */
export function handProfile(options: {
  samples?: Array<[number[], bigint | number]>;
  functionNameIndex?: number;
  extraStringTable?: boolean;
} = {}): Buffer {
  const strings = ['', 'samples', 'count', 'main.a', 'main.b', 'a.go'];
  const p = new Pb();
  p.bytes(1, new Pb().int(1, 1).int(2, 2));
  for (const [stack, value] of options.samples ?? [[[1, 2], 5], [[2], 3]]) {
    const s = new Pb();
    for (const id of stack) s.int(1, id);
    s.int(2, value);
    p.bytes(2, s);
  }
  p.bytes(4, new Pb().int(1, 1).bytes(4, new Pb().int(1, 1).int(2, 10)));
  p.bytes(4, new Pb().int(1, 2).bytes(4, new Pb().int(1, 2).int(2, 20)));
  p.bytes(5, new Pb().int(1, 1).int(2, options.functionNameIndex ?? 3).int(3, options.functionNameIndex ?? 3).int(4, 5));
  p.bytes(5, new Pb().int(1, 2).int(2, 4).int(3, 4).int(4, 5));
  for (const s of strings) p.bytes(6, s);
  return p.done();
}

/** A valid profile of at least `size` bytes: 5000 functions, samples with 20-frame stacks, written fast. */
export function bigProfile(size: number): Buffer {
  const funcs = 5000;
  const buf = Buffer.alloc(size + 1024 * 1024);
  let pos = 0;
  const varint = (v: number) => {
    while (v >= 0x80) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[pos++] = v;
  };
  const sampleType = new Pb().bytes(1, new Pb().int(1, 1).int(2, 2)).done();
  sampleType.copy(buf, pos);
  pos += sampleType.length;
  const head = Buffer.concat(
    Array.from({ length: funcs }, (_, i) => {
      const id = i + 1;
      return new Pb()
        .bytes(4, new Pb().int(1, id).bytes(4, new Pb().int(1, id).int(2, 1)))
        .bytes(5, new Pb().int(1, id).int(2, 3 + i).int(3, 3 + i))
        .done();
    }),
  );
  head.copy(buf, pos);
  pos += head.length;
  const strings = ['', 'samples', 'count', ...Array.from({ length: funcs }, (_, i) => `pkg/module.Function${i}`)];
  const st = Buffer.concat(strings.map((s) => new Pb().bytes(6, s).done()));
  st.copy(buf, pos);
  pos += st.length;
  let seed = 1;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed;
  };
  const stack = new Array<number>(20);
  while (pos < size) {
    let packed = 0;
    for (let i = 0; i < 20; i++) {
      stack[i] = 1 + (rand() % funcs);
      packed += stack[i]! < 128 ? 1 : 2;
    }
    const value = 1 + (rand() % 100);
    buf[pos++] = 0x12; // field 2 (sample), length-delimited
    varint(2 + packed + 2);
    buf[pos++] = 0x0a; // location_id, packed
    varint(packed);
    for (const id of stack) varint(id);
    buf[pos++] = 0x10; // value
    varint(value);
  }
  return buf.subarray(0, pos);
}
