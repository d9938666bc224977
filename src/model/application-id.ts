/** model.ApplicationId (model/application_id.go): "<cluster>:<namespace>:<kind>:<name>". */
export interface ApplicationId {
  clusterId: string;
  namespace: string;
  kind: string;
  name: string;
}

export const APPLICATION_ID_ZERO: ApplicationId = { clusterId: '', namespace: '', kind: '', name: '' };

/**
 * NewApplicationIdFromString: three parts have no cluster; four parts do, except "external:ns:Kind:a:b"
 * style ids where the name itself contains a colon; an empty cluster takes the fallback; ExternalService
 * apps always live in the "external" cluster. Anything else is an error (undefined here).
 */
export function parseApplicationId(src: string, fallbackClusterId: string): ApplicationId | undefined {
  const parts = splitN(src, ':', 4);
  let id: ApplicationId;
  if (parts.length === 3) {
    id = { clusterId: '', namespace: parts[0]!, kind: parts[1]!, name: parts[2]! };
  } else if (parts.length === 4) {
    id = { clusterId: parts[0]!, namespace: parts[1]!, kind: parts[2]!, name: parts[3]! };
    if (id.clusterId === 'external' && id.namespace !== 'external') {
      id = { clusterId: '', namespace: parts[0]!, kind: parts[1]!, name: `${parts[2]}:${parts[3]}` };
    }
  } else {
    return undefined;
  }
  if (id.clusterId === '') id.clusterId = fallbackClusterId;
  if (id.kind === 'ExternalService') id.clusterId = 'external';
  return id;
}

/** strings.SplitN */
function splitN(s: string, sep: string, n: number): string[] {
  const parts: string[] = [];
  let rest = s;
  while (parts.length < n - 1) {
    const at = rest.indexOf(sep);
    if (at < 0) break;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + sep.length);
  }
  parts.push(rest);
  return parts;
}

export function applicationIdString(id: ApplicationId): string {
  return `${id.clusterId}:${id.namespace}:${id.kind}:${id.name}`;
}

export function isZeroApplicationId(id: ApplicationId): boolean {
  return id.clusterId === '' && id.namespace === '' && id.kind === '' && id.name === '';
}
