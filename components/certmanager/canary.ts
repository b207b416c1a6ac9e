import * as pulumi from "@pulumi/pulumi";
import type { AlertGroup } from "../observability/alerts";
import { prometheusRuleSpec } from "../observability/alerts";
import { typedResource, type Models } from "../shared/customResources";

/** A canary certificate: its name, the issuer it exercises, the name it certifies, and how fast it turns over. */
export interface Canary {
    name: string;
    issuer: string;
    dnsName: string;
    duration: string;
    renewBefore: string;
}

/**
 * The canaries for the platform CA and (when configured) the ACME issuer. The CA canary lives 6 hours and renews
 * 4 hours before expiry: a renewal every 2 hours. Let's Encrypt ignores a requested duration (its certificates
 * live 90 days), so the ACME canary renews 89 days early: once a day, well inside the staging environment's rate
 * limits (letsencrypt.org/docs/staging-environment). Should a shorter-lived certificate come back, cert-manager
 * renews at two thirds of its life instead (cert-manager.io/docs/usage/certificate/#renewal).
 */
export function renewalCanaries(issuers: { platformCa: string; acme?: string }, dnsNames: { platformCa: string; acme?: string }): Canary[] {
    return [
        { name: "renewal-canary-platform-ca", issuer: issuers.platformCa, dnsName: dnsNames.platformCa, duration: "6h", renewBefore: "4h" },
        ...(issuers.acme && dnsNames.acme ? [{ name: "renewal-canary-acme", issuer: issuers.acme, dnsName: dnsNames.acme, duration: "2160h", renewBefore: "2136h" }] : []),
    ];
}

/**
 * The alert that makes the drill observed: cert-manager exports, per certificate, the time it will next renew
 * (`certmanager_certificate_renewal_timestamp_seconds`, cert-manager.io/docs/devops-tips/prometheus-metrics). While
 * renewals work that time keeps moving ahead; two hours past it (one retry after cert-manager's first one-hour
 * back-off) renewal has stopped. A canary that exports nothing at all is as bad.
 */
export function renewalDrillGroup(namespace: string, canaries: Canary[]): AlertGroup {
    const names = canaries.map((c) => c.name).join("|");
    const selector = `exported_namespace="${namespace}", name=~"${names}"`;
    return {
        name: "renewal-drill",
        rules: [
            {
                alert: "RenewalDrillStalled",
                expr: `time() - certmanager_certificate_renewal_timestamp_seconds{${selector}} > 7200`,
                for: "15m",
                severity: "warning",
                summary: "Canary certificate {{ $labels.exported_namespace }}/{{ $labels.name }} is more than two hours past its renewal time: its issuer stopped renewing.",
            },
            ...canaries.map((canary) => ({
                alert: "RenewalDrillMissing",
                expr: `absent(certmanager_certificate_renewal_timestamp_seconds{exported_namespace="${namespace}", name="${canary.name}"})`,
                for: "30m",
                severity: "warning" as const,
                summary: `Canary certificate ${namespace}/${canary.name} reports no renewal time: it is gone, or cert-manager is not scraped.`,
            })),
        ],
    };
}

/** The canary Certificates in `namespace`, and their alert rule beside the platform's others (`rulesNamespace`, after `monitoring` installs the CRD). */
export function declareRenewalDrill(name: string, args: { models: Models; namespace: string; rulesNamespace: string; monitoring: pulumi.Resource; canaries: Canary[]; privateKey: { algorithm: "ECDSA"; size: number; rotationPolicy: "Always" } }, opts: pulumi.CustomResourceOptions): void {
    for (const canary of args.canaries) {
        typedResource(`${name}-${canary.name}`, new args.models.Certificate({
            metadata: { name: canary.name, namespace: args.namespace },
            spec: {
                secretName: canary.name,
                dnsNames: [canary.dnsName],
                duration: canary.duration,
                renewBefore: canary.renewBefore,
                privateKey: args.privateKey,
                issuerRef: { kind: "ClusterIssuer", name: canary.issuer },
            },
        }), opts);
    }
    typedResource(`${name}-alerts`, new args.models.PrometheusRule({
        metadata: { name: "platform-renewal-drill", namespace: args.rulesNamespace },
        spec: prometheusRuleSpec(renewalDrillGroup(args.namespace, args.canaries)),
    }), { ...opts, dependsOn: [args.monitoring] });
}
