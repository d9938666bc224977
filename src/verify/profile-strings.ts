/** The strings inside the payload's CPU and heap profiles, checked like every other payload string. */
import { describe } from '../errors.js';
import { decodeProfile } from '../profile/decode.js';
import { decodeBase64Strict } from '../profile/source.js';
import { profileStrings, STRING_GROUPS } from '../profile/strings.js';
import type { Finding } from './finding.js';
import type { AnonymityScanner, ProfileTexts } from './scan.js';

export function scanProfiles(section: ProfileTexts, scanner: AnonymityScanner): Finding[] {
  const problems: Finding[] = [];
  for (const kind of ['cpu', 'memory'] as const) {
    const text = section[kind];
    if (text === undefined || text === '') continue;
    let strings;
    try {
      strings = profileStrings(decodeProfile(decodeBase64Strict(text, `profile.${kind}`), `profile.${kind}`).profile);
    } catch (err) {
      problems.push({ kind: 'profile', rule: 'profile:undecodable', severity: 'warning', path: `profile.${kind}`, message: `cannot decode the profile, so its strings were not checked: ${describe(err)}` });
      continue;
    }
    for (const [group, title] of STRING_GROUPS) {
      for (const s of strings[group]) scanner.checkString(s, ['profile', kind, title], false, 'profile');
    }
  }
  return problems;
}
