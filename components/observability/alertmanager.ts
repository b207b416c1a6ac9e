import type * as pulumi from "@pulumi/pulumi";

/** Secret with the critical receiver's credentials, mounted into Alertmanager (never part of its config). */
export const ALERT_RECEIVERS_SECRET = "alertmanager-receivers";
/** Where the operator mounts `alertmanagerSpec.secrets`. */
const SECRET_DIR = `/etc/alertmanager/secrets/${ALERT_RECEIVERS_SECRET}`;
export const RECEIVER_SECRET_KEYS = { webhookUrl: "webhook-url", smtpPassword: "smtp-password" } as const;

/** Where critical alerts go besides Loki; both are optional, both may be set. */
export interface CriticalReceiver {
    /** A chat or paging webhook whose URL carries its token (secret). */
    webhookUrl?: pulumi.Output<string>;
    email?: { to: string; from: string; smarthost: string; password: pulumi.Output<string> };
}

export function hasCriticalReceiver(receiver: CriticalReceiver): boolean {
    return receiver.webhookUrl !== undefined || receiver.email !== undefined;
}

/**
 * Routing: every alert to Loki (through Alloy), critical ones also to the configured receiver. Credentials are
 * read from files (`url_file`, `auth_password_file`), so the rendered config holds no secret.
 */
export function alertmanagerConfig(alertLogUrl: string, critical: CriticalReceiver) {
    const paging = hasCriticalReceiver(critical);
    return {
        route: {
            receiver: "loki",
            group_by: ["namespace", "alertname"],
            routes: [
                { receiver: "loki", continue: true },
                ...(paging ? [{ receiver: "critical", matchers: ["severity=\"critical\""] }] : []),
            ],
        },
        receivers: [
            { name: "loki", webhook_configs: [{ url: alertLogUrl, send_resolved: true }] },
            ...(paging
                ? [{
                    name: "critical",
                    ...(critical.webhookUrl ? { webhook_configs: [{ url_file: `${SECRET_DIR}/${RECEIVER_SECRET_KEYS.webhookUrl}`, send_resolved: true }] } : {}),
                    ...(critical.email
                        ? {
                            email_configs: [{
                                to: critical.email.to,
                                from: critical.email.from,
                                smarthost: critical.email.smarthost,
                                auth_username: critical.email.from,
                                auth_password_file: `${SECRET_DIR}/${RECEIVER_SECRET_KEYS.smtpPassword}`,
                                require_tls: true,
                                send_resolved: true,
                            }],
                        }
                        : {}),
                }]
                : []),
        ],
    };
}
