package io.lifeboat.appliance.api;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * An error the user caused, with the one-line message they see. Throw a subclass from anywhere
 * below a controller (services included); Spring MVC turns it into an RFC 9457 problem
 * ({@code application/problem+json}) with this status and {@code detail} = the message, and logs
 * nothing: the caller, not the operator, has something to fix.
 */
public abstract sealed class ApiException extends ErrorResponseException
        permits BadRequestException, NotFoundException, ConflictException, UnprocessableException {

    private static final long serialVersionUID = 1L;

    protected ApiException(HttpStatus status, String message, Throwable cause) {
        super(status, ProblemDetail.forStatusAndDetail(status, message), cause);
    }

    @Override
    public String getMessage() {
        return getBody().getDetail();
    }
}
