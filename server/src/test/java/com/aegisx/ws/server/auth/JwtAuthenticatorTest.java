package com.aegisx.ws.server.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static com.aegisx.ws.server.auth.TestKeys.ES256;
import static com.aegisx.ws.server.auth.TestKeys.ES256_OTHER;
import static com.aegisx.ws.server.auth.TestKeys.HS256;
import static com.aegisx.ws.server.auth.TestKeys.HS256_OTHER;
import static com.aegisx.ws.server.auth.TestKeys.RS256;
import static com.aegisx.ws.server.auth.TestKeys.RS256_OTHER;
import static com.aegisx.ws.server.auth.TestKeys.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JwtAuthenticatorTest {

    private static final String ISSUER = "https://idp.hospital.example";
    private static final String AUDIENCE = "ws-tier";

    /** HS256 and RS256 configured together, issuer and audience checked. */
    private static final JwtAuthenticator HS_AND_RS = new JwtAuthenticator(AuthSettings.builder()
            .hmacSecret(TestKeys.SECRET).publicKey(TestKeys.RSA.getPublic())
            .issuer(ISSUER).audience(AUDIENCE).build());
    private static final JwtAuthenticator HS_ONLY = new JwtAuthenticator(AuthSettings.builder()
            .hmacSecret(TestKeys.SECRET).build());
    private static final JwtAuthenticator RS_ONLY = new JwtAuthenticator(AuthSettings.builder()
            .publicKey(TestKeys.RSA.getPublic()).build());
    private static final JwtAuthenticator ES_ONLY = new JwtAuthenticator(AuthSettings.builder()
            .publicKeyPem(TestKeys.publicPem(TestKeys.EC)).build());
    private static final JwtAuthenticator NOTHING = new JwtAuthenticator(AuthSettings.defaults());

    private static String good(Algorithm alg) {
        return token("alice", "nurse").withIssuer(ISSUER).withAudience(AUDIENCE).sign(alg);
    }

    private static String alg(String headerJson, String payloadJson) {
        return TestKeys.b64url(headerJson) + "." + TestKeys.b64url(payloadJson) + ".";
    }

    static Stream<Arguments> matrix() {
        Instant now = Instant.now();
        String goodHs = good(HS256);
        String[] parts = goodHs.split("\\.");
        String tamperedPayload = parts[0] + "."
                + TestKeys.b64url("{\"sub\":\"admin\",\"roles\":[\"admin\"],\"iss\":\"" + ISSUER
                + "\",\"aud\":\"" + AUDIENCE + "\"}") + "." + parts[2];
        // Key confusion: an HS256 token whose "secret" is the server's public RSA key.
        String confused = token("mallory").withIssuer(ISSUER).withAudience(AUDIENCE)
                .sign(Algorithm.HMAC256(TestKeys.publicPem(TestKeys.RSA).getBytes(StandardCharsets.US_ASCII)));
        String exp = ",\"exp\":" + (now.getEpochSecond() + 600);
        return Stream.of(
                // name, authenticator, token, expected reason (null = accepted)
                Arguments.of("HS256 valid", HS_AND_RS, goodHs, null),
                Arguments.of("RS256 valid", HS_AND_RS, good(RS256), null),
                Arguments.of("ES256 valid", ES_ONLY, token("alice").sign(ES256), null),
                Arguments.of("HS256 only: valid", HS_ONLY, token("alice").sign(HS256), null),
                Arguments.of("RS256 only: valid", RS_ONLY, token("alice").sign(RS256), null),
                Arguments.of("expired", HS_AND_RS, token("alice").withIssuer(ISSUER).withAudience(AUDIENCE)
                        .withIssuedAt(now.minusSeconds(900)).withExpiresAt(now.minusSeconds(120)).sign(HS256), "token_expired"),
                Arguments.of("expired within leeway", HS_AND_RS, token("alice").withIssuer(ISSUER)
                        .withAudience(AUDIENCE).withIssuedAt(now.minusSeconds(900))
                        .withExpiresAt(now.minusSeconds(5)).sign(HS256), null),
                Arguments.of("nbf in the future", HS_AND_RS, token("alice").withIssuer(ISSUER).withAudience(AUDIENCE)
                        .withNotBefore(now.plusSeconds(120)).sign(HS256), "token_not_yet_valid"),
                Arguments.of("nbf within leeway", HS_AND_RS, token("alice").withIssuer(ISSUER).withAudience(AUDIENCE)
                        .withNotBefore(now.plusSeconds(5)).sign(HS256), null),
                Arguments.of("iat in the future", HS_ONLY, token("alice").withIssuedAt(now.plusSeconds(3600))
                        .sign(HS256), "token_not_yet_valid"),
                Arguments.of("expired ES256", ES_ONLY, token("alice").withIssuedAt(now.minusSeconds(900))
                        .withExpiresAt(now.minusSeconds(120)).sign(ES256), "token_expired"),
                Arguments.of("wrong HS256 secret", HS_AND_RS, good(HS256_OTHER), "invalid_signature"),
                Arguments.of("wrong RSA key", HS_AND_RS, good(RS256_OTHER), "invalid_signature"),
                Arguments.of("wrong EC key", ES_ONLY, token("alice").sign(ES256_OTHER), "invalid_signature"),
                Arguments.of("tampered payload", HS_AND_RS, tamperedPayload, "invalid_signature"),
                Arguments.of("HS256 keyed with the public key", HS_AND_RS, confused, "invalid_signature"),
                Arguments.of("HS256 keyed with the public key, RS only", RS_ONLY, confused, "algorithm_not_allowed"),
                Arguments.of("wrong issuer", HS_AND_RS, token("alice").withIssuer("https://evil.example")
                        .withAudience(AUDIENCE).sign(HS256), "wrong_issuer"),
                Arguments.of("missing issuer", HS_AND_RS, token("alice").withAudience(AUDIENCE).sign(HS256), "wrong_issuer"),
                Arguments.of("wrong audience", HS_AND_RS, token("alice").withIssuer(ISSUER)
                        .withAudience("other-app").sign(HS256), "wrong_audience"),
                Arguments.of("missing audience", HS_AND_RS, token("alice").withIssuer(ISSUER).sign(RS256), "wrong_audience"),
                Arguments.of("alg none", HS_AND_RS, token("alice").withIssuer(ISSUER).withAudience(AUDIENCE)
                        .sign(Algorithm.none()), "algorithm_not_allowed"),
                Arguments.of("alg NONE hand-made", HS_ONLY, alg("{\"alg\":\"NONE\",\"typ\":\"JWT\"}",
                        "{\"sub\":\"alice\"" + exp + "}"), "algorithm_not_allowed"),
                Arguments.of("alg none with a signature", HS_ONLY, alg("{\"alg\":\"none\"}",
                        "{\"sub\":\"alice\"" + exp + "}") + "c2ln", "algorithm_not_allowed"),
                Arguments.of("RS256 token, HS256 configured", HS_ONLY, token("alice").sign(RS256), "algorithm_not_allowed"),
                Arguments.of("HS256 token, RS256 configured", RS_ONLY, token("alice").sign(HS256), "algorithm_not_allowed"),
                Arguments.of("ES256 token, RS256 configured", RS_ONLY, token("alice").sign(ES256), "algorithm_not_allowed"),
                Arguments.of("garbage", HS_AND_RS, "not-a-jwt", "invalid_token"),
                Arguments.of("three garbage parts", HS_AND_RS, "a.b.c", "invalid_token"),
                Arguments.of("bad JSON", HS_ONLY, TestKeys.b64url("{\"alg\":") + "." + TestKeys.b64url("{}") + ".x",
                        "invalid_token"),
                Arguments.of("blank", HS_ONLY, "   ", "invalid_token"),
                Arguments.of("too long", HS_ONLY, "a".repeat(JwtAuthenticator.MAX_TOKEN_LENGTH + 1), "invalid_token"),
                Arguments.of("missing sub", HS_AND_RS, token(null).withIssuer(ISSUER).withAudience(AUDIENCE)
                        .sign(HS256), "missing_user_claim"),
                Arguments.of("blank sub", HS_ONLY, token(" ").sign(HS256), "missing_user_claim"),
                Arguments.of("sub with ':'", HS_ONLY, token("alice:inbox").sign(HS256), "invalid_user_claim"),
                Arguments.of("sub with braces", HS_ONLY, token("a{b}").sign(HS256), "invalid_user_claim"),
                Arguments.of("sub an object", HS_ONLY, token(null).withClaim("sub", Map.of("id", "x")).sign(HS256),
                        "invalid_user_claim"),
                Arguments.of("roles a number", HS_ONLY, token("alice").withClaim("roles", 7).sign(HS256), "invalid_claim"),
                Arguments.of("roles with a number", HS_ONLY, token("alice")
                        .withClaim("roles", List.of("a", 1)).sign(HS256), "invalid_claim"),
                Arguments.of("no keys configured", NOTHING, good(HS256), "auth_not_configured"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void tokenMatrix(String name, JwtAuthenticator authenticator, String token, String expectedReason) throws Exception {
        if (expectedReason == null) {
            Identity identity = authenticator.verify(token);
            assertEquals("alice", identity.userId());
            assertFalse(identity.isAnonymous());
            return;
        }
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> authenticator.verify(token));
        assertEquals(expectedReason, e.reason(), name);
        assertNeverQuotesToken(e, token);
    }

    static void assertNeverQuotesToken(AuthenticationException e, String token) {
        String text = e.getMessage() + " " + e;
        for (String part : token.split("\\.")) {
            if (part.length() >= 8) {
                assertFalse(text.contains(part), "message quotes the token: " + text);
            }
        }
        assertNull(e.getCause());
    }

    @Test
    void aTokenWithoutAlgorithmIsRefusedNotAnException() {
        // Found by HostileFramesIT once dropped futures were logged: {"typ":"JWT"} with no "alg"
        // threw a NullPointerException from the verifier map instead of a refusal.
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        String token = b64.encodeToString("{\"typ\":\"JWT\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + "." + b64.encodeToString("{\"sub\":\"u\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + ".c2lnbmF0dXJl";
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> HS_ONLY.verify(token));
        assertEquals(AuthFailure.ALGORITHM_NOT_ALLOWED, e.failure());
    }

    @Test
    void everyUserIdAcceptedIsOneThePublisherAndTheApisCanAddress() throws Exception {
        // sendToUser, the publish API, admin disconnect and the debug lookup all refuse an id that
        // Identifiers does not take: a user connected under such an id could never be reached.
        String longest = "u".repeat(com.aegisx.ws.protocol.Identifiers.MAX_USER_ID_LENGTH);
        Identity identity = HS_ONLY.verify(token(longest).sign(HS256));
        assertTrue(com.aegisx.ws.protocol.Identifiers.isValidUserId(identity.userId()));
        AuthenticationException tooLong = assertThrows(AuthenticationException.class,
                () -> HS_ONLY.verify(token(longest + "u").sign(HS256)));
        assertEquals("invalid_user_claim", tooLong.reason());
    }

    @Test
    void identityCarriesRolesAndExpiry() throws Exception {
        Instant exp = Instant.now().plusSeconds(300).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Identity id = HS_ONLY.verify(JWT.create().withSubject("u42").withArrayClaim("roles", new String[] {"admin", "nurse"})
                .withExpiresAt(exp).sign(HS256));
        assertEquals("u42", id.userId());
        assertEquals(Set.of("admin", "nurse"), id.roles());
        assertTrue(id.hasRole("admin"));
        assertFalse(id.hasRole("Admin"));
        assertEquals(exp, id.expiresAt());
        assertFalse(id.isExpiredAt(exp.minusSeconds(1)));
        assertTrue(id.isExpiredAt(exp));
        assertEquals(exp.plusSeconds(AuthSettings.DEFAULT_LEEWAY_SECONDS), HS_ONLY.expiryWithLeeway(id));
    }

    @Test
    void tokenWithoutExpNeverExpires() throws Exception {
        Identity id = HS_ONLY.verify(JWT.create().withSubject("u1").sign(HS256));
        assertNull(id.expiresAt());
        assertEquals(Set.of(), id.roles());
        assertFalse(id.isExpiredAt(Instant.MAX));
    }

    @Test
    void expiryIsRequiredWhenAuthenticationIsAndOnRequest() throws Exception {
        String forever = JWT.create().withSubject("u1").sign(HS256);
        JwtAuthenticator required = new JwtAuthenticator(AuthSettings.builder().hmacSecret(TestKeys.SECRET)
                .authRequired(true).build());
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> required.verify(forever));
        assertEquals("missing_expiry", e.reason());
        assertEquals("u1", required.verify(JWT.create().withSubject("u1")
                .withExpiresAt(Instant.now().plusSeconds(60)).sign(HS256)).userId());
        // Explicitly off under AUTH_REQUIRED, or on without it.
        assertNull(new JwtAuthenticator(AuthSettings.builder().hmacSecret(TestKeys.SECRET).authRequired(true)
                .expiryRequired(false).build()).verify(forever).expiresAt());
        assertThrows(AuthenticationException.class, () -> new JwtAuthenticator(AuthSettings.builder()
                .hmacSecret(TestKeys.SECRET).expiryRequired(true).build()).verify(forever));
    }

    @Test
    void rolesMayBeOneStringOrSpaceOrCommaSeparated() throws Exception {
        assertEquals(Set.of("admin"), HS_ONLY.verify(token("a").withClaim("roles", "admin").sign(HS256)).roles());
        assertEquals(Set.of("admin", "nurse", "doctor"),
                HS_ONLY.verify(token("a").withClaim("roles", " admin nurse,doctor ").sign(HS256)).roles());
        assertEquals(Set.of(), HS_ONLY.verify(token("a").withNullClaim("roles").sign(HS256)).roles());
    }

    @Test
    void numericUserIdBecomesItsDecimalForm() throws Exception {
        assertEquals("12345", HS_ONLY.verify(token(null).withClaim("sub", 12345).sign(HS256)).userId());
        assertEquals("9007199254740993",
                HS_ONLY.verify(token(null).withClaim("sub", 9007199254740993L).sign(HS256)).userId());
    }

    @Test
    void customClaimNamesAndNestedRolesPath() throws Exception {
        JwtAuthenticator keycloak = new JwtAuthenticator(AuthSettings.builder().hmacSecret(TestKeys.SECRET)
                .userClaim("preferred_username").rolesClaim("realm_access.roles").build());
        Identity id = keycloak.verify(token("uuid-1")
                .withClaim("preferred_username", "dr.house")
                .withClaim("realm_access", Map.of("roles", List.of("admin", "doctor")))
                .sign(HS256));
        assertEquals("dr.house", id.userId());
        assertEquals(Set.of("admin", "doctor"), id.roles());

        // The literal dotted claim name wins over the path.
        Identity literal = keycloak.verify(token("x").withClaim("preferred_username", "p")
                .withArrayClaim("realm_access.roles", new String[] {"flat"}).sign(HS256));
        assertEquals(Set.of("flat"), literal.roles());

        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> keycloak.verify(token("has-sub-only").sign(HS256)));
        assertEquals("missing_user_claim", e.reason());
    }

    @Test
    void issuerListAcceptsAnyOfThem() throws Exception {
        JwtAuthenticator two = new JwtAuthenticator(AuthSettings.builder().hmacSecret(TestKeys.SECRET)
                .issuer("a", "b").build());
        assertEquals("u", two.verify(token("u").withIssuer("b").sign(HS256)).userId());
        assertThrows(AuthenticationException.class, () -> two.verify(token("u").withIssuer("c").sign(HS256)));
    }

    @Test
    void audienceArrayMatchesWhenOneEntryIsOurs() throws Exception {
        assertEquals("alice", HS_AND_RS.verify(token("alice").withIssuer(ISSUER)
                .withAudience("other", AUDIENCE).sign(HS256)).userId());
    }

    @Test
    void zeroLeewayIsStrict() {
        JwtAuthenticator strict = new JwtAuthenticator(AuthSettings.builder().hmacSecret(TestKeys.SECRET)
                .leewaySeconds(0).build());
        Instant now = Instant.now();
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> strict.verify(
                token("a").withIssuedAt(now.minusSeconds(60)).withExpiresAt(now.minusSeconds(5)).sign(HS256)));
        assertEquals("token_expired", e.reason());
    }

    @Test
    void authenticateWithoutTokenIsAnonymousUnlessRequired() throws Exception {
        assertSame(Identity.anonymous(), HS_ONLY.authenticate(null));
        assertSame(Identity.anonymous(), NOTHING.authenticate(null));
        JwtAuthenticator required = new JwtAuthenticator(AuthSettings.builder().hmacSecret(TestKeys.SECRET)
                .authRequired(true).build());
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> required.authenticate(null));
        assertEquals("token_required", e.reason());
        assertEquals("alice", required.authenticate(token("alice").sign(HS256)).userId());
        // A bad token is refused even when anonymous connections are allowed.
        assertEquals("invalid_signature", assertThrows(AuthenticationException.class,
                () -> HS_ONLY.authenticate(token("a").sign(HS256_OTHER))).reason());
    }

    @Test
    void acceptedAlgorithmsFollowTheKeys() {
        assertEquals(Set.of("HS256", "RS256"), HS_AND_RS.settings().acceptedAlgorithms());
        assertEquals(Set.of("ES256"), ES_ONLY.settings().acceptedAlgorithms());
        assertEquals(Set.of(), NOTHING.settings().acceptedAlgorithms());
        assertFalse(NOTHING.settings().tokensEnabled());
    }

    @Test
    void es384KeyAcceptsEs384Only() throws Exception {
        var pair = TestKeys.generateEc("secp384r1");
        JwtAuthenticator es384 = new JwtAuthenticator(AuthSettings.builder().publicKey(pair.getPublic()).build());
        Algorithm sign = Algorithm.ECDSA384((java.security.interfaces.ECPublicKey) pair.getPublic(),
                (java.security.interfaces.ECPrivateKey) pair.getPrivate());
        assertEquals("bob", es384.verify(token("bob").sign(sign)).userId());
        assertEquals("algorithm_not_allowed",
                assertThrows(AuthenticationException.class, () -> es384.verify(token("bob").sign(ES256))).reason());
    }
}
