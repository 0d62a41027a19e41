package com.aegisx.ws.server.reports;

import com.aegisx.ws.client.reports.ReportChannels;
import com.aegisx.ws.client.reports.ReportState;
import com.aegisx.ws.server.auth.Access;
import com.aegisx.ws.server.auth.AccessDecision;
import com.aegisx.ws.server.auth.ChannelAccessPolicy;
import com.aegisx.ws.server.auth.Identity;

/**
 * Who may watch and who may cancel a report.
 *
 * <ul>
 *   <li><b>Watch</b> ({@code /api/v1/reports/progress/<id>}): the report's owner, an admin, or
 *       whoever the node's CHANNEL_RULES let subscribe to {@code reports:progress:<id>}, the same
 *       rule that governs a plain {@code subscribe} to that channel on {@code /ws}, so the route
 *       never shows what {@code /ws} would refuse nor refuses what {@code /ws} would show. With the
 *       default rules that channel is public; set e.g. {@code reports:progress:*=role:admin} to
 *       restrict watching to owners and admins. A report without an owner is watched by whom the
 *       rule lets subscribe (and admins).</li>
 *   <li><b>Cancel</b>: only the owner or an admin. An ownerless report (registered without an
 *       owner: demos, system reports) may be cancelled by anyone who may watch it.</li>
 * </ul>
 */
final class ReportAccess {

    private ReportAccess() {
    }

    static AccessDecision canWatch(ChannelAccessPolicy policy, Identity who, ReportState state) {
        // An ownerless report has no owner to pass: the rules decide for everyone but admins, as
        // on /ws (letting everyone in made the README's restricting rule miss system reports).
        if (isOwnerOrAdmin(who, state)) {
            return AccessDecision.allow();
        }
        return policy.canSubscribe(who, ReportChannels.progress(state.reportId()));
    }

    static AccessDecision canCancel(ChannelAccessPolicy policy, Identity who, ReportState state) {
        if (!state.isOwned()) {
            return canWatch(policy, who, state);
        }
        if (isOwnerOrAdmin(who, state)) {
            return AccessDecision.allow();
        }
        if (who == null || who.isAnonymous()) {
            return AccessDecision.authRequired("Authentication required to cancel a report");
        }
        return AccessDecision.forbidden("Only the report's owner or an admin may cancel it");
    }

    private static boolean isOwnerOrAdmin(Identity who, ReportState state) {
        return who != null && !who.isAnonymous()
                && (who.userId().equals(state.ownerId()) || who.hasRole(Access.ADMIN_ROLE));
    }
}
