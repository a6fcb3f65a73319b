package io.lifeboat.cli.lifeboat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.cli.ExitCode;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Waits for a job by polling GET /api/jobs/{id}, drawing its progress when a bar is given.
 * Ctrl-C (SIGINT, or the waiting thread being interrupted) asks the appliance to cancel the job
 * before the CLI exits with 130: a backup left running unseen would hold the VM's disks.
 */
final class JobWatch {
    private static final Duration POLL = Duration.ofMillis(500);
    /** How long the JVM's shutdown waits for the cancel request to go out. */
    private static final Duration CANCEL_GRACE = Duration.ofSeconds(10);

    private final ApplianceClient api;
    private final JobProgressBar bar;

    /** @param bar null for no progress display */
    JobWatch(ApplianceClient api, JobProgressBar bar) {
        this.api = api;
        this.bar = bar;
    }

    /** The id in an answer that started a job ({@code {"jobId": ...}}). */
    static String jobId(JsonNode started) throws CommandFailure {
        String jobId = started.path("jobId").asText();
        if (jobId.isEmpty()) {
            throw new CommandFailure(ExitCode.FAILED, "the appliance started no job (no jobId in its answer)");
        }
        return jobId;
    }

    /** Follows a job to its end; a job that did not succeed is a failure naming its error. */
    static JsonNode awaitSucceeded(Verb verb, String jobId, String what) throws CommandFailure {
        boolean bar = !verb.json() && System.console() != null;
        JsonNode job = new JobWatch(verb.api(), bar ? new JobProgressBar(System.err) : null).await(jobId);
        String state = job.path("state").asText();
        if (!state.equals("SUCCEEDED")) {
            if (verb.json()) {
                verb.print(job, JobCommand::text);
            }
            String why = job.path("error").asText("");
            throw new CommandFailure(ExitCode.FAILED, what + " " + state.toLowerCase(Locale.ROOT)
                    + (why.isBlank() ? "" : ": " + why) + " (job " + jobId + ")");
        }
        return job;
    }

    /** The job once it has ended (SUCCEEDED, FAILED or CANCELLED). */
    JsonNode await(String jobId) throws CommandFailure {
        Thread waiter = Thread.currentThread();
        CountDownLatch settled = new CountDownLatch(1);
        // On SIGINT the JVM runs shutdown hooks; this one hands the signal to the waiting thread
        // and lets the JVM exit (with 130) only once that thread has asked for the cancel.
        Thread hook = new Thread(() -> {
            waiter.interrupt();
            try {
                settled.await(CANCEL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lifeboat-cancel-on-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return poll(jobId);
        } catch (InterruptedException e) {
            finishBar();
            System.err.println("lifeboat: interrupted; " + cancel(jobId));
            throw new CommandFailure(ExitCode.INTERRUPTED, null);
        } finally {
            finishBar();
            settled.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: nothing to remove
            }
        }
    }

    private JsonNode poll(String jobId) throws CommandFailure, InterruptedException {
        while (true) {
            JsonNode job = api.get(JobCommand.path(jobId));
            if (bar != null) {
                bar.draw(job.path("phase").asText(job.path("state").asText()),
                        job.path("bytesDone").asLong(), job.path("bytesTotal").asLong());
            }
            String state = job.path("state").asText();
            if (state.equals("SUCCEEDED") || state.equals("FAILED") || state.equals("CANCELLED")) {
                return job;
            }
            Thread.sleep(POLL.toMillis()); // the API has no push; a person notices no lag of half a second
        }
    }

    private String cancel(String jobId) {
        try {
            api.post(JobCommand.path(jobId) + "/cancel", null);
            return "asked the appliance to cancel job " + jobId;
        } catch (CommandFailure f) {
            return "could not cancel job " + jobId + ": " + f.getMessage();
        } catch (InterruptedException again) {
            Thread.currentThread().interrupt();
            return "job " + jobId + " may still be running (lifeboat job cancel " + jobId + ")";
        }
    }

    private void finishBar() {
        if (bar != null) {
            bar.finish();
        }
    }
}
