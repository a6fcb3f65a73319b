package io.lifeboat.restore.runbook;

import java.util.List;
import java.util.stream.Collectors;

import io.lifeboat.restore.RestoreException;

/** A runbook refused before anything started: every problem found, each at its line and column. */
public class RunbookException extends RestoreException {

    /** One problem, at a 1-based line and column of the YAML. */
    public record Problem(int line, int column, String message) {
        @Override
        public String toString() {
            return "line " + line + ", column " + column + ": " + message;
        }
    }

    private final List<Problem> problems;

    public RunbookException(List<Problem> problems) {
        super(Kind.BAD_INPUT, message(problems));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String message(List<Problem> problems) {
        return problems.size() == 1 ? "runbook refused: " + problems.get(0)
                : "runbook refused, " + problems.size() + " problems:\n" + problems.stream().map(Problem::toString)
                        .collect(Collectors.joining("\n"));
    }
}
