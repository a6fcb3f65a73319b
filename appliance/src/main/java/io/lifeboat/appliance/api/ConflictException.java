package io.lifeboat.appliance.api;

import org.springframework.http.HttpStatus;

/** 409: the request clashes with the current state: already deleted, already running. */
public final class ConflictException extends ApiException {

    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
        this(message, null);
    }

    public ConflictException(String message, Throwable cause) {
        super(HttpStatus.CONFLICT, message, cause);
    }
}
