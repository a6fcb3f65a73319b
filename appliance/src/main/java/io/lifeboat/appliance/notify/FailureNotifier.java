package io.lifeboat.appliance.notify;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.mail.MailException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends each {@link Failure} to the webhook and the e-mail addresses of
 * {@link NotificationProperties}. A notification that cannot be delivered is logged, never
 * thrown: the failure it reports is already in the catalog.
 */
@Component
public class FailureNotifier {

    private static final Logger log = LoggerFactory.getLogger(FailureNotifier.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final NotificationProperties settings;
    private final ObjectProvider<JavaMailSender> mail;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final JsonMapper json = JsonMapper.builder().build();

    public FailureNotifier(NotificationProperties settings, ObjectProvider<JavaMailSender> mail) {
        this.settings = settings;
        this.mail = mail;
    }

    public void notify(Failure failure) {
        log.warn("{}: {}", failure.summary(), failure.error());
        if (settings.webhook() != null) {
            webhook(failure);
        }
        if (!settings.mailTo().isEmpty()) {
            email(failure);
        }
    }

    private void webhook(Failure failure) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("policy", failure.policy());
        body.put("vm", failure.vm());
        body.put("what", failure.what());
        body.put("error", failure.error());
        body.put("action", failure.action());
        body.put("jobId", failure.jobId());
        body.put("node", failure.node());
        body.put("at", failure.at().toString());
        body.put("summary", failure.summary());
        body.put("runbook", failure.runbook());
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(settings.webhook()).timeout(TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() / 100 != 2) {
                log.warn("Webhook {} answered {} to a failure notification", settings.webhook(), r.statusCode());
            }
        } catch (IOException e) {
            log.warn("Webhook {} unreachable for a failure notification: {}", settings.webhook(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void email(Failure failure) {
        JavaMailSender sender = mail.getIfAvailable();
        if (sender == null) {
            log.warn("lifeboat.notify.mail-to is set but no SMTP server is (spring.mail.host): failure not e-mailed");
            return;
        }
        SimpleMailMessage m = new SimpleMailMessage();
        m.setFrom(settings.mailFrom());
        m.setTo(settings.mailTo().toArray(String[]::new));
        m.setSubject("[Lifeboat] " + failure.summary());
        m.setText(failure.text());
        try {
            sender.send(m);
        } catch (MailException e) {
            log.warn("Could not e-mail a failure notification to {}: {}", settings.mailTo(), e.getMessage());
        }
    }
}
