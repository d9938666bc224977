/**
 * The two rewrites Coroot's Prometheus client applies to every query text before sending it
 * (prom/http.go QueryRange, AddExtraSelector): `$RANGE` becomes three steps, and the project's extra
 * selector's matchers are appended to every vector selector, those inside range vectors and function
 * calls included.
 *
 * Coroot re-prints the parsed expression, so its text differs in spacing and duration spelling from
 * ours; the selected data is the same, which is all that reaches the payload (stats keys are query
 * names). A token-level rewrite is enough for that and keeps a PromQL parser out of the project.
 */

/** `$RANGE` → `fmt.Sprintf("%.0fs", 3·step)`; steps are whole seconds. */
export function substituteRange(query: string, step: number): string {
  return query.split('$RANGE').join(`${Math.round(step * 3)}s`);
}

type TokenKind = 'ident' | 'string' | 'number' | 'punct' | 'space';
interface Token {
  kind: TokenKind;
  text: string;
}

export class PromQLError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromQLError';
  }
}

const IDENT_START = /[A-Za-z_:]/;
const IDENT_PART = /[A-Za-z0-9_:]/;
const NUMBER_PART = /[A-Za-z0-9_.]/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const start = i;
    if (/\s/.test(c)) {
      while (i < text.length && /\s/.test(text[i]!)) i++;
      tokens.push({ kind: 'space', text: text.slice(start, i) });
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      tokens.push({ kind: 'space', text: text.slice(start, i) });
    } else if (c === '"' || c === "'" || c === '`') {
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && c !== '`') i++;
        i++;
      }
      if (i >= text.length) throw new PromQLError('unterminated string');
      i++;
      tokens.push({ kind: 'string', text: text.slice(start, i) });
    } else if (/[0-9.]/.test(c)) {
      // numbers, hex, exponents and durations (5m30s) share one token; exponent signs included
      i++;
      while (i < text.length && (NUMBER_PART.test(text[i]!) || (/[+-]/.test(text[i]!) && /[eE]/.test(text[i - 1]!) && !/^0[xX]/.test(text.slice(start, i))))) i++;
      tokens.push({ kind: 'number', text: text.slice(start, i) });
    } else if (IDENT_START.test(c)) {
      while (i < text.length && IDENT_PART.test(text[i]!)) i++;
      tokens.push({ kind: 'ident', text: text.slice(start, i) });
    } else {
      const two = text.slice(i, i + 2);
      const len = ['!=', '=~', '!~', '==', '<=', '>='].includes(two) ? 2 : 1;
      if (!'(){}[],=+-*/%^<>@!:'.includes(c) || (c === '!' && len === 1)) throw new PromQLError(`unexpected character ${JSON.stringify(c)}`);
      i += len;
      tokens.push({ kind: 'punct', text: two.slice(0, len) });
    }
  }
  return tokens;
}

const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const OPERATOR_KEYWORDS = new Set(['and', 'or', 'unless', 'atan2', 'bool', 'offset']);
const NUMBER_WORDS = /^(inf|nan)$/i;

/**
 * The matchers of an extra selector (`{a="b"}`, `metric{a="b"}` or `metric`) as text for insertion,
 * checked the way parser.ParseMetricSelector would reject a malformed one.
 */
export function parseExtraSelector(selector: string): string {
  const tokens = tokenize(selector).filter((t) => t.kind !== 'space');
  const matchers: string[] = [];
  let i = 0;
  if (tokens[i]?.kind === 'ident') {
    matchers.push(`__name__=${JSON.stringify(tokens[i]!.text)}`);
    i++;
  }
  if (tokens[i]?.text === '{') {
    i++;
    while (tokens[i] && tokens[i]!.text !== '}') {
      const [name, op, value] = [tokens[i], tokens[i + 1], tokens[i + 2]];
      if (name?.kind !== 'ident' || !op || !['=', '!=', '=~', '!~'].includes(op.text) || value?.kind !== 'string') {
        throw new PromQLError(`invalid extra selector ${JSON.stringify(selector)}`);
      }
      matchers.push(`${name.text}${op.text}${value.text}`);
      i += 3;
      if (tokens[i]?.text === ',') i++;
      else if (tokens[i]?.text !== '}') throw new PromQLError(`invalid extra selector ${JSON.stringify(selector)}`);
    }
    if (tokens[i]?.text !== '}') throw new PromQLError(`invalid extra selector ${JSON.stringify(selector)}`);
    i++;
  }
  if (i !== tokens.length || matchers.length === 0) throw new PromQLError(`invalid extra selector ${JSON.stringify(selector)}`);
  return matchers.join(',');
}

/** AddExtraSelector: appends the matchers to every vector selector of the query. */
export function addExtraSelector(query: string, extraSelector: string): string {
  if (extraSelector === '') return query;
  const extra = parseExtraSelector(extraSelector);
  const tokens = tokenize(query);
  const next = (from: number): number => {
    let j = from;
    while (j < tokens.length && tokens[j]!.kind === 'space') j++;
    return j;
  };
  const prev = (from: number): number => {
    let j = from;
    while (j >= 0 && tokens[j]!.kind === 'space') j--;
    return j;
  };
  const out: string[] = [];
  const closeStack: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (t.kind === 'ident' && LABEL_LIST_KEYWORDS.has(t.text.toLowerCase())) {
      // the label list after by/without/on/ignoring/group_* holds label names, not selectors
      out.push(t.text);
      const open = next(i + 1);
      if (tokens[open]?.text !== '(') {
        i++;
        continue;
      }
      const close = tokens.findIndex((x, k) => k > open && x.text === ')');
      if (close < 0) throw new PromQLError('unbalanced parentheses');
      for (let k = i + 1; k <= close; k++) out.push(tokens[k]!.text);
      i = close + 1;
      continue;
    }
    const isSelectorName = t.kind === 'ident'
      && !OPERATOR_KEYWORDS.has(t.text.toLowerCase())
      && !NUMBER_WORDS.test(t.text)
      && tokens[next(i + 1)]?.text !== '('
      && !(tokens[next(i + 1)]?.kind === 'ident' && LABEL_LIST_KEYWORDS.has(tokens[next(i + 1)]!.text.toLowerCase()));
    const isBareMatchers = t.text === '{' && tokens[prev(i - 1)]?.kind !== 'ident';
    if (!isSelectorName && !isBareMatchers) {
      if (t.text === '(' || t.text === '[' || t.text === '{') closeStack.push(t.text === '(' ? ')' : t.text === '[' ? ']' : '}');
      else if (t.text === ')' || t.text === ']' || t.text === '}') {
        if (closeStack.pop() !== t.text) throw new PromQLError('unbalanced brackets');
      }
      out.push(t.text);
      i++;
      continue;
    }
    let open = i;
    if (isSelectorName) {
      out.push(t.text);
      open = next(i + 1);
      if (tokens[open]?.text !== '{') {
        out.push(`{${extra}}`);
        i++;
        continue;
      }
      for (let k = i + 1; k < open; k++) out.push(tokens[k]!.text);
    }
    // copy the matcher list and add ours before its closing brace
    let close = open + 1;
    while (close < tokens.length && tokens[close]!.text !== '}') close++;
    if (close >= tokens.length) throw new PromQLError('unbalanced braces');
    const inner = tokens.slice(open + 1, close).map((x) => x.text).join('');
    const trimmed = inner.trim();
    const separator = trimmed === '' || trimmed.endsWith(',') ? '' : ',';
    out.push(`{${inner}${separator}${extra}}`);
    i = close + 1;
  }
  if (closeStack.length > 0) throw new PromQLError('unbalanced brackets');
  return out.join('');
}
