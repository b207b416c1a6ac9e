/** IPv4 CIDR arithmetic for config validation: pure functions, no Pulumi runtime. */

export interface Cidr {
    /** Network address as an unsigned 32-bit integer. */
    readonly base: number;
    readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function parseIpv4(text: string): number | undefined {
    const parts = text.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
        return undefined;
    }
    return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** Parses "a.b.c.d/n"; undefined when malformed or when host bits are set (Azure rejects those). */
export function parseCidr(text: string): Cidr | undefined {
    const match = CIDR_PATTERN.exec(text);
    if (!match) {
        return undefined;
    }
    const prefix = Number(match[5]);
    const base = parseIpv4(match.slice(1, 5).join("."));
    if (base === undefined || prefix > 32) {
        return undefined;
    }
    return base % size({ base, prefix }) === 0 ? { base, prefix } : undefined;
}

export function size(cidr: Cidr): number {
    return 2 ** (32 - cidr.prefix);
}

export function contains(outer: Cidr, inner: Cidr): boolean {
    return inner.base >= outer.base && inner.base + size(inner) <= outer.base + size(outer);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
    return a.base < b.base + size(b) && b.base < a.base + size(a);
}

export function containsAddress(cidr: Cidr, address: number): boolean {
    return address >= cidr.base && address < cidr.base + size(cidr);
}

/** Azure reserves five addresses in every subnet (network, gateway, two DNS, broadcast). */
export function usableAzureAddresses(cidr: Cidr): number {
    return Math.max(0, size(cidr) - 5);
}

/** The address `offset` after a subnet's network address, as text (Azure hands out .4 first). */
export function addressInSubnet(subnet: string, offset: number): string {
    const cidr = parseCidr(subnet);
    if (!cidr || offset >= size(cidr)) {
        throw new Error(`${subnet} has no address at offset ${offset}`);
    }
    return formatIpv4(cidr.base + offset);
}

export function formatIpv4(value: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

export function formatCidr(cidr: Cidr): string {
    return `${formatIpv4(cidr.base)}/${cidr.prefix}`;
}

/** Azure's first assignable address in a subnet (the first four are reserved). */
export const FIRST_ASSIGNABLE_OFFSET = 4;
