package com.aegisx.ws.server.auth;

import com.aegisx.ws.server.config.env.ConfigException;
import com.aegisx.ws.server.config.env.Env;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthSettingsTest {

    private static Env env(String... pairs) {
        Map<String, String> vars = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            vars.put(pairs[i], pairs[i + 1]);
        }
        return new Env(vars);
    }

    private static void assertOneErrorNaming(Env env, String variable) {
        assertEquals(1, env.errors().size(), env.errors().toString());
        assertTrue(env.errors().get(0).startsWith(variable + " "), env.errors().toString());
    }

    @Test
    void defaultsWhenNothingIsSet() {
        Env env = env();
        AuthSettings s = AuthSettings.fromEnv(env);
        assertEquals(List.of(), env.errors());
        assertFalse(s.tokensEnabled());
        assertFalse(s.authRequired());
        assertEquals(AuthSettings.DEFAULT_LEEWAY_SECONDS, s.leewaySeconds());
        assertEquals("sub", s.userClaim());
        assertEquals("roles", s.rolesClaim());
        assertEquals(List.of(), s.issuers());
        assertEquals(List.of(), s.audiences());
        assertEquals(ChannelAccessPolicy.DEFAULT_RULES, s.channelPolicy().toString());
        assertNull(s.publicKey());
    }

    @Test
    void everySettingIsRead() {
        Env env = env(AuthSettings.JWT_SECRET, TestKeys.SECRET,
                AuthSettings.JWT_PUBLIC_KEY, TestKeys.publicPem(TestKeys.RSA),
                AuthSettings.JWT_ISSUER, "https://a, https://b",
                AuthSettings.JWT_AUDIENCE, "ws",
                AuthSettings.JWT_LEEWAY_SECONDS, "0",
                AuthSettings.JWT_USER_CLAIM, "uid",
                AuthSettings.JWT_ROLES_CLAIM, "realm_access.roles",
                AuthSettings.AUTH_REQUIRED, "true",
                AuthSettings.CHANNEL_RULES, "reports:**=authenticated;**=public");
        AuthSettings s = AuthSettings.fromEnv(env);
        assertEquals(List.of(), env.errors());
        assertEquals(Set.of("HS256", "RS256"), s.acceptedAlgorithms());
        assertEquals(List.of("https://a", "https://b"), s.issuers());
        assertEquals(List.of("ws"), s.audiences());
        assertEquals(0, s.leewaySeconds());
        assertEquals("uid", s.userClaim());
        assertEquals("realm_access.roles", s.rolesClaim());
        assertTrue(s.authRequired());
        assertEquals("reports:**=authenticated;**=public", s.channelPolicy().toString());
    }

    @Test
    void shortSecretIsAnErrorAndNeverPrinted() {
        Env env = env(AuthSettings.JWT_SECRET, "too-short-secret");
        AuthSettings s = AuthSettings.fromEnv(env);
        assertOneErrorNaming(env, AuthSettings.JWT_SECRET);
        assertFalse(env.errors().get(0).contains("too-short-secret"));
        assertFalse(s.tokensEnabled());
        assertThrows(ConfigException.class, env::throwIfInvalid);
    }

    @Test
    void secretIsNeverInToString() {
        AuthSettings s = AuthSettings.fromEnv(env(AuthSettings.JWT_SECRET, TestKeys.SECRET));
        assertFalse(s.toString().contains(TestKeys.SECRET));
        assertTrue(s.describe().contains("HS256"));
    }

    @Test
    void leewayOutOfRangeIsAnError() {
        Env env = env(AuthSettings.JWT_LEEWAY_SECONDS, "301");
        assertEquals(AuthSettings.DEFAULT_LEEWAY_SECONDS, AuthSettings.fromEnv(env).leewaySeconds());
        assertOneErrorNaming(env, AuthSettings.JWT_LEEWAY_SECONDS);
        Env negative = env(AuthSettings.JWT_LEEWAY_SECONDS, "-1");
        AuthSettings.fromEnv(negative);
        assertOneErrorNaming(negative, AuthSettings.JWT_LEEWAY_SECONDS);
    }

    @Test
    void badBooleanIsAnError() {
        Env env = env(AuthSettings.AUTH_REQUIRED, "maybe", AuthSettings.JWT_SECRET, TestKeys.SECRET);
        AuthSettings.fromEnv(env);
        assertOneErrorNaming(env, AuthSettings.AUTH_REQUIRED);
    }

    @Test
    void authRequiredWithoutAnyKeyIsAnError() {
        Env env = env(AuthSettings.AUTH_REQUIRED, "true");
        AuthSettings.fromEnv(env);
        assertOneErrorNaming(env, AuthSettings.AUTH_REQUIRED);
    }

    @Test
    void ecPublicKeyInlineWithEscapedNewlines() {
        String oneLine = TestKeys.publicPem(TestKeys.EC).replace("\n", "\\n");
        Env env = env(AuthSettings.JWT_PUBLIC_KEY, oneLine);
        AuthSettings s = AuthSettings.fromEnv(env);
        assertEquals(List.of(), env.errors());
        assertEquals(Set.of("ES256"), s.acceptedAlgorithms());
    }

    @Test
    void publicKeyFromFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jwt.pem");
        Files.writeString(file, TestKeys.publicPem(TestKeys.RSA));
        Env env = env(AuthSettings.JWT_PUBLIC_KEY_FILE, file.toString());
        AuthSettings s = AuthSettings.fromEnv(env);
        assertEquals(List.of(), env.errors());
        assertEquals(TestKeys.RSA.getPublic(), s.publicKey());
    }

    @Test
    void missingKeyFileIsAnError(@TempDir Path dir) {
        Env env = env(AuthSettings.JWT_PUBLIC_KEY_FILE, dir.resolve("absent.pem").toString());
        assertNull(AuthSettings.fromEnv(env).publicKey());
        assertOneErrorNaming(env, AuthSettings.JWT_PUBLIC_KEY_FILE);
    }

    @Test
    void bothKeyVariablesIsAnError(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jwt.pem");
        Files.writeString(file, TestKeys.publicPem(TestKeys.RSA));
        Env env = env(AuthSettings.JWT_PUBLIC_KEY, TestKeys.publicPem(TestKeys.RSA),
                AuthSettings.JWT_PUBLIC_KEY_FILE, file.toString());
        AuthSettings.fromEnv(env);
        assertOneErrorNaming(env, AuthSettings.JWT_PUBLIC_KEY);
    }

    @Test
    void garbageKeyIsAnError() {
        Env env = env(AuthSettings.JWT_PUBLIC_KEY, "-----BEGIN PUBLIC KEY-----\nnot base64!!\n-----END PUBLIC KEY-----");
        AuthSettings.fromEnv(env);
        assertOneErrorNaming(env, AuthSettings.JWT_PUBLIC_KEY);
        Env env2 = env(AuthSettings.JWT_PUBLIC_KEY, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----");
        AuthSettings.fromEnv(env2);
        assertOneErrorNaming(env2, AuthSettings.JWT_PUBLIC_KEY);
    }

    @Test
    void privateKeyIsRefusedWithoutBeingQuoted() {
        String privatePem = TestKeys.pem("PRIVATE KEY", TestKeys.RSA.getPrivate().getEncoded());
        Env env = env(AuthSettings.JWT_PUBLIC_KEY, privatePem);
        AuthSettings.fromEnv(env);
        assertOneErrorNaming(env, AuthSettings.JWT_PUBLIC_KEY);
        String body = privatePem.split("\n")[1];
        assertFalse(env.errors().get(0).contains(body));
        assertTrue(env.errors().get(0).contains("private key"));
    }

    @Test
    void weakRsaKeyIsRefused() {
        Env env = env(AuthSettings.JWT_PUBLIC_KEY, TestKeys.publicPem(TestKeys.generate("RSA", 1024)));
        AuthSettings.fromEnv(env);
        assertOneErrorNaming(env, AuthSettings.JWT_PUBLIC_KEY);
        assertTrue(env.errors().get(0).contains("2048"), env.errors().toString());
    }

    @Test
    void pkcs1RsaPublicKeyAndBareBase64AreRead() {
        byte[] spki = TestKeys.RSA.getPublic().getEncoded();
        // For a 2048-bit key the SubjectPublicKeyInfo header is 24 bytes; the rest is the PKCS#1 key.
        byte[] pkcs1 = Arrays.copyOfRange(spki, 24, spki.length);
        assertEquals(TestKeys.RSA.getPublic(), PemKeys.parsePublicKey(TestKeys.pem("RSA PUBLIC KEY", pkcs1)));
        String bare = java.util.Base64.getEncoder().encodeToString(spki);
        assertEquals(TestKeys.RSA.getPublic(), PemKeys.parsePublicKey(bare));
    }

    @Test
    void invalidChannelRulesNameTheVariable() {
        Env env = env(AuthSettings.CHANNEL_RULES, "user:**=owner;admin:**=superuser;oops");
        AuthSettings s = AuthSettings.fromEnv(env);
        assertEquals(2, env.errors().size(), env.errors().toString());
        env.errors().forEach(e -> assertTrue(e.startsWith(AuthSettings.CHANNEL_RULES + " "), e));
        assertNotNull(s.channelPolicy());
        assertEquals(ChannelAccessPolicy.DEFAULT_RULES, s.channelPolicy().toString());
    }

    @Test
    void badClaimNameIsAnError() {
        Env env = env(AuthSettings.JWT_USER_CLAIM, "user id");
        assertEquals("sub", AuthSettings.fromEnv(env).userClaim());
        assertOneErrorNaming(env, AuthSettings.JWT_USER_CLAIM);
    }

    @Test
    void builderRejectsBadValues() {
        assertThrows(IllegalArgumentException.class, () -> AuthSettings.builder().hmacSecret("short").build());
        assertThrows(IllegalArgumentException.class, () -> AuthSettings.builder().leewaySeconds(301).build());
        assertThrows(IllegalArgumentException.class, () -> AuthSettings.builder().userClaim(" ").build());
        assertThrows(IllegalArgumentException.class, () -> AuthSettings.builder().channelRules("x").build());
    }
}
