import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { notAfter } from "../shared/pem";

export interface PrivateCaArgs {
    /** What the CA is for, in its subjects: `Platform` (ingress certificates) or `Mesh` (workload certificates). */
    purpose: string;
    /** Distinguishes the environments' CAs in their subjects, e.g. `dev`. */
    environment: string;
    /** A CA the team keeps itself (root key offline): used as given, nothing is generated. */
    supplied?: { rootCertificatePem: string; intermediateCertificatePem: string; intermediatePrivateKeyPem: pulumi.Output<string> };
}

/** Root and intermediate lifetimes (hours): 10 years and 5 years, as the certificate inventory lists them. */
const ROOT_VALIDITY_HOURS = 10 * 365 * 24;
const INTERMEDIATE_VALIDITY_HOURS = 5 * 365 * 24;

/**
 * A private CA: a root and an intermediate, ECDSA P-384, generated with `@pulumi/tls` and kept
 * (encrypted) in the stack's state, or supplied by a team that keeps its root offline. Independent of the cluster, so phase 1 can already make API Management trust
 * the root; cert-manager signs the ingress certificates with the intermediate in phase 2.
 */
export class PrivateCa extends pulumi.ComponentResource {
    public readonly rootCertificatePem: pulumi.Output<string>;
    /** The intermediate followed by the root: what a CA issuer or Istio's `cert-chain.pem` hands out. */
    public readonly chainPem: pulumi.Output<string>;
    public readonly intermediateCertificatePem: pulumi.Output<string>;
    /** Secret. */
    public readonly intermediatePrivateKeyPem: pulumi.Output<string>;
    /** When the root and the intermediate stop being valid (RFC 3339): nothing renews them, so alerts watch these. */
    public readonly rootNotAfter: pulumi.Output<string>;
    public readonly intermediateNotAfter: pulumi.Output<string>;

    constructor(name: string, args: PrivateCaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:pki:PrivateCa", name, {}, opts);
        if (args.supplied) {
            this.rootCertificatePem = pulumi.output(args.supplied.rootCertificatePem);
            this.intermediateCertificatePem = pulumi.output(args.supplied.intermediateCertificatePem);
            this.chainPem = pulumi.output(`${args.supplied.intermediateCertificatePem}${args.supplied.rootCertificatePem}`);
            this.intermediatePrivateKeyPem = pulumi.secret(args.supplied.intermediatePrivateKeyPem);
            this.rootNotAfter = pulumi.output(notAfter(args.supplied.rootCertificatePem));
            this.intermediateNotAfter = pulumi.output(notAfter(args.supplied.intermediateCertificatePem));
            this.registerOutputs({ rootCertificatePem: this.rootCertificatePem, intermediateCertificatePem: this.intermediateCertificatePem });
            return;
        }
        // Replacing either key would invalidate every certificate and trust anchor issued from it.
        const keep = { parent: this, protect: true };

        const rootKey = new tls.PrivateKey(`${name}-root-key`, { algorithm: "ECDSA", ecdsaCurve: "P384" }, keep);
        const root = new tls.SelfSignedCert(`${name}-root`, {
            privateKeyPem: rootKey.privateKeyPem,
            subject: { commonName: `${args.purpose} Root CA (${args.environment})`, organization: "Platform" },
            isCaCertificate: true,
            // Only one CA (the intermediate) may sit below the root.
            maxPathLength: 1,
            setSubjectKeyId: true,
            validityPeriodHours: ROOT_VALIDITY_HOURS,
            allowedUses: ["cert_signing", "crl_signing"],
        }, keep);

        const intermediateKey = new tls.PrivateKey(`${name}-intermediate-key`, { algorithm: "ECDSA", ecdsaCurve: "P384" }, keep);
        const request = new tls.CertRequest(`${name}-intermediate-csr`, {
            privateKeyPem: intermediateKey.privateKeyPem,
            subject: { commonName: `${args.purpose} Intermediate CA (${args.environment})`, organization: "Platform" },
        }, { parent: this });
        const intermediate = new tls.LocallySignedCert(`${name}-intermediate`, {
            certRequestPem: request.certRequestPem,
            caPrivateKeyPem: rootKey.privateKeyPem,
            caCertPem: root.certPem,
            isCaCertificate: true,
            // Issues leaf certificates only.
            maxPathLength: 0,
            setSubjectKeyId: true,
            validityPeriodHours: INTERMEDIATE_VALIDITY_HOURS,
            allowedUses: ["cert_signing", "crl_signing"],
        }, keep);

        this.rootCertificatePem = root.certPem;
        this.intermediateCertificatePem = intermediate.certPem;
        this.chainPem = pulumi.interpolate`${intermediate.certPem}${root.certPem}`;
        this.intermediatePrivateKeyPem = pulumi.secret(intermediateKey.privateKeyPem);
        this.rootNotAfter = root.validityEndTime;
        this.intermediateNotAfter = intermediate.validityEndTime;
        this.registerOutputs({ rootCertificatePem: this.rootCertificatePem, intermediateCertificatePem: this.intermediateCertificatePem });
    }
}
