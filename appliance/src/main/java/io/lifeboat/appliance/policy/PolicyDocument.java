package io.lifeboat.appliance.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.lifeboat.scheduler.policy.BackupPolicy;
import io.lifeboat.scheduler.policy.PolicyDraft;
import io.lifeboat.scheduler.policy.Violation;
import io.lifeboat.scheduler.retention.RetentionRule;

/**
 * A policy as JSON: the body of {@code POST/PUT /api/policies}, and what column
 * {@code policies.definition} stores. Fields left out take {@link PolicyDraft}'s defaults.
 *
 * <pre>{@code
 * {"name": "nightly", "selection": {"names": [], "globs": ["web-*"], "tags": ["prod"]},
 *  "cron": "0 30 1 * * ?", "timeZone": "Europe/Berlin", "window": {"start": "01:00", "end": "05:00"},
 *  "maxConcurrentPerHost": 1, "maxConcurrentTotal": 4, "retries": {"count": 2, "backoff": "PT10M"},
 *  "replicateAfterBackup": true, "retention": {"keep-last": 3, "keep-daily": 7},
 *  "verifyCron": "0 0 12 ? * SUN", "gcCron": "0 0 6 * * ?", "misfire": "RUN_ONCE_IF_IN_WINDOW"}
 * }</pre>
 */
public record PolicyDocument(String name, Selection selection, String cron, String timeZone, Window window,
                             Integer maxConcurrentPerHost, Integer maxConcurrentTotal, Retries retries,
                             Boolean replicateAfterBackup, Map<String, Integer> retention, String verifyCron,
                             String gcCron, String misfire) {

    public record Selection(List<String> names, List<String> globs, List<String> tags) {
    }

    /** Local {@code HH:mm} times. */
    public record Window(String start, String end) {
    }

    /** {@code backoff} is an ISO-8601 duration. */
    public record Retries(Integer count, String backoff) {
    }

    /** The same document under another name (PUT takes the name from the URL). */
    public PolicyDocument named(String newName) {
        return new PolicyDocument(newName, selection, cron, timeZone, window, maxConcurrentPerHost, maxConcurrentTotal,
                retries, replicateAfterBackup, retention, verifyCron, gcCron, misfire);
    }

    /** Every problem, each with its field: the model's, plus retention options that do not exist. */
    public List<Violation> violations() {
        List<Violation> problems = new ArrayList<>(draft().violations());
        if (retention != null) {
            retention.forEach((option, count) -> {
                if (rule(option) == null) {
                    problems.add(new Violation("retention." + option, "unknown retention option '" + option
                            + "': use keep-last, keep-hourly, keep-daily, keep-weekly, keep-monthly or keep-yearly"));
                } else if (count == null) {
                    problems.add(new Violation("retention." + option, "a count is required (0 switches the rule off)"));
                }
            });
        }
        return problems;
    }

    /** The valid policy; call only when {@link #violations()} is empty. */
    public BackupPolicy toPolicy() {
        return draft().toPolicy();
    }

    private PolicyDraft draft() {
        PolicyDraft d = new PolicyDraft().name(name).cron(cron).timeZone(timeZone).verifyCron(verifyCron).gcCron(gcCron);
        if (selection != null) {
            d.vmNames(selection.names()).vmGlobs(selection.globs()).vmTags(selection.tags());
        }
        if (window != null) {
            d.window(window.start(), window.end());
        }
        d.maxConcurrent(maxConcurrentPerHost == null ? 1 : maxConcurrentPerHost,
                maxConcurrentTotal == null ? 4 : maxConcurrentTotal);
        if (retries != null) {
            d.retries(retries.count() == null ? 0 : retries.count(), retries.backoff() == null ? "PT5M" : retries.backoff());
        }
        if (replicateAfterBackup != null) {
            d.replicateAfterBackup(replicateAfterBackup);
        }
        if (retention != null) {
            retention.forEach((option, count) -> {
                RetentionRule rule = rule(option);
                if (rule != null && count != null) {
                    d.keep(rule, count);
                }
            });
        }
        if (misfire != null) {
            d.misfire(misfire);
        }
        return d;
    }

    private static RetentionRule rule(String option) {
        for (RetentionRule r : RetentionRule.values()) {
            if (r.option().equals(option)) {
                return r;
            }
        }
        return null;
    }

    /** The document of a valid policy, every field spelled out. */
    public static PolicyDocument of(BackupPolicy p) {
        Map<String, Integer> keep = new LinkedHashMap<>();
        for (RetentionRule r : RetentionRule.values()) {
            keep.put(r.option(), p.retention().count(r));
        }
        return new PolicyDocument(p.name(),
                new Selection(p.selection().names(), p.selection().globs(), p.selection().tags()),
                p.cron(), p.zone().getId(),
                p.window().map(w -> new Window(w.start().toString(), w.end().toString())).orElse(null),
                p.concurrency().perHost(), p.concurrency().total(),
                new Retries(p.retries().count(), p.retries().backoff().toString()),
                p.replicateAfterBackup(), keep, p.verifyCron().orElse(null), p.gcCron().orElse(null),
                p.misfire().name());
    }
}
