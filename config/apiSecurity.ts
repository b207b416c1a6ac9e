/**
 * The API-security keys of `gateway` (issue 34): who may call without a token, which claims a token must carry,
 * the call budgets at the edge and in the mesh, HSTS. Pure (no Pulumi runtime), tested on its own.
 */
import { z } from "zod";

/**
 * The APIs API Management declares (components/gateway/apiManagement.ts), by API id: the keys per-API limits may
 * name. A config naming another id would set a limit nothing applies.
 */
export const APIM_APIS = { example: "platform-example", partners: "partners" } as const;
const API_IDS = [APIM_APIS.example, APIM_APIS.partners] as const;

/**
 * A request path as the application receives it: exact (`/healthz`) or a prefix ending in `*` (`/docs/*`), the two
 * forms Istio's AuthorizationPolicy `paths` and API Management's expressions both match (istio.io
 * reference/config/security/authorization-policy, Operation). Only URL-safe characters: the paths are written into
 * policy expressions.
 */
const requestPath = z.string().regex(/^\/[A-Za-z0-9._~%/-]*\*?$/, {
    message: "is not a request path such as /healthz or a prefix such as /docs/* (letters, digits, . _ ~ % / -, one trailing *)",
});

const claimName = z.string().regex(/^[A-Za-z0-9_.:-]+$/, { message: "is not a claim name (letters, digits, _ . : -)" });

/** What a token must prove beyond its signature, issuer, audience and expiry, and what needs no token. */
export const tokenRules = {
    /** Claims every token must carry (beyond exp, iss, aud, which validate-jwt always checks). */
    requiredClaims: z.array(claimName).default(["sub"]),
    /**
     * Claims a token must carry with one of the listed values, e.g. `{ "scp": ["api.read"] }` (Entra ID's delegated
     * scopes, a space-delimited string) or `{ "roles": ["Api.Caller"] }` (app roles, a list).
     */
    claimValues: z.record(claimName, z.array(z.string().regex(/^[^\s"<>&]+$/, { message: "is not a claim value (no spaces, quotes, <, >, &)" })).min(1)).default({}),
    /** Paths callable without a token, at API Management and in the mesh; every other path needs one. */
    publicPaths: z.array(requestPath).default([]),
};

/** One caller's budget: a sustained rate per minute, and how many calls it may send at once. */
const budget = (perMinute: number, burst: number) => ({
    perMinute: z.number().int().min(1).default(perMinute),
    /** Calls allowed within one second (API Management), the token bucket's depth (Envoy). */
    burst: z.number().int().min(1).default(burst),
});

/**
 * A renewable call quota per subject (API Management `quota-by-key`: `renewal-period` in seconds, 0 for a lifetime
 * quota; learn.microsoft.com/azure/api-management/quota-by-key-policy).
 */
const quota = z.strictObject({
    calls: z.number().int().min(1),
    renewalPeriodSeconds: z.number().int().min(0),
});

/** A per-API override of the subject budget and quota. */
const apiLimits = z.strictObject({
    perSubject: z.strictObject(budget(1200, 200)).partial().optional(),
    quota: quota.optional(),
});

export const rateLimits = z.strictObject({
    /** Every caller's address: at Front Door (per minute), API Management and, with the appgateway edge, the mesh gateway. */
    perClientIp: z.strictObject(budget(600, 100)).prefault({}),
    /** Every token's subject (`sub`): at API Management and, with the appgateway edge, the mesh gateway. */
    perSubject: z.strictObject(budget(1200, 200)).prefault({}),
    /** A quota per subject for every API (API Management only), unless the API names its own. */
    quota: quota.optional(),
    /** Per-API overrides at API Management, by API id. */
    apis: z.partialRecord(z.enum(API_IDS), apiLimits).default({}),
}).prefault({});

/** HTTP Strict Transport Security at the edge that terminates the client's TLS (RFC 6797). */
export const hsts = z.strictObject({
    /** max-age; defaults per environment (config/profiles.ts). */
    maxAgeSeconds: z.number().int().min(1).optional(),
    includeSubDomains: z.boolean().default(true),
    /** Browsers' preload lists make HSTS permanent for the domain: off unless asked for. */
    preload: z.boolean().default(false),
}).prefault({});

export type RateLimitsConfig = z.output<typeof rateLimits>;
export type Budget = RateLimitsConfig["perClientIp"];
export type QuotaConfig = z.output<typeof quota>;
export type HstsConfig = z.output<typeof hsts>;

/** hstspreload.org's submission requirements: max-age of at least one year, includeSubDomains, preload. */
export const HSTS_PRELOAD_MIN_AGE = 31536000;

type Problem = (path: (string | number)[], input: unknown, message: string) => void;

/** Rules across the API-security keys (run once every field is valid). */
export function checkApiSecurity(gateway: { rateLimits: RateLimitsConfig; hsts: HstsConfig }, problem: Problem): void {
    const { rateLimits: limits, hsts: h } = gateway;
    checkBudget(["gateway", "rateLimits", "perClientIp"], limits.perClientIp, problem);
    checkBudget(["gateway", "rateLimits", "perSubject"], limits.perSubject, problem);
    for (const [api, override] of Object.entries(limits.apis)) {
        if (override?.perSubject) {
            checkBudget(["gateway", "rateLimits", "apis", api, "perSubject"], { ...limits.perSubject, ...override.perSubject }, problem);
        }
    }
    if (h.preload && !(h.includeSubDomains && (h.maxAgeSeconds ?? 0) >= HSTS_PRELOAD_MIN_AGE)) {
        problem(["gateway", "hsts", "preload"], true,
            `needs includeSubDomains true and maxAgeSeconds >= ${HSTS_PRELOAD_MIN_AGE} set explicitly (hstspreload.org's submission requirements)`);
    }
}

/**
 * A burst below one second of the sustained rate would cap the rate itself (API Management counts it per second,
 * Envoy refills its bucket every second); one above the per-minute budget could never be used.
 */
function checkBudget(path: string[], b: Budget, problem: Problem): void {
    const perSecond = Math.ceil(b.perMinute / 60);
    if (b.burst < perSecond || b.burst > b.perMinute) {
        problem([...path, "burst"], b.burst, `must be between ${perSecond} (one second of perMinute ${b.perMinute}) and ${b.perMinute} (perMinute)`);
    }
}
