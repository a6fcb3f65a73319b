package io.lifeboat.scheduler.policy;

/** The schedules a policy can have: its backups, and optionally store verification and GC. */
public enum ScheduleKind { BACKUP, VERIFY, GC }
