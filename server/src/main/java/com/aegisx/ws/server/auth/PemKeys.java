package com.aegisx.ws.server.auth;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the verification key for RS256/ES256 from PEM text, without extra libraries.
 *
 * <p>Accepted forms:
 * <ul>
 *   <li>{@code -----BEGIN PUBLIC KEY-----} (X.509 SubjectPublicKeyInfo, RSA or EC): what
 *       {@code openssl pkey -pubout} and most identity providers publish;</li>
 *   <li>{@code -----BEGIN RSA PUBLIC KEY-----} (PKCS#1, RSA only): older OpenSSL output;</li>
 *   <li>{@code -----BEGIN CERTIFICATE-----}: the certificate's public key is used (the certificate's
 *       validity dates are not checked: the token's own {@code exp} governs);</li>
 *   <li>the bare base64 body of a SubjectPublicKeyInfo, without header lines.</li>
 * </ul>
 * Because environment variables are often set on one line, a literal {@code \n} (backslash, n) is
 * read as a line break. Private keys are refused: the server only verifies, and a private key in the
 * environment would be a leak waiting to happen.
 *
 * <p>Error messages never quote the input, so a mistakenly pasted private key does not reach logs.
 */
public final class PemKeys {

    /** RSA keys below this size can be factored by a determined attacker; NIST deprecated them. */
    public static final int MIN_RSA_BITS = 2048;

    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    /** DER AlgorithmIdentifier for rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
    private static final byte[] RSA_ALGORITHM_ID = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01,
        0x05, 0x00
    };

    private PemKeys() {
    }

    /**
     * Parses a public key (RSA or EC) from PEM text.
     *
     * @throws IllegalArgumentException with a message fit for a configuration error, never quoting
     *                                  the input
     */
    public static PublicKey parsePublicKey(String pem) {
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException("is empty");
        }
        String text = pem.replace("\\n", "\n").replace("\\r", "").trim();
        if (text.contains("PRIVATE KEY-----")) {
            throw new IllegalArgumentException("contains a private key; give the public key only"
                    + " (openssl pkey -in key.pem -pubout)");
        }
        Matcher m = PEM_BLOCK.matcher(text);
        if (!m.find()) {
            if (text.startsWith("-----")) {
                throw new IllegalArgumentException("is not a complete PEM block (BEGIN/END lines do not match)");
            }
            return fromSubjectPublicKeyInfo(decodeBase64(text));
        }
        String type = m.group(1);
        byte[] der = decodeBase64(m.group(2));
        switch (type) {
            case "PUBLIC KEY":
                return fromSubjectPublicKeyInfo(der);
            case "RSA PUBLIC KEY":
                return fromSubjectPublicKeyInfo(rsaPkcs1ToSubjectPublicKeyInfo(der));
            case "CERTIFICATE":
                return fromCertificate(der);
            default:
                throw new IllegalArgumentException("has an unsupported PEM block type '" + type
                        + "'; expected PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE");
        }
    }

    /** The JWS algorithm a key verifies: RS256 for RSA, ES256/ES384/ES512 by EC curve size. */
    public static String algorithmFor(PublicKey key) {
        if (key instanceof RSAPublicKey) {
            return "RS256";
        }
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            switch (bits) {
                case 256: return "ES256";
                case 384: return "ES384";
                case 521: return "ES512";
                default:
                    throw new IllegalArgumentException("uses an EC curve of " + bits
                            + " bits; expected P-256 (ES256), P-384 (ES384) or P-521 (ES512)");
            }
        }
        throw new IllegalArgumentException("is a " + key.getAlgorithm() + " key; expected RSA or EC");
    }

    /** Rejects keys too weak to trust; returns the key for chaining. */
    static PublicKey checkStrength(PublicKey key) {
        if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
            throw new IllegalArgumentException("is an RSA key of " + rsa.getModulus().bitLength()
                    + " bits; at least " + MIN_RSA_BITS + " are required");
        }
        algorithmFor(key);
        return key;
    }

    private static byte[] decodeBase64(String body) {
        try {
            return Base64.getMimeDecoder().decode(body.replaceAll("\\s+", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not valid PEM: the body is not base64");
        }
    }

    private static PublicKey fromSubjectPublicKeyInfo(byte[] der) {
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return checkStrength(KeyFactory.getInstance(algorithm).generatePublic(spec));
            } catch (GeneralSecurityException | ClassCastException e) {
                // not this key type; try the next one
            }
        }
        throw new IllegalArgumentException("is not an RSA or EC public key");
    }

    private static PublicKey fromCertificate(byte[] der) {
        try {
            PublicKey key = CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
            return checkStrength(key);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("is not a readable X.509 certificate");
        }
    }

    /** Wraps a PKCS#1 RSAPublicKey in a SubjectPublicKeyInfo, which the JDK can read. */
    private static byte[] rsaPkcs1ToSubjectPublicKeyInfo(byte[] pkcs1) {
        ByteArrayOutputStream bitString = new ByteArrayOutputStream();
        bitString.write(0x03);
        writeDerLength(bitString, pkcs1.length + 1);
        bitString.write(0x00); // no unused bits
        bitString.writeBytes(pkcs1);
        ByteArrayOutputStream spki = new ByteArrayOutputStream();
        spki.write(0x30);
        writeDerLength(spki, RSA_ALGORITHM_ID.length + bitString.size());
        spki.writeBytes(RSA_ALGORITHM_ID);
        spki.writeBytes(bitString.toByteArray());
        return spki.toByteArray();
    }

    private static void writeDerLength(ByteArrayOutputStream out, int length) {
        if (length < 0x80) {
            out.write(length);
        } else if (length <= 0xff) {
            out.write(0x81);
            out.write(length);
        } else if (length <= 0xffff) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length & 0xff);
        } else {
            out.write(0x83);
            out.write(length >> 16);
            out.write((length >> 8) & 0xff);
            out.write(length & 0xff);
        }
    }
}
