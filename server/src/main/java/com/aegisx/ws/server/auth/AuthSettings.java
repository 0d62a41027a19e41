package com.aegisx.ws.server.auth;

import com.aegisx.ws.server.config.env.Env;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Authentication and channel-authorization settings, immutable.
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>JWT_SECRET</td><td>unset</td><td>HS256 shared secret, used as its UTF-8 bytes; at least
 *       {@value #MIN_SECRET_BYTES} bytes (RFC 7518 §3.2: the key must be as long as the hash)</td></tr>
 *   <tr><td>JWT_PUBLIC_KEY</td><td>unset</td><td>PEM public key (RSA: RS256, at least 2048 bits;
 *       EC P-256: ES256), inline; {@code \n} escapes allowed</td></tr>
 *   <tr><td>JWT_PUBLIC_KEY_FILE</td><td>unset</td><td>path to that PEM file (set one of the two)</td></tr>
 *   <tr><td>JWT_ISSUER</td><td>unset (not checked)</td><td>required {@code iss}; a comma-separated
 *       list accepts any of them</td></tr>
 *   <tr><td>JWT_AUDIENCE</td><td>unset (not checked)</td><td>required {@code aud}; comma-separated:
 *       the token must name at least one</td></tr>
 *   <tr><td>JWT_LEEWAY_SECONDS</td><td>{@value #DEFAULT_LEEWAY_SECONDS}</td><td>clock skew tolerated on
 *       {@code exp}, {@code nbf}, {@code iat}; 0..{@value #MAX_LEEWAY_SECONDS}</td></tr>
 *   <tr><td>JWT_USER_CLAIM</td><td>{@value #DEFAULT_USER_CLAIM}</td><td>claim holding the user id</td></tr>
 *   <tr><td>JWT_ROLES_CLAIM</td><td>{@value #DEFAULT_ROLES_CLAIM}</td><td>claim holding the roles; a
 *       dotted path such as {@code realm_access.roles} reaches into nested objects (Keycloak)</td></tr>
 *   <tr><td>AUTH_REQUIRED</td><td>{@value #DEFAULT_AUTH_REQUIRED}</td><td>refuse connections without
 *       a token</td></tr>
 *   <tr><td>JWT_REQUIRE_EXP</td><td>AUTH_REQUIRED</td><td>refuse tokens without {@code exp}
 *       (a token without it would be valid forever, and {@code refresh_token} with one would take
 *       a socket's expiry away)</td></tr>
 *   <tr><td>CHANNEL_RULES</td><td>{@value ChannelAccessPolicy#DEFAULT_RULES}</td><td>channel access rules,
 *       see {@link ChannelAccessPolicy}</td></tr>
 * </table>
 *
 * <p>With neither a secret nor a public key, every connection is anonymous and any presented token
 * is refused ({@code auth_not_configured}) rather than silently ignored: a client that believes it is
 * authenticated must not quietly become anonymous.
 *
 * <p>{@link #toString()} and {@link #describe()} never print the secret.
 */
public final class AuthSettings {

    public static final String JWT_SECRET = "JWT_SECRET";
    public static final String JWT_PUBLIC_KEY = "JWT_PUBLIC_KEY";
    public static final String JWT_PUBLIC_KEY_FILE = "JWT_PUBLIC_KEY_FILE";
    public static final String JWT_ISSUER = "JWT_ISSUER";
    public static final String JWT_AUDIENCE = "JWT_AUDIENCE";
    public static final String JWT_LEEWAY_SECONDS = "JWT_LEEWAY_SECONDS";
    public static final String JWT_USER_CLAIM = "JWT_USER_CLAIM";
    public static final String JWT_ROLES_CLAIM = "JWT_ROLES_CLAIM";
    public static final String AUTH_REQUIRED = "AUTH_REQUIRED";
    public static final String JWT_REQUIRE_EXP = "JWT_REQUIRE_EXP";
    public static final String CHANNEL_RULES = "CHANNEL_RULES";

    /** HS256 needs a key at least as long as its 256-bit output (RFC 7518 §3.2). */
    public static final int MIN_SECRET_BYTES = 32;
    /** Enough for ordinary clock drift between the token issuer and the nodes. */
    public static final int DEFAULT_LEEWAY_SECONDS = 30;
    /** Beyond five minutes leeway stops being clock skew and starts extending token lifetimes. */
    public static final int MAX_LEEWAY_SECONDS = 300;
    public static final String DEFAULT_USER_CLAIM = "sub";
    public static final String DEFAULT_ROLES_CLAIM = "roles";
    /** Anonymous connections are allowed by default, as in the spec (public channels only). */
    public static final boolean DEFAULT_AUTH_REQUIRED = false;

    private static final Pattern CLAIM_NAME = Pattern.compile("[^\\s\\p{Cntrl}]{1,128}");

    private final byte[] hmacSecret;
    private final PublicKey publicKey;
    private final List<String> issuers;
    private final List<String> audiences;
    private final int leewaySeconds;
    private final String userClaim;
    private final String rolesClaim;
    private final boolean authRequired;
    private final boolean expiryRequired;
    private final ChannelAccessPolicy channelPolicy;

    private AuthSettings(Builder b) {
        this.hmacSecret = b.hmacSecret == null ? null : b.hmacSecret.clone();
        this.publicKey = b.publicKey;
        this.issuers = List.copyOf(b.issuers);
        this.audiences = List.copyOf(b.audiences);
        this.leewaySeconds = b.leewaySeconds;
        this.userClaim = b.userClaim;
        this.rolesClaim = b.rolesClaim;
        this.authRequired = b.authRequired;
        this.expiryRequired = b.expiryRequired != null ? b.expiryRequired : b.authRequired;
        this.channelPolicy = b.channelPolicy;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** No keys, anonymous allowed, default rules: what a node runs with when nothing is set. */
    public static AuthSettings defaults() {
        return builder().build();
    }

    /**
     * Reads the settings, recording every bad value with {@link Env#error} (naming the variable)
     * instead of throwing; the caller reports them all with {@link Env#throwIfInvalid()}. A bad value
     * is left out (e.g. a too-short secret configures no HS256 at all), never half-applied.
     */
    public static AuthSettings fromEnv(Env env) {
        Builder b = builder();

        String secret = env.raw(JWT_SECRET);
        if (secret != null) {
            byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < MIN_SECRET_BYTES) {
                env.error(JWT_SECRET, "must be at least " + MIN_SECRET_BYTES + " bytes for HS256, was "
                        + bytes.length + " bytes (generate one with: openssl rand -base64 48)");
            } else {
                b.hmacSecret(bytes);
            }
        }

        String inlineKey = env.raw(JWT_PUBLIC_KEY);
        String keyFile = env.raw(JWT_PUBLIC_KEY_FILE);
        if (inlineKey != null && keyFile != null) {
            env.error(JWT_PUBLIC_KEY, "and " + JWT_PUBLIC_KEY_FILE + " are both set; set only one");
        } else if (inlineKey != null) {
            try {
                b.publicKey(PemKeys.parsePublicKey(inlineKey));
            } catch (IllegalArgumentException e) {
                env.error(JWT_PUBLIC_KEY, e.getMessage());
            }
        } else if (keyFile != null) {
            readKeyFile(env, keyFile, b);
        }

        b.issuers(env.list(JWT_ISSUER, List.of()));
        b.audiences(env.list(JWT_AUDIENCE, List.of()));
        b.leewaySeconds(env.integer(JWT_LEEWAY_SECONDS, DEFAULT_LEEWAY_SECONDS, 0, MAX_LEEWAY_SECONDS));
        b.userClaim(claimName(env, JWT_USER_CLAIM, DEFAULT_USER_CLAIM));
        b.rolesClaim(claimName(env, JWT_ROLES_CLAIM, DEFAULT_ROLES_CLAIM));

        boolean required = env.bool(AUTH_REQUIRED, DEFAULT_AUTH_REQUIRED);
        b.authRequired(required);
        // Default on where authentication is required: a deployment that insists on tokens also
        // wants them to end.
        b.expiryRequired(env.bool(JWT_REQUIRE_EXP, required));
        if (required && secret == null && inlineKey == null && keyFile == null) {
            env.error(AUTH_REQUIRED, "is true but none of " + JWT_SECRET + ", " + JWT_PUBLIC_KEY + ", "
                    + JWT_PUBLIC_KEY_FILE + " is set, so no connection could ever be accepted");
        }

        String rules = env.raw(CHANNEL_RULES);
        if (rules != null) {
            List<String> problems = new ArrayList<>();
            ChannelAccessPolicy policy = ChannelAccessPolicy.parse(rules, problems);
            if (problems.isEmpty()) {
                b.channelPolicy(policy);
            } else {
                problems.forEach(p -> env.error(CHANNEL_RULES, p));
            }
        }
        return b.build();
    }

    private static void readKeyFile(Env env, String keyFile, Builder b) {
        String pem;
        try {
            // ISO-8859-1 never fails to decode: stray non-ASCII text around the PEM block is skipped, not an I/O error.
            pem = Files.readString(Path.of(keyFile), StandardCharsets.ISO_8859_1);
        } catch (IOException | InvalidPathException | SecurityException e) {
            env.error(JWT_PUBLIC_KEY_FILE, "cannot be read: " + keyFile + " (" + e.getClass().getSimpleName() + ")");
            return;
        }
        try {
            b.publicKey(PemKeys.parsePublicKey(pem));
        } catch (IllegalArgumentException e) {
            env.error(JWT_PUBLIC_KEY_FILE, "(" + keyFile + ") " + e.getMessage());
        }
    }

    private static String claimName(Env env, String name, String defaultValue) {
        String value = env.string(name, defaultValue);
        if (!CLAIM_NAME.matcher(value).matches()) {
            env.error(name, "must be a claim name without whitespace, was '" + value + "'");
            return defaultValue;
        }
        return value;
    }

    /** Whether any token can be verified at all. */
    public boolean tokensEnabled() {
        return hmacSecret != null || publicKey != null;
    }

    /** The JWS {@code alg} values accepted, e.g. [HS256, RS256]; empty when none is configured. */
    public Set<String> acceptedAlgorithms() {
        Set<String> algs = new LinkedHashSet<>();
        if (hmacSecret != null) {
            algs.add("HS256");
        }
        if (publicKey != null) {
            algs.add(PemKeys.algorithmFor(publicKey));
        }
        return Set.copyOf(algs);
    }

    /** A copy of the HS256 secret, or null. Package-private: only the verifier needs it. */
    byte[] hmacSecret() {
        return hmacSecret == null ? null : hmacSecret.clone();
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public List<String> issuers() {
        return issuers;
    }

    public List<String> audiences() {
        return audiences;
    }

    public int leewaySeconds() {
        return leewaySeconds;
    }

    public String userClaim() {
        return userClaim;
    }

    public String rolesClaim() {
        return rolesClaim;
    }

    public boolean authRequired() {
        return authRequired;
    }

    /** JWT_REQUIRE_EXP: tokens without {@code exp} are refused (default: as AUTH_REQUIRED). */
    public boolean expiryRequired() {
        return expiryRequired;
    }

    public ChannelAccessPolicy channelPolicy() {
        return channelPolicy;
    }

    /** A one-line summary for the startup log; names algorithms, never keys or secrets. */
    public String describe() {
        return "auth: algorithms=" + (tokensEnabled() ? acceptedAlgorithms().stream().sorted().toList() : "none")
                + ", issuer=" + (issuers.isEmpty() ? "any" : issuers)
                + ", audience=" + (audiences.isEmpty() ? "any" : audiences)
                + ", leeway=" + leewaySeconds + "s"
                + ", userClaim=" + userClaim
                + ", rolesClaim=" + rolesClaim
                + ", authRequired=" + authRequired
                + ", expRequired=" + expiryRequired
                + ", channelRules=" + channelPolicy;
    }

    @Override
    public String toString() {
        return "AuthSettings[" + describe() + "]";
    }

    /** For tests and embedding; {@link #build()} throws {@link IllegalArgumentException} on bad values. */
    public static final class Builder {
        private byte[] hmacSecret;
        private PublicKey publicKey;
        private List<String> issuers = List.of();
        private List<String> audiences = List.of();
        private int leewaySeconds = DEFAULT_LEEWAY_SECONDS;
        private String userClaim = DEFAULT_USER_CLAIM;
        private String rolesClaim = DEFAULT_ROLES_CLAIM;
        private boolean authRequired = DEFAULT_AUTH_REQUIRED;
        /** Null: follows authRequired. */
        private Boolean expiryRequired;
        private ChannelAccessPolicy channelPolicy = ChannelAccessPolicy.defaults();

        private Builder() {
        }

        public Builder hmacSecret(String secret) {
            return hmacSecret(secret == null ? null : secret.getBytes(StandardCharsets.UTF_8));
        }

        public Builder hmacSecret(byte[] secret) {
            this.hmacSecret = secret == null ? null : secret.clone();
            return this;
        }

        public Builder publicKey(PublicKey key) {
            this.publicKey = key;
            return this;
        }

        /** Parses PEM text, as JWT_PUBLIC_KEY would be. */
        public Builder publicKeyPem(String pem) {
            return publicKey(PemKeys.parsePublicKey(pem));
        }

        public Builder issuers(List<String> issuers) {
            this.issuers = List.copyOf(issuers);
            return this;
        }

        public Builder issuer(String... issuers) {
            return issuers(Arrays.asList(issuers));
        }

        public Builder audiences(List<String> audiences) {
            this.audiences = List.copyOf(audiences);
            return this;
        }

        public Builder audience(String... audiences) {
            return audiences(Arrays.asList(audiences));
        }

        public Builder leewaySeconds(int seconds) {
            this.leewaySeconds = seconds;
            return this;
        }

        public Builder userClaim(String claim) {
            this.userClaim = claim;
            return this;
        }

        public Builder rolesClaim(String claim) {
            this.rolesClaim = claim;
            return this;
        }

        public Builder authRequired(boolean required) {
            this.authRequired = required;
            return this;
        }

        /** Refuse tokens without {@code exp}; unset, it follows {@link #authRequired}. */
        public Builder expiryRequired(boolean required) {
            this.expiryRequired = required;
            return this;
        }

        public Builder channelPolicy(ChannelAccessPolicy policy) {
            this.channelPolicy = Objects.requireNonNull(policy, "channelPolicy");
            return this;
        }

        /** Parses CHANNEL_RULES text. */
        public Builder channelRules(String rules) {
            return channelPolicy(ChannelAccessPolicy.parse(rules));
        }

        public AuthSettings build() {
            if (hmacSecret != null && hmacSecret.length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("HS256 secret must be at least " + MIN_SECRET_BYTES + " bytes");
            }
            if (publicKey != null) {
                PemKeys.checkStrength(publicKey);
            }
            if (leewaySeconds < 0 || leewaySeconds > MAX_LEEWAY_SECONDS) {
                throw new IllegalArgumentException("leeway must be between 0 and " + MAX_LEEWAY_SECONDS + " seconds");
            }
            if (userClaim == null || !CLAIM_NAME.matcher(userClaim).matches()
                    || rolesClaim == null || !CLAIM_NAME.matcher(rolesClaim).matches()) {
                throw new IllegalArgumentException("claim names must be non-blank without whitespace");
            }
            if (issuers.stream().anyMatch(String::isBlank) || audiences.stream().anyMatch(String::isBlank)) {
                throw new IllegalArgumentException("issuers and audiences must not be blank");
            }
            return new AuthSettings(this);
        }
    }
}
