package io.lifeboat.appliance.api;

import org.springframework.http.HttpStatus;

/** 400: the request itself is malformed: an id that does not parse, a bad parameter. */
public final class BadRequestException extends ApiException {

    private static final long serialVersionUID = 1L;

    public BadRequestException(String message) {
        this(message, null);
    }

    public BadRequestException(String message, Throwable cause) {
        super(HttpStatus.BAD_REQUEST, message, cause);
    }
}
