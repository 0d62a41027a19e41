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
    /** refresh_token: the new token was refused; {@code reason} carries the auth failure code. */
    public static final String INVALID_TOKEN = "invalid_token";
    /** A {@code resume} whose token is unknown, expired, used already or another user's. */
    public static final String RESUME_REFUSED = "resume_refused";
    /** Report routes: the report id in the path is not a valid id. */
    public static final String INVALID_REPORT_ID = "invalid_report_id";
    /** Report routes: no state is stored for the report (never registered, or expired). */
    public static final String REPORT_NOT_FOUND = "report_not_found";
    /** Report routes: cancel_report on a report that already completed, failed or was cancelled. */
    public static final String REPORT_FINISHED = "report_finished";
    /** Report routes: a template id (path or subscribe_template) is not a valid id. */
    public static final String INVALID_TEMPLATE_ID = "invalid_template_id";
    /** Stream route: update_interval outside the documented bounds. */
    public static final String INVALID_INTERVAL = "invalid_interval";
    /** Stream route: apply_filter with something other than an object of scalar values. */
    public static final String INVALID_FILTER = "invalid_filter";
    /** A report producer failed; carried by the live {@code error} message of a report. */
    public static final String REPORT_FAILED = "report_failed";

    private ErrorCodes() {
    }
}
