/**
 * API Management's client certificate file (components/shared/pkcs12.ts) and the key pin the ingress gateway checks
 * (components/gateway/edgeClient.ts), against the real OpenSSL: the `openssl` command for the certificates and the
 * reading of the file, and Node's TLS (OpenSSL too) for a mutual-TLS handshake with it.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { after, before, describe, it } from "node:test";
import { spkiSha256 } from "../../components/gateway/edgeClient";
import { pkcs12 } from "../../components/shared/pkcs12";

let dir = "";
const file = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");
const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
const PASSWORD = "Z7q2P9xkv3LmN8rT4wYb6HcJ1dFsG5eA";

describe("PKCS #12 for API Management's client certificate", () => {
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pkcs12-"));
        // A platform-like chain: an ECDSA P-384 root and intermediate, and an ECDSA P-256 client certificate for one DNS name.
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes", "-keyout", "root.key", "-out", "root.pem", "-days", "2",
            "-subj", "/CN=Test Root", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes", "-keyout", "intermediate.key", "-out", "intermediate.csr", "-subj", "/CN=Test Intermediate");
        fs.writeFileSync(path.join(dir, "ca.ext"), "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n");
        openssl("x509", "-req", "-in", "intermediate.csr", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial", "-days", "2", "-extfile", "ca.ext", "-out", "intermediate.pem");
        for (const [name, san] of [["client", "api-management.aks-ingress.test"], ["other", "other.aks-ingress.test"], ["server", "api.aks-ingress.test"]] as const) {
            // PKCS #8 keys, as @pulumi/tls's privateKeyPemPkcs8.
            openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", `${name}.key`);
            openssl("req", "-new", "-key", `${name}.key`, "-subj", `/CN=${name}`, "-out", `${name}.csr`);
            fs.writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=DNS:${san}\nextendedKeyUsage=${name === "server" ? "serverAuth" : "clientAuth"}\n`);
            openssl("x509", "-req", "-in", `${name}.csr`, "-CA", "intermediate.pem", "-CAkey", "intermediate.key", "-CAcreateserial", "-days", "1", "-extfile", `${name}.ext`, "-out", `${name}.pem`);
        }
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const clientPfx = (password = PASSWORD) => pkcs12(`${file("client.pem")}${file("intermediate.pem")}`, file("client.key"), password);

    it("is read by openssl as OpenSSL 3's own default layout: a SHA-256 MAC, the key under PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC", () => {
        fs.writeFileSync(path.join(dir, "client.p12"), clientPfx());
        // What `openssl pkcs12 -info` prints (on stderr) for `openssl pkcs12 -export` with OpenSSL 3's defaults (PKCS12_DEFAULT_ITER 2048).
        const info = execFileSync("sh", ["-c", `openssl pkcs12 -info -in client.p12 -passin pass:${PASSWORD} -noout 2>&1`], { cwd: dir, encoding: "utf8" });
        assert.match(info, /^MAC: sha256, Iteration 2048$/m);
        assert.match(info, /^Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256$/m);
        assert.equal((info.match(/^Certificate bag$/gm) ?? []).length, 2);
        // The key and both certificates come back out, the leaf first.
        const pem = openssl("pkcs12", "-in", "client.p12", "-passin", `pass:${PASSWORD}`, "-nodes");
        const certificates = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
        assert.deepEqual(certificates.map((c) => c.replace(/\s/g, "")), [file("client.pem"), file("intermediate.pem")].map((c) => c.trim().replace(/\s/g, "")));
        assert.match(pem, /-----BEGIN PRIVATE KEY-----/);
    });

    it("refuses a wrong password (the MAC) and a changed byte", () => {
        const pfx = clientPfx();
        assert.doesNotThrow(() => tls.createSecureContext({ pfx, passphrase: PASSWORD }));
        assert.throws(() => tls.createSecureContext({ pfx, passphrase: "wrong" }), /mac verify failure|bad decrypt/i);
        const tampered = Buffer.from(pfx);
        tampered[tampered.length - 60] ^= 0x01;
        assert.throws(() => tls.createSecureContext({ pfx: tampered, passphrase: PASSWORD }));
    });

    it("is the same file for the same inputs (no update without a change) and another for another password", () => {
        assert.deepEqual(clientPfx(), clientPfx());
        assert.notDeepEqual(clientPfx(), clientPfx(`${PASSWORD}x`));
    });

    it("authenticates its holder to a server that requires a client certificate of the platform CA, with the name and key the ingress gateway pins", { timeout: 30_000 }, async () => {
        // The gateway's check (mutualTls in components/mesh/apiSecurity.ts) as Envoy applies it: a chain to the CA
        // bundle, then one SAN, then one SPKI (verify_certificate_spki).
        const caBundle = `${file("intermediate.pem")}${file("root.pem")}`;
        const pinned = spkiSha256(execFileSync("openssl", ["pkey", "-in", path.join(dir, "client.key"), "-pubout"], { encoding: "utf8" }));
        const handshake = (pfx: Buffer) => new Promise<{ san: string; spki: string }>((resolve, reject) => {
            const server = tls.createServer({ key: file("server.key"), cert: `${file("server.pem")}${file("intermediate.pem")}`, ca: caBundle, requestCert: true, rejectUnauthorized: true }, (socket) => {
                const peer = socket.getPeerCertificate();
                // The presented certificate's SubjectPublicKeyInfo, as OpenSSL parsed it.
                resolve({ san: String(peer.subjectaltname), spki: spkiSha256(new X509Certificate(peer.raw).publicKey.export({ type: "spki", format: "pem" }).toString()) });
                socket.end();
                server.close();
            });
            server.on("tlsClientError", (err) => {
                server.close();
                reject(err);
            });
            server.listen(0, "127.0.0.1", () => {
                const port = (server.address() as { port: number }).port;
                try {
                    const client = tls.connect({ host: "127.0.0.1", port, servername: "api.aks-ingress.test", ca: caBundle, pfx, passphrase: PASSWORD }, () => client.end());
                    client.on("error", () => undefined);
                } catch (err) {
                    // A file the client cannot load fails here, before any handshake.
                    server.close();
                    reject(err);
                }
            });
        });
        const peer = await handshake(clientPfx());
        assert.equal(peer.san, "DNS:api-management.aks-ingress.test");
        assert.equal(peer.spki, pinned);
        // Another certificate of the same CA passes the chain check but not the pins.
        const other = await handshake(pkcs12(`${file("other.pem")}${file("intermediate.pem")}`, file("other.key"), PASSWORD));
        assert.notEqual(other.san, "DNS:api-management.aks-ingress.test");
        assert.notEqual(other.spki, pinned);
    });

    it("pins the key as Envoy's documentation computes verify_certificate_spki (openssl x509 -pubkey | pkey -pubin -outform DER | dgst -sha256 -binary | base64)", () => {
        // envoyproxy.io api-v3 extensions/transport_sockets/tls/v3/common.proto, CertificateValidationContext.verify_certificate_spki.
        const expected = execFileSync("sh", ["-c", "openssl x509 -in client.pem -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary | openssl enc -base64"], { cwd: dir, encoding: "utf8" }).trim();
        const publicKeyPem = openssl("x509", "-in", "client.pem", "-noout", "-pubkey");
        assert.equal(spkiSha256(publicKeyPem), expected);
        assert.throws(() => spkiSha256(file("client.pem")), /not a PEM public key/);
    });
});
