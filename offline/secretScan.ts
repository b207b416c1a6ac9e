/**
 * Finds secrets in plaintext in a plan's inputs: values that are private keys, kubeconfigs or connection strings,
 * and values of properties whose name says they are credentials, unless wrapped in Pulumi's secret envelope.
 */
import { SECRET_SIG, SIG_KEY, UNKNOWN, type Graph } from "./engine";

export interface PlaintextSecret {
    urn: string;
    path: string;
    why: string;
}

/** Property names that hold credentials (not references to them, such as `secretName` or `existingSecret`). */
const CREDENTIAL_KEY = /^(password|\w*Password|clientSecret|connectionString|kubeconfig|\w*PrivateKeyPem|privateKeyPem|secretAccessKey|accountKey|sasToken|token|accessToken)$/i;

const SECRET_VALUES: [RegExp, string][] = [
    [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
    [/\b(client-key-data|client-certificate-data|token):\s*\S/, "a kubeconfig credential"],
    [/AccountKey=[^;]+/i, "a storage connection string"],
    [/aws_secret_access_key\s*=\s*\S/, "an S3 secret key"],
    [/\bpassword=[^;&\s]+/i, "a password in a connection string"],
];

export function findPlaintextSecrets(graph: Graph): PlaintextSecret[] {
    const found: PlaintextSecret[] = [];
    const walk = (urn: string, path: string, key: string, value: unknown) => {
        if (value === null || value === undefined || value === UNKNOWN) {
            return;
        }
        if (typeof value === "object") {
            if ((value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG) {
                return;
            }
            for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
                walk(urn, Array.isArray(value) ? `${path}[${k}]` : path ? `${path}.${k}` : k, Array.isArray(value) ? key : k, v);
            }
            return;
        }
        const text = String(value);
        if (CREDENTIAL_KEY.test(key) && text !== "") {
            found.push({ urn, path, why: `property "${key}" holds a credential` });
            return;
        }
        for (const [pattern, what] of SECRET_VALUES) {
            if (pattern.test(text)) {
                found.push({ urn, path, why: `value is ${what}` });
                return;
            }
        }
    };
    for (const r of graph.resources) {
        walk(r.urn, "", "", r.inputs);
    }
    return found;
}
