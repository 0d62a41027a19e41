package com.aegisx.ws.server.auth;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelAccessPolicyTest {

    private static final ChannelAccessPolicy DEFAULTS = ChannelAccessPolicy.defaults();
    private static final Identity ALICE = Identity.user("alice");
    private static final Identity BOB = Identity.user("bob", "nurse");
    private static final Identity ADMIN = new Identity("root", Set.of("admin"), Instant.now().plusSeconds(60));
    private static final Identity ANON = Identity.anonymous();

    private static void allowed(AccessDecision d) {
        assertTrue(d.allowed(), () -> "expected allowed, got " + d);
    }

    private static void refused(AccessDecision d, String code) {
        assertFalse(d.allowed(), () -> "expected " + code + ", got allowed");
        assertEquals(code, d.code());
    }

    @Test
    void userChannelsBelongToTheirUserOnly() {
        allowed(DEFAULTS.canSubscribe(ALICE, "user:alice"));
        allowed(DEFAULTS.canSubscribe(ALICE, "user:alice:notifications"));
        refused(DEFAULTS.canSubscribe(ALICE, "user:bob"), AccessDecision.FORBIDDEN);
        refused(DEFAULTS.canSubscribe(ALICE, "user:bob:notifications"), AccessDecision.FORBIDDEN);
        refused(DEFAULTS.canSubscribe(BOB, "user:alice"), AccessDecision.FORBIDDEN);
        // Prefix tricks: "alice2" and "alic" are other users.
        refused(DEFAULTS.canSubscribe(ALICE, "user:alice2"), AccessDecision.FORBIDDEN);
        refused(DEFAULTS.canSubscribe(ALICE, "user:alic"), AccessDecision.FORBIDDEN);
        refused(DEFAULTS.canSubscribe(ALICE, "user:"), AccessDecision.FORBIDDEN);
        assertEquals("Insufficient permissions for user channels", DEFAULTS.canSubscribe(ALICE, "user:bob").message());
    }

    @Test
    void anonymousNeedsAuthenticationForUserChannels() {
        AccessDecision d = DEFAULTS.canSubscribe(ANON, "user:alice");
        refused(d, AccessDecision.AUTH_REQUIRED);
        assertEquals("Authentication required for user channels", d.message());
        refused(DEFAULTS.canSubscribe(null, "user:alice"), AccessDecision.AUTH_REQUIRED);
    }

    @Test
    void adminsMayUseUserChannels() {
        allowed(DEFAULTS.canSubscribe(ADMIN, "user:alice"));
        allowed(DEFAULTS.canSubscribe(ADMIN, "user:bob:inbox"));
    }

    @Test
    void adminChannelsNeedTheAdminRole() {
        allowed(DEFAULTS.canSubscribe(ADMIN, "admin:audit"));
        AccessDecision bob = DEFAULTS.canSubscribe(BOB, "admin:audit");
        refused(bob, AccessDecision.FORBIDDEN);
        assertEquals("Insufficient permissions for admin channels", bob.message());
        refused(DEFAULTS.canSubscribe(ANON, "admin:audit"), AccessDecision.AUTH_REQUIRED);
        refused(DEFAULTS.canSubscribe(new Identity("x", Set.of("Admin"), null), "admin:x"), AccessDecision.FORBIDDEN);
    }

    @Test
    void everythingElseIsPublic() {
        for (Identity who : List.of(ANON, ALICE, ADMIN)) {
            allowed(DEFAULTS.canSubscribe(who, "test:channel"));
            allowed(DEFAULTS.canSubscribe(who, "patients:vitals:room-101"));
            allowed(DEFAULTS.canSubscribe(who, "alerts"));
            allowed(DEFAULTS.canSubscribe(who, "users:alice")); // not the "user" family
        }
    }

    @Test
    void publishingIsDeniedByDefault() {
        AccessDecision d = DEFAULTS.canPublish(ADMIN, "test:channel");
        refused(d, AccessDecision.FORBIDDEN);
        assertEquals("Publishing to test channels is not allowed", d.message());
        refused(DEFAULTS.canPublish(ALICE, "user:alice"), AccessDecision.FORBIDDEN);
    }

    @Test
    void customRulesWithPublishAndRoles() {
        ChannelAccessPolicy p = ChannelAccessPolicy.parse(
                " user:**=owner ; admin:=role:admin ;\n reports:**=authenticated;"
                        + "chat:*=authenticated/authenticated; ward:*:vitals=role:nurse|doctor/role:device;"
                        + "internal:**=deny; **=public");
        // owner without admin
        allowed(p.canSubscribe(ALICE, "user:alice"));
        refused(p.canSubscribe(ADMIN, "user:alice"), AccessDecision.FORBIDDEN);
        // prefix form
        allowed(p.canSubscribe(ADMIN, "admin:x:y"));
        refused(p.canSubscribe(ALICE, "admin:x"), AccessDecision.FORBIDDEN);
        // authenticated
        refused(p.canSubscribe(ANON, "reports:r1"), AccessDecision.AUTH_REQUIRED);
        allowed(p.canSubscribe(ALICE, "reports:r1:progress"));
        // subscribe and publish separately; * is a single segment
        allowed(p.canPublish(ALICE, "chat:lobby"));
        refused(p.canPublish(ANON, "chat:lobby"), AccessDecision.AUTH_REQUIRED);
        allowed(p.canSubscribe(ANON, "chat:lobby:sub")); // not matched by chat:*, falls to **=public
        refused(p.canPublish(ANON, "chat:lobby:sub"), AccessDecision.FORBIDDEN);
        // any of several roles
        allowed(p.canSubscribe(BOB, "ward:3:vitals"));
        allowed(p.canSubscribe(Identity.user("d", "doctor"), "ward:3:vitals"));
        refused(p.canSubscribe(ALICE, "ward:3:vitals"), AccessDecision.FORBIDDEN);
        refused(p.canPublish(BOB, "ward:3:vitals"), AccessDecision.FORBIDDEN);
        allowed(p.canPublish(Identity.user("monitor-7", "device"), "ward:3:vitals"));
        // deny
        refused(p.canSubscribe(ADMIN, "internal:x"), AccessDecision.FORBIDDEN);
        assertEquals("Subscribing to internal channels is not allowed", p.canSubscribe(ADMIN, "internal:x").message());
        // round trip
        assertEquals("user:**=owner;admin:=role:admin;reports:**=authenticated;chat:*=authenticated/authenticated;"
                + "ward:*:vitals=role:nurse|doctor/role:device;internal:**=deny;**=public", p.toString());
        assertEquals(p.rules(), ChannelAccessPolicy.parse(p.toString()).rules());
    }

    @Test
    void withoutCatchAllUnmatchedChannelsAreRefused() {
        ChannelAccessPolicy p = ChannelAccessPolicy.parse("news:**=public");
        allowed(p.canSubscribe(ANON, "news:today"));
        AccessDecision d = p.canSubscribe(ADMIN, "user:root");
        refused(d, AccessDecision.FORBIDDEN);
        assertEquals("No access rule allows subscribing to user channels", d.message());
    }

    @Test
    void exactPatternMatchesOnlyThatChannel() {
        ChannelAccessPolicy p = ChannelAccessPolicy.parse("status=public;**=deny");
        allowed(p.canSubscribe(ANON, "status"));
        refused(p.canSubscribe(ANON, "status:x"), AccessDecision.FORBIDDEN);
        refused(p.canSubscribe(ANON, "statusx"), AccessDecision.FORBIDDEN);
    }

    @Test
    void wildcardsDoNotLeakAcrossSegmentsOrRegexSyntax() {
        ChannelAccessPolicy p = ChannelAccessPolicy.parse("a.b:*=public;**=deny");
        allowed(p.canSubscribe(ANON, "a.b:x"));
        refused(p.canSubscribe(ANON, "aXb:x"), AccessDecision.FORBIDDEN);
        refused(p.canSubscribe(ANON, "a.b:"), AccessDecision.FORBIDDEN);
        refused(p.canSubscribe(ANON, "a.b:x:y"), AccessDecision.FORBIDDEN);
    }

    @Test
    void invalidRuleStringsAreRefusedWithEveryProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChannelAccessPolicy.parse(
                "user:**=owner;admin:**=superuser;noequals;x:**=role:;a b=public;c=public/public/public;"
                        + "d***=public;e{x}=public"));
        String msg = e.getMessage();
        assertTrue(msg.contains("rule 2 'admin:**=superuser': unknown access 'superuser'"), msg);
        assertTrue(msg.contains("rule 3 'noequals'"), msg);
        assertTrue(msg.contains("rule 4 "), msg);
        assertTrue(msg.contains("rule 5 "), msg);
        assertTrue(msg.contains("rule 6 "), msg);
        assertTrue(msg.contains("rule 7 "), msg);
        assertTrue(msg.contains("rule 8 "), msg);
        assertFalse(msg.contains("rule 1 "), msg);
    }

    @Test
    void unreachableRulesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ChannelAccessPolicy.parse("**=public;user:**=owner"));
        assertThrows(IllegalArgumentException.class, () -> ChannelAccessPolicy.parse("user:**=owner;user:**=public"));
        assertThrows(IllegalArgumentException.class, () -> ChannelAccessPolicy.parse(" ; ;"));
        assertThrows(IllegalArgumentException.class, () -> ChannelAccessPolicy.parse(""));
    }

    @Test
    void keywordsAreCaseInsensitiveRolesAreNot() {
        ChannelAccessPolicy p = ChannelAccessPolicy.parse("ops:**=ROLE:Ops;**=PUBLIC");
        allowed(p.canSubscribe(Identity.user("x", "Ops"), "ops:1"));
        refused(p.canSubscribe(Identity.user("x", "ops"), "ops:1"), AccessDecision.FORBIDDEN);
    }

    @Test
    void ownerComparesTheWholeSecondSegment() {
        assertTrue(ChannelAccessPolicy.isOwner(ALICE, "inbox:alice"));
        assertTrue(ChannelAccessPolicy.isOwner(ALICE, "inbox:alice:x:y"));
        assertFalse(ChannelAccessPolicy.isOwner(ALICE, "inbox"));
        assertFalse(ChannelAccessPolicy.isOwner(ANON, "inbox:alice"));
        // An id with ':' (refused by the verifier anyway) can never own anything.
        assertFalse(ChannelAccessPolicy.isOwner(Identity.user("a:b"), "user:a:b"));
    }

    @Test
    void identityBasics() {
        assertTrue(ANON.isAnonymous());
        assertFalse(ANON.hasRole("admin"));
        assertFalse(ANON.hasRole(null));
        assertThrows(IllegalArgumentException.class, () -> Identity.user(" "));
        assertEquals(Set.of(), new Identity("x", null, null).roles());
    }

    @Test
    void familyRulesCoverTheBareFamilyName() {
        // admin:** once missed "admin", which then fell through to **=public.
        refused(DEFAULTS.canSubscribe(ANON, "admin"), AccessDecision.AUTH_REQUIRED);
        refused(DEFAULTS.canSubscribe(BOB, "admin"), AccessDecision.FORBIDDEN);
        allowed(DEFAULTS.canSubscribe(ADMIN, "admin"));
        refused(DEFAULTS.canSubscribe(ANON, "user"), AccessDecision.AUTH_REQUIRED);
        refused(DEFAULTS.canSubscribe(BOB, "user"), AccessDecision.FORBIDDEN);
        // Only the family itself: neither "administrator" nor "users" is in it.
        allowed(DEFAULTS.canSubscribe(ANON, "administrator"));
        allowed(DEFAULTS.canSubscribe(ANON, "users:list"));
        ChannelAccessPolicy prefix = ChannelAccessPolicy.parse("admin:=role:admin;**=public");
        refused(prefix.canSubscribe(ANON, "admin"), AccessDecision.AUTH_REQUIRED);
        assertTrue(ChannelRule.of("a:*:**", Access.PUBLIC).matches("a:b"));
        assertFalse(ChannelRule.of("a:*:**", Access.PUBLIC).matches("a"));
        // The README's one-line rule for report progress: per-report channels only.
        ChannelAccessPolicy reports = ChannelAccessPolicy.parse(
                "reports:progress:*=role:admin;user:**=owner_or_admin;admin:**=role:admin;**=public");
        refused(reports.canSubscribe(ANON, "reports:progress:r-1"), AccessDecision.AUTH_REQUIRED);
        refused(reports.canSubscribe(BOB, "reports:progress:r-1"), AccessDecision.FORBIDDEN);
        allowed(reports.canSubscribe(ADMIN, "reports:progress:r-1"));
        allowed(reports.canSubscribe(ANON, "reports:progress"));
    }
}
