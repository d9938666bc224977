/**
 * Trusted CAs for the collector (or a TLS-intercepting proxy). The base set is Go's on Linux, which is what
 * Coroot trusts: SSL_CERT_FILE and SSL_CERT_DIR replace the system roots when set; otherwise Node's roots.
 * NODE_EXTRA_CA_CERTS and --ca-file are added to it. Node drops both its defaults and NODE_EXTRA_CA_CERTS as
 * soon as a `ca` list is passed, so when one is needed it is rebuilt here from all the parts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
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

/** Go's loadSystemRoots with SSL_CERT_FILE / SSL_CERT_DIR (colon-separated); unreadable entries are skipped, as Go does. */
function goEnvRoots(env: NodeJS.ProcessEnv): string[] | undefined {
  const file = env.SSL_CERT_FILE || undefined;
  const dirs = env.SSL_CERT_DIR || undefined;
  if (!file && !dirs) return undefined;
  const pems: string[] = [];
  const tryRead = (path: string) => {
    try {
      const text = readFileSync(path, 'utf8');
      if (text.includes('-----BEGIN CERTIFICATE-----')) pems.push(text);
    } catch {
      // Go ignores files it cannot read
    }
  };
  if (file) tryRead(file);
  for (const dir of (dirs ?? '').split(':').filter(Boolean)) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path, { throwIfNoEntry: false })?.isFile()) tryRead(path);
    }
  }
  return pems;
}

/**
 * undefined when Node's own store already is right: no --ca-file, no SSL_CERT_FILE/SSL_CERT_DIR, and
 * NODE_EXTRA_CA_CERTS (if any) is the one this process started with.
 */
export function trustedCas(caFile: string | undefined, env: NodeJS.ProcessEnv, warn: (m: string) => void): string[] | undefined {
  const extraEnv = env.NODE_EXTRA_CA_CERTS || undefined;
  const startedWith = process.env.NODE_EXTRA_CA_CERTS || undefined;
  const goRoots = goEnvRoots(env);
  if (!caFile && !goRoots && extraEnv === startedWith) return undefined;
  const cas = goRoots ?? [...rootCertificates];
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
