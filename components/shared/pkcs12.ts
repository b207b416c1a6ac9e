/**
 * A PKCS #12 (PFX) file from a PEM certificate chain and a PKCS #8 PEM key: what API Management takes for a client
 * certificate ("Base 64 encoded certificate using the application/x-pkcs12 representation", CertificateArgs.data of
 * azure-native 3.28.0). @pulumi/tls writes PEM only, and no package of the project writes PKCS #12.
 *
 * The layout is OpenSSL 3's default (`openssl pkcs12 -export`), which Windows Server 2019 and later import: the key in
 * a pkcs8ShroudedKeyBag under PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC; RFC 8018), the certificates in certBags, an
 * HMAC-SHA256 integrity MAC keyed by the PKCS #12 key derivation (RFC 7292 appendix B). The key and certificates are
 * carried as the DER the PEM holds, never parsed. Salts and IV derive from the inputs, so the same inputs give the
 * same file (a `pulumi up` without a change updates nothing).
 */
import { createCipheriv, createHash, createHmac, pbkdf2Sync } from "node:crypto";

const OID = {
    data: "1.2.840.113549.1.7.1",
    pkcs8ShroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
    certBag: "1.2.840.113549.1.12.10.1.3",
    x509Certificate: "1.2.840.113549.1.9.22.1",
    localKeyId: "1.2.840.113549.1.9.21",
    pbes2: "1.2.840.113549.1.5.13",
    pbkdf2: "1.2.840.113549.1.5.12",
    hmacWithSha256: "1.2.840.113549.2.9",
    aes256Cbc: "2.16.840.1.101.3.4.1.42",
    sha256: "2.16.840.1.101.3.4.2.1",
};

/** OpenSSL 3's default iteration count for both the key's PBKDF2 and the MAC (PKCS12_DEFAULT_ITER). */
const ITERATIONS = 2048;

// DER (X.690): tag, definite length, content.
function der(tag: number, content: Buffer): Buffer {
    const n = content.length;
    const length = n < 0x80 ? Buffer.from([n]) : (() => {
        const bytes: number[] = [];
        for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) {
            bytes.unshift(rest % 256);
        }
        return Buffer.from([0x80 | bytes.length, ...bytes]);
    })();
    return Buffer.concat([Buffer.from([tag]), length, content]);
}
const sequence = (...items: Buffer[]) => der(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => der(0x31, Buffer.concat(items));
const octets = (content: Buffer) => der(0x04, content);
const explicit0 = (content: Buffer) => der(0xa0, content);
const nullValue = Buffer.from([0x05, 0x00]);

function integer(value: number): Buffer {
    const bytes: number[] = [];
    for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) {
        bytes.unshift(rest % 256);
    }
    // A leading 1 bit would make it negative.
    return der(0x02, Buffer.from(bytes.length === 0 || bytes[0]! >= 0x80 ? [0, ...bytes] : bytes));
}

function oid(dotted: string): Buffer {
    const [first, second, ...rest] = dotted.split(".").map(Number);
    const body = [40 * first! + second!];
    for (const arc of rest) {
        const base128 = [arc % 128];
        for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) {
            base128.unshift(0x80 | (n % 128));
        }
        body.push(...base128);
    }
    return der(0x06, Buffer.from(body));
}

/** The DER bodies of a PEM text's blocks of one label, in order. */
export function pemBlocks(pem: string, label: string): Buffer[] {
    const pattern = new RegExp(`-----BEGIN ${label}-----([^-]*)-----END ${label}-----`, "g");
    return [...pem.matchAll(pattern)].map((m) => Buffer.from(m[1]!.replace(/\s/g, ""), "base64"));
}

/** RFC 7292 appendix B.2 with SHA-256 (u = 32, v = 64), the password as a BMPString with its two zero bytes. */
function pkcs12Kdf(password: string, salt: Buffer, id: number, iterations: number, length: number): Buffer {
    const u = 32;
    const v = 64;
    const bmp = Buffer.concat([Buffer.from(password, "utf16le").swap16(), Buffer.alloc(2)]);
    const fill = (source: Buffer) => (source.length === 0 ? Buffer.alloc(0) : Buffer.alloc(v * Math.ceil(source.length / v), source));
    const input = Buffer.concat([fill(salt), fill(bmp)]);
    const diversifier = Buffer.alloc(v, id);
    const out: Buffer[] = [];
    for (let produced = 0; produced < length; produced += u) {
        let a = createHash("sha256").update(diversifier).update(input).digest();
        for (let i = 1; i < iterations; i++) {
            a = createHash("sha256").update(a).digest();
        }
        out.push(a);
        // I_j = (I_j + B + 1) mod 2^(8v) for each v-byte block of I, B being A repeated to v bytes.
        const b = Buffer.alloc(v, a);
        for (let j = 0; j < input.length; j += v) {
            let carry = 1;
            for (let k = v - 1; k >= 0; k--) {
                const sum = input[j + k]! + b[k]! + carry;
                input[j + k] = sum & 0xff;
                carry = sum >> 8;
            }
        }
    }
    return Buffer.concat(out).subarray(0, length);
}

/** A value derived from the file's secret inputs, so the file is stable across runs without reusing anything across files. */
const derived = (label: string, length: number, ...inputs: (Buffer | string)[]) =>
    inputs.reduce<ReturnType<typeof createHash>>((h, x) => h.update(x), createHash("sha256").update(label)).digest().subarray(0, length);

/**
 * PKCS #12 bytes for `certificatesPem` (the leaf first, then its chain) and `pkcs8KeyPem` (a `BEGIN PRIVATE KEY`
 * block, as @pulumi/tls's `privateKeyPemPkcs8`), protected by `password`.
 */
export function pkcs12(certificatesPem: string, pkcs8KeyPem: string, password: string): Buffer {
    const certificates = pemBlocks(certificatesPem, "CERTIFICATE");
    const [key] = pemBlocks(pkcs8KeyPem, "PRIVATE KEY");
    if (certificates.length === 0 || key === undefined) {
        throw new Error("pkcs12 needs at least one PEM CERTIFICATE and a PEM PRIVATE KEY (PKCS #8)");
    }
    // Ties the key to the leaf, as OpenSSL does (localKeyId = SHA-1 of the leaf certificate).
    const localKeyId = set(sequence(oid(OID.localKeyId), set(octets(createHash("sha1").update(certificates[0]!).digest()))));

    const keySalt = derived("key-salt", 16, password, key);
    const iv = derived("key-iv", 16, password, key, certificates[0]!);
    const encryptionKey = pbkdf2Sync(Buffer.from(password, "utf8"), keySalt, ITERATIONS, 32, "sha256");
    const cipher = createCipheriv("aes-256-cbc", encryptionKey, iv);
    const encryptedKey = Buffer.concat([cipher.update(key), cipher.final()]);
    const keyAlgorithm = sequence(
        oid(OID.pbes2),
        sequence(
            sequence(oid(OID.pbkdf2), sequence(octets(keySalt), integer(ITERATIONS), sequence(oid(OID.hmacWithSha256), nullValue))),
            sequence(oid(OID.aes256Cbc), octets(iv)),
        ),
    );
    const keyBag = sequence(oid(OID.pkcs8ShroudedKeyBag), explicit0(sequence(keyAlgorithm, octets(encryptedKey))), localKeyId);
    const certBags = certificates.map((certificate, i) => sequence(
        oid(OID.certBag),
        explicit0(sequence(oid(OID.x509Certificate), explicit0(octets(certificate)))),
        ...(i === 0 ? [localKeyId] : []),
    ));
    const dataContent = (content: Buffer) => sequence(oid(OID.data), explicit0(octets(content)));
    const authenticatedSafe = sequence(dataContent(sequence(...certBags)), dataContent(sequence(keyBag)));

    const macSalt = derived("mac-salt", 16, password, authenticatedSafe);
    const macKey = pkcs12Kdf(password, macSalt, 3, ITERATIONS, 32);
    const mac = createHmac("sha256", macKey).update(authenticatedSafe).digest();
    const macData = sequence(sequence(sequence(oid(OID.sha256), nullValue), octets(mac)), octets(macSalt), integer(ITERATIONS));
    return sequence(integer(3), dataContent(authenticatedSafe), macData);
}
