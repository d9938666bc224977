/**
 * Application categories (db/application_categories.go CalcApplicationCategory,
 * model/application_category.go): the project's categories with custom patterns first, then the built-in
 * ones, both in name order, matched against "<namespace>/<name>"; "application" otherwise. Monitoring and
 * control-plane applications are auxiliary and do not count in the payload's application totals.
 */
import type { ProjectSettings } from '../sources/database/records.js';
import { globMatch } from './glob.js';

export const APPLICATION_CATEGORY_APPLICATION = 'application';
export const APPLICATION_CATEGORY_CONTROL_PLANE = 'control-plane';
export const APPLICATION_CATEGORY_MONITORING = 'monitoring';

/** model.BuiltinCategoryPatterns */
export const BUILTIN_CATEGORY_PATTERNS: Readonly<Record<string, readonly string[]>> = {
  [APPLICATION_CATEGORY_APPLICATION]: [],
  [APPLICATION_CATEGORY_CONTROL_PLANE]: [
    'kube-system/*', '*/kubelet', '*/kube-apiserver', '*/k3s', '*/k3s-agent', '*/systemd*', '*/containerd', '*/docker*',
    '*/*chaos-*', 'istio*/*', 'amazon-cloudwatch/*', 'karpenter/*', 'cert-manager/*', 'argocd/*', 'flux-system/*', 'linkerd/*',
    'vault/*', 'keda/*', 'keycloak/*', 'longhorn-system/*', 'calico*/*', '_/esm-cache', '_/*motd*', '_/*apt*', '_/*fwupd*',
    '_/snap*', 'keptn-system/*', 'kyverno/*', 'litmus/*', 'openshift*/*', '_/crio*', '*/coredns', 'chaos-mesh/*', 'cilium/*',
    'external-dns/*', 'gpu-operator/*',
  ],
  [APPLICATION_CATEGORY_MONITORING]: [
    'monitoring/*', 'prometheus/*', '*/*prometheus*', 'grafana/*', '*/*grafana*', '*/*alertmanager*', 'coroot/*', '*/*coroot*',
    'metrics-server/*', 'loki/*', 'observability/*', 'jaeger/*', 'thanos/*', 'sentry/*', '*/*victoria-metrics*', '*/*victoria-logs*',
    '*/*vminsert*', '*/*vmselect*', '*/*vmstorage*', '*/*vmagent*', '*/*vmalert*', '*/*vmauth*', 'datadog/*', '*/*datadog*',
  ],
};

/** Go's sort of string keys: byte-wise */
function sortedKeys(o: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(o).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Project.CalcApplicationCategory for an application id's namespace and name. */
export function calcApplicationCategory(settings: Pick<ProjectSettings, 'applicationCategorySettings'>, namespace: string, name: string): string {
  const id = `${namespace}/${name}`;
  const custom = settings.applicationCategorySettings ?? {};
  for (const category of sortedKeys(custom)) {
    const patterns = custom[category]?.customPatterns ?? [];
    if (patterns.length > 0 && globMatch(id, ...patterns)) return category;
  }
  for (const category of sortedKeys(BUILTIN_CATEGORY_PATTERNS)) {
    if (globMatch(id, ...BUILTIN_CATEGORY_PATTERNS[category]!)) return category;
  }
  return APPLICATION_CATEGORY_APPLICATION;
}

/** ApplicationCategory.Auxiliary */
export function isAuxiliaryCategory(category: string): boolean {
  return category === APPLICATION_CATEGORY_MONITORING || category === APPLICATION_CATEGORY_CONTROL_PLANE;
}
