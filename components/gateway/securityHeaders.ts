/**
 * Response headers the edge that terminates the client's TLS sets on every response, for either edge (Front Door's
 * rule set, Application Gateway's rewrite set): one list, so both edges answer alike.
 */
import type { HstsConfig } from "../../config/apiSecurity";

export interface ResponseHeader {
    name: string;
    value: string;
}

/** The Strict-Transport-Security value (RFC 6797 section 6.1: max-age, then the includeSubDomains and preload directives). */
export function hstsValue(hsts: HstsConfig, maxAgeSeconds: number): string {
    return [`max-age=${maxAgeSeconds}`, ...(hsts.includeSubDomains ? ["includeSubDomains"] : []), ...(hsts.preload ? ["preload"] : [])].join("; ");
}

/**
 * HSTS, and the headers OWASP's REST Security Cheat Sheet ("Security Headers") asks an API to send whatever the
 * application does: no MIME sniffing of responses, and no framing of them (clickjacking). A Content-Security-Policy
 * is left to the applications: one set at the edge would replace theirs.
 */
export function edgeResponseHeaders(hsts: HstsConfig, maxAgeSeconds: number): ResponseHeader[] {
    return [
        { name: "Strict-Transport-Security", value: hstsValue(hsts, maxAgeSeconds) },
        { name: "X-Content-Type-Options", value: "nosniff" },
        { name: "X-Frame-Options", value: "DENY" },
    ];
}
