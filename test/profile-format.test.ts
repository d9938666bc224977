/**
 * The number formats of pprof reports (%.2f, %5.2f, %.2g and measurement.Percentage) against Go's fmt
 * on thousands of values, including exact ties, which JavaScript rounds differently.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { formatFixed, formatG } from '../src/profile/gofmt.js';
import { percentage, scaledLabel } from '../src/profile/measurement.js';
import { buildGoProgram } from './helpers/services.js';

const GO = `package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		bits, _ := strconv.ParseUint(in.Text(), 16, 64)
		v := math.Float64frombits(bits)
		fmt.Fprintf(out, "%.2f|%5.2f|%.2g|%5.2g\\n", v, v, v, v)
	}
}
`;

function values(): number[] {
  const out: number[] = [0, -0, 1, 0.5, 0.125, 0.375, 0.625, 0.875, 2.5, 99.95, 99.949999, 100.05, 1e-5, 1.25e-5, 0.00015, 0.995, 0.9951, 9.995, 1e21, 123456789.125];
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let i = 0; i < 3000; i++) {
    const scale = 10 ** Math.floor(rand() * 14 - 7);
    out.push(rand() * scale);
    out.push(Math.round(rand() * 4000) / 8); // exact ties at two decimals
    out.push(Math.round(rand() * 400) / 64); // more binary fractions
  }
  return out;
}

test('%.2f, %5.2f and %.2g format as in Go', () => {
  const vs = values();
  const bin = buildGoProgram('pprof-fmt', GO);
  const input = vs.map((v) => {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return b.toString('hex');
  });
  const lines = execFileSync(bin, [], { input: `${input.join('\n')}\n`, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\n');
  let checked = 0;
  vs.forEach((v, i) => {
    const [f, f5, g, g5] = lines[i]!.split('|');
    assert.equal(formatFixed(v, 2), f, `%.2f of ${v}`);
    assert.equal(formatFixed(v, 2).padStart(5), f5, `%5.2f of ${v}`);
    assert.equal(formatG(v, 2), g, `%.2g of ${v}`);
    assert.equal(formatG(v, 2).padStart(5), g5, `%5.2g of ${v}`);
    checked++;
  });
  assert.equal(checked, vs.length);
});

test('percentages and scaled labels', () => {
  assert.equal(percentage(1, 1), '  100%');
  assert.equal(percentage(0, 0), '    0%');
  assert.equal(percentage(1, 3), '33.33%');
  assert.equal(percentage(1, 1000), '  0.1%');
  assert.equal(percentage(1, 100000), '0.001%');
  assert.equal(scaledLabel(1_500_000_000, 'nanoseconds', 's'), '1.50s');
  assert.equal(scaledLabel(10_000_000, 'nanoseconds', 'ms'), '10ms');
  assert.equal(scaledLabel(524288, 'bytes', 'minimum'), '512kB');
  assert.equal(scaledLabel(1234, 'count', 'count'), '1234');
  assert.equal(scaledLabel(0, 'bytes', 'MB'), '0');
});
