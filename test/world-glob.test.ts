/**
 * globMatch against Go's own path/filepath.Match (the local Go toolchain, standard library only), over
 * Coroot's built-in category patterns and the tricky corners of the syntax.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { BUILTIN_CATEGORY_PATTERNS } from '../src/world/categories.js';
import { globMatch } from '../src/world/glob.js';
import { buildGoProgram } from './helpers/services.js';

const GO_MATCH = `package main

import (
	"encoding/json"
	"os"
	"path/filepath"
)

func main() {
	var cases [][2]string
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		panic(err)
	}
	out := make([]string, len(cases))
	for i, c := range cases {
		ok, err := filepath.Match(c[0], c[1])
		switch {
		case err != nil:
			out[i] = "error"
		case ok:
			out[i] = "match"
		default:
			out[i] = "no"
		}
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}
`;

const NAMES = [
  'kube-system/coredns', 'default/kubelet', '_/kubelet', 'a/b/kubelet', 'default/systemd-journald', 'monitoring/x', 'ns/my-prometheus-0',
  'ns/prometheus', 'istio-system/istiod', '_/motd-news', '_/apt-daily', '_/snapd', 'default/web', '', '/', 'a/', '/b', 'é/ü',
  'ns/a*b', 'ns/a?b', 'ns/[x]', 'ns/a-b', 'ns/aXb', 'ns/abc', 'ns/a\\b', 'x/vmagent-0', 'coroot/coroot-node-agent',
];
const PATTERNS = [
  ...Object.values(BUILTIN_CATEGORY_PATTERNS).flat(),
  '*', '*/*', '?', '??/*', 'ns/a[*?]b', 'ns/a[^a-c]b', 'ns/a[a-cX]b', 'ns/[\\]]', 'ns/[x]', 'ns/a\\*b', 'ns/a\\?b', '[', '[]', '[^]', 'ns/[a-]',
  'ns/a\\', '*/[', 'x/*[', 'ns/a[b-a]b', 'é/?', '*/é', 'ns/*-*', 'ns/a*', '**', 'ns/a**b', '*/*c', 'a/', '/b', '', 'ns/\\a\\b\\c',
];

describe('glob matching like Go', () => {
  it('agrees with filepath.Match on every pattern and name', () => {
    const cases: Array<[string, string]> = [];
    for (const p of PATTERNS) for (const n of NAMES) cases.push([p, n]);
    const binary = buildGoProgram('coroot-usage-glob', GO_MATCH);
    const go = JSON.parse(execFileSync(binary, { input: JSON.stringify(cases) }).toString()) as string[];
    // GlobMatch treats a malformed pattern as no match, so only match / no match is compared
    const mismatches = cases.flatMap(([p, n], i) => (globMatch(n, p) === (go[i] === 'match') ? [] : [`${p} ~ ${n}: go ${go[i]}`]));
    assert.deepEqual(mismatches, []);
    assert.ok(go.filter((r) => r === 'match').length > 50, 'the cases exercise matches too');
  });
});
