/**
 * Trusted CAs for the collector (or a TLS-intercepting proxy): Node's defaults plus NODE_EXTRA_CA_CERTS,
 * plus --ca-file. Node drops both its defaults and NODE_EXTRA_CA_CERTS as soon as a `ca` list is passed,
 * so when one is needed it is rebuilt here from all three.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { describe, inputError } from '../errors.js';

function readPem(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw inputError(`${what} ${path}: ${describe(err)}`, err);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw inputError(`${what} ${path}: no PEM certificate in it`);
  return text;
}

/**
 * undefined when Node's own store already is right: no --ca-file, and NODE_EXTRA_CA_CERTS (if any) is
 * the one this process started with.
 */
export function trustedCas(caFile: string | undefined, env: NodeJS.ProcessEnv, warn: (m: string) => void): string[] | undefined {
  const extraEnv = env.NODE_EXTRA_CA_CERTS || undefined;
  const startedWith = process.env.NODE_EXTRA_CA_CERTS || undefined;
  if (!caFile && extraEnv === startedWith) return undefined;
  const cas = [...rootCertificates];
  if (extraEnv) {
    try {
      cas.push(readPem(extraEnv, 'NODE_EXTRA_CA_CERTS'));
    } catch (err) {
      // Node itself only warns about an unusable NODE_EXTRA_CA_CERTS
      warn(describe(err));
    }
  }
  if (caFile) cas.push(readPem(caFile, '--ca-file'));
  return cas;
}
