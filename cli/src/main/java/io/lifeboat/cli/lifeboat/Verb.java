package io.lifeboat.cli.lifeboat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.cli.ConnectOption;
import io.lifeboat.cli.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * Base of the verbs: the connection from the global options, and output as the API's JSON
 * ({@code --json}) or as text for people.
 */
abstract class Verb implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    LifeboatCli cli() {
        return (LifeboatCli) spec.root().userObject();
    }

    ApplianceClient api() throws CommandFailure {
        return cli().client();
    }

    boolean json() {
        return cli().json;
    }

    /** Prints {@code result} as indented JSON with --json, else what {@code human} makes of it. */
    void print(JsonNode result, Function<JsonNode, String> human) {
        if (json()) {
            try {
                System.out.println(ApplianceClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            System.out.println(human.apply(result));
        }
    }

    /** {@code path} with the API's {@code host=} added to its query when {@code --connect} was given. */
    static String at(ConnectOption connect, String path) {
        String uri = connect.uri();
        return uri == null ? path : path + (path.contains("?") ? "&" : "?") + "host=" + ApplianceClient.segment(uri);
    }

    @Override
    public final Integer call() throws Exception {
        run();
        return ExitCode.OK;
    }

    /** Does the verb; failures are {@link CommandFailure}s. */
    abstract void run() throws CommandFailure, InterruptedException;
}
