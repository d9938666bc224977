/** The Coroot release whose payload coroot-usage rebuilds; instance.version unless --coroot-version says otherwise. */
export const DEFAULT_COROOT_VERSION = '1.24.5';
