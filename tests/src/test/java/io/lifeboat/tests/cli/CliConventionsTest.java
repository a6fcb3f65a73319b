package io.lifeboat.tests.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.cli.ExitCode;
import io.lifeboat.cli.lifeboat.LifeboatCli;
import io.lifeboat.restore.agent.RestoreAgent;
import io.lifeboat.store.cli.StoreCli;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lifeboat.testkit.ConsoleCapture;
import io.lifeboat.testkit.ConsoleCapture.Run;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code lifeboat}, {@code lifeboat-store} and {@code restore-agent} give the same exit code for
 * the same kind of failure, list the one table of {@link ExitCode} in every {@code --help}, and
 * name a libvirt host with the same option. {@code lifeboat} talks to a stub of the appliance
 * that answers as the real one does (a problem document with the status).
 */
class CliConventionsTest {
    private static final String UNKNOWN = "nosuch/20200101T000000.000Z";
    private static final String BUSY = "busy/20200101T000000.000Z";

    @TempDir
    static Path dir;
    static Path store;
    static Path notAStore;
    static HttpServer appliance;

    /** One of the three command lines, run in this JVM. */
    enum Cli {
        LIFEBOAT("lifeboat", LifeboatCli::run, LifeboatCli::new),
        STORE("lifeboat-store", StoreCli::run, StoreCli::new),
        AGENT("restore-agent", args -> RestoreAgent.run((Path) null, args), RestoreAgent::new);

        final String name;
        final Function<String[], Integer> main;
        final java.util.function.Supplier<Object> command;

        Cli(String name, Function<String[], Integer> main, java.util.function.Supplier<Object> command) {
            this.name = name;
            this.main = main;
            this.command = command;
        }

        /** The CLI with the options that point it at the test's appliance or store. */
        Run run(String... args) {
            List<String> all = new ArrayList<>(switch (this) {
                case LIFEBOAT -> List.of("--url", "http://127.0.0.1:" + appliance.getAddress().getPort(), "--password", "x");
                case STORE, AGENT -> List.of("--store", store.toString());
            });
            all.addAll(List.of(args));
            return bare(all.toArray(String[]::new));
        }

        Run bare(String... args) {
            return ConsoleCapture.run(() -> main.apply(args));
        }
    }

    @BeforeAll
    static void setUp() throws IOException {
        store = dir.resolve("store");
        assertThat(Cli.STORE.run("init").exit()).isEqualTo(ExitCode.OK);
        notAStore = Files.createDirectories(dir.resolve("not-a-store"));
        appliance = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        appliance.createContext("/", CliConventionsTest::answer);
        appliance.start();
    }

    @AfterAll
    static void stop() {
        appliance.stop(0);
    }

    /** What the appliance answers for a restore point it does not have, or one that is in use. */
    private static void answer(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        boolean busy = path.startsWith("/api/restore-points/busy/") && x.getRequestMethod().equals("DELETE");
        int status = busy ? 409 : 404;
        String detail = busy ? "restore point " + BUSY + " is being restored" : "no restore point " + UNKNOWN;
        byte[] body = ("{\"type\":\"about:blank\",\"title\":\"x\",\"status\":" + status + ",\"detail\":\"" + detail + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/problem+json");
        x.sendResponseHeaders(status, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    @Test
    void anUnknownRestorePointIsNotFoundEverywhere() {
        assertExit(ExitCode.NOT_FOUND, Cli.LIFEBOAT.run("restore-point", "show", UNKNOWN), "lifeboat: no restore point " + UNKNOWN);
        assertExit(ExitCode.NOT_FOUND, Cli.STORE.run("show", UNKNOWN), "lifeboat-store: no restore point " + UNKNOWN);
        assertExit(ExitCode.NOT_FOUND, Cli.AGENT.run("restore", UNKNOWN, "--disk", "vda", "--dir", dir.toString(), "--dry-run"),
                "restore-agent: no restore point " + UNKNOWN);
    }

    @Test
    void aMalformedRestorePointIdIsBadUsageEverywhere() {
        assertExit(ExitCode.USAGE, Cli.LIFEBOAT.run("restore-point", "show", "no-slash"), "lifeboat: ");
        assertExit(ExitCode.USAGE, Cli.STORE.run("show", "no-slash"), "lifeboat-store: ");
        assertExit(ExitCode.USAGE, Cli.AGENT.run("restore", "no-slash", "--disk", "vda", "--dir", dir.toString(), "--dry-run"),
                "restore-agent: ");
    }

    @Test
    void anUnknownOptionOrVerbIsBadUsageEverywhere() {
        for (Cli cli : Cli.values()) {
            String verb = cli == Cli.LIFEBOAT ? "restore-points" : "list";
            Run option = cli.run(verb, "--bogus");
            assertExit(ExitCode.USAGE, option, cli.name + ": Unknown option: '--bogus'");
            assertThat(option.err()).as(cli.name).contains("Try '" + cli.name + " " + verb + " --help'.");
            assertExit(ExitCode.USAGE, cli.run("--bogus", verb), cli.name + ": Unknown option: '--bogus'");
            assertExit(ExitCode.USAGE, cli.run("bogus"), cli.name + ": Unmatched argument");
        }
    }

    @Test
    void aDirectoryThatIsNoStoreIsNotAStoreForBothStoreReaders() {
        assertExit(ExitCode.NOT_A_STORE, Cli.STORE.bare("--store", notAStore.toString(), "list"), "is not a Lifeboat store");
        assertExit(ExitCode.NOT_A_STORE, Cli.AGENT.bare("--store", notAStore.toString(), "list"), "is not a Lifeboat store");
    }

    @Test
    void somethingInTheWayIsAConflict() {
        assertExit(ExitCode.CONFLICT, Cli.LIFEBOAT.run("restore-point", "delete", BUSY), "lifeboat: restore point " + BUSY);
        assertExit(ExitCode.CONFLICT, Cli.STORE.run("init"), "already a Lifeboat store");
    }

    @Test
    void everyHelpListsTheOneTable() {
        for (Cli cli : Cli.values()) {
            for (List<String> verb : verbs(new CommandLine(cli.command.get()), new ArrayList<>())) {
                List<String> args = new ArrayList<>(verb);
                args.add("--help");
                Run help = cli.bare(args.toArray(String[]::new));
                assertThat(help.exit()).as("%s %s --help", cli.name, verb).isEqualTo(ExitCode.OK);
                assertThat(exitCodes(help.out())).as("%s %s --help", cli.name, verb).containsExactlyEntriesOf(ExitCode.DESCRIPTIONS);
            }
        }
    }

    @Test
    void aLibvirtHostIsNamedWithConnectEverywhere() {
        for (String verb : List.of("vms", "vm show", "vm define", "vm start", "snapshot list", "clone", "backup", "restore",
                "instant-recover")) {
            assertThat(help(Cli.LIFEBOAT, verb)).as(verb)
                    .contains("-c, --connect=URI The libvirt host's URI, as virsh -c takes it (default: the appliance's first host).")
                    .doesNotContain("--host");
        }
        for (String verb : List.of("restore", "instant")) {
            assertThat(help(Cli.AGENT, verb)).as(verb)
                    .contains("-c, --connect=URI The libvirt host's URI, as virsh -c takes it (default: qemu:///system).");
        }
    }

    @Test
    void theAgentsConfigurationFileStillSetsConnect() throws IOException {
        // docs/restore.md: keys are the options' long names; --connect kept its long name
        Path config = Files.writeString(dir.resolve("restore-agent.properties"), "connect=qemu+ssh://dr1/system\n");
        CommandLine cl = new CommandLine(new RestoreAgent());
        cl.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(config.toFile()));
        cl.parseArgs("restore", UNKNOWN);
        String uri = cl.getSubcommands().get("restore").getCommandSpec().findOption("connect").getValue();
        assertThat(uri).isEqualTo("qemu+ssh://dr1/system");
    }

    /** The help of a verb, its lines wrapped again as one. */
    private static String help(Cli cli, String verb) {
        List<String> args = new ArrayList<>(List.of(verb.split(" ")));
        args.add("--help");
        return cli.bare(args.toArray(String[]::new)).out().replaceAll("\\s+", " ");
    }

    private static void assertExit(int expected, Run run, String inErr) {
        assertThat(run.exit()).as("%s", run).isEqualTo(expected);
        assertThat(run.err()).as("%s", run).contains(inErr).doesNotContain("\tat ");
    }

    /** Every command path below {@code cl}, itself first, without picocli's {@code help} verb. */
    private static List<List<String>> verbs(CommandLine cl, List<String> path) {
        List<List<String>> all = new ArrayList<>();
        all.add(List.copyOf(path));
        cl.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                List<String> p = new ArrayList<>(path);
                p.add(name);
                all.addAll(verbs(sub, p));
            }
        });
        return all;
    }

    private static final Pattern CODE_LINE = Pattern.compile("^\\s+(\\d+)\\s+(.*)$");

    /** The "Exit codes:" section of a help text, a wrapped description joined again. */
    private static Map<String, String> exitCodes(String help) {
        Map<String, String> codes = new LinkedHashMap<>();
        int at = help.indexOf("\nExit codes:\n");
        assertThat(at).as(help).isNotNegative();
        String last = null;
        for (String line : help.substring(at + "\nExit codes:\n".length()).split("\n")) {
            Matcher m = CODE_LINE.matcher(line);
            if (m.matches()) {
                last = m.group(1);
                codes.put(last, m.group(2).strip());
            } else if (!line.isBlank() && last != null && line.startsWith(" ")) {
                codes.put(last, codes.get(last) + " " + line.strip());
            } else if (!line.isBlank()) {
                break;
            }
        }
        return codes;
    }
}
