package io.lifeboat.appliance.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.lifeboat.appliance.LifeboatApplication;
import io.lifeboat.appliance.api.ApiClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Without LIFEBOAT_ADMIN_PASSWORD: a random password, logged at the first start and never again. */
@ExtendWith(OutputCaptureExtension.class)
class AdminPasswordTest {

    private static final Pattern PASSWORD = Pattern.compile("admin password: (\\S+)");

    @TempDir
    Path data;

    private ConfigurableApplicationContext start() {
        // command line arguments: they override application.yaml (and LIFEBOAT_ADMIN_PASSWORD, if set)
        return new SpringApplicationBuilder(LifeboatApplication.class).main(LifeboatApplication.class)
                .run("--server.port=0", "--lifeboat.data-dir=" + data, "--lifeboat.admin-password=",
                        "--spring.jmx.enabled=false");
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    @Test
    void randomPasswordIsPrintedOnceAndWorksAfterARestart(CapturedOutput output) throws Exception {
        String password;
        try (ConfigurableApplicationContext first = start()) {
            Matcher m = PASSWORD.matcher(output.getOut());
            assertThat(m.find()).as("first start prints the admin password").isTrue();
            password = m.group(1);
            String startLog = output.getOut();
            assertThat(startLog.substring(startLog.indexOf("Started LifeboatApplication")))
                    .as("the start ends by saying where the console is and whom to log in as")
                    .contains("Lifeboat console: http://localhost:" + port(first) + "/")
                    .contains("log in as admin, password: the one logged above");
            assertThat(password).hasSizeGreaterThanOrEqualTo(20);
            assertThat(new ApiClient(port(first), "admin", password).get("/api/jobs").status()).isEqualTo(200);
            String hash = first.getBean(UserAccounts.class).find("admin").orElseThrow().passwordHash();
            assertThat(hash).startsWith("$2a$").doesNotContain(password);
        }
        int printedBefore = output.getOut().length();

        try (ConfigurableApplicationContext second = start()) {
            String restartLog = output.getOut().substring(printedBefore);
            assertThat(restartLog).contains("Started LifeboatApplication").doesNotContain("admin password");
            assertThat(restartLog).doesNotContain(password);
            assertThat(restartLog).contains("Lifeboat console: http://localhost:" + port(second) + "/")
                    .contains("log in as admin, password: the one set when it was created");
            assertThat(new ApiClient(port(second), "admin", password).get("/api/jobs").status()).isEqualTo(200);
        }
    }
}
