package io.lifeboat.appliance.api;

import io.lifeboat.appliance.backup.BackupException;
import io.lifeboat.appliance.config.StoreUnavailableException;
import io.lifeboat.appliance.error.ApplianceException;
import io.lifeboat.appliance.inventory.InventoryException;
import io.lifeboat.appliance.policy.InvalidPolicyRequest;
import io.lifeboat.appliance.security.SecurityConfiguration;
import io.lifeboat.kvm.domain.XmlInputException;
import io.lifeboat.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * The one place errors become HTTP responses, all as RFC 9457 problems. Spring MVC's own errors
 * (bad parameter types, failed validation, unknown path) are handled by the superclass; the
 * services' {@link ApplianceException}s and store, inventory and backup errors map by kind; authentication failures come here too, from the security
 * filters (see {@code io.lifeboat.appliance.security.ProblemEntryPoint}). Anything else is a bug:
 * logged with its stack trace, answered with a 500 that leaks nothing.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    /** Nothing is logged: the caller, not the operator, has something to fix. */
    @ExceptionHandler(ApplianceException.class)
    ResponseEntity<ProblemDetail> refused(ApplianceException e) {
        HttpStatus status = switch (e.kind()) {
            case BAD_REQUEST -> HttpStatus.BAD_REQUEST;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
            case UNPROCESSABLE -> HttpStatus.UNPROCESSABLE_CONTENT;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
        };
        return problem(status, e.getMessage());
    }

    /** A refused runbook: the message lists every problem; {@code problems} has each with its line and column. */
    @ExceptionHandler(io.lifeboat.restore.runbook.RunbookException.class)
    ResponseEntity<ProblemDetail> runbook(io.lifeboat.restore.runbook.RunbookException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
        problem.setProperty("problems", e.problems());
        return ResponseEntity.badRequest().body(problem);
    }

    @ExceptionHandler(StoreException.class)
    ResponseEntity<ProblemDetail> store(StoreException e) {
        HttpStatus status = e instanceof StoreUnavailableException ? HttpStatus.SERVICE_UNAVAILABLE : switch (e.kind()) {
            case BAD_INPUT -> HttpStatus.BAD_REQUEST;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
            case NO_SPACE -> HttpStatus.INSUFFICIENT_STORAGE;
            case CORRUPT, FORMAT, IO -> HttpStatus.INTERNAL_SERVER_ERROR;
        };
        if (status.is5xxServerError()) {
            log.error("Store error: {}", e.getMessage(), e);
        }
        return problem(status, e.getMessage());
    }

    @ExceptionHandler(XmlInputException.class)
    ResponseEntity<ProblemDetail> xml(XmlInputException e) {
        return problem(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    @ExceptionHandler(InventoryException.class)
    ResponseEntity<ProblemDetail> inventory(InventoryException e) {
        HttpStatus status = switch (e.kind()) {
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case BAD_INPUT -> HttpStatus.BAD_REQUEST;
            case CONFLICT -> HttpStatus.CONFLICT;
            case UNSUPPORTED -> HttpStatus.UNPROCESSABLE_CONTENT;
            case UNREACHABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            case TIMEOUT -> HttpStatus.GATEWAY_TIMEOUT;
            case FAILED -> HttpStatus.INTERNAL_SERVER_ERROR;
        };
        if (e.kind() == InventoryException.Kind.FAILED) {
            log.error("Inventory error: {}", e.getMessage(), e);
        }
        return problem(status, e.getMessage());
    }

    @ExceptionHandler(BackupException.class)
    ResponseEntity<ProblemDetail> backup(BackupException e) {
        HttpStatus status = switch (e.kind()) {
            case BAD_INPUT -> HttpStatus.BAD_REQUEST;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
            case CANCELLED, FAILED -> HttpStatus.INTERNAL_SERVER_ERROR;
        };
        if (status.is5xxServerError()) {
            log.error("Backup error: {}", e.getMessage(), e);
        }
        return problem(status, e.getMessage());
    }

    /** Every problem of a policy at once, each with its field: {@code violations: [{field, message}]}. */
    @ExceptionHandler(InvalidPolicyRequest.class)
    ResponseEntity<ProblemDetail> invalidPolicy(InvalidPolicyRequest e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
        problem.setProperty("violations", e.violations().stream()
                .map(v -> java.util.Map.of("field", v.field(), "message", v.message())).toList());
        return ResponseEntity.badRequest().body(problem);
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String detail) {
        return ResponseEntity.status(status).body(ProblemDetail.forStatusAndDetail(status, detail));
    }

    @ExceptionHandler(AuthenticationException.class)
    ResponseEntity<ProblemDetail> unauthenticated(AuthenticationException e, jakarta.servlet.http.HttpServletRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED,
                "Authentication required: log in at " + SecurityConfiguration.LOGIN_PAGE
                        + ", or send a user name and password with HTTP Basic authentication");
        return ResponseEntity.status(HttpStatus.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, SecurityConfiguration.challengeFor(request))
                .body(problem);
    }

    @ExceptionHandler(AccessDeniedException.class)
    ResponseEntity<ProblemDetail> forbidden(AccessDeniedException e) {
        return ResponseEntity.status(HttpStatus.FORBIDDEN)
                .body(ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, "You may not do this"));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.error("Unexpected error", e);
        return ResponseEntity.internalServerError().body(ProblemDetail.forStatusAndDetail(
                HttpStatus.INTERNAL_SERVER_ERROR, "Internal error; the appliance log has the details"));
    }
}
