package com.sessionflow.session;

/**
 * One change of the sessions changelog: a session's new version, or a retraction (its key now
 * belongs to no session: it was merged into an earlier one or its start moved).
 */
public class SessionChange {

    public String owner;
    public long sessionId;

    /**
     * The session's group (property value, or {@code inferred} under {@code client}); null for
     * most.
     */
    public String group;

    /** The new version; null for a retraction. */
    public Session session;

    public SessionChange() {}

    public static SessionChange update(Session session) {
        SessionChange c = new SessionChange();
        c.owner = session.owner;
        c.sessionId = session.sessionId;
        c.group = session.group;
        c.session = session;
        return c;
    }

    public static SessionChange retraction(String owner, long sessionId) {
        return retraction(owner, sessionId, null);
    }

    public static SessionChange retraction(String owner, long sessionId, String group) {
        SessionChange c = new SessionChange();
        c.owner = owner;
        c.sessionId = sessionId;
        c.group = group;
        return c;
    }

    public boolean isRetraction() {
        return session == null;
    }

    /**
     * The Kafka key: {@code <owner>/<session_id>}, plus {@code /<group>} for a session of a group.
     */
    public String key() {
        return key(owner, sessionId, group);
    }

    /**
     * {@code <owner>/<session_id>}, or {@code <owner>/<session_id>/<group>}: sessions of different
     * groups (two values of a session property, or an SDK session and an inferred one under {@code
     * client}) may start at the same millisecond, and must not overwrite each other.
     */
    public static String key(String owner, long sessionId, String group) {
        return group == null ? owner + "/" + sessionId : owner + "/" + sessionId + "/" + group;
    }

    @Override
    public String toString() {
        return isRetraction() ? "Retract{" + key() + "}" : "Update{" + key() + " " + session + "}";
    }
}
