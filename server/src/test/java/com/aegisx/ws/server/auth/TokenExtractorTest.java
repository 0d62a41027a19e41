package com.aegisx.ws.server.auth;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static com.aegisx.ws.server.auth.BearerToken.Source.AUTHORIZATION_HEADER;
import static com.aegisx.ws.server.auth.BearerToken.Source.QUERY_PARAMETER;
import static com.aegisx.ws.server.auth.BearerToken.Source.SUBPROTOCOL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenExtractorTest {

    private static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

    private static Optional<BearerToken> extract(Map<String, List<String>> headers, Map<String, List<String>> query) {
        return TokenExtractor.extract(headers, query);
    }

    @Test
    void authorizationHeaderAnyCase() {
        for (String name : List.of("Authorization", "authorization", "AUTHORIZATION")) {
            for (String scheme : List.of("Bearer", "bearer", "BEARER")) {
                BearerToken t = extract(Map.of(name, List.of(scheme + " " + JWT)), Map.of()).orElseThrow();
                assertEquals(JWT, t.token());
                assertEquals(AUTHORIZATION_HEADER, t.source());
                assertTrue(t.echoSubprotocol().isEmpty());
            }
        }
    }

    @Test
    void caseInsensitiveMapIsNotCountedTwice() {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("authorization", List.of("Basic dXNlcjpwYXNz"));
        assertTrue(extract(headers, Map.of()).isEmpty());
        assertEquals(List.of("Basic dXNlcjpwYXNz"), TokenExtractor.headerValues(headers, "Authorization"));
    }

    @Test
    void otherSchemesAndEmptyBearerAreIgnored() {
        assertTrue(extract(Map.of("Authorization", List.of("Basic dXNlcjpwYXNz")), Map.of()).isEmpty());
        assertTrue(extract(Map.of("Authorization", List.of("Bearer ")), Map.of()).isEmpty());
        assertTrue(extract(Map.of("Authorization", List.of("Bearer")), Map.of()).isEmpty());
        BearerToken t = extract(Map.of("Authorization", List.of("Basic x")), Map.of("token", List.of(JWT))).orElseThrow();
        assertEquals(QUERY_PARAMETER, t.source());
    }

    @Test
    void queryParameter() {
        BearerToken t = extract(Map.of(), Map.of("token", List.of(JWT))).orElseThrow();
        assertEquals(JWT, t.token());
        assertEquals(QUERY_PARAMETER, t.source());
        assertTrue(extract(Map.of(), Map.of("token", List.of(""))).isEmpty());
        assertTrue(extract(Map.of(), Map.of("Token", List.of(JWT))).isEmpty(), "query names are exact");
    }

    @Test
    void subprotocolPairForm() {
        BearerToken t = extract(Map.of("Sec-WebSocket-Protocol", List.of("bearer, " + JWT)), Map.of()).orElseThrow();
        assertEquals(JWT, t.token());
        assertEquals(SUBPROTOCOL, t.source());
        assertEquals(Optional.of("bearer"), t.echoSubprotocol());
    }

    @Test
    void subprotocolPairAcrossSeveralHeaderLinesAndWithOtherProtocols() {
        BearerToken t = extract(Map.of("sec-websocket-protocol", List.of("graphql-ws", "bearer", JWT)), Map.of())
                .orElseThrow();
        assertEquals(JWT, t.token());
        assertEquals("bearer", t.subprotocol());
    }

    @Test
    void subprotocolPrefixForm() {
        BearerToken alone = extract(Map.of("Sec-WebSocket-Protocol", List.of("bearer." + JWT)), Map.of()).orElseThrow();
        assertEquals(JWT, alone.token());
        // Only value offered: it is the one the server must select.
        assertEquals("bearer." + JWT, alone.subprotocol());

        BearerToken withMarker = extract(Map.of("Sec-WebSocket-Protocol", List.of("bearer." + JWT + ", bearer")),
                Map.of()).orElseThrow();
        assertEquals(JWT, withMarker.token());
        assertEquals("bearer", withMarker.subprotocol());
    }

    @Test
    void subprotocolWithoutTokenIsNothing() {
        assertTrue(extract(Map.of("Sec-WebSocket-Protocol", List.of("bearer")), Map.of()).isEmpty());
        assertTrue(extract(Map.of("Sec-WebSocket-Protocol", List.of("bearer.")), Map.of()).isEmpty());
        assertTrue(extract(Map.of("Sec-WebSocket-Protocol", List.of("graphql-ws, chat")), Map.of()).isEmpty());
        assertTrue(TokenExtractor.isTokenCarrier("Bearer"));
        assertTrue(TokenExtractor.isTokenCarrier("bearer.abc"));
        assertFalse(TokenExtractor.isTokenCarrier("graphql-ws"));
    }

    @Test
    void orderIsHeaderThenQueryThenSubprotocol() {
        Map<String, List<String>> all = Map.of(
                "Authorization", List.of("Bearer from-header"),
                "Sec-WebSocket-Protocol", List.of("bearer, from-protocol"));
        assertEquals("from-header", extract(all, Map.of("token", List.of("from-query"))).orElseThrow().token());
        Map<String, List<String>> noAuth = Map.of("Sec-WebSocket-Protocol", List.of("bearer, from-protocol"));
        assertEquals("from-query", extract(noAuth, Map.of("token", List.of("from-query"))).orElseThrow().token());
        assertEquals("from-protocol", extract(noAuth, Map.of()).orElseThrow().token());
    }

    @Test
    void nothingAtAll() {
        assertTrue(extract(Map.of(), Map.of()).isEmpty());
        assertTrue(extract(null, null).isEmpty());
    }

    @Test
    void toStringNeverShowsTheToken() {
        BearerToken t = new BearerToken(JWT, SUBPROTOCOL, "bearer." + JWT);
        assertFalse(t.toString().contains(JWT.substring(10)), t.toString());
    }
}
