package io.lifeboat.appliance.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.appliance.api.RunningAppliance;
import io.lifeboat.cli.lifeboat.LifeboatCli;
import io.lifeboat.testkit.ConsoleCapture;

/**
 * Runs {@code lifeboat} in-process against the running appliance, capturing what it prints.
 * Adds no configuration, so it shares the one appliance with the API tests.
 */
abstract class CliHarness extends RunningAppliance {

    private static final Pattern APPLIANCE_LOG_LINE =
            Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z? +(TRACE|DEBUG|INFO|WARN|ERROR) +\\d+ --- ");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An exit code and what was printed. */
    record Run(int exitCode, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    /** {@code lifeboat --url <this appliance> --password <admin's> args...} */
    Run lifeboat(String... args) {
        List<String> all = new ArrayList<>(List.of("--url", "http://localhost:" + port, "--password", ADMIN_PASSWORD));
        all.addAll(List.of(args));
        return bare(all.toArray(String[]::new));
    }

    /** {@code lifeboat args...}, with no connection options added. */
    static Run bare(String... args) {
        ConsoleCapture.Run run = ConsoleCapture.run(() -> LifeboatCli.run(args));
        return new Run(run.exit(), withoutLog(run.out()), withoutLog(run.err()));
    }

    /** The appliance logs to the console too, and so into the capture: keep only what the CLI printed. */
    private static String withoutLog(String captured) {
        return captured.lines()
                .filter(l -> !APPLIANCE_LOG_LINE.matcher(l).find())
                .map(l -> l + "\n")
                .collect(Collectors.joining());
    }
}
