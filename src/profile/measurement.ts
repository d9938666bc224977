/**
 * Units, scaling and the labels pprof prints: the rules of google/pprof internal/measurement (the version
 * vendored in Go 1.19), so that values read "1.20s", "512.01kB" or "1234" exactly as `go tool pprof` does.
 */
import { formatFixed, formatG, padLeft } from './gofmt.js';

interface Unit {
  canonicalName: string;
  aliases: string[];
  factor: number;
}

interface UnitType {
  defaultUnit: Unit;
  units: Unit[];
}

const unitTypes: UnitType[] = [
  {
    units: [
      { canonicalName: 'B', aliases: ['b', 'byte'], factor: 1 },
      { canonicalName: 'kB', aliases: ['kb', 'kbyte', 'kilobyte'], factor: 2 ** 10 },
      { canonicalName: 'MB', aliases: ['mb', 'mbyte', 'megabyte'], factor: 2 ** 20 },
      { canonicalName: 'GB', aliases: ['gb', 'gbyte', 'gigabyte'], factor: 2 ** 30 },
      { canonicalName: 'TB', aliases: ['tb', 'tbyte', 'terabyte'], factor: 2 ** 40 },
      { canonicalName: 'PB', aliases: ['pb', 'pbyte', 'petabyte'], factor: 2 ** 50 },
    ],
    defaultUnit: { canonicalName: 'B', aliases: ['b', 'byte'], factor: 1 },
  },
  {
    units: [
      { canonicalName: 'ns', aliases: ['ns', 'nanosecond'], factor: 1 },
      { canonicalName: 'us', aliases: ['μs', 'us', 'microsecond'], factor: 1e3 },
      { canonicalName: 'ms', aliases: ['ms', 'millisecond'], factor: 1e6 },
      { canonicalName: 's', aliases: ['s', 'sec', 'second'], factor: 1e9 },
      { canonicalName: 'hrs', aliases: ['hour', 'hr'], factor: 3600e9 },
    ],
    defaultUnit: { canonicalName: 's', aliases: [], factor: 1e9 },
  },
  {
    units: [
      { canonicalName: 'n*GCU', aliases: ['nanogcu'], factor: 1e-9 },
      { canonicalName: 'u*GCU', aliases: ['microgcu'], factor: 1e-6 },
      { canonicalName: 'm*GCU', aliases: ['milligcu'], factor: 1e-3 },
      { canonicalName: 'GCU', aliases: ['gcu'], factor: 1 },
      { canonicalName: 'k*GCU', aliases: ['kilogcu'], factor: 1e3 },
      { canonicalName: 'M*GCU', aliases: ['megagcu'], factor: 1e6 },
      { canonicalName: 'G*GCU', aliases: ['gigagcu'], factor: 1e9 },
      { canonicalName: 'T*GCU', aliases: ['teragcu'], factor: 1e12 },
      { canonicalName: 'P*GCU', aliases: ['petagcu'], factor: 1e15 },
    ],
    defaultUnit: { canonicalName: 'GCU', aliases: [], factor: 1 },
  },
];

function sniffUnit(ut: UnitType, unit: string): Unit | undefined {
  let u = unit.toLowerCase();
  if (u.length > 2 && u.endsWith('s')) u = u.slice(0, -1);
  return ut.units.find((x) => x.aliases.includes(u));
}

function autoScale(ut: UnitType, value: number): [number, string] | undefined {
  let f = 0;
  let unit = '';
  for (const u of ut.units) {
    if (u.factor >= f && value / u.factor >= 1.0) {
      f = u.factor;
      unit = u.canonicalName;
    }
  }
  return f === 0 ? undefined : [value / f, unit];
}

function convertUnit(ut: UnitType, value: number, fromUnit: string, toUnit: string): [number, string] | undefined {
  const from = sniffUnit(ut, fromUnit);
  if (!from) return undefined;
  const v = value * from.factor;
  if (toUnit === 'minimum' || toUnit === 'auto') {
    return autoScale(ut, v) ?? [v / ut.defaultUnit.factor, ut.defaultUnit.canonicalName];
  }
  const to = sniffUnit(ut, toUnit);
  if (!to) return [v / ut.defaultUnit.factor, ut.defaultUnit.canonicalName];
  return [v / to.factor, to.canonicalName];
}

/** measurement.Scale: the value in toUnit ("minimum"/"auto" pick one), and that unit's short name. */
export function scale(value: number, fromUnit: string, toUnit: string): [number, string] {
  if (value < 0) {
    const [v, u] = scale(-value, fromUnit, toUnit);
    return [-v, u];
  }
  for (const ut of unitTypes) {
    const r = convertUnit(ut, value, fromUnit, toUnit);
    if (r) return r;
  }
  switch (toUnit) {
    case 'count':
    case 'sample':
    case 'unit':
    case 'minimum':
    case 'auto':
      return [value, ''];
    default:
      return [value, toUnit];
  }
}

/** measurement.ScaledLabel */
export function scaledLabel(value: number, fromUnit: string, toUnit: string): string {
  const [v, u] = scale(value, fromUnit, toUnit);
  let sv = formatFixed(v, 2);
  if (sv.endsWith('.00')) sv = sv.slice(0, -3);
  if (sv === '0' || sv === '-0') return '0';
  return sv + u;
}

/** measurement.Label */
export function label(value: number, unit: string): string {
  return scaledLabel(value, unit, 'auto');
}

/** measurement.Percentage: "  100%", "12.34%", " 0.52%", "0.0012%" */
export function percentage(value: number, total: number): string {
  let ratio = 0;
  if (total !== 0) ratio = Math.abs(value / total) * 100;
  if (Math.abs(ratio) >= 99.95 && Math.abs(ratio) <= 100.05) return '  100%';
  if (Math.abs(ratio) >= 1.0) return `${padLeft(formatFixed(ratio, 2), 5)}%`;
  return `${padLeft(formatG(ratio, 2), 5)}%`;
}
