package io.lifeboat.appliance.api;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.lifeboat.appliance.catalog.Job;
import io.lifeboat.appliance.catalog.JobRepository;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The server-sent events behind {@code GET /api/jobs/events}. The job catalog tells this stream
 * the id of every job row this appliance changes (created, started, progress copied, ended); one
 * thread, every {@value #FLUSH_MILLIS} ms, reads each changed row once and sends it to every
 * subscriber that follows it, if it differs from what was sent last. So a job produces at most
 * four events a second, and its final state is always sent (it is its last change). The same
 * thread sends each subscriber its snapshot and a heartbeat comment every
 * {@value #HEARTBEAT_SECONDS} s; no thread waits per client. A stream following one job ends once
 * that job's final state is sent. A subscriber is dropped when its
 * connection completes, times out ({@value #TIMEOUT_MINUTES} min; an EventSource reconnects) or
 * fails.
 */
@Component
class JobEventStream {

    private static final Logger log = LoggerFactory.getLogger(JobEventStream.class);
    static final long FLUSH_MILLIS = 250;
    static final long HEARTBEAT_SECONDS = 15;
    static final long TIMEOUT_MINUTES = 30;
    private static final int SNAPSHOT_LIMIT = 1000;

    /** One open stream; {@code job} null follows every job. */
    private record Subscriber(SseEmitter emitter, UUID job) {
        boolean follows(UUID id) {
            return job == null || job.equals(id);
        }
    }

    private final JobRepository jobs;
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final Set<UUID> changed = ConcurrentHashMap.newKeySet();
    private final Map<UUID, Job> lastSent = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sender;

    JobEventStream(JobRepository jobs) {
        this.jobs = jobs;
        this.sender = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "job-events");
            t.setDaemon(true);
            return t;
        });
        jobs.listen(changed::add);
        sender.scheduleWithFixedDelay(this::flush, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
        sender.scheduleWithFixedDelay(this::heartbeat, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * A new stream following job {@code job} (null: every job). Its first event, {@code snapshot},
     * is read and sent on the sending thread, so no change between the snapshot and the first
     * {@code job} event is lost.
     */
    SseEmitter subscribe(UUID job) {
        SseEmitter emitter = new SseEmitter(Duration.ofMinutes(TIMEOUT_MINUTES).toMillis());
        Subscriber s = new Subscriber(emitter, job);
        emitter.onCompletion(() -> subscribers.remove(s));
        emitter.onTimeout(() -> {
            subscribers.remove(s);
            emitter.complete();
        });
        emitter.onError(e -> subscribers.remove(s));
        sender.execute(() -> {
            List<Job> snapshot = snapshot(job);
            if (send(s, SseEmitter.event().name("snapshot").data(snapshot, MediaType.APPLICATION_JSON))) {
                if (job != null && !snapshot.isEmpty() && snapshot.get(0).state().isFinal()) {
                    emitter.complete();
                } else {
                    subscribers.add(s);
                }
            }
        });
        return emitter;
    }

    private List<Job> snapshot(UUID job) {
        if (job != null) {
            return jobs.find(job).map(List::of).orElse(List.of());
        }
        List<Job> open = new ArrayList<>(jobs.list(Job.State.RUNNING, SNAPSHOT_LIMIT));
        open.addAll(jobs.list(Job.State.QUEUED, SNAPSHOT_LIMIT));
        return open;
    }

    private void flush() {
        try {
            if (subscribers.isEmpty()) {
                changed.clear();
                lastSent.clear();
                return;
            }
            for (UUID id : List.copyOf(changed)) {
                changed.remove(id);
                Optional<Job> row = jobs.find(id);
                if (row.isEmpty()) {
                    continue;
                }
                Job job = row.get();
                if (job.equals(job.state().isFinal() ? lastSent.remove(id) : lastSent.put(id, job))) {
                    continue;
                }
                for (Subscriber s : subscribers) {
                    if (s.follows(id) && send(s, SseEmitter.event().name("job").data(job, MediaType.APPLICATION_JSON))
                            && s.job() != null && job.state().isFinal()) {
                        subscribers.remove(s);
                        s.emitter().complete();
                    }
                }
            }
        } catch (RuntimeException e) {
            log.warn("Job events: cannot read the changed jobs: {}", e.getMessage());
        }
    }

    private void heartbeat() {
        for (Subscriber s : subscribers) {
            send(s, SseEmitter.event().comment("heartbeat"));
        }
    }

    /** False, and the subscriber dropped, if its connection is gone. */
    private boolean send(Subscriber s, SseEmitter.SseEventBuilder event) {
        try {
            s.emitter().send(event);
            return true;
        } catch (IOException | IllegalStateException e) {
            subscribers.remove(s);
            try {
                s.emitter().complete();
            } catch (IllegalStateException alreadyDone) {
                // the connection ended on its own
            }
            return false;
        }
    }

    @PreDestroy
    void close() {
        sender.shutdownNow();
        subscribers.forEach(s -> s.emitter().complete());
        subscribers.clear();
    }
}
