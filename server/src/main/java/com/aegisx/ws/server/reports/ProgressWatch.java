package com.aegisx.ws.server.reports;

import com.aegisx.ws.client.reports.ReportChannels;
import com.aegisx.ws.client.reports.ReportMessages;
import com.aegisx.ws.client.reports.ReportState;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.server.core.ChannelSend;
import com.aegisx.ws.server.core.LocalConnection;
import com.aegisx.ws.server.core.Replies;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What one socket of the progress route was sent about its report, and in which order: statuses
 * only ever newer ({@code seq}), {@code report_completed} once. Live messages, the state read after
 * {@code welcome} and the answers to {@code request_update} are all sent under this object's lock.
 *
 * <p>On a latest-value channel (CONFLATE_CHANNELS, by default every progress channel) a socket that
 * falls behind gets the newest status instead of each one: everything goes through the channel's
 * {@link ChannelSend} (its conflation), so nothing sent here overtakes a status waiting there.
 * Terminal events ({@code report_completed}, a failure's {@code error}) and answers to
 * {@code request_update} are sent as not replaceable: never held or replaced, queued after the
 * status before them. A terminal status is replaced only by a newer status, which a finished
 * report has not. Anything else (a template's points after {@code subscribe_template}) conflates
 * as on any route when its channel is a latest-value one.
 */
final class ProgressWatch {

    final String reportId;
    private final String channel;
    /** How the report's channel is sent to this socket: through its conflation, if any. */
    private final ChannelSend send;
    volatile Refusal refusal;
    private long lastSeq;
    private boolean completedSent;

    ProgressWatch(String reportId, ChannelSend send) {
        this.reportId = reportId;
        this.channel = ReportChannels.progress(reportId);
        this.send = send;
    }

    /** The stored state, read once the subscription was confirmed: sent unless a newer status went out live. */
    synchronized void current(LocalConnection connection, ReportState state) {
        if (state.seq() > lastSeq) {
            lastSeq = state.seq();
            send.send(connection, channel, encode(reply(state.statusMessage(), null)), true);
        }
        ObjectNode completed = state.completedMessage();
        if (completed != null && !completedSent) {
            completedSent = true;
            send.send(connection, channel, encode(reply(completed, null)), false);
        }
    }

    /**
     * The answer to {@code request_update}: the stored status (with the request's id), plus
     * report_completed. Always sent (it answers), never held or replaced, and after the status
     * waiting (it used to overtake it); a live status older than it is not shown after it.
     */
    synchronized void answer(LocalConnection connection, ReportState state, JsonNode id) {
        lastSeq = Math.max(lastSeq, state.seq());
        send.send(connection, channel, encode(reply(state.statusMessage(), id)), false);
        ObjectNode completed = state.completedMessage();
        if (completed != null) {
            completedSent = true;
            send.send(connection, channel, encode(reply(completed, id)), false);
        }
    }

    /**
     * A live message of one of the socket's channels (its interceptor, on the channel's dispatch
     * worker), sent through that channel's {@code channelSend}; always handled here.
     */
    synchronized boolean live(LocalConnection connection, String channel, ObjectNode message, ByteBuffer frame,
                              ChannelSend channelSend) {
        String type = message.path("type").asText("");
        boolean terminal = false;
        if (ReportMessages.REPORT_STATUS.equals(type)) {
            long seq = message.path("seq").asLong(0);
            if (seq > 0) {
                if (seq <= lastSeq) {
                    return true;
                }
                lastSeq = seq;
            }
        } else if (ReportMessages.REPORT_COMPLETED.equals(type)) {
            if (completedSent) {
                return true;
            }
            completedSent = true;
            terminal = true;
        } else {
            terminal = ReportMessages.ERROR.equals(type); // a failed report's error
        }
        channelSend.send(connection, channel, frame, !terminal);
        return true;
    }

    private static ObjectNode reply(ObjectNode message, JsonNode id) {
        if (id != null && !id.isNull()) {
            message.set("id", id);
        }
        return Replies.stamped(message);
    }

    private static ByteBuffer encode(ObjectNode message) {
        return ByteBuffer.wrap(Json.write(message).getBytes(StandardCharsets.UTF_8));
    }
}
