import { createHash } from "node:crypto";

/**
 * A GUID derived from a seed (name-based, RFC 4122 version 5 layout over SHA-1). Azure names some resources
 * by GUID (role assignments); deriving it from what the resource means keeps the name stable across runs.
 */
export function deterministicGuid(seed: string): string {
    const hex = createHash("sha1").update(seed).digest("hex");
    const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
