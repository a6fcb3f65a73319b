package io.lifeboat.scheduler.policy;

/** What to do with a backup whose fire time passed while the appliance was down or busy. */
public enum MisfireRule {
    /**
     * Run the missed backup once (however many fire times were missed), if it is still inside the
     * policy's window; a policy without a window runs it at once.
     */
    RUN_ONCE_IF_IN_WINDOW,
    /** Drop missed fire times; wait for the next one. */
    SKIP
}
