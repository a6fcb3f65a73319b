package io.lifeboat.appliance.api;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

import io.lifeboat.appliance.policy.PolicyDocument;
import io.lifeboat.appliance.policy.PolicyRepository;
import io.lifeboat.appliance.policy.PolicyRun;

/**
 * A policy as GET /api/policies/{name} shows it: its definition with every default spelled out,
 * whether it is paused, the next fire times of each schedule in the policy's zone (none while
 * paused), its most recent runs, and warnings (on create and update).
 */
record PolicyView(String name, PolicyDocument definition, boolean paused, Instant created, Instant updated,
                  Map<String, List<ZonedDateTime>> nextFireTimes, List<PolicyRun> recentRuns, List<String> warnings) {

    static PolicyView of(PolicyRepository.Stored s, Map<String, List<ZonedDateTime>> next, List<PolicyRun> runs,
                         List<String> warnings) {
        return new PolicyView(s.policy().name(), PolicyDocument.of(s.policy()), s.paused(), s.created(), s.updated(),
                next, runs, warnings);
    }
}
