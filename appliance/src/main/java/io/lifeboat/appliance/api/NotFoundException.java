package io.lifeboat.appliance.api;

import org.springframework.http.HttpStatus;

/** 404: the thing asked for (VM, restore point, job) does not exist. */
public final class NotFoundException extends ApiException {

    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        this(message, null);
    }

    public NotFoundException(String message, Throwable cause) {
        super(HttpStatus.NOT_FOUND, message, cause);
    }
}
