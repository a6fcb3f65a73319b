package io.lifeboat.appliance.api;

import org.springframework.http.HttpStatus;

/** 422: well-formed, but it cannot be done: a cron expression that never fires, a disk too big. */
public final class UnprocessableException extends ApiException {

    private static final long serialVersionUID = 1L;

    public UnprocessableException(String message) {
        this(message, null);
    }

    public UnprocessableException(String message, Throwable cause) {
        super(HttpStatus.UNPROCESSABLE_CONTENT, message, cause);
    }
}
