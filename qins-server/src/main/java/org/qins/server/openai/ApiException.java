package org.qins.server.openai;

/**
 * An error answered in the OpenAI shape {@code {"error": {"message", "type", "param", "code"}}}.
 *
 * @see ResponseBodies#error(ApiException)
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final Integer retryAfterSeconds;

    public ApiException(int status, String type, String param, String code, String message, Integer retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400: the request is malformed or asks for something out of range. */
    public static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, null, message, null);
    }

    /** 400 with a code, e.g. {@code context_length_exceeded}. */
    public static ApiException invalid(String param, String code, String message) {
        return new ApiException(400, "invalid_request_error", param, code, message, null);
    }

    public static ApiException unauthorized() {
        return new ApiException(401, "invalid_request_error", null, "invalid_api_key",
                "Incorrect API key provided. Send it as 'Authorization: Bearer KEY'.", null);
    }

    public static ApiException modelNotFound(String model, String served) {
        return new ApiException(404, "invalid_request_error", "model", "model_not_found",
                "The model '" + model + "' does not exist; this server serves '" + served + "'.", null);
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, "invalid_request_error", null, "not_found", what, null);
    }

    /** 503 with {@code Retry-After}: the queue is full, or the server is shutting down. */
    public static ApiException unavailable(String message, int retryAfterSeconds) {
        return new ApiException(503, "server_error", null, "server_busy", message, retryAfterSeconds);
    }

    public static ApiException internal(String message) {
        return new ApiException(500, "server_error", null, null, message, null);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    /** Seconds for a {@code Retry-After} header, or null. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
