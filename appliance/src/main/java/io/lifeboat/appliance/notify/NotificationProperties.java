package io.lifeboat.appliance.notify;

import java.net.URI;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where failure notifications go, bound from {@code lifeboat.notify.*}: a webhook that receives
 * each {@link Failure} as JSON, and e-mail addresses (sent through {@code spring.mail.*}'s SMTP
 * server). Either, both or neither.
 *
 * @param webhook  a URL to POST each failure to, or null
 * @param mailTo   addresses to e-mail each failure to; needs {@code spring.mail.host}
 * @param mailFrom the sender of those e-mails
 */
@ConfigurationProperties("lifeboat.notify")
public record NotificationProperties(URI webhook, @DefaultValue List<String> mailTo,
                                     @DefaultValue("lifeboat@localhost") String mailFrom) {
}
