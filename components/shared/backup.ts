/**
 * The label Velero skips an object by (velero.io/docs, "Resource filtering": velero.io/exclude-from-backup=true).
 * For Secrets that hold keys a backup must not carry; the program recreates them instead.
 */
export const EXCLUDE_FROM_BACKUP = { "velero.io/exclude-from-backup": "true" } as const;
