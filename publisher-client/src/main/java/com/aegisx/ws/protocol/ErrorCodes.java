package com.aegisx.ws.protocol;

/** Machine-readable {@code code} values of {@code error} messages sent to clients. */
public final class ErrorCodes {

    public static final String INVALID_JSON = "invalid_json";
    public static final String INVALID_MESSAGE = "invalid_message";
    public static final String UNKNOWN_TYPE = "unknown_type";
    public static final String MISSING_FIELD = "missing_field";
    public static final String INVALID_CHANNEL = "invalid_channel";
    public static final String AUTH_REQUIRED = "auth_required";
    public static final String FORBIDDEN = "forbidden";
    public static final String NOT_SUBSCRIBED = "not_subscribed";
    public static final String SUBSCRIPTION_LIMIT = "subscription_limit";
    public static final String RATE_LIMITED = "rate_limited";
    public static final String UNAVAILABLE = "unavailable";
    public static final String INTERNAL_ERROR = "internal_error";

    private ErrorCodes() {
    }
}
