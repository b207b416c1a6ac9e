/**
 * For outputs Azure always fills in once a resource exists but the SDK types as optional. Used inside `apply`,
 * which a preview skips while the value is unknown, so this fails only on a real, empty answer.
 */
export function required<T>(value: T | null | undefined, what: string): T {
    if (value === undefined || value === null || value === "") {
        throw new Error(`Azure returned no ${what}`);
    }
    return value;
}
