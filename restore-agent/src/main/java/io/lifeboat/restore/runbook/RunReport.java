package io.lifeboat.restore.runbook;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.lifeboat.restore.runbook.RunRecord.Step;
import io.lifeboat.restore.runbook.RunRecord.VmRun;

/**
 * The report of a run: the RTO it achieved (start to every check green), the RPO of each VM (the
 * age of the restore point it came back from), and every step with its start, end and outcome;
 * as a JSON-ready map and as a self-contained HTML page.
 */
public final class RunReport {
    private RunReport() {
    }

    public static Map<String, Object> json(RunRecord run) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run", run.id);
        m.put("runbook", run.runbook);
        m.put("kind", run.kind.name().toLowerCase(java.util.Locale.ROOT));
        m.put("state", run.state);
        m.put("source", run.source);
        m.put("started", run.started);
        m.put("ended", run.ended);
        m.put("rtoSeconds", run.rtoSeconds);
        m.put("downtimeSeconds", run.downtimeSeconds);
        m.put("worstRpoSeconds", run.vms.stream().map(v -> v.rpoSeconds).filter(java.util.Objects::nonNull)
                .max(Long::compare).orElse(null));
        m.put("error", run.error);
        m.put("expires", run.expires);
        m.put("network", run.network);
        m.put("vms", run.vms.stream().map(v -> {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("vm", v.vm);
            x.put("name", v.name);
            x.put("group", v.group);
            x.put("target", v.target);
            x.put("mode", v.mode);
            x.put("restorePoint", v.restorePoint);
            if (v.from != null) {
                x.put("from", v.from);
                x.put("fromTarget", v.fromTarget);
                x.put("syncPoint", v.syncPoint);
            }
            x.put("rpoSeconds", v.rpoSeconds);
            x.put("startedAt", v.startedAt);
            x.put("greenAt", v.greenAt);
            x.put("recoverySeconds", v.greenAt == null ? null : RunRecord.seconds(run.started, v.greenAt));
            return x;
        }).toList());
        m.put("steps", run.steps.stream().map(s -> {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("id", s.id);
            x.put("kind", s.kind);
            x.put("group", s.group);
            x.put("vm", s.vm);
            x.put("started", s.started);
            x.put("ended", s.ended);
            x.put("seconds", s.started != null && s.ended != null ? millis(s) / 1000.0 : null);
            x.put("outcome", s.outcome != null ? s.outcome : s.started == null ? "PENDING" : "RUNNING");
            x.put("attempts", s.attempts);
            x.put("detail", s.detail);
            return x;
        }).toList());
        return m;
    }

    public static String html(RunRecord run) {
        StringBuilder h = new StringBuilder(8192);
        h.append("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Runbook ").append(esc(run.runbook))
                .append(" run ").append(esc(run.id)).append("</title><style>")
                .append("body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}")
                .append(".OK{color:#176b1b}.FAILED{color:#a40e0e;font-weight:bold}.big{font-size:20px}</style></head><body>");
        h.append("<h1>Runbook ").append(esc(run.runbook)).append(": ").append(title(run.kind)).append(" ").append(esc(run.id)).append("</h1>");
        h.append("<p class='big'>State <b id='state'>").append(run.state).append("</b> · RTO <b id='rto'>")
                .append(run.rtoSeconds == null ? "not reached" : duration(run.rtoSeconds)).append("</b>")
                .append(run.downtimeSeconds == null ? "" : " · downtime <b id='downtime'>" + duration(run.downtimeSeconds) + "</b>")
                .append("</p>");
        h.append("<p>Started ").append(esc(run.started)).append(run.ended != null ? ", ended " + esc(run.ended) : "")
                .append(", restore points from the ").append(esc(run.source)).append(".</p>");
        if (run.error != null) {
            h.append("<p class='FAILED'>").append(esc(run.error)).append("</p>");
        }
        h.append("<h2>VMs</h2><table id='vms'><tr><th>VM</th><th>as</th><th>group</th><th>restore point</th><th>RPO</th>"
                + "<th>started</th><th>checks green</th></tr>");
        for (VmRun v : run.vms) {
            h.append("<tr><td>").append(esc(v.vm)).append("</td><td>").append(esc(v.name)).append("</td><td>")
                    .append(esc(v.group)).append("</td><td>").append(esc(v.restorePoint)).append("</td><td>")
                    .append(v.rpoSeconds == null ? "" : duration(v.rpoSeconds)).append("</td><td>").append(esc(v.startedAt))
                    .append("</td><td>").append(v.greenAt == null ? "" : esc(v.greenAt) + " (+"
                            + duration(RunRecord.seconds(run.started, v.greenAt)) + ")").append("</td></tr>");
        }
        h.append("</table><h2>Steps</h2><table id='steps'><tr><th>step</th><th>started</th><th>took</th><th>outcome</th>"
                + "<th>detail</th></tr>");
        for (Step s : run.steps) {
            String outcome = s.outcome != null ? s.outcome.name() : s.started == null ? "PENDING" : "RUNNING";
            h.append("<tr><td>").append(esc(s.id)).append("</td><td>").append(esc(s.started)).append("</td><td>")
                    .append(s.started != null && s.ended != null ? String.format(java.util.Locale.ROOT, "%.1f s", millis(s) / 1000.0) : "")
                    .append("</td><td class='").append(outcome).append("'>").append(outcome)
                    .append(s.attempts > 1 ? " (" + s.attempts + " attempts)" : "").append("</td><td>").append(esc(s.detail))
                    .append("</td></tr>");
        }
        return h.append("</table></body></html>\n").toString();
    }

    /** A plain-text summary, for a terminal. */
    public static String text(RunRecord run) {
        StringBuilder t = new StringBuilder();
        t.append("run ").append(run.id).append(" of ").append(run.runbook).append(" (")
                .append(run.kind.name().toLowerCase(java.util.Locale.ROOT)).append("): ").append(run.state);
        if (run.rtoSeconds != null) {
            t.append(", RTO ").append(duration(run.rtoSeconds));
        }
        if (run.downtimeSeconds != null) {
            t.append(", downtime ").append(duration(run.downtimeSeconds));
        }
        t.append('\n');
        for (VmRun v : run.vms) {
            t.append("  ").append(v.vm).append(" as ").append(v.name).append(": ")
                    .append(v.restorePoint == null ? "not started" : v.restorePoint)
                    .append(v.rpoSeconds == null ? "" : ", RPO " + duration(v.rpoSeconds))
                    .append(v.greenAt == null ? "" : ", green after " + duration(RunRecord.seconds(run.started, v.greenAt)))
                    .append('\n');
        }
        List<Step> failed = run.steps.stream().filter(s -> s.outcome == RunRecord.Outcome.FAILED).toList();
        failed.forEach(s -> t.append("  failed: ").append(s.id).append(": ").append(s.detail).append('\n'));
        if (run.error != null && failed.isEmpty()) {
            t.append("  ").append(run.error).append('\n');
        }
        return t.toString().stripTrailing();
    }

    private static String title(RunRecord.Kind kind) {
        return switch (kind) {
            case TEST -> "test failover";
            case FAILOVER -> "failover";
            case FAILBACK -> "failback";
        };
    }

    private static long millis(Step s) {
        return Duration.between(Instant.parse(s.started), Instant.parse(s.ended)).toMillis();
    }

    static String duration(long seconds) {
        return seconds < 120 ? seconds + " s" : seconds / 60 + " min " + seconds % 60 + " s";
    }

    private static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '\'' -> b.append("&#39;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
