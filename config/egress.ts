/**
 * Where the critical-alert receivers a stack names are reached from the cluster: Alertmanager's webhook and SMTP
 * relay, Falco's SIEM webhook. Derived from the plain values while the config is parsed, so the firewall can allow
 * exactly these hosts (a host is not the secret part of a webhook URL; its path and query are).
 */
import { parseIpv4 } from "./cidr";

export interface ReceiverEndpoint {
    /** The config key that names it. */
    key: "alertWebhookUrl" | "siemWebhookUrl" | "observability.criticalAlertEmail.smarthost";
    /** A DNS name or an IPv4 address. */
    host: string;
    port: number;
    /** https: a webhook over HTTPS; smtp: SMTP submission with STARTTLS. */
    protocol: "https" | "smtp";
}

interface ReceiverConfig {
    alertWebhookUrl?: string;
    siemWebhookUrl?: string;
    observability?: { criticalAlertEmail?: { smarthost: string } };
}

/** The receivers' endpoints, in the order of the keys above; none for a key that is not set. */
export function receiverEndpoints(config: ReceiverConfig): ReceiverEndpoint[] {
    const webhook = (key: "alertWebhookUrl" | "siemWebhookUrl", url: string | undefined): ReceiverEndpoint[] => {
        if (url === undefined) {
            return [];
        }
        const parsed = new URL(url);
        return [{ key, host: parsed.hostname, port: parsed.port === "" ? 443 : Number(parsed.port), protocol: "https" }];
    };
    const smarthost = config.observability?.criticalAlertEmail?.smarthost;
    const [host, port] = smarthost?.split(":") ?? [];
    return [
        ...webhook("alertWebhookUrl", config.alertWebhookUrl),
        ...webhook("siemWebhookUrl", config.siemWebhookUrl),
        ...(host && port ? [{ key: "observability.criticalAlertEmail.smarthost" as const, host, port: Number(port), protocol: "smtp" as const }] : []),
    ];
}

/** Whether a receiver's host is an address (a firewall network rule names it directly) rather than a DNS name. */
export const isAddress = (host: string) => parseIpv4(host) !== undefined;
