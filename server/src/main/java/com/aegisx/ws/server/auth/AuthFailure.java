package com.aegisx.ws.server.auth;

/**
 * Why a token (or the lack of one) was refused. The {@link #code()} is the stable machine reason
 * sent to clients and written to logs; it never depends on the token's content.
 */
public enum AuthFailure {
    /** A token was presented but no JWT_SECRET / JWT_PUBLIC_KEY is configured to check it. */
    AUTH_NOT_CONFIGURED("auth_not_configured"),
    /** AUTH_REQUIRED is on and the request carried no token. */
    TOKEN_REQUIRED("token_required"),
    /** Not a JWT at all: wrong shape, bad base64, bad JSON, too long, bad registered claims. */
    INVALID_TOKEN("invalid_token"),
    /** The header's {@code alg} is not one this server accepts (including {@code none}). */
    ALGORITHM_NOT_ALLOWED("algorithm_not_allowed"),
    INVALID_SIGNATURE("invalid_signature"),
    TOKEN_EXPIRED("token_expired"),
    /** JWT_REQUIRE_EXP is on and the token has no {@code exp}: it would never expire. */
    MISSING_EXPIRY("missing_expiry"),
    /** {@code nbf} (or {@code iat}) lies in the future, beyond the leeway. */
    TOKEN_NOT_YET_VALID("token_not_yet_valid"),
    WRONG_ISSUER("wrong_issuer"),
    WRONG_AUDIENCE("wrong_audience"),
    /** The configured user claim (JWT_USER_CLAIM) is absent, null or blank. */
    MISSING_USER_CLAIM("missing_user_claim"),
    /** The user claim has a wrong type or characters that would break channel names or Redis keys. */
    INVALID_USER_CLAIM("invalid_user_claim"),
    /** Another claim we read (the roles claim) has an unusable type. */
    INVALID_CLAIM("invalid_claim");

    private final String code;

    AuthFailure(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return code;
    }
}
