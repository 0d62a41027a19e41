package com.aegisx.ws.server.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;

/** Keys generated once per test JVM, and helpers to sign tokens with them. */
final class TestKeys {

    static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
    static final String OTHER_SECRET = "fedcba9876543210fedcba9876543210-other-secret";

    static final KeyPair RSA = generate("RSA", 2048);
    static final KeyPair RSA_OTHER = generate("RSA", 2048);
    static final KeyPair EC = generateEc("secp256r1");
    static final KeyPair EC_OTHER = generateEc("secp256r1");

    static final Algorithm HS256 = Algorithm.HMAC256(SECRET);
    static final Algorithm HS256_OTHER = Algorithm.HMAC256(OTHER_SECRET);
    static final Algorithm RS256 = Algorithm.RSA256((RSAPublicKey) RSA.getPublic(), (RSAPrivateKey) RSA.getPrivate());
    static final Algorithm RS256_OTHER =
            Algorithm.RSA256((RSAPublicKey) RSA_OTHER.getPublic(), (RSAPrivateKey) RSA_OTHER.getPrivate());
    static final Algorithm ES256 = Algorithm.ECDSA256((ECPublicKey) EC.getPublic(), (ECPrivateKey) EC.getPrivate());
    static final Algorithm ES256_OTHER =
            Algorithm.ECDSA256((ECPublicKey) EC_OTHER.getPublic(), (ECPrivateKey) EC_OTHER.getPrivate());

    private TestKeys() {
    }

    static KeyPair generate(String algorithm, int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair generateEc(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(curve));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static String publicPem(KeyPair pair) {
        return pem("PUBLIC KEY", pair.getPublic().getEncoded());
    }

    /** A token for {@code sub} valid for ten minutes, with roles; callers add or override claims. */
    static JWTCreator.Builder token(String sub, String... roles) {
        Instant now = Instant.now();
        JWTCreator.Builder b = JWT.create().withIssuedAt(now).withExpiresAt(now.plusSeconds(600));
        if (sub != null) {
            b.withSubject(sub);
        }
        if (roles.length > 0) {
            b.withArrayClaim("roles", roles);
        }
        return b;
    }

    static String b64url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
