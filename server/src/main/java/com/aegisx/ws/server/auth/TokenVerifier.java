package com.aegisx.ws.server.auth;

/** Turns a presented bearer token into an {@link Identity}, or refuses it. */
@FunctionalInterface
public interface TokenVerifier {

    /**
     * @param token the raw token as presented (never logged by implementations)
     * @return the verified identity, never anonymous
     * @throws AuthenticationException when the token is refused, with a machine reason
     */
    Identity verify(String token) throws AuthenticationException;
}
