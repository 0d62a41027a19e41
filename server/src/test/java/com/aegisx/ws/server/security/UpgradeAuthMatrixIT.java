package com.aegisx.ws.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.RawWsClient;
import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every token kind through every entry point, over real sockets: exactly the valid tokens get a
 * socket (and the identity in them), every other one is refused at the HTTP upgrade with 401.
 */
class UpgradeAuthMatrixIT {

    static final String ISSUER = "https://idp.hospital.example";
    static final String AUDIENCE = "ws-tier";
    static final KeyPair RSA = rsa();
    static final KeyPair RSA_OTHER = rsa();
    static final Algorithm HS256 = Algorithm.HMAC256(TestCluster.SECRET);
    static final Algorithm RS256 = Algorithm.RSA256((RSAPublicKey) RSA.getPublic(), (RSAPrivateKey) RSA.getPrivate());

    private static TestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = TestCluster.start(1, Map.of(
                "JWT_PUBLIC_KEY", pem(RSA),
                "JWT_ISSUER", ISSUER,
                "JWT_AUDIENCE", AUDIENCE,
                "JWT_LEEWAY_SECONDS", "5",
                "AUTH_REQUIRED", "true"));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    enum Kind {
        NONE(false, () -> null),
        HS256_VALID(true, () -> valid().sign(HS256)),
        RS256_VALID(true, () -> valid().sign(RS256)),
        EXPIRED(false, () -> valid().withExpiresAt(Instant.now().minusSeconds(120)).sign(HS256)),
        NOT_YET_VALID(false, () -> valid().withNotBefore(Instant.now().plusSeconds(600)).sign(HS256)),
        WRONG_SIGNATURE(false, () -> valid().sign(Algorithm.HMAC256("another-secret-that-is-long-enough-too!!"))),
        WRONG_KEY_RS256(false, () -> valid().sign(Algorithm.RSA256((RSAPublicKey) RSA_OTHER.getPublic(),
                (RSAPrivateKey) RSA_OTHER.getPrivate()))),
        WRONG_ISSUER(false, () -> valid().withIssuer("https://evil.example").sign(HS256)),
        WRONG_AUDIENCE(false, () -> valid().withAudience("another-service").sign(HS256)),
        ALG_NONE(false, () -> valid().sign(Algorithm.none())),
        ALG_NONE_HANDMADE(false, () -> b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "."
                + b64("{\"sub\":\"alice\",\"iss\":\"" + ISSUER + "\",\"aud\":\"" + AUDIENCE + "\"}") + "."),
        GARBAGE(false, () -> "not-a-jwt-at-all"),
        GARBAGE_DOTS(false, () -> "eyJhbGciOiJIUzI1NiJ9.garbage.garbage");

        final boolean valid;
        final Supplier<String> token;

        Kind(boolean valid, Supplier<String> token) {
            this.valid = valid;
            this.token = token;
        }
    }

    enum Entry { HEADER, QUERY, SUBPROTOCOL, SUBPROTOCOL_DOTTED }

    static Stream<Arguments> matrix() {
        List<Arguments> all = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (Entry entry : Entry.values()) {
                all.add(Arguments.of(kind, entry));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} via {1}")
    @MethodSource("matrix")
    void exactlyTheValidTokensConnect(Kind kind, Entry entry) throws Exception {
        String token = kind.token.get();
        URI uri = cluster.uri(0, "/ws");
        RawWsClient.Builder builder;
        if (token == null) {
            builder = RawWsClient.builder(uri);
        } else {
            builder = switch (entry) {
                case HEADER -> RawWsClient.builder(uri).header("Authorization", "Bearer " + token);
                case QUERY -> RawWsClient.builder(cluster.uri(0, "/ws?token="
                        + URLEncoder.encode(token, StandardCharsets.UTF_8)));
                case SUBPROTOCOL -> RawWsClient.builder(uri).subprotocols("bearer", token);
                case SUBPROTOCOL_DOTTED -> RawWsClient.builder(uri).subprotocols("bearer." + token);
            };
        }
        if (!kind.valid) {
            RawWsClient.UpgradeRefusedException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    RawWsClient.UpgradeRefusedException.class, builder::connect);
            assertEquals(401, refused.statusCode(), refused.getMessage());
            return;
        }
        try (RawWsClient client = builder.connect()) {
            JsonNode welcome = client.readTextJson();
            assertEquals("welcome", welcome.path("type").asText());
            assertEquals("alice", welcome.path("data").path("userId").asText());
            if (entry == Entry.SUBPROTOCOL) {
                assertEquals("bearer", client.subprotocol(), "the carrier entry must be echoed, not the token");
            } else if (entry == Entry.SUBPROTOCOL_DOTTED) {
                assertEquals("bearer." + token, client.subprotocol());
            }
        }
    }

    @Test
    void theJdkClientConnectsWithATokenSubprotocolAsBrowsersDo() {
        var result = com.aegisx.ws.server.testing.TestClient.tryConnect(cluster.uri(0, "/ws"), Map.of(),
                List.of("bearer", valid().sign(RS256)));
        assertEquals(101, result.statusCode(), String.valueOf(result.failure()));
        assertEquals("bearer", result.client().subprotocol());
        result.client().nextOfType("welcome");
        result.client().close();
    }

    static JWTCreator.Builder valid() {
        Instant now = Instant.now();
        return JWT.create().withSubject("alice").withIssuer(ISSUER).withAudience(AUDIENCE)
                .withIssuedAt(now).withExpiresAt(now.plusSeconds(600));
    }

    static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(KeyPair pair) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }
}
