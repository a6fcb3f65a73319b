package io.lifeboat.scheduler.policy;

import java.nio.file.FileSystems;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.PatternSyntaxException;

/**
 * Which VMs a policy backs up: a VM is selected if its name is one of {@code names}, or matches
 * one of {@code globs} ({@code *}, {@code ?}, {@code [a-z]}, {@code {web,db}*}; the JDK's glob
 * syntax, case-sensitive), or it carries one of {@code tags}. An empty selection is refused: a
 * policy that backs up nothing is a mistake, not a choice.
 */
public record VmSelection(List<String> names, List<String> globs, List<String> tags) {

    public VmSelection {
        names = distinct(names);
        globs = distinct(globs);
        tags = distinct(tags);
        InvalidPolicyException.throwIfAny(check(names, globs, tags));
    }

    public static VmSelection byNames(String... names) {
        return new VmSelection(List.of(names), List.of(), List.of());
    }

    /** Problems, with field names {@code names}, {@code globs} and {@code tags}, or none. */
    public static List<Violation> check(Collection<String> names, Collection<String> globs, Collection<String> tags) {
        List<Violation> problems = new ArrayList<>();
        boolean empty = true;
        for (String name : orEmpty(names)) {
            empty = false;
            if (name == null || name.isBlank()) {
                problems.add(new Violation("names", "a VM name must not be blank"));
            }
        }
        for (String glob : orEmpty(globs)) {
            empty = false;
            if (glob == null || glob.isBlank()) {
                problems.add(new Violation("globs", "a glob must not be blank"));
            } else {
                try {
                    matcher(glob);
                } catch (PatternSyntaxException e) {
                    problems.add(new Violation("globs", "invalid glob '" + glob + "': " + e.getDescription()));
                }
            }
        }
        for (String tag : orEmpty(tags)) {
            empty = false;
            if (tag == null || tag.isBlank()) {
                problems.add(new Violation("tags", "a tag must not be blank"));
            }
        }
        if (empty) {
            problems.add(new Violation("", "select at least one VM by name, glob or tag"));
        }
        return problems;
    }

    public boolean matches(String vmName, Collection<String> vmTags) {
        Objects.requireNonNull(vmName, "vmName");
        if (names.contains(vmName)) {
            return true;
        }
        for (String tag : tags) {
            if (vmTags.contains(tag)) {
                return true;
            }
        }
        for (String glob : globs) {
            if (globMatches(glob, vmName)) {
                return true;
            }
        }
        return false;
    }

    private static boolean globMatches(String glob, String vmName) {
        try {
            return matcher(glob).matches(Path.of(vmName));
        } catch (InvalidPathException e) {
            return false; // a name no path can hold (a NUL byte) matches no glob
        }
    }

    private static PathMatcher matcher(String glob) {
        return FileSystems.getDefault().getPathMatcher("glob:" + glob);
    }

    private static List<String> distinct(Collection<String> values) {
        return values == null ? List.of() : List.copyOf(new LinkedHashSet<>(values.stream()
                .map(v -> v == null ? "" : v).toList()));
    }

    private static Collection<String> orEmpty(Collection<String> values) {
        return values == null ? List.of() : values;
    }
}
