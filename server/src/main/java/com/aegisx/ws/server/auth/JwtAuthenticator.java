package com.aegisx.ws.server.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.MissingClaimException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.auth0.jwt.interfaces.Verification;

import java.math.BigInteger;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Verifies JWTs with java-jwt according to {@link AuthSettings}; thread-safe, build one per node.
 *
 * <p>Exactly the configured algorithms are accepted: HS256 when JWT_SECRET is set, RS256 for an RSA
 * public key, ES256 for an EC P-256 key (ES384/ES512 for P-384/P-521). The verifier is chosen by the
 * token's {@code alg} header from that fixed set, so {@code alg: none}, an algorithm without a
 * configured key, and the RS256-to-HS256 key-confusion trick are all refused before any claim is
 * trusted. The signature is checked before the claims, so a forged token learns nothing about them.
 *
 * <p>Claims:
 * <ul>
 *   <li>{@code exp}, {@code nbf}, {@code iat} are checked with JWT_LEEWAY_SECONDS of slack;
 *       {@code exp} is required with JWT_REQUIRE_EXP (default: as AUTH_REQUIRED), otherwise optional
 *       (a token without it never expires);</li>
 *   <li>{@code iss} / {@code aud} are required when JWT_ISSUER / JWT_AUDIENCE are set;</li>
 *   <li>the user claim (JWT_USER_CLAIM, default {@code sub}) must be a non-blank string or an integer,
 *       at most {@value #MAX_USER_ID_LENGTH} characters, without whitespace, control characters,
 *       {@code :}, <code>{</code> or <code>}</code>: a ':' would let user {@code a} own channel
 *       {@code user:a:b} of user {@code a:b}, and braces would break Redis hash tags;</li>
 *   <li>the roles claim (JWT_ROLES_CLAIM, default {@code roles}) may be a JSON array of strings, or a
 *       single string holding one role or several separated by spaces or commas (the OAuth
 *       {@code scope} style); absent or null means no roles; any other type refuses the token. A
 *       dotted name such as {@code realm_access.roles} is looked up as a top-level claim first, then
 *       as a path into nested objects.</li>
 * </ul>
 * Tokens longer than {@value #MAX_TOKEN_LENGTH} characters are refused unparsed.
 */
public final class JwtAuthenticator implements TokenVerifier {

    /** Real tokens are well under 4 KiB; anything larger is refused before base64/JSON work. */
    public static final int MAX_TOKEN_LENGTH = 8192;
    /**
     * User ids end up in Redis keys and channel names; keep them bounded. The protocol's own bound,
     * so every user who connects can be addressed: sendToUser, the publish API, admin disconnect and
     * the debug lookup refuse longer ids (a user let in with a 200-character id could never be reached).
     */
    public static final int MAX_USER_ID_LENGTH = com.aegisx.ws.protocol.Identifiers.MAX_USER_ID_LENGTH;

    /**
     * Whitespace, controls (C0 and C1), separators (U+2028/2029 included) and invisible format
     * characters: a user id is logged and put in keys, so it may never break or disguise a line.
     */
    private static final Pattern BAD_USER_ID_CHARS = Pattern.compile("[\\s\\p{Cc}\\p{Cf}\\p{Z}:{}]");
    private static final Pattern ROLE_SEPARATORS = Pattern.compile("[\\s,]+");

    private final AuthSettings settings;
    /** alg header value -> verifier; immutable after construction. */
    private final Map<String, JWTVerifier> verifiers;

    public JwtAuthenticator(AuthSettings settings) {
        this.settings = settings;
        Map<String, JWTVerifier> byAlg = new HashMap<>();
        byte[] secret = settings.hmacSecret();
        if (secret != null) {
            byAlg.put("HS256", verifier(Algorithm.HMAC256(secret)));
        }
        PublicKey key = settings.publicKey();
        if (key != null) {
            byAlg.put(PemKeys.algorithmFor(key), verifier(algorithmFor(key)));
        }
        this.verifiers = Map.copyOf(byAlg);
    }

    private static Algorithm algorithmFor(PublicKey key) {
        switch (PemKeys.algorithmFor(key)) {
            case "RS256": return Algorithm.RSA256((RSAPublicKey) key, null);
            case "ES256": return Algorithm.ECDSA256((ECPublicKey) key, null);
            case "ES384": return Algorithm.ECDSA384((ECPublicKey) key, null);
            case "ES512": return Algorithm.ECDSA512((ECPublicKey) key, null);
            default: throw new IllegalStateException("unreachable");
        }
    }

    private JWTVerifier verifier(Algorithm algorithm) {
        Verification v = JWT.require(algorithm).acceptLeeway(settings.leewaySeconds());
        if (!settings.issuers().isEmpty()) {
            v = v.withIssuer(settings.issuers().toArray(String[]::new));
        }
        if (!settings.audiences().isEmpty()) {
            v = v.withAnyOfAudience(settings.audiences().toArray(String[]::new));
        }
        return v.build();
    }

    public AuthSettings settings() {
        return settings;
    }

    /**
     * The identity for an upgrade request: anonymous when no token was presented and AUTH_REQUIRED is
     * off; otherwise the verified token's identity.
     *
     * @param token the extracted token, or {@code null} when the request carried none
     * @throws AuthenticationException {@code token_required} without a token under AUTH_REQUIRED, or
     *                                 any refusal of {@link #verify(String)}
     */
    public Identity authenticate(String token) throws AuthenticationException {
        if (token == null) {
            if (settings.authRequired()) {
                throw new AuthenticationException(AuthFailure.TOKEN_REQUIRED, "Authentication token required");
            }
            return Identity.anonymous();
        }
        return verify(token);
    }

    @Override
    public Identity verify(String token) throws AuthenticationException {
        if (verifiers.isEmpty()) {
            throw new AuthenticationException(AuthFailure.AUTH_NOT_CONFIGURED,
                    "Token authentication is not configured on this server");
        }
        if (token == null || token.isBlank()) {
            throw new AuthenticationException(AuthFailure.INVALID_TOKEN, "Empty token");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new AuthenticationException(AuthFailure.INVALID_TOKEN, "Token too long");
        }
        DecodedJWT jwt;
        try {
            jwt = JWT.decode(token);
        } catch (JWTDecodeException e) {
            throw new AuthenticationException(AuthFailure.INVALID_TOKEN, "Malformed token");
        }
        // A header without "alg" decodes fine; the immutable verifier map refuses a null key (NPE).
        JWTVerifier verifier = jwt.getAlgorithm() == null ? null : verifiers.get(jwt.getAlgorithm());
        if (verifier == null) {
            throw new AuthenticationException(AuthFailure.ALGORITHM_NOT_ALLOWED, "Token algorithm not accepted");
        }
        try {
            verifier.verify(jwt);
        } catch (JWTVerificationException e) {
            throw translate(e);
        }
        if (settings.expiryRequired() && jwt.getExpiresAtAsInstant() == null) {
            // Also what keeps refresh_token from taking a socket's expiry away.
            throw new AuthenticationException(AuthFailure.MISSING_EXPIRY, "Token has no 'exp' claim; this server requires one");
        }
        return new Identity(userId(jwt), roles(jwt), jwt.getExpiresAtAsInstant());
    }

    /** Maps java-jwt's exceptions to our reasons, with our own messages (theirs may quote claims). */
    private static AuthenticationException translate(JWTVerificationException e) {
        if (e instanceof SignatureVerificationException) {
            return new AuthenticationException(AuthFailure.INVALID_SIGNATURE, "Invalid token signature");
        }
        if (e instanceof AlgorithmMismatchException) {
            return new AuthenticationException(AuthFailure.ALGORITHM_NOT_ALLOWED, "Token algorithm not accepted");
        }
        if (e instanceof TokenExpiredException expired) {
            return new AuthenticationException(AuthFailure.TOKEN_EXPIRED, "Token expired at " + expired.getExpiredOn());
        }
        String claim = null;
        if (e instanceof IncorrectClaimException incorrect) {
            claim = incorrect.getClaimName();
        } else if (e instanceof MissingClaimException missing) {
            claim = missing.getClaimName();
        }
        if (claim != null) {
            switch (claim) {
                case "exp":
                    return new AuthenticationException(AuthFailure.TOKEN_EXPIRED, "Token expired");
                case "nbf":
                    return new AuthenticationException(AuthFailure.TOKEN_NOT_YET_VALID, "Token not valid yet");
                case "iat":
                    return new AuthenticationException(AuthFailure.TOKEN_NOT_YET_VALID, "Token issued in the future");
                case "iss":
                    return new AuthenticationException(AuthFailure.WRONG_ISSUER, "Token issuer not accepted");
                case "aud":
                    return new AuthenticationException(AuthFailure.WRONG_AUDIENCE, "Token audience not accepted");
                default:
                    break;
            }
        }
        return new AuthenticationException(AuthFailure.INVALID_TOKEN, "Invalid token");
    }

    private String userId(DecodedJWT jwt) throws AuthenticationException {
        Object value = claimValue(jwt, settings.userClaim());
        String id;
        if (value == null) {
            id = null;
        } else if (value instanceof String s) {
            id = s;
        } else if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
            // Numeric ids are common in ERP systems; their decimal form is the channel/user id.
            id = value.toString();
        } else {
            throw new AuthenticationException(AuthFailure.INVALID_USER_CLAIM,
                    "Claim '" + settings.userClaim() + "' must be a string");
        }
        if (id == null || id.isBlank()) {
            throw new AuthenticationException(AuthFailure.MISSING_USER_CLAIM,
                    "Token has no '" + settings.userClaim() + "' claim");
        }
        if (id.length() > MAX_USER_ID_LENGTH || BAD_USER_ID_CHARS.matcher(id).find()) {
            throw new AuthenticationException(AuthFailure.INVALID_USER_CLAIM,
                    "Claim '" + settings.userClaim() + "' is too long or contains whitespace, ':', '{' or '}'");
        }
        return id;
    }

    private Set<String> roles(DecodedJWT jwt) throws AuthenticationException {
        Object value = claimValue(jwt, settings.rolesClaim());
        Set<String> roles = new LinkedHashSet<>();
        if (value == null) {
            return roles;
        }
        if (value instanceof String s) {
            for (String role : ROLE_SEPARATORS.split(s.trim())) {
                if (!role.isEmpty()) {
                    roles.add(role);
                }
            }
            return roles;
        }
        if (value instanceof List<?> list) {
            for (Object item : list) {
                if (!(item instanceof String role) || role.isBlank()) {
                    throw invalidRoles();
                }
                roles.add(role.trim());
            }
            return roles;
        }
        throw invalidRoles();
    }

    private AuthenticationException invalidRoles() {
        return new AuthenticationException(AuthFailure.INVALID_CLAIM,
                "Claim '" + settings.rolesClaim() + "' must be an array of strings or a string");
    }

    /**
     * The claim's plain Java value (String, Number, Boolean, List, Map) or null when absent / null.
     * A dotted name is tried as a top-level claim first, then as a path through nested objects.
     */
    private static Object claimValue(DecodedJWT jwt, String name) throws AuthenticationException {
        Object direct = plain(jwt.getClaim(name));
        if (direct != null || name.indexOf('.') < 0) {
            return direct;
        }
        String[] path = name.split("\\.");
        Object current = plain(jwt.getClaim(path[0]));
        for (int i = 1; i < path.length && current != null; i++) {
            current = current instanceof Map<?, ?> map ? map.get(path[i]) : null;
        }
        return current;
    }

    private static Object plain(Claim claim) throws AuthenticationException {
        if (claim == null || claim.isMissing() || claim.isNull()) {
            return null;
        }
        try {
            return claim.as(Object.class);
        } catch (JWTDecodeException e) {
            throw new AuthenticationException(AuthFailure.INVALID_TOKEN, "Malformed token claims");
        }
    }

    /** The instant after which a connection opened with {@code identity} must be told to refresh. */
    public Instant expiryWithLeeway(Identity identity) {
        return identity.expiresAt() == null ? null : identity.expiresAt().plusSeconds(settings.leewaySeconds());
    }
}
